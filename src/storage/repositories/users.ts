// Rows of users and their password history.
import type { DbOrTx } from '../db.js';
import type { Insertable, Updateable } from 'kysely';
import type { Role, UserRow, UserTable } from '../schema.js';

export const findUserById = (db: DbOrTx, id: string): Promise<UserRow | undefined> =>
  db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();

export const findUserByEmail = (db: DbOrTx, email: string): Promise<UserRow | undefined> =>
  db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();

export async function insertUser(db: DbOrTx, row: Insertable<UserTable>): Promise<void> {
  await db.insertInto('users').values(row).execute();
}

export async function updateUser(db: DbOrTx, id: string, changes: Updateable<UserTable>): Promise<boolean> {
  const result = await db.updateTable('users').set(changes).where('id', '=', id).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Ends every token of the user issued so far (docs/decisions.md, Tokens: a counter, not a timestamp). */
/**
 * Takes the user's row lock for the rest of the transaction (a no-op write; PostgreSQL holds the
 * lock until commit, SQLite has one writer anyway), so counts read after it cannot race.
 */
export async function lockUser(db: DbOrTx, id: string): Promise<void> {
  await db.updateTable('users').set((eb) => ({ updated_at: eb.ref('updated_at') })).where('id', '=', id).execute();
}

export async function bumpTokenGeneration(db: DbOrTx, id: string, now: number): Promise<void> {
  await db
    .updateTable('users')
    .set((eb) => ({ token_generation: eb('token_generation', '+', 1), updated_at: now }))
    .where('id', '=', id)
    .execute();
}

export async function deleteUser(db: DbOrTx, id: string): Promise<void> {
  await db.deleteFrom('users').where('id', '=', id).execute();
}

export interface UserPage {
  limit: number;
  /** The id after which the page starts (ids ordered by creation, then id). */
  after?: { createdAt: number; id: string };
  role?: Role;
  email?: string;
}

export async function listUsers(db: DbOrTx, page: UserPage): Promise<UserRow[]> {
  let query = db.selectFrom('users').selectAll();
  if (page.role) query = query.where('role', '=', page.role);
  if (page.email) query = query.where('email', '=', page.email);
  if (page.after) {
    const { createdAt, id } = page.after;
    query = query.where((eb) => eb.or([eb('created_at', '>', createdAt), eb.and([eb('created_at', '=', createdAt), eb('id', '>', id)])]));
  }
  return query.orderBy('created_at').orderBy('id').limit(page.limit).execute();
}

export const recentPasswordHashes = async (db: DbOrTx, userId: string, count: number): Promise<string[]> =>
  (
    await db
      .selectFrom('password_history')
      .select('password_hash')
      .where('user_id', '=', userId)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(count)
      .execute()
  ).map((row) => row.password_hash);

/** Records a password and forgets all but the newest `keep`. */
export async function pushPasswordHistory(db: DbOrTx, entry: { id: string; userId: string; hash: string; now: number }, keep: number): Promise<void> {
  await db.insertInto('password_history').values({ id: entry.id, user_id: entry.userId, password_hash: entry.hash, created_at: entry.now }).execute();
  const stale = await db
    .selectFrom('password_history')
    .select('id')
    .where('user_id', '=', entry.userId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .offset(keep)
    .limit(1000)
    .execute();
  if (stale.length > 0) await db.deleteFrom('password_history').where('id', 'in', stale.map((row) => row.id)).execute();
}
