// argon2id on libuv's thread pool, with a bounded queue: at most `concurrency` hashes run at once
// and at most `queueLimit` wait; beyond that the caller gets 503 at once instead of memory growth
// and multi-second latency (security.md, People; issue: login under load).
import { availableParallelism } from 'node:os';
import argon2 from 'argon2';
import { OAuthError } from '../../errors/oauth-error.js';

/** OWASP's argon2id minimum (design.md): 19 MiB, t=2, p=1. */
export const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export interface VerifyResult {
  ok: boolean;
  /** The hash was made with weaker parameters and should be replaced after this sign-in. */
  needsRehash: boolean;
}

/**
 * Two hashes at once per core (os.availableParallelism follows CPU affinity): one keeps the core
 * busy while the event loop hands the other its result, and more only make argon2 threads and the
 * event loop fight over the same cores. The queue holds about a second of work on one core
 * (argon2id at these parameters verifies 22 to 29 times a second there), room for a burst of
 * twenty sign-ins; beyond it the answer is 503 at once rather than multi-second latency.
 */
const DEFAULT_CONCURRENCY = Math.max(2, Math.min(4, 2 * availableParallelism()));
const DEFAULT_QUEUE_LIMIT = 20;

export class PasswordHasher {
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  private dummyHash: Promise<string> | undefined;

  constructor(
    private readonly concurrency = DEFAULT_CONCURRENCY,
    private readonly queueLimit = DEFAULT_QUEUE_LIMIT,
  ) {}

  /**
   * Refuses at once when the queue is full, before the caller spends database work on a request
   * that could only end in 503: under overload, refusals stay cheap and fast.
   */
  assertCapacity(): void {
    if (this.running >= this.concurrency && this.waiting.length >= this.queueLimit) throw busy();
  }

  hash(password: string): Promise<string> {
    return this.bounded(() => argon2.hash(password, ARGON2_OPTIONS));
  }

  async verify(hash: string, password: string): Promise<VerifyResult> {
    const ok = await this.bounded(() => argon2.verify(hash, password).catch(() => false));
    return { ok, needsRehash: ok && argon2.needsRehash(hash, ARGON2_OPTIONS) };
  }

  /** Spends one verification on nothing, so that unknown accounts take as long as known ones. */
  async verifyDummy(password: string): Promise<void> {
    this.dummyHash ??= argon2.hash('tessera-dummy-password-for-timing', ARGON2_OPTIONS);
    await this.verify(await this.dummyHash, password);
  }

  /** Makes the dummy hash now rather than during the first sign-in. */
  async warm(): Promise<void> {
    this.dummyHash ??= argon2.hash('tessera-dummy-password-for-timing', ARGON2_OPTIONS);
    await this.dummyHash;
  }

  private async bounded<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) {
      if (this.waiting.length >= this.queueLimit) throw busy();
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running += 1;
    }
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running -= 1;
    }
  }
}

const busy = () => new OAuthError('temporarily_unavailable', 'the server is busy, try again shortly', { headers: { 'Retry-After': '1' } });
