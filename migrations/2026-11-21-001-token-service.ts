// The token service: signing keys, clients, the revocation list, and the sync counters.
// Frozen once released: later changes go in a new migration.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('signing_keys')
    .addColumn('kid', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('alg', 'varchar(16)', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('public_jwk', 'text', (c) => c.notNull())
    .addColumn('private_jwk_sealed', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('published_at', 'bigint', (c) => c.notNull())
    .addColumn('activates_at', 'bigint')
    .addColumn('rotation_requested_at', 'bigint')
    .addColumn('activated_at', 'bigint')
    .addColumn('retired_at', 'bigint')
    .addColumn('revoked_at', 'bigint')
    .addColumn('expires_at', 'bigint')
    .execute();
  await db.schema.createIndex('signing_keys_alg_status').on('signing_keys').columns(['alg', 'status']).execute();

  await db.schema
    .createTable('clients')
    .addColumn('client_id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('client_secret_hash', 'varchar(64)')
    .addColumn('client_name', 'varchar(200)', (c) => c.notNull())
    .addColumn('grant_types', 'varchar(200)', (c) => c.notNull())
    .addColumn('redirect_uris', 'text', (c) => c.notNull())
    .addColumn('post_logout_redirect_uris', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('token_endpoint_auth_method', 'varchar(32)', (c) => c.notNull())
    .addColumn('access_token_alg', 'varchar(16)', (c) => c.notNull())
    .addColumn('audience', 'text')
    .addColumn('first_party', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('revoked_tokens')
    .addColumn('jti', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('revoked_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('revoked_tokens_expires_at').on('revoked_tokens').column('expires_at').execute();

  await db.schema
    .createTable('sync_state')
    .addColumn('name', 'varchar(32)', (c) => c.primaryKey())
    .addColumn('version', 'bigint', (c) => c.notNull())
    .execute();
  await db
    .insertInto('sync_state')
    .values([
      { name: 'keys', version: 0 },
      { name: 'clients', version: 0 },
    ])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['sync_state', 'revoked_tokens', 'clients', 'signing_keys']) {
    await db.schema.dropTable(table).execute();
  }
}
