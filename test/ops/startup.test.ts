// Start-up that tells the truth (README, Operations): while the database is unreachable the socket
// already answers (/healthz 200, /readyz 503, everything else 503), start-up retries with backoff,
// and either carries on once the database answers or exits 1 with one line naming its host.
import { spawn } from 'node:child_process';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import test from 'ava';
import { loadConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/log/logger.js';
import { startServer } from '../../src/server.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { freePort, POSTGRES_URL, tempDir, testDatabaseUrl } from '../helpers/env.js';
import { clientCredentialsToken } from '../helpers/http.js';
import { registerClient } from '../helpers/server.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until fetch reaches the socket (the server listens before the database answers). */
async function reachable(url: string, ms = 10_000): Promise<Response> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      return await fetch(url);
    } catch (error) {
      if (Date.now() > until) throw error;
      await sleep(50);
    }
  }
}

/** What the socket answers while start-up waits for the database. */
async function assertStarting(t: import('ava').ExecutionContext, base: string) {
  const health = await reachable(`${base}/healthz`);
  t.is(health.status, 200);
  t.deepEqual(await health.json(), { status: 'ok' });
  const ready = await fetch(`${base}/readyz`);
  t.is(ready.status, 503);
  t.is(((await ready.json()) as { status: string }).status, 'unavailable');
  const token = await fetch(`${base}/token`, { method: 'POST', body: 'grant_type=client_credentials', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  t.is(token.status, 503);
  t.is(token.headers.get('retry-after'), '1');
  t.deepEqual(Object.keys((await token.json()) as object), ['error', 'error_description']);
  const discovery = await fetch(`${base}/.well-known/openid-configuration`);
  t.is(discovery.status, 503);
  t.is(((await discovery.json()) as { error: string }).error, 'temporarily_unavailable');
}

test('a start that never reaches its database answers /healthz meanwhile, then exits 1 with one line naming the host, not the password', async (t) => {
  const dir = tempDir(t);
  const [port, deadPort] = [await freePort(), await freePort()];
  const child = spawn(process.execPath, [`${REPO_ROOT}dist/src/main.js`], {
    cwd: dir,
    env: {
      PATH: process.env.PATH,
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: `postgres://tessera:s3cret-pw@127.0.0.1:${deadPort}/tessera`,
      DATABASE_STARTUP_TIMEOUT: '4s',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.teardown(() => void (child.exitCode === null && child.kill('SIGKILL')));
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

  await assertStarting(t, `http://127.0.0.1:${port}`);
  t.is(await exited, 1);
  const lines = stderr.split('\n').filter((line) => line.trim() !== '');
  t.is(lines.length, 1, stderr);
  t.regex(lines[0]!, new RegExp(`^tessera: database 127\\.0\\.0\\.1:${deadPort}/tessera did not answer within 4s \\(DATABASE_STARTUP_TIMEOUT\\)`));
  t.false(`${stdout}${stderr}`.includes('s3cret-pw'), 'the password is never printed');
  const waits = stdout.split('\n').filter((line) => line.includes('"msg":"database unreachable; retrying"'));
  t.true(waits.length >= 2, stdout);
  t.regex(waits[0]!, /"level":40/);
  t.regex(waits[0]!, /"attempt":1/);
  t.regex(waits[0]!, /ECONNREFUSED/);
});

/** A TCP proxy to `target` that refuses (nothing listens on its port) until open() is called. */
function lateProxy(port: number, target: { host: string; port: number }) {
  let server: Server | undefined;
  const sockets = new Set<Socket>();
  return {
    open: () =>
      new Promise<void>((resolve, reject) => {
        server = createServer((client) => {
          const upstream = createConnection(target.port, target.host);
          for (const socket of [client, upstream]) {
            sockets.add(socket);
            socket.on('close', () => sockets.delete(socket));
            socket.on('error', () => undefined);
          }
          client.pipe(upstream).pipe(client);
        });
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => resolve());
      }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        if (server) server.close(() => resolve());
        else resolve();
      }),
  };
}

test('PostgreSQL that refuses for 10 s: /readyz 503 meanwhile, then the server migrates, gets ready and serves a token', async (t) => {
  if (!POSTGRES_URL) {
    t.log('TEST_DATABASE_URL is not set: skipped');
    t.pass();
    return;
  }
  const dir = tempDir(t);
  const real = new URL(await testDatabaseUrl(t, dir, 'postgres'));
  const proxyPort = await freePort();
  const proxy = lateProxy(proxyPort, { host: real.hostname, port: Number(real.port || 5432) });
  t.teardown(() => proxy.close());
  const viaProxy = new URL(real);
  viaProxy.hostname = '127.0.0.1';
  viaProxy.port = String(proxyPort);

  const port = await freePort();
  const config = loadConfig({
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: viaProxy.toString(),
    DATABASE_STARTUP_TIMEOUT: '60s',
    KEYS_DIR: `${dir}/keys`,
    MAIL_OUTBOX_DIR: `${dir}/outbox`,
  });
  const logs: string[] = [];
  const log = createLogger('info', { write: (line: string) => void logs.push(line) });
  const started = Date.now();
  const starting = startServer(config, { log, drainTimeoutMs: 2_000 });
  starting.catch(() => undefined);

  const base = `http://127.0.0.1:${port}`;
  await assertStarting(t, base);
  await sleep(Math.max(0, 10_000 - (Date.now() - started)));
  const stillWaiting = await fetch(`${base}/readyz`);
  t.is(stillWaiting.status, 503, 'still unavailable after 10 s');
  await proxy.open();

  const running = await starting;
  t.teardown(() => running.close());
  const ready = await fetch(`${base}/readyz`);
  t.is(ready.status, 200);
  t.deepEqual(await ready.json(), { status: 'ready', checks: { database: true, keys: true } });
  const client = await registerClient({ ...running, config, dir, logs });
  const token = await clientCredentialsToken(base, client);
  t.is(token.split('.').length, 3);

  const lines = logs.map((line) => JSON.parse(line) as Record<string, unknown>);
  const waits = lines.filter((line) => line.msg === 'database unreachable; retrying');
  t.true(waits.length >= 3, 'each wait is logged');
  t.is(waits[0]!.database, `127.0.0.1:${proxyPort}${real.pathname}`);
  const delays = waits.map((line) => line.retryInMs as number);
  t.true(delays[1]! > delays[0]!, `backoff: ${delays.join(', ')}`);
  t.true(lines.some((line) => line.msg === 'database migrated'), 'migrations ran once the database answered');
});
