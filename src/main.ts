// Composition root of `npm start`: configuration → database → keys → app → listen, and a graceful
// shutdown on SIGTERM/SIGINT (a second signal exits at once).
import { ConfigError, loadConfig, loadDotEnv, type Config } from './config/config.js';
import { KekError } from './crypto/kek.js';
import { createProcessLogger } from './log/logger.js';
import { startServer, type RunningServer } from './server.js';
import { DatabaseUnavailableError } from './storage/database-wait.js';

async function main(): Promise<void> {
  let config: Config;
  try {
    loadDotEnv();
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`tessera: invalid configuration: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const log = await createProcessLogger(config.logLevel, config.logFormat);

  // Until the server is ready (start-up may wait for the database), a signal just ends the process:
  // nothing is in flight, and migrations run in transactions.
  let running: RunningServer;
  const stopEarly = (signal: NodeJS.Signals) => {
    log.info({ signal }, 'signal during start-up: exiting');
    log.flush();
    process.exit(0);
  };
  process.on('SIGTERM', stopEarly);
  process.on('SIGINT', stopEarly);
  try {
    running = await startServer(config, { log });
  } catch (error) {
    if (error instanceof DatabaseUnavailableError) {
      // One line naming the database's host, never its password (the label has no credentials).
      process.stderr.write(`tessera: ${error.message}\n`);
      log.fatal(error.message);
      log.flush();
      process.exit(1);
    }
    if (error instanceof KekError) {
      process.stderr.write(`tessera: ${error.message}\n`);
      log.fatal(error.message);
      log.flush();
      process.exit(2);
    }
    throw error;
  }
  // `listening` is the socket's real address (0.0.0.0 by default, HOST); `url` is a loopback URL
  // that reaches it from this machine; the issuer is the public name in tokens and discovery.
  process.off('SIGTERM', stopEarly);
  process.off('SIGINT', stopEarly);
  const server = running;
  log.info({ listening: server.listening, url: server.url, issuer: config.issuer, ...(server.metrics ? { metrics: server.metrics.url } : {}) }, 'tessera listening');

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting now');
      log.flush();
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, 'shutting down: finishing in-flight requests');
    server
      .close()
      .then(() => {
        log.info('shut down cleanly');
        log.flush();
        process.exit(0);
      })
      .catch((error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        log.flush();
        process.exit(1);
      });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`tessera: failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
