// Back-channel logout delivery (OpenID Connect Back-Channel Logout 1.0 §2.5; docs/sign-in.md).
// Ending a session queues a notice in the same transaction (storage/repositories/sessions.ts); this
// worker, running in every server instance, claims due notices with a lease, makes a fresh logout
// token for each attempt, and POSTs it to the client's backchannel_logout_uri with a timeout. A
// failure is retried with exponential backoff; after a day the notice is given up, logged as an error
// and audited. So a receiver that is down loses nothing, also across a restart, and the request that
// ended the session never waits for it (the mail outbox's pattern: mail/outbox.ts).
//
// Outbound calls go where an admin registered them (README, Outbound calls): bounded in time, no
// redirect followed, the answer's body never read.
import type { Logger } from 'pino';
import { audit } from '../../audit/audit-log.js';
import type { Clock } from '../../clock.js';
import { PollingWorker } from '../../concurrency/polling-worker.js';
import type { Db } from '../../storage/db.js';
import { claimDueLogouts, deleteLogout, markLogoutFailed } from '../../storage/repositories/backchannel-logouts.js';
import type { BackchannelLogoutRow } from '../../storage/schema.js';
import type { Client } from '../clients/client.js';
import type { LogoutTokens } from '../tokens/logout-tokens.js';

export const LOGOUT_POLL_MS = 1_000;
const BATCH_SIZE = 10;
/** How long a claim keeps other instances off a notice: far above one call's timeout. */
const LEASE_MS = 60_000;
/** A receiver gets this long per call, connect to status line (§2.5 leaves it to the OP). */
export const LOGOUT_CALL_TIMEOUT_MS = 5_000;
/** Then the notice is given up: a session ended a day ago is stale news (its tokens died long since). */
export const GIVE_UP_AFTER_MS = 24 * 60 * 60_000;
const MAX_RETRY_DELAY_MS = 60 * 60_000;

/** 2 s, 4 s, 8 s, … after each failure, at most an hour. */
export function logoutRetryDelayMs(attempts: number): number {
  return Math.min(2 ** Math.min(attempts, 20) * 1000, MAX_RETRY_DELAY_MS);
}

/** A queued notice as the worker sees it (times as numbers: PostgreSQL hands BIGINT back as text). */
export interface LogoutNotice {
  sessionId: string;
  clientId: string;
  userId: string;
  sid: string;
  createdAt: number;
  attempts: number;
}

export function logoutNoticeFromRow(row: BackchannelLogoutRow): LogoutNotice {
  return {
    sessionId: row.session_id,
    clientId: row.client_id,
    userId: row.user_id,
    sid: row.sid,
    createdAt: Number(row.created_at),
    attempts: row.attempts,
  };
}

export interface BackchannelLogoutOptions {
  timeoutMs?: number;
  fetchImpl?: typeof fetch;
}

/** What a caller that ended sessions needs of the worker: to be woken after its commit. */
export interface LogoutWake {
  wake(): void;
}

export const noLogoutWake: LogoutWake = { wake() {} };

export class BackchannelLogoutWorker implements LogoutWake {
  private readonly loop: PollingWorker;
  private inFlight = new AbortController();
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;

  constructor(
    private readonly db: Db,
    private readonly findClient: (clientId: string) => Promise<Client | undefined>,
    private readonly tokens: LogoutTokens,
    private readonly clock: Clock,
    private readonly log: Logger,
    options: BackchannelLogoutOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? LOGOUT_CALL_TIMEOUT_MS;
    this.fetchImpl = options.fetchImpl ?? fetch;
    this.loop = new PollingWorker({ pollMs: LOGOUT_POLL_MS, pass: () => this.deliverDue(), log, what: 'back-channel logout' });
  }

  start(): void {
    if (this.loop.running) return;
    this.inFlight = new AbortController();
    this.loop.start();
  }

  /** Stops polling, cuts calls in flight (their notices go back to the queue), waits for the pass. */
  async stop(): Promise<void> {
    const stopped = this.loop.stop();
    this.inFlight.abort();
    await stopped;
  }

  /** Called after a transaction that ended sessions commits, so their apps hear of it now. */
  wake(): void {
    this.loop.wake();
  }

