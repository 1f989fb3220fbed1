// Rows of backup codes and of 2FA sign-in challenges.
import type { DbOrTx } from '../db.js';

export async function replaceBackupCodes(db: DbOrTx, userId: string, codes: Array<{ id: string; hash: string }>, now: number): Promise<void> {
  await db.deleteFrom('backup_codes').where('user_id', '=', userId).execute();
  if (codes.length > 0) {
    await db.insertInto('backup_codes').values(codes.map((code) => ({ id: code.id, user_id: userId, code_hash: code.hash, created_at: now, used_at: null }))).execute();
  }
}

/** Burns an unused backup code; false when there is none with that hash (or it was just used). */
export async function burnBackupCode(db: DbOrTx, userId: string, hash: string, now: number): Promise<boolean> {
  const result = await db
    .updateTable('backup_codes')
    .set({ used_at: now })
    .where('user_id', '=', userId)
    .where('code_hash', '=', hash)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function deleteBackupCodes(db: DbOrTx, userId: string): Promise<void> {
  await db.deleteFrom('backup_codes').where('user_id', '=', userId).execute();
}

export async function insertChallenge(db: DbOrTx, row: { tokenHash: string; userId: string; clientId: string; cookie: boolean; now: number; expiresAt: number }): Promise<void> {
  await db
    .insertInto('mfa_challenges')
    .values({ token_hash: row.tokenHash, user_id: row.userId, client_id: row.clientId, cookie: row.cookie ? 1 : 0, attempts: 0, created_at: row.now, expires_at: row.expiresAt, used_at: null })
    .execute();
}

export const findChallenge = (db: DbOrTx, tokenHash: string) =>
  db.selectFrom('mfa_challenges').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();

export async function countChallengeFailure(db: DbOrTx, tokenHash: string): Promise<void> {
  await db.updateTable('mfa_challenges').set((eb) => ({ attempts: eb('attempts', '+', 1) })).where('token_hash', '=', tokenHash).execute();
}

/** Spends a challenge; false when it was spent already (two answers racing). */
export async function spendChallenge(db: DbOrTx, tokenHash: string, now: number): Promise<boolean> {
  const result = await db.updateTable('mfa_challenges').set({ used_at: now }).where('token_hash', '=', tokenHash).where('used_at', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Records an accepted TOTP step; false when this or a later step was accepted already (replay). */
export async function advanceTotpStep(db: DbOrTx, userId: string, step: number): Promise<boolean> {
  const result = await db
    .updateTable('users')
    .set({ totp_last_step: step })
    .where('id', '=', userId)
    .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function purgeExpiredChallenges(db: DbOrTx, now: number): Promise<void> {
  await db.deleteFrom('mfa_challenges').where('expires_at', '<=', now).execute();
}

export type SealedTotpColumn = 'totp_secret_sealed' | 'totp_pending_sealed';

/** Every user with a sealed TOTP secret, current or pending (`keys rekey`). */
export const listSealedTotpSecrets = (db: DbOrTx): Promise<Array<{ id: string; totp_secret_sealed: string | null; totp_pending_sealed: string | null }>> =>
  db
    .selectFrom('users')
    .select(['id', 'totp_secret_sealed', 'totp_pending_sealed'])
    .where((eb) => eb.or([eb('totp_secret_sealed', 'is not', null), eb('totp_pending_sealed', 'is not', null)]))
    .orderBy('id')
    .execute();

/**
 * Replaces one sealed TOTP value, only if it is still `from`: a user who set up or turned off 2FA
 * meanwhile wrote a value sealed under the current KEK, which must not be overwritten.
 */
export async function resealTotpSecret(db: DbOrTx, userId: string, column: SealedTotpColumn, from: string, to: string): Promise<boolean> {
  const result = await db.updateTable('users').set({ [column]: to }).where('id', '=', userId).where(column, '=', from).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
