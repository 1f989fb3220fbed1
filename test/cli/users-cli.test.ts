// `tessera --version`, `users show`, `users delete` and `users create --password-stdin` (README,
// The admin CLI), run as child processes against a running server's database.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { api, login } from '../helpers/accounts.js';
import { cliEnv, cliJson, REPO_ROOT, runCli } from '../helpers/cli.js';
import { introspect, waitFor } from '../helpers/http.js';
import { registerClient, startTestServer, TEST_ACTOR } from '../helpers/server.js';

const BIN = fileURLToPath(new URL('../../bin/tessera.js', import.meta.url));
const PACKAGE_VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
const PASSWORD = 'a passphrase from stdin';

let counter = 0;
const email = (name: string) => `${name}.${Date.now().toString(36)}${(counter += 1)}@example.com`;

/** Runs the CLI with `input` on its standard input; `whileWaiting` sees the child before any input is written. */
function runWithStdin(args: string[], env: Record<string, string>, input: string, whileWaiting: (pid: number) => Promise<void> | void = () => {}) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH, ...env }, cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    // A child that refused its arguments exits before reading: writing then is EPIPE, not a failure.
    child.stdin.on('error', () => {});
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    Promise.resolve(whileWaiting(child.pid!)).then(
      () => child.stdin.end(input),
      (error: unknown) => {
        child.kill();
        reject(error as Error);
      },
    );
  });
}

test('--version prints the version of package.json, and { version } with --json, without configuration', async (t) => {
  // No DATABASE_URL and a bad PORT: --version needs neither the configuration nor a database.
  const plain = await runCli(['--version'], { PORT: 'not a port' });
  t.is(plain.code, 0, plain.stderr);
  t.is(plain.stdout, `tessera ${PACKAGE_VERSION}\n`);
  const json = await runCli(['--version', '--json'], { PORT: 'not a port' });
  t.is(json.code, 0);
  t.deepEqual(JSON.parse(json.stdout), { version: PACKAGE_VERSION });
  t.is(json.stderr, '');
  t.is((await runCli(['--version', 'extra'], {})).code, 64);
});

test('--version through the installed bin link (what npx runs) reads package.json relative to the module', async (t) => {
  const link = fileURLToPath(new URL('../../node_modules/.bin/tessera', import.meta.url));
  const result = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
    const child = spawn(process.execPath, [link, '--version', '--json'], { cwd: '/', env: { PATH: process.env.PATH } });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.on('close', (code) => resolve({ code, stdout }));
  });
  t.is(result.code, 0);
  t.deepEqual(JSON.parse(result.stdout), { version: PACKAGE_VERSION }, 'from another working directory too');
});

test('users show finds an account by id or by email, as users list shows it; an unknown one exits 1 with a message', async (t) => {
  const server = await startTestServer(t);
  const env = cliEnv(server);
  const address = email('show');
  const created = await cliJson(['users', 'create', '--email', address, '--password', 'correct horse battery staple', '--name', 'Ada Lovelace'], env);

  const byId = await cliJson(['users', 'show', created.id], env);
  t.deepEqual(byId, created);
  t.deepEqual(await cliJson(['users', 'show', address.toUpperCase()], env), created, 'the address as typed, case aside');
  const listed = await cliJson<Array<{ id: string }>>(['users', 'list'], env);
  t.deepEqual(listed.find((user) => user.id === created.id), byId, 'the same JSON view as users list');

  const readable = await runCli(['users', 'show', created.id], env);
  t.is(readable.code, 0);
  t.regex(readable.stdout, new RegExp(`^email +${address.replace(/\./g, '\\.')}$`, 'm'));

  for (const unknown of ['no-such-user', 'nobody@example.com']) {
    const result = await runCli(['users', 'show', unknown, '--json'], env);
    t.is(result.code, 1, unknown);
    t.is(result.stdout, '');
    t.is(result.stderr, 'tessera: no such user\n');
  }
  t.is((await runCli(['users', 'show'], env)).code, 64, 'the id or email is required');
});

