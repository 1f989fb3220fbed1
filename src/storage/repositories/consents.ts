// Consents given at registration or in the profile, one row per name (the latest answer).
import type { DbOrTx } from '../db.js';

export async function recordConsents(
  db: DbOrTx,
  userId: string,
  consents: Record<string, boolean>,
  meta: { version: string; ip: string | null; now: number },
): Promise<void> {
  for (const [name, granted] of Object.entries(consents)) {
    await db
      .insertInto('consents')
      .values({ user_id: userId, name, granted: granted ? 1 : 0, version: meta.version, ip: meta.ip, recorded_at: meta.now })
      .onConflict((oc) => oc.columns(['user_id', 'name']).doUpdateSet({ granted: granted ? 1 : 0, version: meta.version, ip: meta.ip, recorded_at: meta.now }))
      .execute();
  }
}

export const listConsents = (db: DbOrTx, userId: string) =>
  db.selectFrom('consents').select(['name', 'granted', 'version', 'recorded_at']).where('user_id', '=', userId).orderBy('name').execute();
