// `tessera upstreams add|list|show|delete` (the real CLI on a running server's database) and
// /admin/upstreams: the fields of docs/upstreams.md with the redirect URI to register at the
// upstream, never the client secret, which is stored sealed under the key-encryption key and
// re-sealed by `keys rekey`.
import { randomBytes } from 'node:crypto';
import test from 'ava';
import { kekId, sealedKekId, Sealer } from '../../src/crypto/sealing.js';
import { upstreamSecretData } from '../../src/domain/upstreams/upstream.js';
import { api, signedInAdmin, startAccountServer } from '../helpers/accounts.js';
import { cliEnv, cliJson, runCli } from '../helpers/cli.js';
import { TEST_ACTOR } from '../helpers/server.js';

const SECRET = 'the-upstream-client-secret-never-printed';

test('upstreams add, list, show and delete print the contract fields and never the secret', async (t) => {
  const server = await startAccountServer(t);
  const env = cliEnv(server);
  const added = await cliJson(['upstreams', 'add', '--name', 'google', '--preset', 'google', '--client-id', 'id.apps.googleusercontent.com', '--client-secret', SECRET], env);
  t.deepEqual(Object.keys(added).sort(), ['client_id', 'created_at', 'display_name', 'issuer', 'name', 'preset', 'redirect_uri', 'scope']);
  t.like(added, {
    name: 'google',
    display_name: 'Google',
    issuer: 'https://accounts.google.com',
    scope: 'openid email profile',
    preset: 'google',
    redirect_uri: `${server.config.issuer}/upstream/google/callback`,
  });
  const sso = await cliJson(['upstreams', 'add', '--name', 'company', '--issuer', 'https://sso.example.com', '--client-id', 'tessera', '--client-secret', SECRET, '--display-name', 'Company SSO'], env);
  t.like(sso, { display_name: 'Company SSO', preset: null, scope: 'openid email profile' });

  const listed = await cliJson<Array<{ name: string }>>(['upstreams', 'list'], env);
  t.deepEqual(listed.map((u) => u.name), ['google', 'company']);
  t.deepEqual(await cliJson(['upstreams', 'show', 'company'], env), sso);

  const row = await server.services.db.selectFrom('upstreams').selectAll().where('name', '=', 'company').executeTakeFirstOrThrow();
  t.not(row.client_secret_sealed, SECRET);
  t.is(server.services.keys.sealer.unseal(row.client_secret_sealed, upstreamSecretData('company')), SECRET, 'sealed under the KEK');

  const refused = await runCli(['upstreams', 'add', '--name', 'Bad Name', '--issuer', 'http://sso.example.com', '--client-id', 'x', '--client-secret', 'y', '--json'], env);
  t.not(refused.code, 0);
  t.is(refused.stdout, '');
  const insecure = await runCli(['upstreams', 'add', '--name', 'plain', '--issuer', 'http://sso.example.com', '--client-id', 'x', '--client-secret', 'y', '--json'], env);
  t.not(insecure.code, 0, 'plain http only on loopback');

  t.like(await cliJson(['upstreams', 'delete', 'company'], env), { name: 'company' });
  const gone = await runCli(['upstreams', 'show', 'company', '--json'], env);
  t.not(gone.code, 0);
  for (const output of [JSON.stringify(added), JSON.stringify(listed), JSON.stringify(sso)]) t.false(output.includes(SECRET));
  const audit = await server.services.db.selectFrom('audit_log').select(['event', 'detail']).where('event', 'like', 'upstream.%').execute();
  t.deepEqual(audit.map((r) => r.event), ['upstream.created', 'upstream.created', 'upstream.deleted']);
  t.false(JSON.stringify(audit).includes(SECRET));
});

test('/admin/upstreams creates, reads, updates and deletes; only admins', async (t) => {
  const server = await startAccountServer(t);
  const admin = await signedInAdmin(server);
  const body = { name: 'gh', preset: 'github', client_id: 'Iv1.abc', client_secret: SECRET };
  t.is((await api(server, 'POST', '/admin/upstreams', { body })).status, 401);
  const created = await api(server, 'POST', '/admin/upstreams', { token: admin.token, body });
  t.is(created.status, 201);
  t.like(created.body, { name: 'gh', issuer: 'https://github.com', display_name: 'GitHub', scope: 'read:user user:email', redirect_uri: `${server.config.issuer}/upstream/gh/callback` });
  t.is((await api(server, 'POST', '/admin/upstreams', { token: admin.token, body })).status, 409);
  const updated = await api(server, 'PATCH', '/admin/upstreams/gh', { token: admin.token, body: { display_name: 'GitHub Enterprise', client_secret: 'rotated' } });
  t.is(updated.status, 200);
  t.is(updated.body.display_name, 'GitHub Enterprise');
  const list = await api(server, 'GET', '/admin/upstreams', { token: admin.token });
  t.deepEqual(list.body.upstreams.map((u: { name: string }) => u.name), ['gh']);
  t.false(JSON.stringify([created.body, updated.body, list.body]).includes(SECRET));
  t.is((await api(server, 'DELETE', '/admin/upstreams/gh', { token: admin.token })).status, 204);
  t.is((await api(server, 'GET', '/admin/upstreams/gh', { token: admin.token })).status, 404);
});

test('keys rekey re-seals upstream client secrets sealed under the previous KEK', async (t) => {
  const kekA = randomBytes(32).toString('base64url');
  const kekB = randomBytes(32).toString('base64url');
  const first = await startAccountServer(t, { env: { KEYS_KEK: kekA } });
  await first.services.upstreams.add({ name: 'acme', issuer: 'https://acme.example', clientId: 'c', clientSecret: SECRET }, TEST_ACTOR);
  const { dir } = first;
  const { databaseUrl, issuer } = first.config;
  await first.close();
  const second = await startAccountServer(t, { dir, databaseUrl, env: { ISSUER: issuer, KEYS_KEK: kekB, KEYS_KEK_PREVIOUS: kekA } });
  const before = (await second.services.db.selectFrom('upstreams').selectAll().executeTakeFirstOrThrow()).client_secret_sealed;
  t.is(sealedKekId(before), kekId(Buffer.from(kekA, 'base64url')));
  await cliJson(['keys', 'rekey'], cliEnv(second, { KEYS_KEK: kekB, KEYS_KEK_PREVIOUS: kekA }));
  const after = (await second.services.db.selectFrom('upstreams').selectAll().executeTakeFirstOrThrow()).client_secret_sealed;
  t.is(sealedKekId(after), kekId(Buffer.from(kekB, 'base64url')), 're-sealed under the current KEK');
  t.is(new Sealer(Buffer.from(kekB, 'base64url')).unseal(after, upstreamSecretData('acme')), SECRET);
  const audited = await second.services.db.selectFrom('audit_log').select('detail').where('event', '=', 'key.rekeyed').executeTakeFirstOrThrow();
  t.like(JSON.parse(audited.detail), { upstream_secrets: 1 });
});
