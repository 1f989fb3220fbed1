// A query on the hottest paths, built and compiled once per database handle and then run with new
// parameters: Kysely's builder and compiler cost more than SQLite's own lookup (most of an
// introspection's revocation check, measured). The SQL text is the same as the builder's, so the
// dialects and the statement cache see nothing new. On SQLite a read runs at once when the
// connection is free, without Kysely's executor and its promises (sqlite-driver.ts).
import type { CompiledQuery } from 'kysely';
import { immediateReader, type DbOrTx } from './db.js';

export function preparedQuery<Row>(build: (db: DbOrTx) => { compile(): CompiledQuery<Row> }) {
  const compiled = new WeakMap<DbOrTx, CompiledQuery<Row>>();
  return async function run(db: DbOrTx, parameters: readonly unknown[]): Promise<Row[]> {
    let query = compiled.get(db);
    if (!query) compiled.set(db, (query = build(db).compile()));
    if (query.parameters.length !== parameters.length) throw new Error(`prepared query takes ${query.parameters.length} parameters, got ${parameters.length}`);
    const rows = immediateReader(db)?.(query.sql, parameters);
    if (rows) return rows as Row[];
    return (await db.executeQuery<Row>({ ...query, parameters })).rows;
  };
}
