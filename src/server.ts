// Starting and stopping one Tessera server: database, migrations, keys, background work, HTTP.
// Used by main.ts and by the tests, which run real servers on real sockets.
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { createApp } from './app.js';
import { systemClock, type Clock } from './clock.js';
import type { Config } from './config/config.js';
import { PROPAGATION_MS, withKeyPropagation } from './crypto/key-policy.js';
import { KEY_TICK_MS, KeyScheduler } from './crypto/key-scheduler.js';
import { preloadCommonPasswords } from './domain/accounts/password-policy.js';
import { startCleanup } from './jobs/cleanup.js';
import { createMetrics } from './metrics/metrics.js';
import { createServices, openProcessKeys, type Services } from './services.js';
import { openDatabase } from './storage/db.js';
import { migrateToLatest } from './storage/migrate.js';
import { recordServedIssuer } from './storage/repositories/served-issuer.js';

export interface RunningServer {
  /**
   * A connectable base URL of the listening socket (not necessarily the issuer): loopback when
   * bound to every interface (0.0.0.0 or ::), which is an address to listen on, not to connect to.
   */
  url: string;
  /** The address and port really listened on, as the socket reports them (server.address()). */
  listening: { host: string; port: number };
  server: Server;
  services: Services;
  /** The key scheduler of this process; tick() re-reads key state at once (after own changes). */
  scheduler: KeyScheduler;
  /** Stops accepting, lets in-flight requests finish, stops background work, closes the database. */
  close(): Promise<void>;
}

export interface StartOptions {
  log: Logger;
  clock?: Clock;
  /** Milliseconds to wait for in-flight requests at shutdown before cutting connections. */
  drainTimeoutMs?: number;
  /**
   * Tests only: the key scheduler's tick (default KEY_TICK_MS, 1 s) and the delay after which a
   * written key counts as published everywhere (default PROPAGATION_MS, 5 s), so that rotations
   * can be watched in seconds. The tick must be shorter than the propagation delay, which assumes
   * every process reloads key state within it (docs/decisions.md, Signing keys).
   */
  keyTickMs?: number;
  keyPropagationMs?: number;
}

export async function startServer(given: Config, options: StartOptions): Promise<RunningServer> {
  const { log } = options;
  const keyTickMs = options.keyTickMs ?? KEY_TICK_MS;
  const config = options.keyPropagationMs === undefined ? given : withKeyPropagation(given, options.keyPropagationMs);
  if (keyTickMs >= (options.keyPropagationMs ?? PROPAGATION_MS)) {
    throw new RangeError(`the key tick (${keyTickMs} ms) must be shorter than the key propagation delay`);
  }
  const clock = options.clock ?? systemClock;
  const { db, dialect, readNow } = openDatabase(config.databaseUrl);
  let services: Services;
  let scheduler: KeyScheduler;
  try {
    const applied = await migrateToLatest(db);
    if (applied.length > 0) log.info({ migrations: applied }, 'database migrated');
    // For the CLI, which prints this issuer rather than one guessed from its own environment.
    await recordServedIssuer(db, config.issuer, clock.now());
    // The keys first, then their scheduler, then the services: the admin API's key changes tell the
    // scheduler to re-read key state at once (docs/keys.md) instead of at its next tick.
    const { keys } = await openProcessKeys(config, db, clock, log, 'system');
    const keyScheduler = new KeyScheduler(db, keys.lifecycle, keys.keystore, clock, log, keyTickMs);
    scheduler = keyScheduler;
    services = await createServices(config, db, dialect, clock, log, { keys, keysChanged: () => keyScheduler.tick(), readNow });
  } catch (error) {
    await db.destroy();
    throw error;
  }
  for (const warning of config.warnings) log.warn(warning);

  const { keys } = services;
  const metrics = createMetrics(() =>
    keys.keystore.activeKeys.map((key) => ({ alg: key.alg, seconds: Math.max(0, (clock.now() - key.activatedAt) / 1000) })),
  );
  scheduler.start();
  services.clientRegistry.start();
  services.outbox.start();
  preloadCommonPasswords();
  await services.hasher.warm();
  const stopCleanup = startCleanup(db, clock, log);

  const app = createApp(services, metrics);
  const server = createServer(app.callback());
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 30_000;
  server.listen(config.port, config.host);
  try {
    await once(server, 'listening');
  } catch (error) {
    // The port is taken (or the host is wrong): stop what was started, and report it.
    await scheduler.stop();
    await services.outbox.stop();
    services.clientRegistry.stop();
    stopCleanup();
    await db.destroy();
    throw error;
  }
  const { address, port } = server.address() as AddressInfo;
  const host = address === '0.0.0.0' || address === '::' ? '127.0.0.1' : address;

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), options.drainTimeoutMs ?? 10_000);
      await closed;
      clearTimeout(timer);
      await scheduler.stop();
      await services.outbox.stop();
      services.clientRegistry.stop();
      stopCleanup();
      await db.destroy();
    })());

  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return { url, listening: { host: address, port }, server, services, scheduler, close };
}
