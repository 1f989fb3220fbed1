// Runs in every server process: each tick reads the key table, lets the lifecycle act when
// something is due (the database lock makes one process do it), and feeds the keystore. Ticking
// every second rather than sleeping until the next rotation keeps long intervals safe (setTimeout
// overflows past 24.8 days) and bounds how stale a process's view of the keys can be (docs/decisions.md:
// at most 5 s).
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Db } from '../storage/db.js';
import { listSigningKeys } from '../storage/repositories/signing-keys.js';
import type { KeyLifecycle } from './key-lifecycle.js';
import type { Keystore } from './keystore.js';
import { signingKeyFromRow, type SigningKey } from './signing-key.js';

/** The production tick; a test may pass a shorter one (StartOptions.keyTickMs). */
export const KEY_TICK_MS = 1_000;

export class KeyScheduler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  /** kid → `alg status` of the last reload, to say what changed; unset until the first tick. */
  private seen: Map<string, { alg: string; status: string }> | undefined;

  constructor(
    private readonly db: Db,
    private readonly lifecycle: KeyLifecycle,
    private readonly keystore: Keystore,
    private readonly clock: Clock,
    private readonly log: Logger,
    /** Must stay under the policy's propagation delay, which assumes a reload at least that often. */
    private readonly tickMs: number = KEY_TICK_MS,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule();
  }

  /** Stops ticking and waits for a tick in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** One pass, also called right after this process changes keys itself. */
  async tick(): Promise<void> {
    let rows = await listSigningKeys(this.db);
    if (this.lifecycle.needsMaintenance(rows, this.clock.now())) {
      await this.lifecycle.maintain();
      rows = await listSigningKeys(this.db);
    }
    const keys = rows.map(signingKeyFromRow);
    const changed = this.keystore.reload(keys, this.clock.now());
    if (changed) this.log.debug({ keys: keys.map((k) => `${k.alg}:${k.kid}:${k.status}`) }, 'signing keys reloaded');
    if (changed || !this.seen) this.logChanges(keys);
  }

  /**
   * One info line per key whose status changed since the last reload: how an operator sees that
   * this instance picked up a change made by the CLI, another instance or itself (README, Operations).
   */
  private logChanges(keys: readonly SigningKey[]): void {
    const previous = this.seen;
    this.seen = new Map(keys.map((k) => [k.kid, { alg: k.alg, status: k.status }]));
    if (!previous) return; // the first reload after start-up: the state this process opened with
    for (const key of keys) {
      const before = previous.get(key.kid);
      if (before?.status !== key.status) {
        this.log.info({ kid: key.kid, alg: key.alg, from: before?.status ?? null, to: key.status }, 'signing key change picked up');
      }
    }
    for (const [kid, { alg, status }] of previous) {
      if (!this.seen.has(kid)) this.log.info({ kid, alg, from: status, to: null }, 'signing key change picked up');
    }
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick()
        .catch((error: unknown) => this.log.error({ err: error }, 'signing key tick failed; serving the last known keys'))
        .finally(() => {
          this.running = undefined;
          this.schedule();
        });
    }, this.tickMs);
    this.timer.unref();
  }
}
