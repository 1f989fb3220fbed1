// Issue criterion: with a 6 s rotation interval, a 31 s publish lead and 5 s access tokens, one
// long-lived jose verifier with default options never fails while keys rotate under it.
//
// What makes it hold is that the lead exceeds the verifier's refetch cool-down (30 s by default):
// a new kid is in the JWKS longer than a verifier may go without refetching. Waiting for that
// takes over a minute of real time (jose keeps its own clock), so the test keeps the relation and
// scales time down: a 2 s cool-down against a 3 s lead, a 2 s interval, and the key
// tick and propagation delay at 100 ms and 2 s (production 1 s and 5 s, injected through
// StartOptions). Propagation is not cut further: it must also cover the rotation's own
// transaction, which generates the new RSA key between choosing the retirement time and committing
// (measured: over 2 s on a heavily loaded machine), during which the old key still signs. The verifier is otherwise jose's default; the JWKS is fetched over HTTP.
import test from 'ava';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { clientCredentialsToken, sleep } from '../helpers/http.js';
import { registerClient, startTestServer } from '../helpers/server.js';

const COOLDOWN_MS = 2_000;
// Token lifetimes stay at the criterion's 5 s: exp is in whole seconds, and a 1 s token could
// expire between issue and verification.
const SCHEDULE = { KEY_ROTATION_INTERVAL: '2s', KEY_PUBLISH_LEAD: '3s', ACCESS_TOKEN_TTL: '5s', ID_TOKEN_TTL: '5s' };
// The first rotation comes at 5 s (propagation plus lead), then one every 2 s; the key made at
// the first rotation (after the verifier's first fetch) signs from 11 s (the queue holds three).
const RUN_MS = 14_000;
const ROUND_MS = 20;

test('a long-lived createRemoteJWKSet verifier sees zero failures across ES256 and RS256 rotations', async (t) => {
  t.timeout(RUN_MS + 60_000);
  const server = await startTestServer(t, { env: SCHEDULE, keyTickMs: 100, keyPropagationMs: 2_000 });
  const es = await registerClient(server, { accessTokenAlg: 'ES256' });
  const rs = await registerClient(server, { accessTokenAlg: 'RS256' });
  const jwksUrl = new URL(`${server.config.issuer}/.well-known/jwks.json`);
  const verifier = createRemoteJWKSet(jwksUrl, { cooldownDuration: COOLDOWN_MS }); // otherwise default: 10 min cache

  const startedAt = Date.now();
  const kidsByAlg = { ES256: new Set<string>(), RS256: new Set<string>() };
  const keyCreatedAt = new Map<string, number>();
  /** For each kid, the latest `exp` (ms) of a token it signed. */
  const lastExpiry = new Map<string, number>();
  const failures: string[] = [];
  const vanished: string[] = [];
  let firstFetchAt: number | undefined;
  let checks = 0;

  // Watch the JWKS on the side: no kid may leave while a token it signed is alive.
  let watching = true;
  const watcher = (async () => {
    while (watching) {
      const { keys } = (await (await fetch(jwksUrl)).json()) as { keys: Array<{ kid: string }> };
      const published = new Set(keys.map((k) => k.kid));
      const now = Date.now();
      for (const [kid, exp] of lastExpiry) if (!published.has(kid) && exp > now) vanished.push(`${kid} left ${exp - now} ms early`);
      for (const row of await server.services.db.selectFrom('signing_keys').select(['kid', 'created_at']).execute()) {
        if (!keyCreatedAt.has(row.kid)) keyCreatedAt.set(row.kid, Number(row.created_at));
      }
      await sleep(50);
    }
  })();

  while (Date.now() - startedAt < RUN_MS) {
    const round = Date.now();
    for (const [alg, client] of [['ES256', es], ['RS256', rs]] as const) {
      const token = await clientCredentialsToken(server.url, client);
      try {
        const { payload, protectedHeader } = await jwtVerify(token, verifier, { issuer: server.config.issuer, typ: 'at+jwt' });
        firstFetchAt ??= Date.now();
        t.is(protectedHeader.alg, alg);
        kidsByAlg[alg].add(protectedHeader.kid!);
        lastExpiry.set(protectedHeader.kid!, Math.max(lastExpiry.get(protectedHeader.kid!) ?? 0, payload.exp! * 1000));
      } catch (error) {
        failures.push(`${alg} ${decodeProtectedHeader(token).kid} at +${Date.now() - startedAt} ms: ${(error as Error).message}`);
      }
      checks += 1;
    }
    await sleep(Math.max(0, ROUND_MS - (Date.now() - round)));
  }
  watching = false;
  await watcher;

  t.log(`${checks} verifications in ${Date.now() - startedAt} ms; kids ES256=${kidsByAlg.ES256.size} RS256=${kidsByAlg.RS256.size}`);
  t.deepEqual(failures, [], 'zero verification failures');
  t.deepEqual(vanished, [], 'no key left the JWKS while a token it signed was unexpired');
  t.true(checks > 300, `verified every ~${ROUND_MS} ms (${checks} checks)`);
  for (const alg of ['ES256', 'RS256'] as const) {
    t.true(kidsByAlg[alg].size >= 3, `${alg}: at least 3 distinct kids (${kidsByAlg[alg].size})`);
    const createdAfterFirstFetch = [...kidsByAlg[alg]].filter((kid) => (keyCreatedAt.get(kid) ?? 0) > firstFetchAt!);
    t.true(createdAfterFirstFetch.length >= 1, `${alg}: a key created after the verifier's first fetch signed`);
  }
});
