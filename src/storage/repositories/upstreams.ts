// Rows of upstreams (the identity providers an admin registered), upstream_identities (who of an
// upstream is which local account) and upstream_requests (requests waiting for an upstream's
// callback, then maybe for the local password that links an existing account).
import type { Insertable, Selectable, Updateable } from 'kysely';
import type { DbOrTx } from '../db.js';
import type { UpstreamIdentityTable, UpstreamRequestTable, UpstreamTable } from '../schema.js';

export type UpstreamRow = Selectable<UpstreamTable>;
export type UpstreamIdentityRow = Selectable<UpstreamIdentityTable>;
export type UpstreamRequestRow = Selectable<UpstreamRequestTable>;

export async function insertUpstream(db: DbOrTx, row: Insertable<UpstreamTable>): Promise<void> {
  await db.insertInto('upstreams').values(row).execute();
}

export const findUpstream = (db: DbOrTx, name: string): Promise<UpstreamRow | undefined> =>
  db.selectFrom('upstreams').selectAll().where('name', '=', name).executeTakeFirst();

export const listUpstreams = (db: DbOrTx): Promise<UpstreamRow[]> => db.selectFrom('upstreams').selectAll().orderBy('created_at').orderBy('name').execute();

export async function updateUpstream(db: DbOrTx, name: string, changes: Updateable<UpstreamTable>): Promise<boolean> {
  const result = await db.updateTable('upstreams').set(changes).where('name', '=', name).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Deletes an upstream with its identities and pending requests; false when there was none. */
export async function deleteUpstream(db: DbOrTx, name: string): Promise<boolean> {
  await db.deleteFrom('upstream_requests').where('upstream', '=', name).execute();
  await db.deleteFrom('upstream_identities').where('upstream', '=', name).execute();
  const result = await db.deleteFrom('upstreams').where('name', '=', name).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** Replaces a sealed client secret only while it is still the one read (`keys rekey`). */
export async function resealUpstreamSecret(db: DbOrTx, name: string, sealed: string, resealed: string): Promise<boolean> {
  const result = await db.updateTable('upstreams').set({ client_secret_sealed: resealed }).where('name', '=', name).where('client_secret_sealed', '=', sealed).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export const findIdentity = (db: DbOrTx, upstream: string, subject: string): Promise<UpstreamIdentityRow | undefined> =>
  db.selectFrom('upstream_identities').selectAll().where('upstream', '=', upstream).where('subject', '=', subject).executeTakeFirst();

export const listIdentitiesOfUser = (db: DbOrTx, userId: string): Promise<UpstreamIdentityRow[]> =>
  db.selectFrom('upstream_identities').selectAll().where('user_id', '=', userId).orderBy('created_at').execute();

export async function insertIdentity(db: DbOrTx, row: Insertable<UpstreamIdentityTable>): Promise<void> {
  await db.insertInto('upstream_identities').values(row).execute();
}

export async function deleteIdentity(db: DbOrTx, userId: string, upstream: string): Promise<boolean> {
  const result = await db.deleteFrom('upstream_identities').where('user_id', '=', userId).where('upstream', '=', upstream).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function insertUpstreamRequest(db: DbOrTx, row: Insertable<UpstreamRequestTable>): Promise<void> {
  await db.insertInto('upstream_requests').values(row).execute();
}

/**
 * Takes the request waiting for the callback that carries this state: deleted in the same
 * statement, so a callback replayed (or two racing) finds nothing the second time.
 */
export async function takeSentRequest(db: DbOrTx, stateHash: string, now: number): Promise<UpstreamRequestRow | undefined> {
  return db
    .deleteFrom('upstream_requests')
    .where('state_hash', '=', stateHash)
    .where('step', '=', 'sent')
    .where('expires_at', '>', now)
    .returningAll()
    .executeTakeFirst();
}

/** The link step of a sign-in in progress, if it is alive. */
export const findConfirmRequest = (db: DbOrTx, interactionId: string, now: number): Promise<UpstreamRequestRow | undefined> =>
  db
    .selectFrom('upstream_requests')
    .selectAll()
    .where('interaction_id', '=', interactionId)
    .where('step', '=', 'confirm')
    .where('expires_at', '>', now)
    .executeTakeFirst();

/** Ends the link steps of a sign-in (a newer upstream answer replaces them). */
export async function deleteConfirmRequests(db: DbOrTx, interactionId: string): Promise<void> {
  await db.deleteFrom('upstream_requests').where('interaction_id', '=', interactionId).where('step', '=', 'confirm').execute();
}

export async function countConfirmFailure(db: DbOrTx, id: string): Promise<void> {
  await db.updateTable('upstream_requests').set((eb) => ({ attempts: eb('attempts', '+', 1) })).where('id', '=', id).execute();
}

/** Spends a link step; false when another request spent it first. */
export async function deleteUpstreamRequest(db: DbOrTx, id: string): Promise<boolean> {
  const result = await db.deleteFrom('upstream_requests').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function purgeExpiredUpstreamRequests(db: DbOrTx, now: number): Promise<number> {
  const result = await db.deleteFrom('upstream_requests').where('expires_at', '<=', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Sealed client secrets, for `keys rekey`. */
export const listSealedUpstreamSecrets = (db: DbOrTx): Promise<Array<Pick<UpstreamRow, 'name' | 'client_secret_sealed'>>> =>
  db.selectFrom('upstreams').select(['name', 'client_secret_sealed']).orderBy('name').execute();

/**
 * How many other ways than a password a person has to sign in: linked identities, and passkeys.
 * (Unlinking the last way is refused: docs/upstreams.md.)
 */
export async function countOtherSignInMethods(db: DbOrTx, userId: string): Promise<number> {
  const identities = await db.selectFrom('upstream_identities').select((eb) => eb.fn.countAll<string | number>().as('n')).where('user_id', '=', userId).executeTakeFirstOrThrow();
  const passkeys = await db.selectFrom('passkeys').select((eb) => eb.fn.countAll<string | number>().as('n')).where('user_id', '=', userId).executeTakeFirstOrThrow();
  return Number(identities.n) + Number(passkeys.n);
}
