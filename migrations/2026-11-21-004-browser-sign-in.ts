// Signing in through the browser: the single-sign-on session (a session row whose cookie secret
// is stored hashed), the sessions each code redemption starts under it, pending authorization
// requests between the hosted pages, authorization codes, and the consents users gave clients.
// Frozen once released: later changes go in a new migration.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sessions').addColumn('parent_id', 'varchar(32)').execute();
  await db.schema.alterTable('sessions').addColumn('browser_secret_hash', 'varchar(64)').execute();
  await db.schema.createIndex('sessions_parent').on('sessions').column('parent_id').execute();
  await db.schema.createIndex('sessions_browser_secret').on('sessions').column('browser_secret_hash').execute();

  await db.schema
    .createTable('interactions')
    .addColumn('id', 'varchar(32)', (c) => c.primaryKey())
    .addColumn('csrf_hash', 'varchar(64)', (c) => c.notNull())
    .addColumn('client_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('params', 'text', (c) => c.notNull())
    .addColumn('user_id', 'varchar(32)')
    .addColumn('step', 'varchar(16)', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('authorization_codes')
    .addColumn('code_hash', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('client_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('user_id', 'varchar(32)', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('browser_session_id', 'varchar(32)', (c) => c.notNull())
    .addColumn('redirect_uri', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('nonce', 'varchar(512)')
    .addColumn('code_challenge', 'varchar(128)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .addColumn('issued_session_id', 'varchar(32)')
    .execute();

  await db.schema
    .createTable('client_consents')
    .addColumn('user_id', 'varchar(32)', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('client_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('granted_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('client_consents_pk', ['user_id', 'client_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('client_consents').execute();
  await db.schema.dropTable('authorization_codes').execute();
  await db.schema.dropTable('interactions').execute();
  await db.schema.dropIndex('sessions_browser_secret').execute();
  await db.schema.dropIndex('sessions_parent').execute();
  await db.schema.alterTable('sessions').dropColumn('browser_secret_hash').execute();
  await db.schema.alterTable('sessions').dropColumn('parent_id').execute();
}
