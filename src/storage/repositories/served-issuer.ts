// The issuer the running server serves, recorded at each start-up (one row). The CLI reads it so
// that what it prints (a client's default `audience`) is the server's issuer, not a default made
// from the CLI's own PORT (docs/keys.md).
import type { DbOrTx } from '../db.js';

/** Records `issuer` as the one served; the last server to start wins. */
export async function recordServedIssuer(db: DbOrTx, issuer: string, now: number): Promise<void> {
  await db
    .insertInto('served_issuer')
    .values({ id: 1, issuer, recorded_at: now })
    .onConflict((oc) => oc.column('id').doUpdateSet({ issuer, recorded_at: now }))
    .execute();
}

/** The issuer recorded by the last server start-up, or undefined if no server has started yet. */
export async function readServedIssuer(db: DbOrTx): Promise<string | undefined> {
  const row = await db.selectFrom('served_issuer').select('issuer').where('id', '=', 1).executeTakeFirst();
  return row?.issuer;
}
