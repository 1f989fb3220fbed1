// argon2id on libuv's thread pool, with a bounded queue: at most `concurrency` hashes run at once
// and at most `queueLimit` wait; beyond that the caller gets 503 at once instead of memory growth
// and multi-second latency (docs/accounts.md; issue: login under load).
import { availableParallelism } from 'node:os';
import argon2 from 'argon2';
import { FifoSlots } from '../../concurrency/fifo-slots.js';
import { OAuthError } from '../../errors/oauth-error.js';

/** OWASP's argon2id minimum (docs/decisions.md): 19 MiB, t=2, p=1. */
export const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export interface VerifyResult {
  ok: boolean;
  /** The hash was made with weaker parameters and should be replaced after this sign-in. */
  needsRehash: boolean;
}

/**
 * Two hashes at once per core (os.availableParallelism follows CPU affinity): one keeps the core
 * busy while the event loop hands the other its result, and more only make argon2 threads and the
 * event loop fight over the same cores.
 *
 * Admission is by expected wait: a hash is queued only if, at the pace hashes are finishing now,
 * it would start within 750 ms; otherwise the answer is 503 at once rather than multi-second
 * latency. The pace is measured, not assumed: under overload the refusals themselves take CPU from
 * argon2, hashes finish more slowly, and the queue admits fewer.
 *
 * The hard limit, ten waiting per running hash, covers what the measured pace cannot see yet: when
 * 200 connections arrive at an idle server, the pace is the idle one until the first hashes finish
 * under load (a limit of 32 let the first burst wait 3 s at p99 in the bench). Twenty connections
 * of sign-ins (the bench's login row) still fit without a refusal.
 *
 * A hash that waited past twice the budget anyway (the pace fell after it was queued) is refused
 * when its turn comes rather than answered late: the caller gets 503 and can retry, and no admitted
 * sign-in waits for seconds.
 */
const DEFAULT_CONCURRENCY = Math.max(2, Math.min(4, 2 * availableParallelism()));
const QUEUE_PER_SLOT = 10;
const DEFAULT_MAX_WAIT_MS = 750;
/** Weight of the newest hash in the moving average of hash durations. */
const PACE_WEIGHT = 0.2;

export interface HasherLimits {
  concurrency?: number;
  queueLimit?: number;
  /** Longest expected wait before a queued hash starts. */
  maxWaitMs?: number;
  /** Longest actual wait: a hash that waited longer is refused when its turn comes (default 2 × maxWaitMs). */
  deadlineMs?: number;
}

export class PasswordHasher {
  private readonly slots: FifoSlots;
  private dummyHash: Promise<string> | undefined;
  /** Moving average of how long one hash takes from start to result, in ms (undefined: none yet). */
  private hashMs: number | undefined;
  private readonly concurrency: number;
  private readonly queueLimit: number;
  private readonly maxWaitMs: number;
  private readonly deadlineMs: number;

  constructor(limits: HasherLimits = {}) {
    this.concurrency = limits.concurrency ?? DEFAULT_CONCURRENCY;
    this.slots = new FifoSlots(this.concurrency);
    this.queueLimit = limits.queueLimit ?? QUEUE_PER_SLOT * this.concurrency;
    this.maxWaitMs = limits.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
    this.deadlineMs = limits.deadlineMs ?? 2 * this.maxWaitMs;
  }

  /**
   * Refuses at once when a hash could not start soon, before the caller spends database work on a
   * request that could only end in 503: under overload, refusals stay cheap and fast.
   */
  assertCapacity(): void {
    if (!this.admits()) throw BUSY;
  }

  /** The expected start of a hash queued now: the queue ahead of it drains `concurrency` at a time. */
  private admits(): boolean {
    if (this.slots.free) return true;
    if (this.slots.waiting >= this.queueLimit) return false;
    return this.hashMs === undefined || ((this.slots.waiting + 1) / this.concurrency) * this.hashMs <= this.maxWaitMs;
  }

  hash(password: string): Promise<string> {
    return this.bounded(() => argon2.hash(password, ARGON2_OPTIONS));
  }

  async verify(hash: string, password: string): Promise<VerifyResult> {
    // An account without a password (made through an upstream provider: docs/upstreams.md) costs
    // one verification too, so that its answer takes as long as a wrong password's.
    if (!hash.startsWith('$argon2')) {
      await this.verifyDummy(password);
      return { ok: false, needsRehash: false };
    }
    const ok = await this.bounded(() => argon2.verify(hash, password).catch(() => false));
    return { ok, needsRehash: ok && argon2.needsRehash(hash, ARGON2_OPTIONS) };
  }

  /** Spends one verification on nothing, so that unknown accounts take as long as known ones. */
  async verifyDummy(password: string): Promise<void> {
    this.dummyHash ??= argon2.hash('tessera-dummy-password-for-timing', ARGON2_OPTIONS);
    await this.verify(await this.dummyHash, password);
  }

  /** Makes the dummy hash now rather than during the first sign-in, and measures the first pace. */
  async warm(): Promise<void> {
    const started = performance.now();
    this.dummyHash ??= argon2.hash('tessera-dummy-password-for-timing', ARGON2_OPTIONS);
    await this.dummyHash;
    this.hashMs ??= performance.now() - started;
  }

  private async bounded<T>(work: () => Promise<T>): Promise<T> {
    if (!this.slots.tryTake()) {
      if (!this.admits()) throw BUSY;
      const queued = performance.now();
      await this.slots.take();
      // The slot is ours now; past the deadline it goes straight to the next in line.
      if (performance.now() - queued > this.deadlineMs) {
        this.slots.release();
        throw BUSY;
      }
    }
    const started = performance.now();
    try {
      return await work();
    } finally {
      const took = performance.now() - started;
      this.hashMs = this.hashMs === undefined ? took : this.hashMs + PACE_WEIGHT * (took - this.hashMs);
      this.slots.release();
    }
  }
}

/**
 * One refusal for all: under overload refusals outnumber sign-ins a hundred to one, and an error's
 * stack trace is most of what a refusal would cost the core that argon2 needs. It carries nothing
 * of any request, and is logged by its code only.
 */
const BUSY = new OAuthError('temporarily_unavailable', 'the server is busy, try again shortly', { headers: Object.freeze({ 'Retry-After': '1' }) as Record<string, string> });
Object.freeze(BUSY);
