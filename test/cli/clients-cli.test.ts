import test from 'ava';
import { cliEnv, cliJson, runCli } from '../helpers/cli.js';
import { basic, clientCredentialsToken, introspect, postForm, waitFor } from '../helpers/http.js';
import { registerClient, startTestServer } from '../helpers/server.js';

test('clients create prints RFC 7591 metadata with the contract defaults and a secret shown once', async (t) => {
  const server = await startTestServer(t);
  const env = cliEnv(server);
  const created = await cliJson(['clients', 'create', '--name', 'orders'], env);
  t.like(created, {
    client_name: 'orders',
    grant_types: ['client_credentials'],
    redirect_uris: [],
    post_logout_redirect_uris: [],
    scope: '',
    token_endpoint_auth_method: 'client_secret_basic',
    access_token_alg: 'ES256',
    audience: server.config.issuer,
    first_party: false,
  });
  t.regex(created.client_secret, /^[A-Za-z0-9_-]{43}$/, '256-bit secret');

  const web = await cliJson(['clients', 'create', '--name', 'web', '--redirect-uris', 'https://app.example.com/cb', '--access-token-alg', 'RS256', '--first-party'], env);
  t.deepEqual(web.grant_types, ['authorization_code', 'refresh_token']);
  t.is(web.scope, 'openid profile email');
  t.is(web.first_party, true);

  const spa = await cliJson(['clients', 'create', '--name', 'spa', '--public', '--redirect-uris', 'http://localhost:5173/cb'], env);
  t.is(spa.token_endpoint_auth_method, 'none');
  t.false('client_secret' in spa);

  const shown = await cliJson(['clients', 'show', created.client_id], env);
  t.false('client_secret' in shown, 'the secret is never shown again');
  const listed = await cliJson<Array<{ client_id: string }>>(['clients', 'list'], env);
  t.deepEqual(listed.map((c) => c.client_id), ['tessera', created.client_id, web.client_id, spa.client_id], 'the built-in first-party client comes first');

  // The stored hash is SHA-256 of the secret, not the secret.
  const row = await server.services.db.selectFrom('clients').selectAll().where('client_id', '=', created.client_id).executeTakeFirstOrThrow();
  t.not(row.client_secret_hash, created.client_secret);
  t.is(row.client_secret_hash!.length, 43);
});

test('bad client definitions are refused with a message and exit 1; bad usage exits 64', async (t) => {
  const server = await startTestServer(t);
  const env = cliEnv(server);
  for (const args of [
    ['--name', 'x', '--public'],
    ['--name', 'x', '--grant-types', 'password'],
    ['--name', 'x', '--redirect-uris', 'http://evil.example.com/cb'],
    ['--name', 'x', '--redirect-uris', 'https://app.example.com/cb#frag'],
    ['--name', 'x', '--access-token-alg', 'HS256'],
    ['--name', 'x', '--scope', 'a"b'],
  ]) {
    const result = await runCli(['clients', 'create', ...args, '--json'], env);
    t.is(result.code, 1, args.join(' '));
    t.is(result.stdout, '', 'nothing on stdout');
    t.regex(result.stderr, /^tessera: /);
  }
  t.is((await runCli(['clients', 'create', '--json'], env)).code, 64, 'missing --name');
  t.is((await runCli(['clients', 'create', '--name', 'x', '--bogus'], env)).code, 64);
  t.is((await runCli(['clients', 'nope'], env)).code, 64);
  const builtIn = await runCli(['clients', 'delete', 'tessera', '--json'], env);
  t.is(builtIn.code, 1, 'the built-in first-party client cannot be deleted');
  t.regex(builtIn.stderr, /built-in/);
  const missing = await runCli(['clients', 'show', 'no-such-client', '--json'], env);
  t.is(missing.code, 1);
  t.deepEqual((await cliJson<Array<{ client_id: string }>>(['clients', 'list'], env)).map((c) => c.client_id), ['tessera'], 'nothing was created');
});

