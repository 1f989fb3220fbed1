// `keys rotate` and `keys revoke` from the CLI while a server runs: the server follows within 5 s.
// The servers tick every 100 ms and count a key as published 250 ms after it is written
// (production: 1 s and 5 s; StartOptions), so the waits below are short; the CLI keeps the
// production values for what it does itself.
import test from 'ava';
import { decodeProtectedHeader } from 'jose';
import { cliEnv, cliJson } from '../helpers/cli.js';
import { clientCredentialsToken, introspect, sleep, waitFor } from '../helpers/http.js';
import { registerClient, startTestServer as startServer, type TestServer, type TestServerOptions } from '../helpers/server.js';
import type { ExecutionContext } from 'ava';

const KEY_TIMINGS = { keyTickMs: 100, keyPropagationMs: 250 };
const startTestServer = (t: ExecutionContext, options: TestServerOptions = {}) => startServer(t, { ...KEY_TIMINGS, ...options });

const kidOf = (token: string) => decodeProtectedHeader(token).kid!;
const publishedKids = async (server: TestServer) =>
  ((await (await fetch(`${server.url}/.well-known/jwks.json`)).json()) as { keys: Array<{ kid: string }> }).keys.map((k) => k.kid);

test('keys rotate with a short lead: the new kid signs within 5 s and the old one stays published as retired', async (t) => {
  const server = await startTestServer(t, { env: { KEY_PUBLISH_LEAD: '1s' } });
  const env = cliEnv(server, { KEY_PUBLISH_LEAD: '1s' });
  const es = await registerClient(server);
  const rs = await registerClient(server, { accessTokenAlg: 'RS256' });
  const oldEs = kidOf(await clientCredentialsToken(server.url, es));
  const oldRs = kidOf(await clientCredentialsToken(server.url, rs));
  const etagBefore = (await fetch(`${server.url}/.well-known/jwks.json`)).headers.get('etag');

  // The queued key counts as published 250 ms after it was written, and then needs the 1 s lead.
  await sleep(KEY_TIMINGS.keyPropagationMs + 1_000 + 200);
  const takeOver = await cliJson<Array<{ kid: string; alg: string; status: string }>>(['keys', 'rotate'], env);
  t.deepEqual(takeOver.map((k) => [k.alg, k.status]), [['ES256', 'active'], ['RS256', 'active']]);

  const took = await waitFor(async () => kidOf(await clientCredentialsToken(server.url, es)) === takeOver[0]!.kid, 5_000);
  t.true(took < 5_000);
  await waitFor(async () => kidOf(await clientCredentialsToken(server.url, rs)) === takeOver[1]!.kid, 5_000);
  t.not(takeOver[0]!.kid, oldEs);

  const keys = await cliJson<Array<{ kid: string; status: string }>>(['keys', 'list'], env);
  t.is(keys.find((k) => k.kid === oldEs)!.status, 'retired');
  t.is(keys.find((k) => k.kid === oldRs)!.status, 'retired');
  const published = await publishedKids(server);
  t.true(published.includes(oldEs) && published.includes(oldRs), 'retired keys stay in the JWKS');
  t.not((await fetch(`${server.url}/.well-known/jwks.json`)).headers.get('etag'), etagBefore, 'the ETag changed');

  // The rotation is in the audit log, with the CLI as the actor; the first keys with the server's.
  const events = await server.services.db.selectFrom('audit_log').select(['event', 'actor_id', 'detail']).where('event', 'like', 'key.%').execute();
  for (const kid of [oldEs, oldRs]) t.true(events.some((e) => e.event === 'key.retired' && e.actor_id === 'cli' && JSON.parse(e.detail).kid === kid), `key.retired ${kid}`);
  t.true(events.some((e) => e.event === 'key.activated' && e.actor_id === 'cli' && JSON.parse(e.detail).kid === takeOver[0]!.kid));
  t.true(events.some((e) => e.event === 'key.created' && e.actor_id === 'system'));
});

test('keys rotate with a long lead reports the due time and does not sign early; --force overrides', async (t) => {
  const server = await startTestServer(t);
  const env = cliEnv(server);
  const client = await registerClient(server);
  const before = kidOf(await clientCredentialsToken(server.url, client));

  const scheduled = await cliJson<Array<{ kid: string; alg: string; status: string; activates_at: string; published_at: string }>>(['keys', 'rotate', '--alg', 'ES256'], env);
  t.is(scheduled.length, 1);
  t.is(scheduled[0]!.status, 'next');
  t.is(Date.parse(scheduled[0]!.activates_at) - Date.parse(scheduled[0]!.published_at), 3_600_000, 'due one lead after it was published');

  await sleep(KEY_TIMINGS.keyTickMs * 5); // several of the server's ticks
  t.is(kidOf(await clientCredentialsToken(server.url, client)), before, 'the queued key does not sign before its time');

  const forced = await cliJson<Array<{ kid: string; status: string }>>(['keys', 'rotate', '--alg', 'ES256', '--force'], env);
  t.is(forced[0]!.kid, scheduled[0]!.kid);
  t.is(forced[0]!.status, 'active');
  await waitFor(async () => kidOf(await clientCredentialsToken(server.url, client)) === forced[0]!.kid, 5_000);
});

test('keys revoke on the active key: out of the JWKS within 5 s, its tokens inactive, new tokens use another kid', async (t) => {
  const server = await startTestServer(t);
  const env = cliEnv(server);
  const es = await registerClient(server);
  const rs = await registerClient(server, { accessTokenAlg: 'RS256' });
  const token = await clientCredentialsToken(server.url, es);
  const rsToken = await clientCredentialsToken(server.url, rs);
  const kid = kidOf(token);

  const revoked = await cliJson<{ kid: string; status: string }>(['keys', 'revoke', '--', kid], env);
  t.is(revoked.status, 'revoked');
  const audited = await server.services.db.selectFrom('audit_log').selectAll().where('event', '=', 'key.revoked').execute();
  t.is(audited.length, 1);
  t.is(JSON.parse(audited[0]!.detail).kid, kid);
  await waitFor(async () => !(await publishedKids(server)).includes(kid), 5_000);
  t.deepEqual(await introspect(server.url, es, token), { active: false });
  const fresh = await clientCredentialsToken(server.url, es);
  t.not(kidOf(fresh), kid);
  t.true((await introspect(server.url, es, fresh)).active as boolean);
  t.true((await introspect(server.url, rs, rsToken)).active as boolean, 'the RS256 client is untouched');
  t.true((await introspect(server.url, rs, await clientCredentialsToken(server.url, rs))).active as boolean);

  const unknown = await (await import('../helpers/cli.js')).runCli(['keys', 'revoke', 'no-such-kid', '--json'], env);
  t.not(unknown.code, 0);
  t.regex(unknown.stderr, /no signing key/);
});

test('npm run keys:rotate is the same command', async (t) => {
  const server = await startTestServer(t);
  const { execFile } = await import('node:child_process');
  const { REPO_ROOT } = await import('../helpers/cli.js');
  const output = await new Promise<string>((resolve, reject) =>
    execFile('npm', ['run', '--silent', 'keys:rotate', '--', '--alg', 'RS256', '--force', '--json'], { cwd: REPO_ROOT, env: { PATH: process.env.PATH, ...cliEnv(server) } }, (error, stdout) =>
      error ? reject(error) : resolve(stdout),
    ),
  );
  const [key] = JSON.parse(output) as Array<{ alg: string; status: string }>;
  t.is(key!.alg, 'RS256');
  t.is(key!.status, 'active');
});
