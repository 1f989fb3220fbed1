// DPoP (RFC 9449 §5): a public client's refresh tokens are bound to the key of the DPoP proof that
// got them, and each rotation keeps the binding; a refresh then needs a proof made with that key.
// Holds the key's RFC 7638 thumbprint (`jkt`); null for an unbound token.
// Frozen once released: later changes go in a new migration.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('refresh_tokens').addColumn('dpop_jkt', 'varchar(64)').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('refresh_tokens').dropColumn('dpop_jkt').execute();
}
