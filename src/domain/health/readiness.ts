// Whether this process can serve (README, Errors, /readyz): the database answers, and the key state
// is fresh (the key scheduler reloads it every second; stale state means it cannot reach the
// database, and tokens signed now could use a key other instances have revoked).
import type { Clock } from '../../clock.js';
import type { Keystore } from '../../crypto/keystore.js';
import type { Db } from '../../storage/db.js';
import { readSyncVersions } from '../../storage/repositories/sync-state.js';

/** Key state older than this means the key scheduler cannot reach the database. */
export const KEY_STATE_STALE_MS = 15_000;

export interface ReadinessReport {
  ready: boolean;
  checks: { database: boolean; keys: boolean };
  /** Why the database check failed, for the log. */
  databaseError?: unknown;
}

export class Readiness {
  constructor(
    private readonly db: Db,
    private readonly keystore: Keystore,
    private readonly clock: Clock,
  ) {}

  /** A cheap read that needs a working connection; the error when there is none. */
  async databaseReachable(): Promise<{ reachable: true } | { reachable: false; error: unknown }> {
    try {
      await readSyncVersions(this.db);
      return { reachable: true };
    } catch (error) {
      return { reachable: false, error };
    }
  }

  keysFresh(): boolean {
    return this.keystore.ready && this.clock.now() - this.keystore.lastLoadedAt < KEY_STATE_STALE_MS;
  }

  async check(): Promise<ReadinessReport> {
    const keys = this.keysFresh();
    const database = await this.databaseReachable();
    const checks = { database: database.reachable, keys };
    return { ready: checks.database && checks.keys, checks, ...(database.reachable ? {} : { databaseError: database.error }) };
  }
}
