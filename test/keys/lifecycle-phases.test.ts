// The lifecycle through all its phases on a clock the test moves, with restarts between phases:
// nothing is lost, the schedule is kept, and both algorithms keep working.
import test from 'ava';
import { decodeProtectedHeader } from 'jose';
import { clientCredentialsToken, introspect } from '../helpers/http.js';
import { ManualClock, registerClient, startTestServer, type TestServer } from '../helpers/server.js';

const SCHEDULE = { KEY_ROTATION_INTERVAL: '6s', KEY_PUBLISH_LEAD: '31s', ACCESS_TOKEN_TTL: '5s', ID_TOKEN_TTL: '5s' };
const kidOf = (token: string) => decodeProtectedHeader(token).kid!;

async function keyRows(server: TestServer) {
  return server.services.db.selectFrom('signing_keys').selectAll().orderBy('created_at').orderBy('kid').execute();
}

test('the queue, promotion, retirement and deletion follow the schedule, across restarts', async (t) => {
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  let server = await startTestServer(t, { env: SCHEDULE, clock });
  const restart = async () => {
    await server.close();
    server = await startTestServer(t, { env: { ...SCHEDULE, ISSUER: server.config.issuer }, clock, dir: server.dir, databaseUrl: server.config.databaseUrl });
  };
  const es = await registerClient(server);
  const rs = await registerClient(server, { accessTokenAlg: 'RS256' });
  const t0 = clock.now();

  // Phase 1, first start: one active key and a queue of six (ceil((5 s + 31 s) / 6 s)).
  let rows = await keyRows(server);
  for (const alg of ['ES256', 'RS256']) {
    const queue = rows.filter((r) => r.alg === alg && r.status === 'next').sort((a, b) => Number(a.activates_at) - Number(b.activates_at));
    t.is(queue.length, 6, alg);
    t.deepEqual(queue.map((r) => Number(r.activates_at) - t0), [36_000, 42_000, 48_000, 54_000, 60_000, 66_000], `${alg} schedule`);
  }
  const firstEs = kidOf(await clientCredentialsToken(server.url, es));
  const schedule = rows.map((r) => [r.kid, r.status, r.activates_at]);

  // A restart before anything is due changes nothing.
  await restart();
  rows = await keyRows(server);
  t.deepEqual(rows.map((r) => [r.kid, r.status, r.activates_at]), schedule);
  t.is(kidOf(await clientCredentialsToken(server.url, es)), firstEs);

  // Phase 2, 35 s: not yet due.
  clock.advance(35_000);
  await server.scheduler.tick();
  t.is(kidOf(await clientCredentialsToken(server.url, es)), firstEs);
  const oldToken = await clientCredentialsToken(server.url, es);

  // Phase 3, 36 s: the first queued key takes over; the old one is retired; the queue refills.
  clock.advance(1_000);
  await server.scheduler.tick();
  const secondEs = kidOf(await clientCredentialsToken(server.url, es));
  t.not(secondEs, firstEs);
  rows = await keyRows(server);
  const retired = rows.find((r) => r.kid === firstEs)!;
  t.is(retired.status, 'retired');
  // Retired at 36 s; kept for 5 s of propagation plus the 5 s token lifetimes.
  t.is(Number(retired.expires_at) - t0, 46_000);
  t.is(rows.filter((r) => r.alg === 'ES256' && r.status === 'next').length, 6);
  t.true((await introspect(server.url, es, oldToken)).active as boolean, 'tokens of the retired key stay valid');

  // Restart in the middle of the retirement: the retired key is still published.
  await restart();
  const jwks = (await (await fetch(`${server.url}/.well-known/jwks.json`)).json()) as { keys: Array<{ kid: string }> };
  t.true(jwks.keys.some((k) => k.kid === firstEs));
  t.is(kidOf(await clientCredentialsToken(server.url, es)), secondEs);

  // Phase 4, 46 s: the retired key's last token has expired; the key is deleted.
  clock.advance(10_000);
  await server.scheduler.tick();
  rows = await keyRows(server);
  t.false(rows.some((r) => r.kid === firstEs));
  // 46 s is past the second key's due time (42 s) too: one promotion per pass, then the rest of
  // the queue is rescheduled from now rather than cascading.
  const active = rows.filter((r) => r.status === 'active');
  t.is(active.length, 2);
  t.true((await introspect(server.url, rs, await clientCredentialsToken(server.url, rs))).active as boolean, 'RS256 works');
  t.true((await introspect(server.url, es, await clientCredentialsToken(server.url, es))).active as boolean, 'ES256 works');
});

test('a token whose key has been deleted introspects inactive, even if its exp has not come', async (t) => {
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  // Tokens issued under a long lifetime…
  let server = await startTestServer(t, { env: { ACCESS_TOKEN_TTL: '1h', KEY_PUBLISH_LEAD: '1s' }, clock });
  const es = await registerClient(server);
  const rs = await registerClient(server, { accessTokenAlg: 'RS256' });
  const esToken = await clientCredentialsToken(server.url, es);
  const rsToken = await clientCredentialsToken(server.url, rs);
  // …then the operator shortens it: retired keys are now kept for 5 s + 5 s only.
  await server.close();
  server = await startTestServer(t, { env: { ACCESS_TOKEN_TTL: '5s', ID_TOKEN_TTL: '5s', KEY_PUBLISH_LEAD: '1s', ISSUER: server.config.issuer }, clock, dir: server.dir, databaseUrl: server.config.databaseUrl });
  await server.services.keys.lifecycle.rotate(undefined, true);
  await server.scheduler.tick();
  clock.advance(10_000);
  await server.scheduler.tick();
  const kids = (await server.services.db.selectFrom('signing_keys').select('kid').execute()).map((r) => r.kid);
  t.false(kids.includes(kidOf(esToken)), 'the ES256 key is gone');
  t.false(kids.includes(kidOf(rsToken)), 'the RS256 key is gone');
  t.deepEqual(await introspect(server.url, es, esToken), { active: false });
  t.deepEqual(await introspect(server.url, rs, rsToken), { active: false });
  t.true((await introspect(server.url, es, await clientCredentialsToken(server.url, es))).active as boolean);
  t.true((await introspect(server.url, rs, await clientCredentialsToken(server.url, rs))).active as boolean);
});

test('a revoked active key is replaced at once by the oldest queued key, even before its lead', async (t) => {
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const server = await startTestServer(t, { env: SCHEDULE, clock });
  const client = await registerClient(server);
  const token = await clientCredentialsToken(server.url, client);
  const queue = (await keyRows(server)).filter((r) => r.alg === 'ES256' && r.status === 'next').sort((a, b) => Number(a.activates_at) - Number(b.activates_at));
  await server.services.keys.lifecycle.revoke(kidOf(token));
  await server.scheduler.tick();
  t.is(kidOf(await clientCredentialsToken(server.url, client)), queue[0]!.kid);
  t.deepEqual(await introspect(server.url, client, token), { active: false });
  t.is((await keyRows(server)).filter((r) => r.alg === 'ES256' && r.status === 'next').length, 6, 'the queue is refilled');
});
