// What the commands of `tessera …` work with, opened in one place: the database (migrated), the
// issuer the server recorded, and the same domain services as the server's, acting as `cli`. The
// CLI talks to the database, not to a running server (README, The admin CLI).
import { CLI_ACTOR, type Actor } from '../audit/audit-log.js';
import { systemClock } from '../clock.js';
import type { Config } from '../config/config.js';
import { ClientService } from '../domain/clients/client-service.js';
import type { KeyAdmin } from '../domain/keys/key-admin.js';
import { createLogger } from '../log/logger.js';
import { createServices, openProcessKeys, type Services } from '../services.js';
import { openDatabase, type Db } from '../storage/db.js';
import { migrateToLatest } from '../storage/migrate.js';
import { readServedIssuer } from '../storage/repositories/served-issuer.js';
import { warn } from './output.js';

export interface CliContext {
  /** The configuration, with the issuer the server recorded at start-up (see withServedIssuer). */
  config: Config;
  /** Who the audit log names for every change made here. */
  actor: Actor;
  /** The migrations applied while opening (what `tessera migrate` prints). */
  migrated: string[];
  /** Clients need no signing keys, so their commands work without the key-encryption key. */
  clients: ClientService;
  /** Key administration; opens the signing keys (and so needs the KEK) on first use. */
  keys(): Promise<KeyAdmin>;
  /** The account services (users, 2FA, upstream providers); they open the signing keys too, on first use. */
  accounts(): Promise<Pick<Services, 'users' | 'mfa' | 'upstreams' | 'passkeys'>>;
  /** Waits for the audit writes of key events, then closes the database. */
  close(): Promise<void>;
}

export interface CliOpenOptions {
  /** `tessera migrate` only migrates: it neither reads nor warns about the served issuer. */
  migrateOnly?: boolean;
}

export async function openCliContext(given: Config, options: CliOpenOptions = {}): Promise<CliContext> {
  const { db, dialect } = openDatabase(given.databaseUrl);
  const clock = systemClock;
  const flushes: Array<() => Promise<void>> = [];
  try {
    const migrated = await migrateToLatest(db);
    const config = options.migrateOnly ? given : await withServedIssuer(given, db);
    const log = createLogger('silent');
    let services: Promise<Services> | undefined;
    // Key events are recorded with `cli` as their actor; they are written after the lifecycle's
    // transaction commits, so close() waits for them before the database goes.
    const openServices = () =>
      (services ??= (async () => {
        const { keys, flushKeyEvents } = await openProcessKeys(config, db, clock, log, CLI_ACTOR.id);
        flushes.push(flushKeyEvents);
        return createServices(config, db, dialect, clock, log, { keys });
      })());
    return {
      config,
      actor: CLI_ACTOR,
      migrated,
      clients: new ClientService(db, clock),
      keys: async () => (await openServices()).keyAdmin,
      accounts: openServices,
      close: async () => {
        try {
          for (const flush of flushes) await flush();
        } finally {
          await db.destroy();
        }
      },
    };
  } catch (error) {
    await db.destroy();
    throw error;
  }
}

/**
 * The CLI's issuer (what it prints as a client's default `audience`, docs/keys.md): the one the
 * server recorded at start-up, since the CLI's own default (http://localhost:$PORT of the CLI's
 * environment) need not be the server's. An ISSUER set here (environment or .env) still wins,
 * with a warning when it differs from the server's.
 */
async function withServedIssuer(config: Config, db: Db): Promise<Config> {
  const served = await readServedIssuer(db);
  if (served === undefined || served === config.issuer) return config;
  // Read as loadConfig reads it (blank is unset): whether ISSUER was given is not in the Config.
  if (process.env.ISSUER?.trim()) {
    warn(`ISSUER=${config.issuer} differs from the issuer the server recorded at start-up (${served}); using ${config.issuer}`);
    return config;
  }
  return Object.freeze({ ...config, issuer: served });
}
