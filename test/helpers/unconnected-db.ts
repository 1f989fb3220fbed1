// A Kysely instance for unit tests of code that is handed a database but, on the path under test,
// never queries it. Any query fails loudly instead of touching a file or a server.
import { Kysely, SqliteDialect } from 'kysely';
import type { Db } from '../../src/storage/db.js';
import type { Database } from '../../src/storage/schema.js';

export function unconnectedDb(): Db {
  return new Kysely<Database>({
    dialect: new SqliteDialect({
      database: async () => {
        throw new Error('a unit test touched the database');
      },
    }),
  });
}
