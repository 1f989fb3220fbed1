// The revocation list of access tokens (by jti), kept until each token would have expired anyway.
import { CompiledQuery } from 'kysely';
import type { Db, DbOrTx, ImmediateReader } from '../db.js';

/**
 * The revocation check of every introspection and every Bearer-protected request, its query built
 * and compiled once (Kysely's builder and compiler cost more than SQLite's own lookup) and run
 * through Kysely's public executeQuery, or, on SQLite when the connection is free, through the
 * driver's immediate reader (sqlite-driver.ts). Worth ~17% of an introspection on the bench
 * (docs/performance.md).
 */
export class RevocationList {
  private readonly sql: string;

  constructor(
    private readonly db: Db,
    private readonly readNow?: ImmediateReader,
  ) {
    this.sql = db.selectFrom('revoked_tokens').select('jti').where('jti', '=', '').compile().sql;
  }

  async isRevoked(jti: string): Promise<boolean> {
    const rows = this.readNow?.(this.sql, [jti]) ?? (await this.db.executeQuery(CompiledQuery.raw(this.sql, [jti]))).rows;
    return rows.length > 0;
  }
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