  /** Delivers every notice due now, after any pass in progress; resolves to how many were delivered. */
  drain(): Promise<number> {
    return this.loop.drain();
  }

  private async deliverDue(): Promise<number> {
    let delivered = 0;
    while (!this.loop.stopping) {
      const batch = (await claimDueLogouts(this.db, this.clock.now(), BATCH_SIZE, LEASE_MS)).map(logoutNoticeFromRow);
      if (batch.length === 0) break;
      // In parallel: one hanging receiver costs the others nothing.
      const outcomes = await Promise.all(batch.map((notice) => this.deliver(notice)));
      delivered += outcomes.filter(Boolean).length;
    }
    return delivered;
  }

  private async deliver(notice: LogoutNotice): Promise<boolean> {
    const client = await this.findClient(notice.clientId);
    if (!client || client.backchannelLogoutUri === null) {
      // Deleted, or no longer listening, since the session ended: nobody to tell.
      await this.giveUp(notice, 'the client is gone or no longer has a backchannel_logout_uri');
      return false;
    }
    const attempts = notice.attempts + 1;
    try {
      await this.post(client.backchannelLogoutUri, this.tokens.issue({ clientId: client.clientId, alg: client.idTokenAlg, sub: notice.userId, sid: notice.sid }));
    } catch (failure: unknown) {
      if (this.loop.stopping) {
        // Shut down mid-call: back to the queue as it was, for the next instance or start.
        await markLogoutFailed(this.db, notice.sessionId, notice.attempts, this.clock.now(), 'interrupted by shutdown');
        return false;
      }
      const error = describeFailure(failure);
      const now = this.clock.now();
      if (now - notice.createdAt >= GIVE_UP_AFTER_MS) {
        await this.giveUp({ ...notice, attempts }, error);
        return false;
      }
      await markLogoutFailed(this.db, notice.sessionId, attempts, now + logoutRetryDelayMs(attempts), error);
      this.log.warn({ clientId: notice.clientId, session: notice.sessionId, attempts, error }, 'back-channel logout failed; will retry');
      return false;
    }
    const now = this.clock.now();
    await this.db.transaction().execute(async (tx) => {
      await deleteLogout(tx, notice.sessionId);
      await audit(tx, { event: 'backchannel_logout.delivered', userId: notice.userId, actorId: 'system', detail: { client_id: notice.clientId, session: notice.sessionId, attempts } }, now);
    });
    this.log.info({ clientId: notice.clientId, session: notice.sessionId, attempts }, 'back-channel logout delivered');
    return true;
  }

  /** §2.5: a form POST of `logout_token`; §2.8: the receiver answers 200 (any 2xx will do). */
  private async post(uri: string, logoutToken: string): Promise<void> {
    const response = await this.fetchImpl(uri, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'cache-control': 'no-store' },
      body: new URLSearchParams({ logout_token: logoutToken }).toString(),
      signal: AbortSignal.any([AbortSignal.timeout(this.timeoutMs), this.inFlight.signal]),
    });
    // The body is never read: nothing in it matters, and it could be of any size.
    await response.body?.cancel().catch(() => undefined);
    if (response.status < 200 || response.status > 299) throw new Error(`backchannel_logout_uri answered ${response.status}`);
  }

  private async giveUp(notice: LogoutNotice, error: string): Promise<void> {
    const now = this.clock.now();
    await this.db.transaction().execute(async (tx) => {
      await deleteLogout(tx, notice.sessionId);
      await audit(tx, { event: 'backchannel_logout.abandoned', userId: notice.userId, actorId: 'system', detail: { client_id: notice.clientId, session: notice.sessionId, attempts: notice.attempts, error: error.slice(0, 200) } }, now);
    });
    this.log.error({ clientId: notice.clientId, session: notice.sessionId, attempts: notice.attempts, error }, 'back-channel logout given up');
  }
}

/** fetch() says "fetch failed" and puts the reason (ECONNREFUSED, a timeout) in its cause. */
function describeFailure(failure: unknown): string {
  if (!(failure instanceof Error)) return String(failure);
  const cause = failure.cause instanceof Error ? `: ${failure.cause.message}` : '';
  return `${failure.message}${cause}`;
}
