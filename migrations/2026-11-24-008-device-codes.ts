// Device authorization (RFC 8628, docs/devices.md): one row per device authorization request,
// from the device's POST to the token its polling gets. The device code and the user code are
// stored only as SHA-256 hashes; `id` names the row on the verification pages, bound to the
// browser that entered the user code by `csrf_hash`.
// Frozen once released: later changes go in a new migration.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('device_codes')
    .addColumn('device_code_hash', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('id', 'varchar(64)', (c) => c.notNull().unique())
    // Unique among the rows kept: a new code that collides with one is drawn again.
    .addColumn('user_code_hash', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('client_id', 'varchar(128)', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('csrf_hash', 'varchar(64)')
    .addColumn('user_id', 'varchar(64)')
    .addColumn('browser_session_id', 'varchar(64)')
    .addColumn('interval_seconds', 'integer', (c) => c.notNull())
    .addColumn('last_polled_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('decided_at', 'bigint')
    .addColumn('used_at', 'bigint')
    .addColumn('issued_session_id', 'varchar(64)')
    .execute();
  await db.schema.createIndex('device_codes_expires').on('device_codes').column('expires_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('device_codes').execute();
}
