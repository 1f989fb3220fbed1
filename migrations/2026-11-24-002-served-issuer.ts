// The issuer the server serves, recorded by every server start-up, so that the admin CLI (which
// reads its own environment, often without the server's ISSUER or PORT) prints the issuer that is
// really in the tokens: a client's default `audience` (docs/keys.md). One row, kept at id 1.
// Frozen once released: later changes go in a new migration.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('served_issuer')
    .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
    .addColumn('issuer', 'text', (c) => c.notNull())
    .addColumn('recorded_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('served_issuer').execute();
}
