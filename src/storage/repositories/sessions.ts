// Rows of sessions (one per completed sign-in) and of their refresh tokens (one rotation family).
// Every way a session ends goes through endWhere below, which also queues the back-channel logout
// tokens of the sessions it ended, in the same transaction (repositories/backchannel-logouts.ts).
import type { Expression, ExpressionBuilder, Insertable, SqlBool } from 'kysely';
import type { DbOrTx } from '../db.js';
import { queueBackchannelLogouts } from './backchannel-logouts.js';
import type { Database, RefreshTokenRow, RefreshTokenTable, SessionRow, SessionTable, UserRow } from '../schema.js';

export async function insertSession(db: DbOrTx, row: Insertable<SessionTable>): Promise<void> {
  await db.insertInto('sessions').values(row).execute();
}

export const findSession = (db: DbOrTx, id: string): Promise<SessionRow | undefined> =>
  db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();

/** The session with the fields of its user that decide whether its tokens are alive. */
export async function findSessionWithUser(db: DbOrTx, id: string) {
  return db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    // A session started from a browser session ends with it (end-session, sign-out).
    .leftJoin('sessions as parent', 'parent.id', 'sessions.parent_id')
    .select([
      'sessions.parent_id',
      'parent.ended_at as parent_ended_at',
      'parent.expires_at as parent_expires_at',
      'sessions.id as session_id',
      'sessions.user_id',
      'sessions.client_id',
      'sessions.token_generation as session_generation',
      'sessions.expires_at',
      'sessions.ended_at',
      'sessions.amr',
      'sessions.auth_time',
      'users.token_generation as user_generation',
      'users.disabled',
      'users.role',
    ])
    .where('sessions.id', '=', id)
    .executeTakeFirst();
}

export const listLiveSessions = (db: DbOrTx, userId: string, now: number): Promise<SessionRow[]> =>
  db
    .selectFrom('sessions')
    .selectAll()
    .where('user_id', '=', userId)
    .where('ended_at', 'is', null)
    .where('expires_at', '>', now)
    .orderBy('created_at', 'desc')
    .execute();

export async function touchSession(db: DbOrTx, id: string, now: number): Promise<void> {
  await db.updateTable('sessions').set({ last_used_at: now }).where('id', '=', id).execute();
}

/**
 * Ends the unended sessions that `which` selects, and queues the logout tokens of those that must
 * hear of it (OIDC Back-Channel Logout 1.0 §2.5). Pass the caller's transaction when the ending
 * belongs to a larger change. Returns how many sessions ended.
 */
async function endWhere(db: DbOrTx, which: (eb: ExpressionBuilder<Database, 'sessions'>) => Expression<SqlBool>, reason: string, now: number): Promise<number> {
  // The ending and its notices commit together, also when the caller has no transaction open.
  if (!db.isTransaction) return db.transaction().execute((tx) => endWhere(tx, which, reason, now));
  const ended = await db
    .updateTable('sessions')
    .set({ ended_at: now, end_reason: reason })
    .where(which)
    .where('ended_at', 'is', null)
    .returning(['id', 'user_id', 'client_id', 'id_token_sid'])
    .execute();
  await queueBackchannelLogouts(db, ended, now);
  return ended.length;
}

/** Ends one session; returns false when it had ended already. */
export async function endSession(db: DbOrTx, id: string, reason: string, now: number): Promise<boolean> {
  return (await endWhere(db, (eb) => eb('id', '=', id), reason, now)) > 0;
}

/** Ends a browser session and every session started from it. */
export async function endSessionTree(db: DbOrTx, id: string, reason: string, now: number): Promise<number> {
  return endWhere(db, (eb) => eb.or([eb('id', '=', id), eb('parent_id', '=', id)]), reason, now);
}

/**
 * A live session's authentication moves to `authTime` (a re-authentication on the account pages,
 * docs/account.md), which is also a use of it; false when it has ended meanwhile.
 */
export async function updateSessionAuthTime(db: DbOrTx, id: string, authTime: number): Promise<boolean> {
  const result = await db.updateTable('sessions').set({ auth_time: authTime, last_used_at: authTime }).where('id', '=', id).where('ended_at', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export const findBrowserSession = (db: DbOrTx, secretHash: string): Promise<SessionRow | undefined> =>
  db.selectFrom('sessions').selectAll().where('browser_secret_hash', '=', secretHash).executeTakeFirst();

/**
 * Ends the sessions an application got through authorization codes (those under a browser
 * session), when the user revokes its consent; the browser session itself stays.
 */
export async function endClientSessions(db: DbOrTx, userId: string, clientId: string, reason: string, now: number): Promise<number> {
  return endWhere(db, (eb) => eb.and([eb('user_id', '=', userId), eb('client_id', '=', clientId), eb('parent_id', 'is not', null)]), reason, now);
}

export async function endUserSessions(db: DbOrTx, userId: string, reason: string, now: number): Promise<number> {
  return endWhere(db, (eb) => eb('user_id', '=', userId), reason, now);
}

export async function insertRefreshToken(db: DbOrTx, row: Insertable<RefreshTokenTable>): Promise<void> {
  await db.insertInto('refresh_tokens').values(row).execute();
}

export const findRefreshToken = (db: DbOrTx, tokenHash: string): Promise<RefreshTokenRow | undefined> =>
  db.selectFrom('refresh_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();

/** Marks a refresh token used; false when someone else used it first (reuse, or a parallel refresh). */
export async function markRefreshTokenUsed(db: DbOrTx, tokenHash: string, now: number): Promise<boolean> {
  const result = await db
    .updateTable('refresh_tokens')
    .set({ used_at: now })
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function purgeExpiredSessions(db: DbOrTx, now: number): Promise<number> {
  // Refresh tokens go with their session (ON DELETE CASCADE); used or idle-expired ones go now.
  await db.deleteFrom('refresh_tokens').where('expires_at', '<=', now).execute();
  const result = await db
    .deleteFrom('sessions')
    .where((eb) => eb.or([eb('expires_at', '<=', now), eb('ended_at', '<=', now - 86_400_000)]))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

export type { UserRow };
