// `tessera backup FILE` (README, Operations, Backups): an online copy of a running server's SQLite
// database which, with the same key-encryption key, serves the same clients, users and keys.
import { copyFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { api, login } from '../helpers/accounts.js';
import { cliEnv, cliJson, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/env.js';
import { basic, clientCredentialsToken, introspect, postForm } from '../helpers/http.js';
import { registerClient, startTestServer, TEST_ACTOR } from '../helpers/server.js';

const PASSWORD = 'correct horse battery staple';
const jwksOf = async (url: string) => (await (await fetch(`${url}/.well-known/jwks.json`)).json()) as JSONWebKeySet;

test('a backup taken while the server runs restores, with the same KEK, to the same clients, users and keys', async (t) => {
  // The sign-ins below are load, not an attack: no rate limit.
  const server = await startTestServer(t, { env: { RATE_LIMIT_PER_IP: '0', RATE_LIMIT_PER_ACCOUNT: '0' } });
  const env = cliEnv(server);
  const client = await registerClient(server, { scope: 'orders:read' });
  const email = `backup.${Date.now().toString(36)}@example.com`;
  const user = await server.services.users.create({ email, password: PASSWORD, verified: true }, TEST_ACTOR);
  const before = await clientCredentialsToken(server.url, client);
  const kids = (await jwksOf(server.url)).keys.map((key) => key.kid).sort();
  t.true(kids.length >= 2, 'an ES256 and an RS256 key at least');

  // The server keeps writing (tokens, sign-ins, audit events) while the backup copies.
  const dir = tempDir(t);
  const file = join(dir, 'tessera-backup.db');
  let writing = true;
  const load = (async () => {
    let requests = 0;
    while (writing) {
      await Promise.all([clientCredentialsToken(server.url, client), login(server, { email, password: PASSWORD })]);
      requests += 2;
    }
    return requests;
  })();
  const result = await runCli(['backup', file, '--json'], env);
  writing = false;
  t.true((await load) > 0);
  t.is(result.code, 0, result.stderr);
  t.is(result.stderr, '');
  const printed = JSON.parse(result.stdout) as { backup: string; bytes: number };
  t.deepEqual(printed, { backup: file, bytes: statSync(file).size });
  t.true(printed.bytes > 0);
  t.is(statSync(file).mode & 0o777, 0o600, 'readable by its owner only: it holds password and secret hashes');
  t.is((await clientCredentialsToken(server.url, client)).split('.').length, 3, 'the server still works');

  // Restored elsewhere, with the KEK from its own backup (KEYS_KEK) and not the old keys/ folder.
  const kek = readFileSync(join(server.config.keysDir, 'kek'), 'utf8').trim();
  const restoredDir = tempDir(t);
  copyFileSync(file, join(restoredDir, 'tessera.db'));
  const restored = await startTestServer(t, {
    dir: restoredDir,
    databaseUrl: `sqlite:${join(restoredDir, 'tessera.db')}`,
    env: { KEYS_KEK: kek, ISSUER: server.config.issuer },
  });

  t.deepEqual((await jwksOf(restored.url)).keys.map((key) => key.kid).sort(), kids, 'the same signing keys');
  const { payload } = await jwtVerify(before, createLocalJWKSet(await jwksOf(restored.url)), { issuer: server.config.issuer, typ: 'at+jwt' });
  t.is(payload.client_id, client.client_id, 'a token issued before the backup verifies against the restored JWKS');
  t.like(await introspect(restored.url, client, before), { active: true, client_id: client.client_id });

  const fresh = await postForm(`${restored.url}/token`, { grant_type: 'client_credentials' }, { authorization: basic(client.client_id, client.client_secret) });
  t.is(fresh.status, 200, 'the client authenticates with its old secret');
  const issued = ((await fresh.json()) as { access_token: string }).access_token;
  await t.notThrowsAsync(jwtVerify(issued, createLocalJWKSet(await jwksOf(server.url)), { issuer: server.config.issuer }), 'signed with the same keys');

  const signedIn = await login(restored, { email, password: PASSWORD });
  const me = await api(restored, 'GET', '/auth/me', { token: signedIn.access_token });
  t.like(me.body, { id: user.id, email });
});

test('a restored backup without its KEK does not start: the database alone cannot sign', async (t) => {
  const server = await startTestServer(t);
  const file = join(tempDir(t), 'copy.db');
  await cliJson(['backup', file], cliEnv(server));
  const otherKek = Buffer.alloc(32, 7).toString('base64url');
  await t.throwsAsync(startTestServer(t, { databaseUrl: `sqlite:${file}`, env: { KEYS_KEK: otherKek } }), { message: /key-encryption key|KEK|decrypt|unseal/i });
});

test('backup refuses an existing FILE and a PostgreSQL database (pg_dump), and needs exactly one FILE', async (t) => {
  const server = await startTestServer(t);
  const env = cliEnv(server);
  const dir = tempDir(t);
  const existing = join(dir, 'existing.db');
  writeFileSync(existing, 'keep me');
  const refused = await runCli(['backup', existing, '--json'], env);
  t.is(refused.code, 1);
  t.is(refused.stdout, '');
  t.regex(refused.stderr, /^tessera: .*exists/);
  t.is(readFileSync(existing, 'utf8'), 'keep me', 'never overwritten');

  const postgres = await runCli(['backup', join(dir, 'pg.db')], { ...env, DATABASE_URL: 'postgres://tessera@127.0.0.1:1/tessera' });
  t.is(postgres.code, 1);
  t.regex(postgres.stderr, /^tessera: .*use pg_dump/m);
  t.throws(() => statSync(join(dir, 'pg.db')), { code: 'ENOENT' });

  const missing = await runCli(['backup', join(dir, 'x.db')], { ...env, DATABASE_URL: `sqlite:${join(dir, 'nothing-here.db')}` });
  t.is(missing.code, 1, 'no database to copy');
  t.throws(() => statSync(join(dir, 'nothing-here.db')), { code: 'ENOENT' }, 'and none created');

  t.is((await runCli(['backup'], env)).code, 64);
  t.is((await runCli(['backup', join(dir, 'a.db'), join(dir, 'b.db')], env)).code, 64);
});
