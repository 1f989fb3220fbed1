// The queue of back-channel logout tokens to deliver (OpenID Connect Back-Channel Logout 1.0;
// docs/sign-in.md): a row per ended session of a client that registered a backchannel_logout_uri
// and got an ID token in it, written by the same statement sequence that ends the session (one
// transaction), then claimed with a lease, retried, and deleted when delivered or given up. The
// pattern of the mail outbox (repositories/outbox.ts).
import type { DbOrTx } from '../db.js';
import type { BackchannelLogoutRow } from '../schema.js';

/** The width of `backchannel_logouts.last_error`; PostgreSQL refuses a longer value. */
const LAST_ERROR_MAX_LENGTH = 500;

/** What a session-ending UPDATE … RETURNING gives back: enough to decide who must hear of it. */
export interface EndedSessionRow {
  id: string;
  user_id: string;
  client_id: string;
  id_token_sid: string | null;
}

/**
 * Queues a logout token for each ended session that named a `sid` in an ID token, when its client
 * has a back-channel logout URI. Called by every function that ends sessions
 * (repositories/sessions.ts), inside the caller's transaction, so that a session never ends without
 * its notice and a rolled-back ending leaves none. A session ends once; the primary key makes a
 * second notice for it a no-op.
 */
export async function queueBackchannelLogouts(db: DbOrTx, ended: readonly EndedSessionRow[], now: number): Promise<number> {
  const named = ended.filter((row) => row.id_token_sid !== null);
  if (named.length === 0) return 0;
  const clientIds = [...new Set(named.map((row) => row.client_id))];
  const listening = await db
    .selectFrom('clients')
    .select('client_id')
    .where('client_id', 'in', clientIds)
    .where('backchannel_logout_uri', 'is not', null)
    .execute();
  const listeners = new Set(listening.map((row) => row.client_id));
  const rows = named
    .filter((row) => listeners.has(row.client_id))
    .map((row) => ({
      session_id: row.id,
      client_id: row.client_id,
      user_id: row.user_id,
      sid: row.id_token_sid!,
      created_at: now,
      attempts: 0,
      next_attempt_at: now,
      locked_until: null,
      last_error: null,
    }));
  if (rows.length === 0) return 0;
  await db
    .insertInto('backchannel_logouts')
    .values(rows)
    .onConflict((conflict) => conflict.column('session_id').doNothing())
    .execute();
  return rows.length;
}

/**
 * Claims up to `limit` due notices that no other worker holds, leasing them until `now + leaseMs`:
 * each claim is a conditional UPDATE only one worker can win, and a worker that dies gives its
 * claims back when the lease runs out.
 */
export async function claimDueLogouts(db: DbOrTx, now: number, limit: number, leaseMs: number): Promise<BackchannelLogoutRow[]> {
  const candidates = await db
    .selectFrom('backchannel_logouts')
    .selectAll()
    .where('next_attempt_at', '<=', now)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
    .orderBy('next_attempt_at')
    .limit(limit)
    .execute();
  const lockedUntil = now + leaseMs;
  const claimed: BackchannelLogoutRow[] = [];
  for (const row of candidates) {
    const result = await db
      .updateTable('backchannel_logouts')
      .set({ locked_until: lockedUntil })
      .where('session_id', '=', row.session_id)
      .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 1) claimed.push({ ...row, locked_until: lockedUntil });
  }
  return claimed;
}

/** A notice is done with once delivered or given up; the audit log keeps the record. */
export async function deleteLogout(db: DbOrTx, sessionId: string): Promise<void> {
  await db.deleteFrom('backchannel_logouts').where('session_id', '=', sessionId).execute();
}

export async function markLogoutFailed(db: DbOrTx, sessionId: string, attempts: number, nextAttemptAt: number, error: string): Promise<void> {
  await db
    .updateTable('backchannel_logouts')
    .set({ attempts, next_attempt_at: nextAttemptAt, locked_until: null, last_error: error.slice(0, LAST_ERROR_MAX_LENGTH) })
    .where('session_id', '=', sessionId)
    .execute();
}

/** The notices not yet delivered (tests, and whoever looks at the backlog). */
export const pendingLogouts = (db: DbOrTx): Promise<BackchannelLogoutRow[]> =>
  db.selectFrom('backchannel_logouts').selectAll().orderBy('created_at').execute();
