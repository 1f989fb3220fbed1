// The servers of the bench and how to start them: Tessera from its build, the oidc-provider peer, the
// bare hello servers. Each is pinned to SERVER_CORE; everything listens on 127.0.0.1 only.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, registerTempDir, sleep, spawnPinned, waitReady } from './procs.js';

export const LOADER_CORE = 0;
export const SERVER_CORE = 1;
export const HOST = '127.0.0.1';
export const FORM = 'application/x-www-form-urlencoded';

export const benchDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const repo = path.resolve(benchDir, '..');

export const basic = (id, secret) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

/** A clean environment: nothing from the caller's shell (DATABASE_URL, KEYS_KEK, …) leaks in. */
export function baseEnv(extra) {
  const env = { PATH: process.env.PATH, HOME: process.env.HOME ?? os.tmpdir(), BENCH_WATCH_STDIN: '1', ...extra };
  if (process.env.TMPDIR) env.TMPDIR = process.env.TMPDIR;
  return env;
}

/** One of the bench's own servers (hello-http.js, hello-koa.js, oidc-provider-server.js); `env` is added to its environment. */
export async function startHelper(name, script, env = {}) {
  const port = await freePort();
  const proc = spawnPinned(name, SERVER_CORE, [path.join(benchDir, script)], { cwd: repo, env: baseEnv({ ...env, PORT: String(port) }) });
  return { proc, port, base: `http://${HOST}:${port}` };
}

/**
 * Tessera from dist/src/main.js in a fresh temporary directory (its own SQLite file and keys), with
 * the sign-in limits off, two clients (ES256 and RS256 access tokens, scope api:read) and one
 * verified user; for the DPoP and private_key_jwt rows also a `--dpop-bound` client and, given
 * `clientJwks` (the public JWK Set of the bench's client key), a private_key_jwt client, both with
 * ES256 access tokens. `nodeArgs` go before the script (for instance --cpu-prof).
 */
export async function startTessera(name, logLevel, { nodeArgs = [], clientJwks } = {}) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tessera-bench-'));
  registerTempDir(dir);
  const port = await freePort();
  const base = `http://${HOST}:${port}`;
  const env = baseEnv({
    PORT: String(port),
    HOST,
    ISSUER: base,
    LOG_LEVEL: logLevel,
    DATABASE_URL: 'sqlite:data/tessera.db',
    KEYS_DIR: 'keys',
    MAIL_OUTBOX_DIR: 'data/outbox',
    // The bench turns the sign-in limits off (docs/decisions.md: "0 = off, so a benchmark can").
    RATE_LIMIT_PER_IP: '0',
    RATE_LIMIT_PER_ACCOUNT: '0',
    LOCKOUT_THRESHOLD: '0',
  });
  delete env.BENCH_WATCH_STDIN;
  const proc = spawnPinned(name, SERVER_CORE, [...nodeArgs, path.join(repo, 'dist/src/main.js')], { cwd: dir, env, logFile: path.join(dir, 'tessera.log') });
  // "tessera listening" is an info line, so at LOG_LEVEL=warn it is never written: /readyz decides.
  await waitReady(proc, `${base}/readyz`, { line: 'tessera listening' });
  await waitReady(proc, `${base}/readyz`);

  const cli = (...args) => JSON.parse(execFileSync(process.execPath, [path.join(repo, 'bin/tessera.js'), ...args, '--json'], { cwd: dir, env, encoding: 'utf8' }));
  const es256 = cli('clients', 'create', '--name', 'bench', '--scope', 'api:read');
  const rs256 = cli('clients', 'create', '--name', 'bench-rs256', '--scope', 'api:read', '--access-token-alg', 'RS256');
  const dpop = cli('clients', 'create', '--name', 'bench-dpop', '--scope', 'api:read', '--dpop-bound');
  let pkjwt;
  if (clientJwks) {
    writeFileSync(path.join(dir, 'bench-pkjwt.jwks.json'), JSON.stringify(clientJwks));
    pkjwt = cli('clients', 'create', '--name', 'bench-pkjwt', '--scope', 'api:read', '--auth-method', 'private_key_jwt', '--jwks', 'bench-pkjwt.jwks.json');
  }
  cli('users', 'create', '--email', 'bench@example.com', '--password', 'bench passphrase 123', '--verified');
  await sleep(1500); // the server polls for client changes every second
  return { proc, port, base, dir, clients: { es256, rs256, dpop, pkjwt } };
}

// Checks: a fast error never counts as a win.
export const checks = {
  discovery: (base) => (body) => body.includes(`"issuer":"${base}"`),
  jwks: (body) => body.includes('"keys":[{'),
  hello: (body) => body === '{"hello":"world"}',
  token: (body) => body.includes('"access_token":"ey') && body.includes('"token_type":"Bearer"'),
  active: (body) => body.includes('"active":true'),
  login: (body) => body.includes('"access_token":"ey') && body.includes('"refresh_token":"'),
  // Overload: a sign-in, or a refusal saying the server is busy (503 temporarily_unavailable) or
  // rate limited (429 rate_limited).
  loginOrBusy: (body) =>
    (body.includes('"access_token":"ey') && body.includes('"refresh_token":"')) || body.includes('"error":"temporarily_unavailable"') || body.includes('"error":"rate_limited"'),
};
