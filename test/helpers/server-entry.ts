// `npm start` for the process tests that need a short key schedule: the same configuration and
// start-up as src/main.ts, plus the key tick and propagation delay that only tests may set
// (StartOptions.keyTickMs / keyPropagationMs), read from TEST_KEY_TICK_MS and
// TEST_KEY_PROPAGATION_MS. Run with `node --import tsx` (see process.ts spawnTestServer).
import { loadConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/log/logger.js';
import { startServer } from '../../src/server.js';

const optionalMs = (name: string): number | undefined => {
  const text = process.env[name];
  return text === undefined || text === '' ? undefined : Number(text);
};

const config = loadConfig();
const log = createLogger(config.logLevel);
const running = await startServer(config, {
  log,
  keyTickMs: optionalMs('TEST_KEY_TICK_MS'),
  keyPropagationMs: optionalMs('TEST_KEY_PROPAGATION_MS'),
});
// The line spawnServer waits for, as src/main.ts writes it.
log.info({ listening: running.listening, url: running.url, issuer: config.issuer }, 'tessera listening');

process.on('SIGTERM', () => {
  void running.close().then(() => {
    log.flush();
    process.exit(0);
  });
});
