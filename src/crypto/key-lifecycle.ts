// The signing-key lifecycle `next → active → retired → deleted`, plus `revoked` (design.md,
// Signing keys). Every change happens in one transaction that first takes the `keys` lock, so
// several server processes and the CLI, all running this same code, never rotate twice.
import type { Clock } from '../clock.js';
import type { Db, DbOrTx } from '../storage/db.js';
import {
  deleteSigningKey,
  insertSigningKey,
  listSigningKeys,
  updateSigningKey,
} from '../storage/repositories/signing-keys.js';
import { bumpSyncVersion } from '../storage/repositories/sync-state.js';
import type { KeyAlg, SigningKeyRow, SigningKeyUpdate } from '../storage/schema.js';
import { KEY_ALGS, type KeyPolicy } from './key-policy.js';
import { generateSigningKey } from './keygen.js';
import { seal } from './sealing.js';

export class KeyNotFoundError extends Error {
  constructor(kid: string) {
    super(`no signing key ${JSON.stringify(kid)}`);
    this.name = 'KeyNotFoundError';
  }
}

export interface KeyEvent {
  event: 'key.created' | 'key.activated' | 'key.retired' | 'key.revoked' | 'key.deleted' | 'key.rotation_scheduled';
  kid: string;
  alg: KeyAlg;
  /** Who asked (an admin's id); absent for the scheduler and the process's own default. */
  actor?: string;
}

export class KeyLifecycle {
  constructor(
    private readonly db: Db,
    private readonly kek: Buffer,
    private readonly policy: KeyPolicy,
    private readonly clock: Clock,
    /** Told of every change after its transaction commits (logging, audit, metrics). */
    private readonly onEvent: (event: KeyEvent) => void = () => {},
  ) {}

  /**
   * Whether a scheduled pass has anything to do, judged from rows read without the lock: a due
   * `next` key, a short queue, a missing active key, or an expired key to delete. The locked pass
   * decides again, so a stale answer costs one empty transaction at most.
   */
  needsMaintenance(rows: readonly SigningKeyRow[], now = this.clock.now()): boolean {
    return KEY_ALGS.some((alg) => {
      const own = rows.filter((row) => row.alg === alg);
      const queue = own.filter((row) => row.status === 'next');
      return (
        !own.some((row) => row.status === 'active') ||
        queue.length < this.policy.queueLength ||
        queue.some((row) => row.activates_at !== null && row.activates_at <= now) ||
        own.some((row) => row.expires_at !== null && row.expires_at <= now)
      );
    });
  }

  /** The scheduled pass: promote what is due, refill the queues, delete what has expired. */
  async maintain(): Promise<KeyEvent[]> {
    return this.locked(async (tx, rows, now, events) => {
      for (const alg of KEY_ALGS) await this.maintainAlg(tx, alg, rows, now, events);
    });
  }

  /**
   * `keys rotate`: the oldest `next` key takes over as soon as it has been published for the lead
   * (now, if it has), or now regardless with `force`. Returns the keys that take over.
   */
  async rotate(algs: readonly KeyAlg[] = KEY_ALGS, force = false, actor?: string): Promise<{ events: KeyEvent[]; kids: string[] }> {
    const kids: string[] = [];
    const events = await this.locked(async (tx, rows, now, events) => {
      for (const alg of algs) {
        // Settle the schedule first, so the queue is full and a due key has already been promoted.
        await this.maintainAlg(tx, alg, rows, now, events);
        const next = queueOf(rows, alg)[0];
        if (!next) continue;
        if (force || next.published_at + this.policy.publishLeadMs <= now) {
          await this.promote(tx, alg, next, rows, now, events);
        } else {
          await this.setRow(tx, rows, next, { rotation_requested_at: now });
          events.push({ event: 'key.rotation_scheduled', kid: next.kid, alg });
        }
        await this.maintainAlg(tx, alg, rows, now, events);
        kids.push(next.kid);
      }
    }, actor);
    return { events, kids };
  }

  /** Emergency exit: the key leaves the JWKS at once; if it was active, the next one takes over now. */
  async revoke(kid: string, actor?: string): Promise<KeyEvent[]> {
    return this.locked(async (tx, rows, now, events) => {
      const row = rows.find((candidate) => candidate.kid === kid);
      if (!row) throw new KeyNotFoundError(kid);
      if (row.status === 'revoked') return;
      const wasActive = row.status === 'active';
      await this.setRow(tx, rows, row, {
        status: 'revoked',
        revoked_at: now,
        activates_at: null,
        rotation_requested_at: null,
        // Kept (listed as revoked) until anything it signed would have expired anyway.
        expires_at: now + this.policy.propagationMs + this.policy.maxTokenLifetimeMs,
      });
      events.push({ event: 'key.revoked', kid, alg: row.alg });
      if (wasActive) {
        const next = queueOf(rows, row.alg)[0];
        if (next) await this.promote(tx, row.alg, next, rows, now, events);
      }
      await this.maintainAlg(tx, row.alg, rows, now, events);
    }, actor);
  }

