// Starting and stopping one Tessera server: database, migrations, keys, background work, HTTP.
// Used by main.ts and by the tests, which run real servers on real sockets.
import { once } from 'node:events';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { createApp } from './app.js';
import { systemClock, type Clock } from './clock.js';
import { deploymentWarnings, type Config } from './config/config.js';
import { PROPAGATION_MS, withKeyPropagation } from './crypto/key-policy.js';
import { KEY_TICK_MS, KeyScheduler } from './crypto/key-scheduler.js';
import { preloadCommonPasswords } from './domain/accounts/password-policy.js';
import { metricsHandler } from './http/ops/metrics-server.js';
import { startingHandler } from './http/ops/starting.js';
import { startCleanup } from './jobs/cleanup.js';
import { createMetrics, type Metrics } from './metrics/metrics.js';
import { createServices, openProcessKeys, type Services } from './services.js';
import { databaseLabel, describeError, waitForDatabase } from './storage/database-wait.js';
import { openDatabase, type OpenDatabase } from './storage/db.js';
import { migrateToLatest } from './storage/migrate.js';
import { oldestUndeliveredAt } from './storage/repositories/outbox.js';
import { recordServedIssuer } from './storage/repositories/served-issuer.js';

export interface RunningServer {
  /**
   * A connectable base URL of the listening socket (not necessarily the issuer): loopback when
   * bound to every interface (0.0.0.0 or ::), which is an address to listen on, not to connect to.
   */
  url: string;
  /** The address and port really listened on, as the socket reports them (server.address()). */
  listening: { host: string; port: number };
  /** With METRICS_PORT: the metrics socket's address and a URL that reaches it. */
  metrics?: { url: string; listening: { host: string; port: number } };
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
  for (const warning of [...config.warnings, ...deploymentWarnings(config)]) log.warn(warning);

  // The socket opens before the database is reached (README, Operations): while start-up waits
  // for it, /healthz says the process lives and /readyz and every other route answer 503, so that
  // a supervisor neither kills it nor routes traffic to it. The app takes over once it is built.
  let handler: RequestListener = startingHandler;
  const server = createServer((req, res) => handler(req, res));
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 30_000;
  // The port is taken (or the host is wrong): nothing else is started yet.
  const { host: listenedHost, port } = await listen(server, config.port, config.host);
  const host = listenedHost === '0.0.0.0' || listenedHost === '::' ? '127.0.0.1' : listenedHost;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  let opened: OpenDatabase | undefined;
  let services: Services;
  let scheduler: KeyScheduler;
  let metrics: Metrics;
  try {
    opened = openDatabase(config.databaseUrl);
    const { db, dialect, readNow } = opened;
    const label = databaseLabel(config.databaseUrl);
    await waitForDatabase(db, {
      timeoutMs: config.databaseStartupTimeout * 1000,
      label,
      onWait: (attempt, delayMs, error) => {
        if (attempt === 1) log.info({ listening: { host: listenedHost, port }, url }, 'answering /healthz while waiting for the database');
        log.warn({ database: label, attempt, retryInMs: delayMs, error: describeError(error) }, 'database unreachable; retrying');
      },
    });
    const applied = await migrateToLatest(db);
    if (applied.length > 0) log.info({ migrations: applied }, 'database migrated');
    // For the CLI, which prints this issuer rather than one guessed from its own environment.
    await recordServedIssuer(db, config.issuer, clock.now());
    // The keys first, then their scheduler, then the services: the admin API's key changes tell the
    // scheduler to re-read key state at once (docs/keys.md) instead of at its next tick.
    const { keys } = await openProcessKeys(config, db, clock, log, 'system');
    const keyScheduler = new KeyScheduler(db, keys.lifecycle, keys.keystore, clock, log, keyTickMs);
    scheduler = keyScheduler;
    // The metrics before the services, which report sign-ins, mail and refresh reuse to them
    // (domain/events.ts); the gauges read the keys and the outbox when scraped.
    metrics = createMetrics({
      keyAge: () => keys.keystore.activeKeys.map((key) => ({ alg: key.alg, seconds: Math.max(0, (clock.now() - key.activatedAt) / 1000) })),
      oldestUndeliveredAt: () => oldestUndeliveredAt(db),
      now: () => clock.now(),
      log,
    });
    services = await createServices(config, db, dialect, clock, log, { keys, keysChanged: () => keyScheduler.tick(), readNow, events: metrics.events });
  } catch (error) {
    await opened?.db.destroy();
    await closeNow(server);
    throw error;
  }
  const { db } = opened;

  scheduler.start();
  services.clientRegistry.start();
  services.outbox.start();
  services.backchannelLogout.start();
  preloadCommonPasswords();
  await services.hasher.warm();
  const stopCleanup = startCleanup(db, clock, log);
  /** The background work and the database, stopped after the sockets (on close, or a failed start). */
  const stopBackground = async () => {
    await scheduler.stop();
    await services.outbox.stop();
    await services.backchannelLogout.stop();
    services.clientRegistry.stop();
    stopCleanup();
    await db.destroy();
  };

  const app = createApp(services, metrics);
  let metricsServer: Server | undefined;
  let metricsInfo: RunningServer['metrics'];
  if (config.metricsPort !== undefined) {
    metricsServer = createServer(metricsHandler(metrics));
    try {
      const bound = await listen(metricsServer, config.metricsPort, config.metricsHost);
      const reach = bound.host === '0.0.0.0' || bound.host === '::' ? '127.0.0.1' : bound.host;
      metricsInfo = { url: `http://${reach.includes(':') ? `[${reach}]` : reach}:${bound.port}`, listening: bound };
    } catch (error) {
      // The metrics port is taken (or its host is wrong): stop what was started, and report it.
      await stopBackground();
      await closeNow(server);
      throw error;
    }
  }
  handler = app.callback();

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (metricsServer) await closeNow(metricsServer);
      const timer = setTimeout(() => server.closeAllConnections(), options.drainTimeoutMs ?? 10_000);
      await closed;
      clearTimeout(timer);
      await stopBackground();
    })());

  return { url, listening: { host: listenedHost, port }, ...(metricsInfo ? { metrics: metricsInfo } : {}), server, services, scheduler, close };
}

async function listen(server: Server, port: number, host: string): Promise<{ host: string; port: number }> {
  server.listen(port, host);
  await once(server, 'listening');
  const { address, port: bound } = server.address() as AddressInfo;
  return { host: address, port: bound };
}

/** Closes a socket that has nothing in flight worth finishing (start-up failed, or the metrics port). */
async function closeNow(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  await closed;
}