test('rotate-secret and delete through the CLI reach a running server within 5 seconds', async (t) => {
  const server = await startTestServer(t);
  const env = cliEnv(server);
  const resourceServer = await registerClient(server);
  const created = await cliJson(['clients', 'create', '--name', 'svc'], env);
  const token = await clientCredentialsToken(server.url, created);
  const tokenStatus = async (secret: string) =>
    (await postForm(`${server.url}/token`, { grant_type: 'client_credentials' }, { authorization: basic(created.client_id, secret) })).status;

  const rotated = await cliJson(['clients', 'rotate-secret', created.client_id], env);
  t.not(rotated.client_secret, created.client_secret);
  const took = await waitFor(async () => (await tokenStatus(created.client_secret)) === 401, 5_000);
  t.true(took <= 5_000);
  t.is(await tokenStatus(rotated.client_secret), 200);

  await cliJson(['clients', 'delete', created.client_id], env);
  await waitFor(async () => (await introspect(server.url, resourceServer, token)).active === false, 5_000);
  t.is(await tokenStatus(rotated.client_secret), 401);
});

test('clients update changes only the given fields, keeps the id and secret, and reaches a running server', async (t) => {
  const server = await startTestServer(t);
  const env = cliEnv(server);
  const created = await cliJson(['clients', 'create', '--name', 'web', '--redirect-uris', 'https://app.example.com/cb'], env);
  t.is(created.id_token_signed_response_alg, 'RS256', 'ID tokens default to RS256 (OIDC Registration §2)');
  t.is(created.access_token_alg, 'ES256', 'access tokens keep their own default');

  const updated = await cliJson(['clients', 'update', created.client_id, '--redirect-uris', 'https://app.example.com/cb,https://app.example.com/cb2', '--id-token-alg', 'ES256'], env);
  t.is(updated.client_id, created.client_id);
  t.deepEqual(updated.redirect_uris, ['https://app.example.com/cb', 'https://app.example.com/cb2']);
  t.is(updated.id_token_signed_response_alg, 'ES256');
  t.like(updated, { client_name: 'web', scope: 'openid profile email', access_token_alg: 'ES256', token_endpoint_auth_method: 'client_secret_basic' }, 'the rest is unchanged');
  t.false('client_secret' in updated);
  // The secret still authenticates (introspection answers instead of 401): the update kept its hash.
  await waitFor(async () => (await server.services.clientRegistry.find(created.client_id))?.redirectUris.length === 2, 5_000);
  t.deepEqual(await introspect(server.url, { client_id: created.client_id, client_secret: created.client_secret }, 'not-a-token'), { active: false });

  const refused = await runCli(['clients', 'update', created.client_id, '--public'], env);
  t.is(refused.code, 1, 'a confidential client cannot become public');
  const nothing = await runCli(['clients', 'update', created.client_id], env);
  t.not(nothing.code, 0, 'an update without a flag is a usage error');
});

test('the CLI client commands write the same audit events as the admin API, with the CLI as actor', async (t) => {
  const server = await startTestServer(t);
  const env = cliEnv(server);
  const created = await cliJson(['clients', 'create', '--name', 'audited'], env);
  await cliJson(['clients', 'update', created.client_id, '--scope', 'read'], env);
  await cliJson(['clients', 'rotate-secret', created.client_id], env);
  await cliJson(['clients', 'delete', created.client_id], env);
  const rows = await server.services.db.selectFrom('audit_log').selectAll().where('event', 'like', 'client.%').orderBy('created_at').orderBy('id').execute();
  const ours = rows.filter((row) => (JSON.parse(row.detail) as { client_id?: string }).client_id === created.client_id);
  t.deepEqual(
    ours.map((row) => row.event).sort(),
    ['client.created', 'client.deleted', 'client.secret_rotated', 'client.updated'],
  );
  for (const row of ours) t.like(row, { actor_id: 'cli', user_agent: 'tessera-cli' });
});
