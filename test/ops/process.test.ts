import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import test from 'ava';
import { REPO_ROOT } from '../helpers/cli.js';
import { freePort, tempDir } from '../helpers/env.js';
import { spawnServer } from '../helpers/process.js';

function run(command: string, args: string[], env: Record<string, string>, cwd: string) {
  return new Promise<{ code: number | null; stderr: string; stdout: string }>((resolve) => {
    const child = spawn(command, args, { cwd, env: { PATH: process.env.PATH, ...env } });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.on('exit', (code) => resolve({ code, stderr, stdout }));
  });
}

test('PORT=abc npm start exits 2 with one line naming PORT', async (t) => {
  const { code, stderr } = await run('npm', ['start', '--silent'], { PORT: 'abc' }, REPO_ROOT);
  t.is(code, 2);
  const lines = stderr.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('npm warn'));
  t.is(lines.length, 1, stderr);
  t.regex(lines[0]!, /PORT/);
});

test('every bad value names its variable and exits 2', async (t) => {
  const dir = tempDir(t);
  for (const [name, value] of [['ACCESS_TOKEN_TTL', '15 minutes'], ['DATABASE_URL', 'mysql://x'], ['KEYS_KEK', 'short'], ['ISSUER', 'not a url'], ['BODY_LIMIT', 'lots']] as const) {
    const { code, stderr } = await run(process.execPath, [`${REPO_ROOT}dist/src/main.js`], { [name]: value }, dir);
    t.is(code, 2, name);
    t.regex(stderr.trim(), new RegExp(`^tessera: invalid configuration: ${name}: `), name);
    t.is(stderr.trim().split('\n').length, 1, name);
  }
});

test('the server starts from scratch in a folder of its own, with a .env file honoured', async (t) => {
  const dir = tempDir(t);
  const port = await freePort();
  const { writeFileSync, statSync } = await import('node:fs');
  writeFileSync(`${dir}/.env`, `PORT=${port}\nISSUER=http://127.0.0.1:${port}\n`);
  const server = await spawnServer({}, dir);
  t.teardown(() => server.stop());
  const discovery = (await (await fetch(`${server.url}/.well-known/openid-configuration`)).json()) as { issuer: string };
  t.is(discovery.issuer, `http://127.0.0.1:${port}`);
  t.true(statSync(`${dir}/data/tessera.db`).isFile());
  t.is(statSync(`${dir}/keys/kek`).mode & 0o777, 0o600);
});

/**
 * A token request whose body is still on its way: the headers and half the body are sent now,
 * the rest by `finish()`, so a signal can arrive while the request is in flight.
 */
async function requestInFlight(port: number): Promise<{ finish(): void; response(): string }> {
  const socket = connect(port, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  let response = '';
  socket.on('data', (chunk: Buffer) => (response += chunk.toString()));
  const body = 'grant_type=client_credentials';
  socket.write(`POST /token HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\ngrant_`);
  return { finish: () => socket.end(body.slice('grant_'.length)), response: () => response };
}

test('SIGTERM lets an in-flight request finish, then exits 0; a second signal exits at once', async (t) => {
  const dir = tempDir(t);
  const server = await spawnServer({ PORT: '0' }, dir);
  const { port } = new URL(server.url);

  const request = await requestInFlight(Number(port));
  await new Promise((resolve) => setTimeout(resolve, 300));
  server.child.kill('SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, 300));
  t.is(server.child.exitCode, null, 'still draining');
  await t.throwsAsync(fetch(server.url + '/healthz'), undefined, 'no longer accepting');
  request.finish();
  const { code } = await server.exited;
  t.is(code, 0);
  t.regex(request.response(), /^HTTP\/1\.1 401/, 'the in-flight request was answered');
  t.regex(server.output(), /shut down cleanly/);

  const again = await spawnServer({ PORT: '0' }, dir);
  const stuck = connect(Number(new URL(again.url).port), '127.0.0.1');
  await new Promise((resolve) => stuck.once('connect', resolve));
  stuck.write('POST /token HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\n');
  await new Promise((resolve) => setTimeout(resolve, 200));
  again.child.kill('SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, 200));
  again.child.kill('SIGINT');
  const second = await again.exited;
  t.is(second.code, 1);
  t.regex(again.output(), /second signal/);
  stuck.destroy();
});

test('a SIGTERM to the PID of `npm start` reaches the server: the in-flight request is answered, the port is freed, no process is left', async (t) => {
  const dir = tempDir(t);
  const port = await freePort();
  const env = { PATH: process.env.PATH, PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: `sqlite:${dir}/tessera.db`, KEYS_DIR: `${dir}/keys`, MAIL_OUTBOX_DIR: `${dir}/outbox` };
  const npm = spawn('npm', ['start', '--silent'], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  npm.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  npm.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => npm.on('exit', (code) => resolve(code)));
  t.teardown(() => void (npm.exitCode === null && npm.kill('SIGKILL')));
  while (!output.includes('tessera listening')) {
    if (npm.exitCode !== null) t.fail(`npm start exited early:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  // npm runs the script through `sh -c`; `exec` there makes the server npm's own child, so the
  // signal npm forwards reaches it (without it, sh dies and the server lives on, orphaned).
  const { execFileSync } = await import('node:child_process');
  const children = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(npm.pid)]).toString().trim().split('\n');
  const server = children.find((line) => line.includes('dist/src/main.js'));
  t.truthy(server, `the server is npm's direct child: ${children.join(' | ')}`);
  const serverPid = Number(server!.trim().split(/\s+/)[0]);

  const request = await requestInFlight(port);
  await new Promise((resolve) => setTimeout(resolve, 300));
  npm.kill('SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, 300));
  request.finish();
  await exited;
  t.regex(request.response(), /^HTTP\/1\.1 401/, 'the in-flight request was answered');
  t.regex(output, /shutting down: finishing in-flight requests/);
  t.regex(output, /shut down cleanly/);
  t.throws(() => process.kill(serverPid, 0), { code: 'ESRCH' }, 'no server process is left');
  await t.throwsAsync(fetch(`http://127.0.0.1:${port}/healthz`), undefined, 'the port is free');
});
