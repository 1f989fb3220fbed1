// The signing-key lifecycle `next → active → retired → deleted`, plus `revoked` (docs/decisions.md,
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
import type { KeyAlg, SigningKeyRow } from '../storage/schema.js';
import { KEY_ALGS, type KeyPolicy } from './key-policy.js';
import { generateSigningKey } from './keygen.js';
import type { Sealer } from './sealing.js';
import { privateJwkAssociatedData, signingKeyChanges, signingKeyFromRow, signingKeyToRow, type SigningKey, type SigningKeyChanges } from './signing-key.js';

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
    /** Seals new private keys under the current key-encryption key. */
    private readonly sealer: Sealer,
    private readonly policy: KeyPolicy,
    private readonly clock: Clock,
    /** Told of every change after its transaction commits (logging, audit, metrics). */
    private readonly onEvent: (event: KeyEvent) => void = () => {},
  ) {}

  /**
   * Whether a scheduled pass has anything to do, judged from rows read without the lock: a due
   * `next` key, a short queue, a missing active key, or an expired key to delete. The locked pass
   * decides again, so a stale answer costs one empty transaction at most. Takes the rows as the
   * repository lists them, and maps them here.
   */
  needsMaintenance(rows: readonly SigningKeyRow[], now = this.clock.now()): boolean {
    const keys = rows.map(signingKeyFromRow);
    return KEY_ALGS.some((alg) => {
      const own = keys.filter((key) => key.alg === alg);
      const queue = own.filter((key) => key.status === 'next');
      return (
        !own.some((key) => key.status === 'active') ||
        queue.length < this.policy.queueLength ||
        queue.some((key) => key.activatesAt !== null && key.activatesAt <= now) ||
        own.some((key) => key.expiresAt !== null && key.expiresAt <= now)
      );
    });
  }

  /** The scheduled pass: promote what is due, refill the queues, delete what has expired. */
  async maintain(): Promise<KeyEvent[]> {
    return this.locked(async (tx, keys, now, events) => {
      for (const alg of KEY_ALGS) await this.maintainAlg(tx, alg, keys, now, events);
    });
  }

  /**
   * `keys rotate`: the oldest `next` key takes over as soon as it has been published for the lead
   * (now, if it has), or now regardless with `force`. Returns the keys that take over.
   */
  async rotate(algs: readonly KeyAlg[] = KEY_ALGS, force = false, actor?: string): Promise<{ events: KeyEvent[]; kids: string[] }> {
    const kids: string[] = [];
    const events = await this.locked(async (tx, keys, now, events) => {
      for (const alg of algs) {
        // Settle the schedule first, so the queue is full and a due key has already been promoted.
        await this.maintainAlg(tx, alg, keys, now, events);
        const next = queueOf(keys, alg)[0];
        if (!next) continue;
        if (force || next.publishedAt + this.policy.publishLeadMs <= now) {
          await this.promote(tx, alg, next, keys, now, events);
        } else {
          await this.change(tx, keys, next, { rotationRequestedAt: now });
          events.push({ event: 'key.rotation_scheduled', kid: next.kid, alg });
        }
        await this.maintainAlg(tx, alg, keys, now, events);
        kids.push(next.kid);
      }
    }, actor);
    return { events, kids };
  }

  /** Emergency exit: the key leaves the JWKS at once; if it was active, the next one takes over now. */
  async revoke(kid: string, actor?: string): Promise<KeyEvent[]> {
    return this.locked(async (tx, keys, now, events) => {
      const key = keys.find((candidate) => candidate.kid === kid);
      if (!key) throw new KeyNotFoundError(kid);
      if (key.status === 'revoked') return;
      const wasActive = key.status === 'active';
      await this.change(tx, keys, key, {
        status: 'revoked',
        revokedAt: now,
        activatesAt: null,
        rotationRequestedAt: null,
        // Kept (listed as revoked) until anything it signed would have expired anyway.
        expiresAt: now + this.policy.propagationMs + this.policy.maxTokenLifetimeMs,
      });
      events.push({ event: 'key.revoked', kid, alg: key.alg });
      if (wasActive) {
        const next = queueOf(keys, key.alg)[0];
        if (next) await this.promote(tx, key.alg, next, keys, now, events);
      }
      await this.maintainAlg(tx, key.alg, keys, now, events);
    }, actor);
  }

  /** Runs `work` in a transaction that holds the `keys` lock, over the keys read under it. */
  private async locked(
    work: (tx: DbOrTx, keys: SigningKey[], now: number, events: KeyEvent[]) => Promise<void>,
    actor?: string,
  ): Promise<KeyEvent[]> {
    const events: KeyEvent[] = [];
    await this.db.transaction().execute(async (tx) => {
      events.length = 0; // a retried transaction starts over
      await bumpSyncVersion(tx, 'keys');
      const keys = (await listSigningKeys(tx)).map(signingKeyFromRow);
      const now = this.clock.now();
      await work(tx, keys, now, events);
      await this.restampExpiry(tx, keys, now);
    });
    for (const event of events) this.onEvent(actor === undefined ? event : { ...event, actor });
    return events;
  }

  /**
   * A key retired or revoked in this transaction stays published until `propagation + the longest
   * token lifetime` after other instances can learn of it, which is after the commit, not when the
   * transaction began: making new keys inside it (an RSA key takes up to a second under load) would
   * otherwise let the key leave the JWKS before its last token expires. So its expiry is moved to
   * count from the end of the work.
   */
  private async restampExpiry(tx: DbOrTx, keys: SigningKey[], startedAt: number) {
    const elapsed = this.clock.now() - startedAt;
    if (elapsed <= 0) return;
    for (const key of keys) {
      if ((key.retiredAt === startedAt || key.revokedAt === startedAt) && key.expiresAt !== null) {
        await this.change(tx, keys, key, { expiresAt: key.expiresAt + elapsed });
      }
    }
  }

  private async maintainAlg(tx: DbOrTx, alg: KeyAlg, keys: SigningKey[], now: number, events: KeyEvent[]) {
    // 1. Forget keys whose every token has expired.
    for (const key of keys.filter((r) => r.alg === alg && r.expiresAt !== null && r.expiresAt <= now)) {
      await deleteSigningKey(tx, key.kid);
      keys.splice(keys.indexOf(key), 1);
      events.push({ event: 'key.deleted', kid: key.kid, alg });
    }

    // 2. An algorithm with no active key (first start, or its key was revoked) gets one now:
    //    the oldest queued key, or a fresh one when there is none.
    const active = keys.find((r) => r.alg === alg && r.status === 'active');
    if (!active) {
      const next = queueOf(keys, alg)[0] ?? (await this.create(tx, alg, keys, now, events));
      await this.promote(tx, alg, next, keys, now, events);
    } else {
      // 3. One promotion per pass: after downtime, later keys are rescheduled from now rather
      //    than cascading through the whole queue.
      const due = queueOf(keys, alg)[0];
      if (due && due.activatesAt !== null && due.activatesAt <= now) await this.promote(tx, alg, due, keys, now, events);
    }

    // 4. Keep the queue long enough that the key due next has always been published for the lead.
    while (queueOf(keys, alg).length < this.policy.queueLength) await this.create(tx, alg, keys, now, events);

    // 5. Schedule the queue: each key follows the previous by the interval, and never before it
    //    has been published for the lead; a requested rotation brings the first one forward.
    const current = keys.find((r) => r.alg === alg && r.status === 'active')!;
    let previous = current.activatedAt ?? now;
    for (const [index, key] of queueOf(keys, alg).entries()) {
      const earliest = key.publishedAt + this.policy.publishLeadMs;
      let due = Math.max(previous + this.policy.rotationIntervalMs, earliest);
      if (index === 0 && key.rotationRequestedAt !== null) due = Math.max(key.rotationRequestedAt, earliest);
      if (key.activatesAt !== due) await this.change(tx, keys, key, { activatesAt: due });
      previous = due;
    }
  }

  private async create(tx: DbOrTx, alg: KeyAlg, keys: SigningKey[], now: number, events: KeyEvent[]) {
    const generated = await generateSigningKey(alg);
    const key: SigningKey = {
      kid: generated.kid,
      alg,
      status: 'next',
      publicJwk: JSON.stringify(generated.publicJwk),
      privateJwkSealed: this.sealer.seal(JSON.stringify(generated.privateJwk), privateJwkAssociatedData(generated.kid)),
      createdAt: now,
      publishedAt: now + this.policy.propagationMs,
      activatesAt: null,
      rotationRequestedAt: null,
      activatedAt: null,
      retiredAt: null,
      revokedAt: null,
      expiresAt: null,
    };
    await insertSigningKey(tx, signingKeyToRow(key));
    keys.push(key);
    events.push({ event: 'key.created', kid: key.kid, alg });
    return key;
  }

  private async promote(tx: DbOrTx, alg: KeyAlg, next: SigningKey, keys: SigningKey[], now: number, events: KeyEvent[]) {
    const active = keys.find((r) => r.alg === alg && r.status === 'active');
    if (active) {
      await this.change(tx, keys, active, {
        status: 'retired',
        retiredAt: now,
        // Other instances may sign with it until they reload (propagation), and its last token
        // lives for the longest token lifetime after that.
        expiresAt: now + this.policy.propagationMs + this.policy.maxTokenLifetimeMs,
      });
      events.push({ event: 'key.retired', kid: active.kid, alg });
    }
    await this.change(tx, keys, next, { status: 'active', activatedAt: now, activatesAt: next.activatesAt ?? now, rotationRequestedAt: null });
    events.push({ event: 'key.activated', kid: next.kid, alg });
  }

  private async change(tx: DbOrTx, keys: SigningKey[], key: SigningKey, changes: SigningKeyChanges) {
    await updateSigningKey(tx, key.kid, signingKeyChanges(changes));
    keys[keys.indexOf(key)] = Object.assign(key, changes);
  }
}

/** The `next` keys of one algorithm, oldest first: the order in which they take over. */
function queueOf(keys: readonly SigningKey[], alg: KeyAlg): SigningKey[] {
  return keys
    .filter((r) => r.alg === alg && r.status === 'next')
    .sort((a, b) => a.createdAt - b.createdAt || (a.kid < b.kid ? -1 : a.kid > b.kid ? 1 : 0));
}
