// Signing in through other identity providers (docs/upstreams.md): the upstream providers an admin
// registered (their client secret sealed under the KEK), the identities they vouch for (the pair
// upstream + `sub`, never an email alone) linked to local accounts, the requests sent to them and
// waiting for their callback (PKCE verifier, state and nonce, bound to the browser), and which
// methods a pending sign-in has passed so far (so the TOTP step after an upstream says `fed otp`).
// Frozen once released: later changes go in a new migration.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('upstreams')
    .addColumn('name', 'varchar(40)', (c) => c.primaryKey())
    .addColumn('display_name', 'varchar(100)', (c) => c.notNull())
    .addColumn('issuer', 'varchar(2048)', (c) => c.notNull())
    .addColumn('client_id', 'varchar(255)', (c) => c.notNull())
    .addColumn('client_secret_sealed', 'text', (c) => c.notNull())
    .addColumn('scope', 'varchar(1000)', (c) => c.notNull())
    .addColumn('preset', 'varchar(16)')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('upstream_identities')
    .addColumn('upstream', 'varchar(40)', (c) => c.notNull().references('upstreams.name').onDelete('cascade'))
    .addColumn('subject', 'varchar(255)', (c) => c.notNull())
    .addColumn('user_id', 'varchar(32)', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('email', 'varchar(320)')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('upstream_identities_pk', ['upstream', 'subject'])
    // One identity per provider and account, as Keycloak's identity brokering keeps it.
    .addUniqueConstraint('upstream_identities_user_upstream', ['user_id', 'upstream'])
    .execute();

  await db.schema
    .createTable('upstream_requests')
    .addColumn('id', 'varchar(32)', (c) => c.primaryKey())
    .addColumn('state_hash', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('upstream', 'varchar(40)', (c) => c.notNull())
    .addColumn('purpose', 'varchar(16)', (c) => c.notNull())
    .addColumn('step', 'varchar(16)', (c) => c.notNull())
    .addColumn('interaction_id', 'varchar(32)')
    .addColumn('user_id', 'varchar(32)')
    .addColumn('browser_hash', 'varchar(64)', (c) => c.notNull())
    .addColumn('code_verifier', 'varchar(128)', (c) => c.notNull())
    .addColumn('nonce', 'varchar(128)', (c) => c.notNull())
    .addColumn('subject', 'varchar(255)')
    .addColumn('email', 'varchar(320)')
    .addColumn('name', 'varchar(400)')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('upstream_requests_interaction').on('upstream_requests').column('interaction_id').execute();

  await db.schema.alterTable('interactions').addColumn('amr', 'varchar(64)').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('interactions').dropColumn('amr').execute();
  await db.schema.dropTable('upstream_requests').execute();
  await db.schema.dropTable('upstream_identities').execute();
  await db.schema.dropTable('upstreams').execute();
}
