// A client authenticates only with the method it registered (OIDC Registration §2,
// token_endpoint_auth_method), at every endpoint that authenticates clients; failures count per
// client IP and turn into 429 past RATE_LIMIT_PER_IP a minute, while correctly authenticated calls
// go on (README, Errors). TRUST_PROXY lets the test speak from several IPs via X-Forwarded-For.
import test from 'ava';
import { basic, postForm } from '../helpers/http.js';
import { ManualClock, registerClient, startTestServer } from '../helpers/server.js';

const ENDPOINTS = ['/token', '/introspect', '/revoke'] as const;
const formFor = (path: (typeof ENDPOINTS)[number]): Record<string, string> =>
  path === '/token' ? { grant_type: 'client_credentials' } : { token: 'any.token.value' };

test('a client_secret_basic client is refused with post credentials, and the other way round, at every endpoint', async (t) => {
  const server = await startTestServer(t);
  const basicClient = await registerClient(server, { authMethod: 'client_secret_basic' });
  const postClient = await registerClient(server, { authMethod: 'client_secret_post' });

  for (const path of ENDPOINTS) {
    const wrongForBasic = await postForm(`${server.url}${path}`, { ...formFor(path), client_id: basicClient.client_id, client_secret: basicClient.client_secret });
    t.is(wrongForBasic.status, 401, `${path}: basic client with post`);
    t.is(((await wrongForBasic.json()) as { error: string }).error, 'invalid_client');
    t.regex(wrongForBasic.headers.get('www-authenticate') ?? '', /^Basic /);

    const wrongForPost = await postForm(`${server.url}${path}`, formFor(path), { authorization: basic(postClient.client_id, postClient.client_secret) });
    t.is(wrongForPost.status, 401, `${path}: post client with basic`);
    t.is(((await wrongForPost.json()) as { error: string }).error, 'invalid_client');

    const rightBasic = await postForm(`${server.url}${path}`, formFor(path), { authorization: basic(basicClient.client_id, basicClient.client_secret) });
    t.is(rightBasic.status, 200, `${path}: basic client with basic`);
    const rightPost = await postForm(`${server.url}${path}`, { ...formFor(path), client_id: postClient.client_id, client_secret: postClient.client_secret });
    t.is(rightPost.status, 200, `${path}: post client with post`);
  }
});

test('failed client authentication from one IP gets 429 past the limit; another IP and good credentials are served', async (t) => {
  const server = await startTestServer(t, { clock: new ManualClock(Date.UTC(2026, 0, 1)), env: { RATE_LIMIT_PER_IP: '4', TRUST_PROXY: 'true' } });
  const client = await registerClient(server);
  const attacker = { 'x-forwarded-for': '192.0.2.66' };
  const wrong = { authorization: basic(client.client_id, 'not-the-secret'), ...attacker };

  // Spread over the three endpoints: they share one bucket per IP.
  const statuses = [];
  for (let i = 0; i < 6; i += 1) statuses.push((await postForm(`${server.url}${ENDPOINTS[i % 3]}`, formFor(ENDPOINTS[i % 3]!), wrong)).status);
  t.deepEqual(statuses, [401, 401, 401, 401, 429, 429]);

  const limited = await postForm(`${server.url}/introspect`, formFor('/introspect'), { ...wrong, authorization: basic('unknown-client', 'x') });
  t.is(limited.status, 429);
  t.deepEqual(await limited.json(), { error: 'rate_limited', error_description: 'too many requests; try again later' });
  t.regex(limited.headers.get('retry-after') ?? '', /^\d+$/);
  t.regex(limited.headers.get('ratelimit') ?? '', /^"client-auth";r=0;t=\d+$/);
  t.is(limited.headers.get('ratelimit-policy'), '"client-auth";q=4;w=60');

  const good = await postForm(`${server.url}/token`, formFor('/token'), { authorization: basic(client.client_id, client.client_secret), ...attacker });
  t.is(good.status, 200, 'correct credentials from the same IP are not throttled');
  t.is(good.headers.get('ratelimit'), null, 'and not counted');

  const elsewhere = await postForm(`${server.url}/token`, formFor('/token'), { authorization: basic(client.client_id, 'not-the-secret'), 'x-forwarded-for': '198.51.100.9' });
  t.is(elsewhere.status, 401, 'another IP still gets the ordinary answer');
});
