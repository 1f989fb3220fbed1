// Rows of pushed_requests: authorization requests pushed to the PAR endpoint (RFC 9126 §2),
// waiting for the /authorize call that names them.
import type { Insertable } from 'kysely';
import type { DbOrTx } from '../db.js';
import type { PushedRequestTable } from '../schema.js';

export async function insertPushedRequest(db: DbOrTx, row: Insertable<PushedRequestTable>): Promise<void> {
  await db.insertInto('pushed_requests').values(row).execute();
}

/**
 * Spends the pushed request of `clientId` with this hash if it is unused and unexpired, and
 * returns its parameters; undefined otherwise. One statement, so that two /authorize calls racing
 * with the same `request_uri` cannot both get it (RFC 9126 §4: single use).
 */
export async function takePushedRequest(db: DbOrTx, requestUriHash: string, clientId: string, now: number): Promise<string | undefined> {
  const row = await db
    .updateTable('pushed_requests')
    .set({ used_at: now })
    .where('request_uri_hash', '=', requestUriHash)
    .where('client_id', '=', clientId)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .returning('params')
    .executeTakeFirst();
  return row?.params;
}

export async function purgeExpiredPushedRequests(db: DbOrTx, now: number): Promise<number> {
  const result = await db.deleteFrom('pushed_requests').where('expires_at', '<=', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}
