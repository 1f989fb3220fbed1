// Client lookups on the hot path (token, introspection, revocation) without a database round
// trip per request. Staleness is bounded: every POLL_MS the registry reads the `clients` change
// counter, and any change made anywhere (CLI, admin API, another instance) empties the cache, so
// a rotated secret or a deleted client takes effect everywhere within about a second (docs/decisions.md
// allows 5 s).
import type { Logger } from 'pino';
import type { Db } from '../../storage/db.js';
import { findClient } from '../../storage/repositories/clients.js';
import { readSyncVersions } from '../../storage/repositories/sync-state.js';
import { clientFromRow, type Client } from './client.js';

export const CLIENT_CACHE_POLL_MS = 1_000;
/** Longer ids are never issued (ours are 22 characters) and are not looked up at all. */
export const MAX_CLIENT_ID_LENGTH = 128;
/** Bounds memory under a flood of made-up client ids (negative entries count too). */
const MAX_ENTRIES = 10_000;

export class ClientRegistry {
  private cache = new Map<string, Client | null>();
  private version: number | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
  ) {}

  async find(clientId: string): Promise<Client | undefined> {
    if (clientId.length === 0 || clientId.length > MAX_CLIENT_ID_LENGTH) return undefined;
    const cached = this.cache.get(clientId);
    if (cached !== undefined) return cached ?? undefined;
    const row = await findClient(this.db, clientId);
    const client = row ? clientFromRow(row) : null;
    if (this.cache.size >= MAX_ENTRIES) this.cache.clear();
    this.cache.set(clientId, client);
    return client ?? undefined;
  }

  /** Empties the cache when the change counter moved; called by the poller and after own writes. */
  async refresh(): Promise<void> {
    const { clients } = await readSyncVersions(this.db);
    if (clients !== this.version) {
      this.cache.clear();
      this.version = clients;
    }
  }

  start(): void {
    const poll = () => {
      this.refresh()
        .catch((error: unknown) => {
          // Without a fresh counter the cache may be stale: drop it rather than serve old secrets.
          this.cache.clear();
          this.log.error({ err: error }, 'client cache refresh failed');
        })
        .finally(() => {
          if (this.timer) this.timer = setTimeout(poll, CLIENT_CACHE_POLL_MS).unref();
        });
    };
    this.timer = setTimeout(poll, CLIENT_CACHE_POLL_MS).unref();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
