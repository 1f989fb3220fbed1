// Starts a real Tessera server in the test process, on a real socket, with its own database,
// keys folder and captured log lines. Configuration goes through loadConfig like production.
import type { ExecutionContext } from 'ava';
import { systemClock, type Clock } from '../../src/clock.js';
import { loadConfig, type Config } from '../../src/config/config.js';
import { createLogger } from '../../src/log/logger.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { CLI_META, type Actor } from '../../src/audit/audit-log.js';
import { clientMetadata } from '../../src/domain/clients/client.js';
import type { NewClient } from '../../src/domain/clients/client-service.js';
import { freePort, tempDir, testDatabaseUrl, type DialectName } from './env.js';
import type { RegisteredClient } from './http.js';

export interface TestServer extends RunningServer {
  config: Config;
  dir: string;
  /** Every log line the server wrote, raw JSON text. */
  logs: string[];
}

export interface TestServerOptions {
  env?: Record<string, string>;
  dialect?: DialectName;
  /** Reuse a folder (and so its keys/ and SQLite file) from an earlier server. */
  dir?: string;
  databaseUrl?: string;
  clock?: Clock;
  /** The key scheduler's tick and the key propagation delay (StartOptions; production: 1 s, 5 s). */
  keyTickMs?: number;
  keyPropagationMs?: number;
}

export async function startTestServer(t: ExecutionContext, options: TestServerOptions = {}): Promise<TestServer> {
  const dir = options.dir ?? tempDir(t);
  const databaseUrl = options.databaseUrl ?? (await testDatabaseUrl(t, dir, options.dialect));
  // freePort() cannot reserve the port: another test file may take it before we listen, so a
  // taken port means trying another one.
  for (let attempt = 1; ; attempt += 1) {
    const port = await freePort();
    const config = loadConfig({
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: databaseUrl,
      KEYS_DIR: `${dir}/keys`,
      MAIL_OUTBOX_DIR: `${dir}/outbox`,
      LOG_LEVEL: 'info',
      ...options.env,
    });
    const logs: string[] = [];
    const log = createLogger(config.logLevel, { write: (line: string) => void logs.push(line) });
    try {
      const running = await startServer(config, {
        log,
        clock: options.clock ?? systemClock,
        drainTimeoutMs: 2_000,
        keyTickMs: options.keyTickMs,
        keyPropagationMs: options.keyPropagationMs,
      });
      t.teardown(() => running.close());
      return { ...running, config, dir, logs };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 5 || options.env?.PORT !== undefined) throw error;
    }
  }
}

/** A clock the test moves by hand, starting now. */
export class ManualClock implements Clock {
  constructor(private current = Date.now()) {}
  now(): number {
    return this.current;
  }
  advance(ms: number): void {
    this.current += ms;
  }
}

/** Who makes the changes a test makes through the domain services directly. */
export const TEST_ACTOR: Actor = { id: 'test', meta: CLI_META };

/** Registers a client through the domain service (the CLI path has its own tests). */
export async function registerClient(server: TestServer, input: Partial<NewClient> = {}): Promise<RegisteredClient> {
  const { client, secret } = await server.services.clients.create({ name: 'test client', ...input }, TEST_ACTOR);
  return { ...clientMetadata(client, server.config.issuer, secret), client_secret: secret ?? '' } as RegisteredClient;
}
