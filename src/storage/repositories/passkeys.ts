// Rows of passkeys, of the user handles their authenticators keep, and of the WebAuthn ceremonies
// in progress (domain/passkeys/).
import type { Insertable, Selectable } from 'kysely';
import type { DbOrTx } from '../db.js';
import type { PasskeyCeremonyTable, PasskeyTable } from '../schema.js';

export type PasskeyRow = Selectable<PasskeyTable>;
export type PasskeyCeremonyRow = Selectable<PasskeyCeremonyTable>;

export const findUserHandle = async (db: DbOrTx, userId: string): Promise<string | undefined> =>
  (await db.selectFrom('webauthn_user_handles').select('handle').where('user_id', '=', userId).executeTakeFirst())?.handle;

export const findUserIdByHandle = async (db: DbOrTx, handle: string): Promise<string | undefined> =>
  (await db.selectFrom('webauthn_user_handles').select('user_id').where('handle', '=', handle).executeTakeFirst())?.user_id;

/** Records the user's handle unless one exists; returns the one in force (two first passkeys racing agree). */
export async function ensureUserHandle(db: DbOrTx, userId: string, handle: string, now: number): Promise<string> {
  await db.insertInto('webauthn_user_handles').values({ user_id: userId, handle, created_at: now }).onConflict((oc) => oc.column('user_id').doNothing()).execute();
  return (await findUserHandle(db, userId)) ?? handle;
}

export async function insertPasskey(db: DbOrTx, row: Insertable<PasskeyTable>): Promise<void> {
  await db.insertInto('passkeys').values(row).execute();
}

export const findPasskeyByCredentialId = (db: DbOrTx, credentialId: string): Promise<PasskeyRow | undefined> =>
  db.selectFrom('passkeys').selectAll().where('credential_id', '=', credentialId).executeTakeFirst();

export const findPasskey = (db: DbOrTx, userId: string, id: string): Promise<PasskeyRow | undefined> =>
  db.selectFrom('passkeys').selectAll().where('user_id', '=', userId).where('id', '=', id).executeTakeFirst();

/** A person's passkeys, oldest first. */
export const listPasskeys = (db: DbOrTx, userId: string): Promise<PasskeyRow[]> =>
  db.selectFrom('passkeys').selectAll().where('user_id', '=', userId).orderBy('created_at').orderBy('id').execute();

export async function renamePasskey(db: DbOrTx, userId: string, id: string, name: string): Promise<boolean> {
  const result = await db.updateTable('passkeys').set({ name }).where('user_id', '=', userId).where('id', '=', id).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/**
 * Records a use: the new counter, the backup state and when. Only while the stored counter is
 * still `expected`, so two assertions racing with the same counter cannot both pass.
 */
export async function recordPasskeyUse(db: DbOrTx, id: string, expected: number, use: { signCount: number; backedUp: boolean; deviceType: string; now: number }): Promise<boolean> {
  const result = await db
    .updateTable('passkeys')
    .set({ sign_count: use.signCount, backed_up: use.backedUp ? 1 : 0, device_type: use.deviceType, last_used_at: use.now })
    .where('id', '=', id)
    .where('sign_count', '=', expected)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function deletePasskey(db: DbOrTx, userId: string, id: string): Promise<boolean> {
  const result = await db.deleteFrom('passkeys').where('user_id', '=', userId).where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** Every passkey of a user (an administrator's reset); returns how many there were. */
export async function deleteUserPasskeys(db: DbOrTx, userId: string): Promise<number> {
  const result = await db.deleteFrom('passkeys').where('user_id', '=', userId).executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function insertCeremony(db: DbOrTx, row: Insertable<PasskeyCeremonyTable>): Promise<void> {
  await db.insertInto('passkey_ceremonies').values(row).execute();
}

export const findCeremony = (db: DbOrTx, id: string): Promise<PasskeyCeremonyRow | undefined> =>
  db.selectFrom('passkey_ceremonies').selectAll().where('id', '=', id).executeTakeFirst();

/** Spends a ceremony's challenge; false when it was spent already (a replay, or two answers racing). */
export async function spendCeremony(db: DbOrTx, id: string, now: number): Promise<boolean> {
  const result = await db.updateTable('passkey_ceremonies').set({ used_at: now }).where('id', '=', id).where('used_at', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function purgeExpiredCeremonies(db: DbOrTx, now: number): Promise<number> {
  const result = await db.deleteFrom('passkey_ceremonies').where('expires_at', '<=', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}
