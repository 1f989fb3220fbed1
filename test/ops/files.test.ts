// Owner-only files whatever the umask (README, Operations): the SQLite database and its -wal/-shm
// 0600 in a 0700 folder, the mail outbox folder 0700 and its .eml files 0600. The server runs
// under `umask 000`, the most permissive there is.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import test from 'ava';
import { REPO_ROOT } from '../helpers/cli.js';
import { freePort, tempDir } from '../helpers/env.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const mode = (path: string) => statSync(path).mode & 0o777;

test('under umask 000 the database, its -wal and -shm, the outbox folder and its mails are owner-only', async (t) => {
  const dir = tempDir(t);
  const port = await freePort();
  // The shell prints the umask it set, then execs the server with it.
  const child = spawn('sh', ['-c', 'umask 000 && umask && exec "$0" "$@"', process.execPath, `${REPO_ROOT}dist/src/main.js`], {
    cwd: dir,
    env: { PATH: process.env.PATH, HOST: '127.0.0.1', PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise((resolve) => child.on('exit', resolve));
  t.teardown(async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
  });
  while (!output.includes('tessera listening')) {
    if (child.exitCode !== null) t.fail(output);
    await sleep(50);
  }
  t.regex(output, /^0+\n/, 'the server ran under umask 000');

  const response = await fetch(`http://127.0.0.1:${port}/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'ada@example.com', password: 'correct horse battery staple', name: 'Ada Lovelace' }),
  });
  t.is(response.status, 202);
  const outbox = `${dir}/data/outbox`;
  for (let i = 0; i < 100 && !(existsSync(outbox) && readdirSync(outbox).some((name) => name.endsWith('.eml'))); i += 1) await sleep(100);

  t.is(mode(`${dir}/data`), 0o700, 'data/');
  for (const file of ['tessera.db', 'tessera.db-wal', 'tessera.db-shm']) t.is(mode(`${dir}/data/${file}`), 0o600, file);
  t.is(mode(outbox), 0o700, 'data/outbox/');
  const mails = readdirSync(outbox).filter((name) => name.endsWith('.eml'));
  t.is(mails.length, 1);
  t.is(mode(`${outbox}/${mails[0]}`), 0o600, mails[0]);
  t.is(mode(`${dir}/keys`), 0o700, 'keys/: nobody else may replace the KEK');
  t.is(mode(`${dir}/keys/kek`), 0o600, 'keys/kek');
});
