// A full dump of every Tessera table, to show that a refused request changed nothing. The tables
// are read from the migrated database itself (sqlite_master, or PostgreSQL's information_schema,
// through Kysely's introspection, which leaves out its own migration tables), so a table added by
// a new migration is in the snapshot without anyone remembering to list it here.
import { sql } from 'kysely';
import type { Db } from '../../src/storage/db.js';

/** The names of the application's tables, sorted. */
export async function tableNames(db: Db): Promise<string[]> {
  const tables = await db.introspection.getTables({ withInternalKyselyTables: false });
  return tables.filter((table) => !table.isView).map((table) => table.name).sort();
}

export async function snapshot(db: Db): Promise<Record<string, unknown[]>> {
  const dump: Record<string, unknown[]> = {};
  for (const table of await tableNames(db)) {
    dump[table] = (await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(db)).rows;
  }
  return dump;
}
