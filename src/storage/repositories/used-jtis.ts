// Rows of used_jtis: the `jti`s of client assertions (RFC 7523 §3) and DPoP proofs (RFC 9449
// §11.1) already accepted, kept until the JWT carrying each has expired.
import { sql } from 'kysely';
import type { DbOrTx } from '../db.js';

/**
 * Records a `jti` as used; false when it was already used and has not expired (a replay). One
 * statement, so that two instances racing on the same `jti` cannot both win: the primary key
 * decides. A row left over from an expired JWT (not yet purged) is taken over, since the JWT it
 * guarded can no longer be accepted anyway.
 */
export async function insertUsedJti(db: DbOrTx, namespace: string, jtiHash: string, expiresAt: number, now: number): Promise<boolean> {
  const result = await db
    .insertInto('used_jtis')
    .values({ namespace, jti_hash: jtiHash, expires_at: expiresAt })
    .onConflict((oc) =>
      oc
        .columns(['namespace', 'jti_hash'])
        .doUpdateSet({ expires_at: expiresAt })
        .where(sql.ref('used_jtis.expires_at'), '<=', now),
    )
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
}

export async function purgeExpiredJtis(db: DbOrTx, now: number): Promise<number> {
  const result = await db.deleteFrom('used_jtis').where('expires_at', '<=', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}
