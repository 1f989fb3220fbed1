// Rows of the browser flow: pending interactions, authorization codes, consents given to clients.
import type { Insertable, Updateable } from 'kysely';
import type { DbOrTx } from '../db.js';
import type { AuthorizationCodeTable, InteractionTable } from '../schema.js';

export async function insertInteraction(db: DbOrTx, row: Insertable<InteractionTable>): Promise<void> {
  await db.insertInto('interactions').values(row).execute();
}

export const findInteraction = (db: DbOrTx, id: string) => db.selectFrom('interactions').selectAll().where('id', '=', id).executeTakeFirst();

export async function updateInteraction(db: DbOrTx, id: string, changes: Updateable<InteractionTable>): Promise<void> {
  await db.updateTable('interactions').set(changes).where('id', '=', id).execute();
}

export async function deleteInteraction(db: DbOrTx, id: string): Promise<boolean> {
  const result = await db.deleteFrom('interactions').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}

export async function insertCode(db: DbOrTx, row: Insertable<AuthorizationCodeTable>): Promise<void> {
  await db.insertInto('authorization_codes').values(row).execute();
}

export const findCode = (db: DbOrTx, codeHash: string) =>
  db.selectFrom('authorization_codes').selectAll().where('code_hash', '=', codeHash).executeTakeFirst();

/** Spends a code; false when another redemption got there first. */
export async function spendCode(db: DbOrTx, codeHash: string, now: number): Promise<boolean> {
  const result = await db.updateTable('authorization_codes').set({ used_at: now }).where('code_hash', '=', codeHash).where('used_at', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function recordCodeSession(db: DbOrTx, codeHash: string, sessionId: string): Promise<void> {
  await db.updateTable('authorization_codes').set({ issued_session_id: sessionId }).where('code_hash', '=', codeHash).execute();
}

export const findClientConsent = (db: DbOrTx, userId: string, clientId: string) =>
  db.selectFrom('client_consents').selectAll().where('user_id', '=', userId).where('client_id', '=', clientId).executeTakeFirst();

export async function saveClientConsent(db: DbOrTx, userId: string, clientId: string, scope: string, now: number): Promise<void> {
  await db
    .insertInto('client_consents')
    .values({ user_id: userId, client_id: clientId, scope, granted_at: now })
    .onConflict((oc) => oc.columns(['user_id', 'client_id']).doUpdateSet({ scope, granted_at: now }))
    .execute();
}

export const listClientConsents = (db: DbOrTx, userId: string) =>
  db.selectFrom('client_consents').selectAll().where('user_id', '=', userId).orderBy('granted_at', 'desc').execute();

export async function deleteClientConsent(db: DbOrTx, userId: string, clientId: string): Promise<boolean> {
  const result = await db.deleteFrom('client_consents').where('user_id', '=', userId).where('client_id', '=', clientId).executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}

export async function purgeExpiredBrowserFlow(db: DbOrTx, now: number): Promise<void> {
  await db.deleteFrom('interactions').where('expires_at', '<=', now).execute();
  // Spent codes are kept a little past expiry so that a late replay is still recognised as one.
  await db.deleteFrom('authorization_codes').where('expires_at', '<=', now - 3600_000).execute();
}
