// What real relying parties found: ID tokens get their own algorithm per client (OIDC
// Registration §2 makes RS256 the default), and mails to one account are counted so that at most
// MAIL_LIMIT_PER_ACCOUNT verification or reset mails leave per hour (docs/accounts.md).
// Frozen once released: later changes go in a new migration.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('clients')
    .addColumn('id_token_signed_response_alg', 'varchar(16)', (c) => c.notNull().defaultTo('RS256'))
    .execute();
  // Clients registered before this migration signed their ID tokens with their access token's
  // algorithm; they keep it, so their relying parties see no change.
  await db
    .updateTable('clients')
    .set({ id_token_signed_response_alg: sql`access_token_alg` })
    .execute();

  await db.schema
    .createTable('account_mails')
    .addColumn('id', 'varchar(32)', (c) => c.primaryKey())
    .addColumn('user_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('kind', 'varchar(32)', (c) => c.notNull())
    .addColumn('sent_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('account_mails_user_sent').on('account_mails').columns(['user_id', 'sent_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('account_mails').execute();
  await db.schema.alterTable('clients').dropColumn('id_token_signed_response_alg').execute();
}
