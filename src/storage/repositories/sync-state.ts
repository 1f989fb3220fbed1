// Change counters that let instances notice, by polling one small table, that another process
// changed state they cache. Bumping a row also takes its row lock until the transaction ends,
// which is how one transaction at a time gets to decide (docs/decisions.md: the database serialises).
import type { DbOrTx } from '../db.js';

export type SyncName = 'keys' | 'clients';

/** Increments the counter and, inside a transaction, holds its lock until commit. */
export async function bumpSyncVersion(db: DbOrTx, name: SyncName): Promise<void> {
  await db
    .updateTable('sync_state')
    .set((eb) => ({ version: eb('version', '+', 1) }))
    .where('name', '=', name)
    .execute();
}

export async function readSyncVersions(db: DbOrTx): Promise<Record<SyncName, number>> {
  const rows = await db.selectFrom('sync_state').select(['name', 'version']).execute();
  const versions = { keys: 0, clients: 0 };
  for (const row of rows) if (row.name === 'keys' || row.name === 'clients') versions[row.name] = Number(row.version);
  return versions;
}