  /** Runs `work` in a transaction that holds the `keys` lock, over the rows read under it. */
  private async locked(
    work: (tx: DbOrTx, rows: SigningKeyRow[], now: number, events: KeyEvent[]) => Promise<void>,
    actor?: string,
  ): Promise<KeyEvent[]> {
    const events: KeyEvent[] = [];
    await this.db.transaction().execute(async (tx) => {
      events.length = 0; // a retried transaction starts over
      await bumpSyncVersion(tx, 'keys');
      const rows = await listSigningKeys(tx);
      await work(tx, rows, this.clock.now(), events);
    });
    for (const event of events) this.onEvent(actor === undefined ? event : { ...event, actor });
    return events;
  }

  private async maintainAlg(tx: DbOrTx, alg: KeyAlg, rows: SigningKeyRow[], now: number, events: KeyEvent[]) {
    // 1. Forget keys whose every token has expired.
    for (const row of rows.filter((r) => r.alg === alg && r.expires_at !== null && r.expires_at <= now)) {
      await deleteSigningKey(tx, row.kid);
      rows.splice(rows.indexOf(row), 1);
      events.push({ event: 'key.deleted', kid: row.kid, alg });
    }

    // 2. An algorithm with no active key (first start, or its key was revoked) gets one now:
    //    the oldest queued key, or a fresh one when there is none.
    const active = rows.find((r) => r.alg === alg && r.status === 'active');
    if (!active) {
      const next = queueOf(rows, alg)[0] ?? (await this.create(tx, alg, rows, now, events));
      await this.promote(tx, alg, next, rows, now, events);
    } else {
      // 3. One promotion per pass: after downtime, later keys are rescheduled from now rather
      //    than cascading through the whole queue.
      const due = queueOf(rows, alg)[0];
      if (due && due.activates_at !== null && due.activates_at <= now) await this.promote(tx, alg, due, rows, now, events);
    }

    // 4. Keep the queue long enough that the key due next has always been published for the lead.
    while (queueOf(rows, alg).length < this.policy.queueLength) await this.create(tx, alg, rows, now, events);

    // 5. Schedule the queue: each key follows the previous by the interval, and never before it
    //    has been published for the lead; a requested rotation brings the first one forward.
    const current = rows.find((r) => r.alg === alg && r.status === 'active')!;
    let previous = current.activated_at ?? now;
    for (const [index, row] of queueOf(rows, alg).entries()) {
      const earliest = row.published_at + this.policy.publishLeadMs;
      let due = Math.max(previous + this.policy.rotationIntervalMs, earliest);
      if (index === 0 && row.rotation_requested_at !== null) due = Math.max(row.rotation_requested_at, earliest);
      if (row.activates_at !== due) await this.setRow(tx, rows, row, { activates_at: due });
      previous = due;
    }
  }

  private async create(tx: DbOrTx, alg: KeyAlg, rows: SigningKeyRow[], now: number, events: KeyEvent[]) {
    const key = await generateSigningKey(alg);
    const row: SigningKeyRow = {
      kid: key.kid,
      alg,
      status: 'next',
      public_jwk: JSON.stringify(key.publicJwk),
      private_jwk_sealed: seal(this.kek, JSON.stringify(key.privateJwk), `signing-key:${key.kid}`),
      created_at: now,
      published_at: now + this.policy.propagationMs,
      activates_at: null,
      rotation_requested_at: null,
      activated_at: null,
      retired_at: null,
      revoked_at: null,
      expires_at: null,
    };
    await insertSigningKey(tx, row);
    rows.push(row);
    events.push({ event: 'key.created', kid: row.kid, alg });
    return row;
  }

  private async promote(tx: DbOrTx, alg: KeyAlg, next: SigningKeyRow, rows: SigningKeyRow[], now: number, events: KeyEvent[]) {
    const active = rows.find((r) => r.alg === alg && r.status === 'active');
    if (active) {
      await this.setRow(tx, rows, active, {
        status: 'retired',
        retired_at: now,
        // Other instances may sign with it until they reload (propagation), and its last token
        // lives for the longest token lifetime after that.
        expires_at: now + this.policy.propagationMs + this.policy.maxTokenLifetimeMs,
      });
      events.push({ event: 'key.retired', kid: active.kid, alg });
    }
    await this.setRow(tx, rows, next, { status: 'active', activated_at: now, activates_at: next.activates_at ?? now, rotation_requested_at: null });
    events.push({ event: 'key.activated', kid: next.kid, alg });
  }

  private async setRow(tx: DbOrTx, rows: SigningKeyRow[], row: SigningKeyRow, changes: SigningKeyUpdate) {
    await updateSigningKey(tx, row.kid, changes);
    rows[rows.indexOf(row)] = Object.assign(row, changes);
  }
}

/** The `next` keys of one algorithm, oldest first: the order in which they take over. */
function queueOf(rows: readonly SigningKeyRow[], alg: KeyAlg): SigningKeyRow[] {
  return rows
    .filter((r) => r.alg === alg && r.status === 'next')
    .sort((a, b) => a.created_at - b.created_at || (a.kid < b.kid ? -1 : a.kid > b.kid ? 1 : 0));
}