test('users delete ends every session and token of the user and keeps user.deleted (actor cli) without personal data', async (t) => {
  const server = await startTestServer(t);
  const env = cliEnv(server);
  const address = email('gone');
  const user = await server.services.users.create({ email: address, password: PASSWORD, verified: true }, TEST_ACTOR);
  const resourceServer = await registerClient(server);
  const tokens = await login(server, { email: address, password: PASSWORD });
  t.true((await introspect(server.url, resourceServer, tokens.access_token)).active);

  const deleted = await cliJson(['users', 'delete', user.id], env);
  t.like(deleted, { id: user.id, email: address }, 'prints the account it deleted');
  // The server reads sessions on every introspection: inactive at once.
  t.deepEqual(await introspect(server.url, resourceServer, tokens.access_token), { active: false });
  t.deepEqual(await introspect(server.url, resourceServer, tokens.refresh_token), { active: false });
  t.is((await api(server, 'POST', '/auth/refresh', { body: { refresh_token: tokens.refresh_token } })).status, 401);
  t.is((await api(server, 'POST', '/auth/login', { body: { email: address, password: PASSWORD } })).status, 401);

  const rows = await server.services.db.selectFrom('audit_log').selectAll().where('user_id', '=', user.id).execute();
  t.like(rows.find((row) => row.event === 'user.deleted'), { actor_id: 'cli', ip: null, user_agent: null });
  t.true(rows.some((row) => row.event === 'user.login'), 'earlier events are kept');
  for (const row of rows) {
    t.is(row.ip, null);
    t.is(row.user_agent, null);
    t.false(JSON.stringify(row).includes(address));
  }

  const again = await runCli(['users', 'delete', user.id, '--json'], env);
  t.is(again.code, 1);
  t.is(again.stderr, 'tessera: no such user\n');
  t.is((await runCli(['users', 'delete'], env)).code, 64);
});

test('users create --password-stdin reads the password from standard input, never from argv, and sign-in works with it', async (t) => {
  const server = await startTestServer(t);
  const env = cliEnv(server);
  const address = email('stdin');
  const args = ['users', 'create', '--email', address, '--password-stdin', '--verified', '--json'];
  t.false(args.some((arg) => arg.includes(PASSWORD)));

  let cmdline = '';
  const result = await runWithStdin(args, env, `${PASSWORD}\n`, async (pid) => {
    // The child is running (and waits for its input): what the system shows of its arguments.
    await waitFor(() => {
      try {
        cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        return cmdline.includes('--password-stdin');
      } catch {
        return false;
      }
    }, 10_000, 20);
  });
  t.is(result.code, 0, result.stderr);
  t.true(cmdline.split('\0').includes(address), 'read the running child\'s argv');
  t.false(cmdline.includes(PASSWORD), 'the password is not in /proc/PID/cmdline');
  const created = JSON.parse(result.stdout);
  t.like(created, { email: address, email_verified: true });
  t.truthy((await login(server, { email: address, password: PASSWORD })).access_token, 'the trailing newline is not part of the password');

  // CRLF from a Windows-edited file is stripped too.
  const other = email('crlf');
  t.is((await runWithStdin(['users', 'create', '--email', other, '--password-stdin', '--verified'], env, `${PASSWORD}\r\n`)).code, 0);
  t.truthy((await login(server, { email: other, password: PASSWORD })).access_token);
});

test('--password with --password-stdin, an empty or multi-line stdin, or no password at all are usage errors (64)', async (t) => {
  const server = await startTestServer(t);
  const env = cliEnv(server);
  const cases: Array<[string[], string]> = [
    [['--password', PASSWORD, '--password-stdin'], `${PASSWORD}\n`],
    [['--password-stdin'], ''],
    [['--password-stdin'], '\n'],
    [['--password-stdin'], `${PASSWORD}\nsecond line\n`],
    [[], ''],
  ];
  for (const [flags, input] of cases) {
    const result = await runWithStdin(['users', 'create', '--email', email('bad'), ...flags, '--json'], env, input);
    t.is(result.code, 64, `${flags.join(' ')} with ${JSON.stringify(input)}`);
    t.is(result.stdout, '');
    t.regex(result.stderr, /^tessera: /);
    t.false(result.stderr.includes('second line'), 'stdin is not echoed');
  }
  t.deepEqual(await cliJson(['users', 'list'], env), [], 'nothing was created');
});
