// Logs (README, Operations): the client IP on each request line (X-Forwarded-For only with
// TRUST_PROXY), LOG_FORMAT=pretty for a terminal, and a line when a key change made elsewhere is
// picked up.
import { spawn } from 'node:child_process';
import test from 'ava';
import { cliEnv, cliJson, REPO_ROOT } from '../helpers/cli.js';
import { freePort, tempDir } from '../helpers/env.js';
import { startTestServer } from '../helpers/server.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
type Line = Record<string, unknown>;
const parsed = (logs: string[]) => logs.map((line) => JSON.parse(line) as Line);

test('each request line carries the client IP; X-Forwarded-For counts only with TRUST_PROXY', async (t) => {
  const direct = await startTestServer(t);
  await fetch(`${direct.url}/healthz`);
  await fetch(`${direct.url}/readyz`, { headers: { 'x-forwarded-for': '203.0.113.9' } });
  const lines = parsed(direct.logs).filter((line) => line.msg === 'request');
  t.deepEqual(
    lines.map((line) => [line.path, line.ip]),
    [
      ['/healthz', '127.0.0.1'],
      ['/readyz', '127.0.0.1'],
    ],
  );

  const proxied = await startTestServer(t, { env: { TRUST_PROXY: 'true' } });
  await fetch(`${proxied.url}/healthz`, { headers: { 'x-forwarded-for': '203.0.113.9, 10.0.0.1' } });
  const line = parsed(proxied.logs).find((entry) => entry.msg === 'request');
  t.is(line?.ip, '203.0.113.9');
});

test('LOG_FORMAT=pretty renders lines for people; json stays the default; anything else exits 2', async (t) => {
  const dir = tempDir(t);
  const port = await freePort();
  const child = spawn(process.execPath, [`${REPO_ROOT}dist/src/main.js`], {
    cwd: dir,
    env: { PATH: process.env.PATH, HOST: '127.0.0.1', PORT: String(port), LOG_FORMAT: 'pretty' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  t.teardown(() => void (child.exitCode === null && child.kill('SIGKILL')));
  while (!output.includes('tessera listening')) {
    if (child.exitCode !== null) t.fail(output);
    await sleep(50);
  }
  await fetch(`http://127.0.0.1:${port}/healthz?token=secret-in-query`);
  await sleep(200);
  child.kill('SIGTERM');
  t.is(await exited, 0);
  t.regex(output, /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: tessera listening$/m);
  t.regex(output, /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: request$/m);
  t.regex(output, /^\s+path: "\/healthz"$/m);
  t.false(output.split('\n').some((line) => line.startsWith('{')), 'no JSON lines');
  t.false(output.includes('secret-in-query'));

  const bad = spawn(process.execPath, [`${REPO_ROOT}dist/src/main.js`], { cwd: dir, env: { PATH: process.env.PATH, LOG_FORMAT: 'xml' } });
  let stderr = '';
  bad.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  t.is(await new Promise<number | null>((resolve) => bad.on('exit', resolve)), 2);
  t.regex(stderr, /^tessera: invalid configuration: LOG_FORMAT: "xml" is not one of json, pretty\n$/);
});

test('the server logs a key change made by the CLI when its key reload picks it up', async (t) => {
  const server = await startTestServer(t);
  const before = parsed(server.logs).filter((line) => line.msg === 'signing key change picked up');
  t.deepEqual(before, [], 'nothing at start-up');
  await sleep(1_200); // the scheduler's first reload: the state it opened with, not a change
  // Revoke the ES256 key waiting to take over (start-up made one): a change the server did not make.
  const keys = await cliJson<Array<{ kid: string; alg: string; status: string }>>(['keys', 'list'], cliEnv(server));
  const next = keys.find((key) => key.alg === 'ES256' && key.status === 'next');
  t.truthy(next, JSON.stringify(keys));
  await cliJson(['keys', 'revoke', '--', next!.kid], cliEnv(server));
  let changes: Line[] = [];
  for (let i = 0; i < 50 && changes.length < 2; i += 1) {
    await sleep(100);
    changes = parsed(server.logs).filter((line) => line.msg === 'signing key change picked up');
  }
  t.true(changes.length >= 1, `a change was logged:\n${server.logs.filter((line) => !line.includes('"msg":"request"')).join('')}`);
  // One line per key: the revoked one, and the replacement the CLI made for it.
  t.like(changes.find((line) => line.kid === next!.kid), { level: 30, alg: 'ES256', from: 'next', to: 'revoked' }, JSON.stringify(changes));
  t.like(changes.find((line) => line.kid !== next!.kid), { level: 30, alg: 'ES256', from: null, to: 'next' }, JSON.stringify(changes));
  t.is(changes.length, 2, JSON.stringify(changes));
});
