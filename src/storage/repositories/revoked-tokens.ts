// The revocation list of access tokens (by jti), kept until each token would have expired anyway.
import type { DbOrTx } from '../db.js';

/** Read on every introspection and every Bearer-protected request. */
export async function isRevoked(db: DbOrTx, jti: string): Promise<boolean> {
  return (await db.selectFrom('revoked_tokens').select('jti').where('jti', '=', jti).executeTakeFirst()) !== undefined;
}

/** Idempotent: revoking a revoked token is not an error (RFC 7009 §2.2). */
export async function addRevokedToken(db: DbOrTx, jti: string, expiresAt: number, now: number): Promise<void> {
  await db
    .insertInto('revoked_tokens')
    .values({ jti, expires_at: expiresAt, revoked_at: now })
    .onConflict((oc) => oc.column('jti').doNothing())
    .execute();
}

export async function purgeExpiredRevocations(db: DbOrTx, now: number): Promise<number> {
  const result = await db.deleteFrom('revoked_tokens').where('expires_at', '<=', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}
