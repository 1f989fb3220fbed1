// Composition root of `npm start`: configuration → database → keys → app → listen, and a graceful
// shutdown on SIGTERM/SIGINT (a second signal exits at once).
import { ConfigError, loadConfig, loadDotEnv, type Config } from './config/config.js';
import { KekError } from './crypto/kek.js';
import { createLogger } from './log/logger.js';
import { startServer, type RunningServer } from './server.js';

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
  const log = createLogger(config.logLevel);

  let running: RunningServer;
  try {
    running = await startServer(config, { log });
  } catch (error) {
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
  log.info({ listening: running.listening, url: running.url, issuer: config.issuer }, 'tessera listening');

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting now');
      log.flush();
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, 'shutting down: finishing in-flight requests');
    running
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
