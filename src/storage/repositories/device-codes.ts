// Rows of device_codes: device authorization requests (RFC 8628) from the device's POST to the
// redemption of its device code. Every change of state is one conditional statement, so that two
// browsers deciding at once, or two polls redeeming at once, cannot both win.
import type { Insertable, Selectable } from 'kysely';
import type { DbOrTx } from '../db.js';
import type { DeviceCodeTable } from '../schema.js';

export type DeviceCodeRow = Selectable<DeviceCodeTable>;

/** Inserts the request; false when its user code hash is taken by a row still kept (draw another). */
export async function insertDeviceCode(db: DbOrTx, row: Insertable<DeviceCodeTable>): Promise<boolean> {
  const inserted = await db
    .insertInto('device_codes')
    .values(row)
    .onConflict((oc) => oc.column('user_code_hash').doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted !== undefined;
}

export const findDeviceCodeByHash = (db: DbOrTx, deviceCodeHash: string) =>
  db.selectFrom('device_codes').selectAll().where('device_code_hash', '=', deviceCodeHash).executeTakeFirst();

export const findDeviceCodeByUserCode = (db: DbOrTx, userCodeHash: string) =>
  db.selectFrom('device_codes').selectAll().where('user_code_hash', '=', userCodeHash).executeTakeFirst();

export const findDeviceCodeById = (db: DbOrTx, id: string) => db.selectFrom('device_codes').selectAll().where('id', '=', id).executeTakeFirst();

/** Binds a pending request to the browser that entered its user code (the last one to do so). */
export async function bindDeviceCode(db: DbOrTx, id: string, csrfHash: string, now: number): Promise<boolean> {
  const result = await db
    .updateTable('device_codes')
    .set({ csrf_hash: csrfHash })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export interface DeviceDecision {
  status: 'approved' | 'denied';
  userId: string;
  browserSessionId: string | null;
}

/**
 * Records the person's decision, once: only while the request is pending, unexpired and bound to
 * the browser deciding.
 */
export async function decideDeviceCode(db: DbOrTx, id: string, csrfHash: string, decision: DeviceDecision, now: number): Promise<boolean> {
  const result = await db
    .updateTable('device_codes')
    .set({ status: decision.status, user_id: decision.userId, browser_session_id: decision.browserSessionId, decided_at: now })
    .where('id', '=', id)
    .where('csrf_hash', '=', csrfHash)
    .where('status', '=', 'pending')
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** A poll of a pending request: when it came, and the interval from now on (RFC 8628 §3.5). */
export async function recordPoll(db: DbOrTx, deviceCodeHash: string, now: number, intervalSeconds: number): Promise<void> {
  await db.updateTable('device_codes').set({ last_polled_at: now, interval_seconds: intervalSeconds }).where('device_code_hash', '=', deviceCodeHash).execute();
}

/** Spends an approved device code; false when another redemption spent it first. */
export async function spendDeviceCode(db: DbOrTx, deviceCodeHash: string, now: number): Promise<boolean> {
  const result = await db
    .updateTable('device_codes')
    .set({ used_at: now })
    .where('device_code_hash', '=', deviceCodeHash)
    .where('status', '=', 'approved')
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function recordDeviceSession(db: DbOrTx, deviceCodeHash: string, sessionId: string): Promise<void> {
  await db.updateTable('device_codes').set({ issued_session_id: sessionId }).where('device_code_hash', '=', deviceCodeHash).execute();
}

/** Deletes requests that expired before `before`: their user codes may then be drawn again. */
export async function purgeExpiredDeviceCodes(db: DbOrTx, before: number): Promise<number> {
  const result = await db.deleteFrom('device_codes').where('expires_at', '<=', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}
