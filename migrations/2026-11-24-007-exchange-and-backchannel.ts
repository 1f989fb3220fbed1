// Token exchange (RFC 8693) and back-channel logout (OpenID Connect Back-Channel Logout 1.0):
// - clients.exchange_audiences: the audiences a client may ask for with token exchange (JSON array);
// - clients.backchannel_logout_uri: where the client hears that a session ended;
// - sessions.id_token_sid: the `sid` of the ID tokens issued in a session, null when none was
//   issued (only those clients are told, §2.1: the RP knows the session by that sid);
// - backchannel_logouts: the durable queue of logout tokens still to deliver, one row per ended
//   session, written in the transaction that ends it and deleted once delivered or given up.
// Frozen once released: later changes go in a new migration.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('clients')
    .addColumn('exchange_audiences', 'text', (c) => c.notNull().defaultTo('[]'))
    .execute();
  await db.schema.alterTable('clients').addColumn('backchannel_logout_uri', 'varchar(2048)').execute();
  await db.schema.alterTable('sessions').addColumn('id_token_sid', 'varchar(64)').execute();

  // No foreign keys: a notice outlives its session and user (an account deletion ends the
  // sessions, then removes them with the user), and the worker drops one whose client is gone.
  await db.schema
    .createTable('backchannel_logouts')
    .addColumn('session_id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('client_id', 'varchar(128)', (c) => c.notNull())
    .addColumn('user_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('sid', 'varchar(64)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
    .addColumn('locked_until', 'bigint')
    .addColumn('last_error', 'varchar(500)')
    .execute();
  await db.schema.createIndex('backchannel_logouts_due').on('backchannel_logouts').column('next_attempt_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('backchannel_logouts').execute();
  await db.schema.alterTable('sessions').dropColumn('id_token_sid').execute();
  await db.schema.alterTable('clients').dropColumn('backchannel_logout_uri').execute();
  await db.schema.alterTable('clients').dropColumn('exchange_audiences').execute();
}
