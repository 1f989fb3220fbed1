// Rows of mail tokens (email verification and password reset): single use, expiring, stored hashed.
import type { DbOrTx } from '../db.js';
import type { MailTokenPurpose } from '../schema.js';

export async function insertMailToken(
  db: DbOrTx,
  row: { tokenHash: string; userId: string; purpose: MailTokenPurpose; email: string; now: number; expiresAt: number },
): Promise<void> {
  await db
    .insertInto('mail_tokens')
    .values({ token_hash: row.tokenHash, user_id: row.userId, purpose: row.purpose, email: row.email, created_at: row.now, expires_at: row.expiresAt, used_at: null })
    .execute();
}

export const findMailToken = (db: DbOrTx, tokenHash: string, purpose: MailTokenPurpose) =>
  db.selectFrom('mail_tokens').selectAll().where('token_hash', '=', tokenHash).where('purpose', '=', purpose).executeTakeFirst();

/** Spends a token; false when it was spent already (two clicks racing). */
export async function spendMailToken(db: DbOrTx, tokenHash: string, now: number): Promise<boolean> {
  const result = await db.updateTable('mail_tokens').set({ used_at: now }).where('token_hash', '=', tokenHash).where('used_at', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** A newer token, or a password change, voids the older ones (docs/accounts.md). */
export async function voidMailTokens(db: DbOrTx, userId: string, purpose: MailTokenPurpose, now: number): Promise<void> {
  await db.updateTable('mail_tokens').set({ used_at: now }).where('user_id', '=', userId).where('purpose', '=', purpose).where('used_at', 'is', null).execute();
}

export async function purgeExpiredMailTokens(db: DbOrTx, now: number): Promise<number> {
  const result = await db.deleteFrom('mail_tokens').where('expires_at', '<=', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}
