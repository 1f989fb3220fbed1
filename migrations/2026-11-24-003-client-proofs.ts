// Clients that prove who they are (docs/clients.md): the public keys of private_key_jwt clients
// (RFC 7523 §2.2, a registered `jwks` or `jwks_uri`), the per-client switches of RFC 9449 §5.2
// (`dpop_bound_access_tokens`) and RFC 9126 §6 (`require_pushed_authorization_requests`), the
// store of used `jti`s that makes client assertions and DPoP proofs single use across instances,
// and pushed authorization requests (RFC 9126).
// Frozen once released: later changes go in a new migration.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('clients').addColumn('jwks', 'text').execute();
  await db.schema.alterTable('clients').addColumn('jwks_uri', 'varchar(2048)').execute();
  await db.schema
    .alterTable('clients')
    .addColumn('dpop_bound_access_tokens', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('clients')
    .addColumn('require_pushed_authorization_requests', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();

  // A `jti` is remembered until the assertion or proof carrying it expires; the primary key is
  // what refuses the second use, on every instance at once.
  await db.schema
    .createTable('used_jtis')
    .addColumn('namespace', 'varchar(200)', (c) => c.notNull())
    .addColumn('jti_hash', 'varchar(64)', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('used_jtis_pk', ['namespace', 'jti_hash'])
    .execute();
  await db.schema.createIndex('used_jtis_expires').on('used_jtis').column('expires_at').execute();

  await db.schema
    .createTable('pushed_requests')
    .addColumn('request_uri_hash', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('client_id', 'varchar(128)', (c) => c.notNull())
    .addColumn('params', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .execute();
  await db.schema.createIndex('pushed_requests_expires').on('pushed_requests').column('expires_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('pushed_requests').execute();
  await db.schema.dropTable('used_jtis').execute();
  for (const column of ['require_pushed_authorization_requests', 'dpop_bound_access_tokens', 'jwks_uri', 'jwks']) {
    await db.schema.alterTable('clients').dropColumn(column).execute();
  }
}
