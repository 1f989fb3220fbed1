// The device authorization grant (RFC 8628) over HTTP, without a browser: the device authorization
// endpoint's answers and refusals, polling (authorization_pending, slow_down with a growing
// interval, expired_token), a device code redeemed once, and the per-IP limit on wrong user codes
// at the verification page. The person's decision is made through the domain service here; the
// browser side has its own tests (test/browser/device-flow.test.ts).
import test, { type ExecutionContext } from 'ava';
import * as oauth from 'oauth4webapi';
import * as oidc from 'openid-client';
import type { RequestMeta } from '../../src/audit/audit-log.js';
import { userFromRow } from '../../src/domain/accounts/user.js';
import { DEVICE_CODE_GRANT } from '../../src/domain/clients/client.js';
import { sha256 } from '../../src/crypto/random.js';
import { findUserById } from '../../src/storage/repositories/users.js';
import { basic, introspect, postForm, type RegisteredClient } from '../helpers/http.js';
import { ManualClock, registerClient, startTestServer, TEST_ACTOR, type TestServer, type TestServerOptions } from '../helpers/server.js';

const META: RequestMeta = { ip: '192.0.2.1', userAgent: 'test' };
const insecure = { [oauth.allowInsecureRequests]: true };

async function deviceServer(t: ExecutionContext, options: TestServerOptions = {}) {
  const server = await startTestServer(t, options);
  const client = await registerClient(server, { name: 'cli', public: true, grantTypes: [DEVICE_CODE_GRANT, 'refresh_token'] });
  const resourceServer = await registerClient(server, { name: 'resource server' });
  const issuer = new URL(server.config.issuer);
  const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, insecure));
  return { server, client, resourceServer, as };
}

async function startDevice(as: oauth.AuthorizationServer, client: RegisteredClient, parameters: Record<string, string> = { scope: 'openid email' }) {
  const response = await oauth.deviceAuthorizationRequest(as, { client_id: client.client_id }, oauth.None(), parameters, insecure);
  return oauth.processDeviceAuthorizationResponse(as, { client_id: client.client_id }, response);
}

/** One poll, as oauth4webapi sends it: the tokens, or the error code of the answer. */
async function poll(as: oauth.AuthorizationServer, client: RegisteredClient, deviceCode: string): Promise<oauth.TokenEndpointResponse | string> {
  const response = await oauth.deviceCodeGrantRequest(as, { client_id: client.client_id }, oauth.None(), deviceCode, insecure);
  try {
    return await oauth.processDeviceCodeResponse(as, { client_id: client.client_id }, response);
  } catch (error) {
    if (error instanceof oauth.ResponseBodyError) return error.error;
    throw error;
  }
}

/** The person enters the user code and allows it, in a browser session of their own (domain calls). */
async function approve(server: TestServer, userCode: string): Promise<string> {
  const { services } = server;
  const created = await services.users.create({ email: `dev.${Math.random().toString(36).slice(2)}@example.com`, password: 'correct horse battery staple', verified: true }, TEST_ACTOR);
  const user = userFromRow((await findUserById(services.db, created.id))!);
  const started = await services.db.transaction().execute((tx) => services.browserSessions.start(tx, user, 'tessera', ['pwd'], META));
  const browser = (await services.browserSessions.find(started.secret))!;
  const csrf = 'c'.repeat(43);
  const pending = await services.devices.enterUserCode(userCode, csrf, META);
  await services.devices.decide(pending.id, csrf, browser, true, META);
  return created.id;
}

test('discovery names the endpoint and the grant; the answer has the RFC 8628 §3.2 fields; codes are stored hashed', async (t) => {
  const { server, client, as } = await deviceServer(t);
  t.is(as.device_authorization_endpoint, `${server.config.issuer}/device_authorization`);
  t.true(as.grant_types_supported!.includes(DEVICE_CODE_GRANT));

  const started = await startDevice(as, client);
  t.regex(started.user_code, /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
  t.regex(started.device_code, /^[A-Za-z0-9_-]{43}$/);
  t.is(started.verification_uri, `${server.config.issuer}/device`);
  t.is(started.verification_uri_complete, `${server.config.issuer}/device?user_code=${started.user_code}`);
  t.is(started.expires_in, 600);
  t.is(started.interval, 5);

  const rows = await server.services.db.selectFrom('device_codes').selectAll().execute();
  t.is(rows.length, 1);
  const stored = JSON.stringify(rows);
  t.false(stored.includes(started.device_code), 'no device code in the table');
  t.false(stored.includes(started.user_code.replace('-', '')), 'no user code in the table');
  t.is(rows[0]!.device_code_hash, sha256(started.device_code));
  t.is(rows[0]!.scope, 'openid email');
});

test('DEVICE_CODE_TTL sets expires_in', async (t) => {
  const { client, as } = await deviceServer(t, { env: { DEVICE_CODE_TTL: '90s' } });
  t.is((await startDevice(as, client)).expires_in, 90);
});

test('refusals: no grant, a scope beyond the client, a wrong secret, no client at all', async (t) => {
  const { server, as } = await deviceServer(t);
  const url = `${server.config.issuer}/device_authorization`;
  const codeFlow = await registerClient(server, { name: 'web', redirectUris: ['https://app.example/cb'] });
  const confidential = await registerClient(server, { name: 'confidential cli', grantTypes: [DEVICE_CODE_GRANT], scope: 'openid' });

  const noGrant = await postForm(url, { scope: 'openid' }, { authorization: basic(codeFlow.client_id, codeFlow.client_secret) });
  t.is(noGrant.status, 400);
  t.is(((await noGrant.json()) as { error: string }).error, 'unauthorized_client');

  const wider = await postForm(url, { scope: 'openid email' }, { authorization: basic(confidential.client_id, confidential.client_secret) });
  t.is(wider.status, 400);
  t.is(((await wider.json()) as { error: string }).error, 'invalid_scope');

  const wrongSecret = await postForm(url, {}, { authorization: basic(confidential.client_id, 'nope') });
  t.is(wrongSecret.status, 401);
  t.truthy(wrongSecret.headers.get('www-authenticate'));
  const confidentialAsPublic = await postForm(url, { client_id: confidential.client_id });
  t.is(confidentialAsPublic.status, 401, 'a confidential client must authenticate');
  const anonymous = await postForm(url, {});
  t.is(anonymous.status, 401);

  // A confidential client with its secret (openid-client, client_secret_basic) is fine.
  const config = await oidc.discovery(new URL(server.config.issuer), confidential.client_id, confidential.client_secret, oidc.ClientSecretBasic(confidential.client_secret), { execute: [oidc.allowInsecureRequests] });
  const started = await oidc.initiateDeviceAuthorization(config, { scope: 'openid' });
  t.truthy(started.device_code);
  t.is((await postForm(url, { client_id: confidential.client_id }, { authorization: basic(confidential.client_id, confidential.client_secret) })).status, 200);
});

test('polling too fast is slow_down, and the interval grows by 5 s for every later poll (RFC 8628 §3.5)', async (t) => {
  const clock = new ManualClock();
  const { client, as } = await deviceServer(t, { clock });
  const started = await startDevice(as, client);
  t.is(await poll(as, client, started.device_code), 'authorization_pending');
  t.is(await poll(as, client, started.device_code), 'slow_down', 'a second poll at once');
  clock.advance(5_000);
  t.is(await poll(as, client, started.device_code), 'slow_down', 'the interval is 10 s now: 5 s is too fast');
  clock.advance(15_000);
  t.is(await poll(as, client, started.device_code), 'authorization_pending', 'and 15 s after the second slow_down');
  clock.advance(15_000);
  t.is(await poll(as, client, started.device_code), 'authorization_pending', 'polling at the interval is fine');
});

test("openid-client's poll after DEVICE_CODE_TTL hears expired_token", async (t) => {
  const clock = new ManualClock();
  const { server, client } = await deviceServer(t, { clock });
  const config = await oidc.discovery(new URL(server.config.issuer), client.client_id, undefined, oidc.None(), { execute: [oidc.allowInsecureRequests] });
  const started = await oidc.initiateDeviceAuthorization(config, { scope: 'openid' });
  clock.advance(600_000);
  const error = await t.throwsAsync(oidc.pollDeviceAuthorizationGrant(config, started), { instanceOf: oidc.ResponseBodyError });
  t.is(error?.error, 'expired_token');
  t.is(error?.status, 400);
  // The person is too late as well.
  await t.throwsAsync(server.services.devices.enterUserCode(started.user_code, 'c'.repeat(43), META), { message: /user code/ });
});

test('an approved device code gives one token set: polled again it is invalid_grant and ends what it gave; parallel polls get one 200', async (t) => {
  const clock = new ManualClock();
  const { server, client, resourceServer, as } = await deviceServer(t, { clock });
  const first = await startDevice(as, client);
  const userId = await approve(server, first.user_code);
  const tokens = await poll(as, client, first.device_code);
  if (typeof tokens === 'string') return t.fail(tokens);
  t.truthy(tokens.id_token);
  t.truthy(tokens.refresh_token);
  t.like(await introspect(server.url, resourceServer, tokens.access_token), { active: true, sub: userId });
  clock.advance(5_000);
  t.is(await poll(as, client, first.device_code), 'invalid_grant');
  t.deepEqual(await introspect(server.url, resourceServer, tokens.access_token), { active: false }, 'the replay ended the first redemption');

  const second = await startDevice(as, client);
  await approve(server, second.user_code);
  const raced = await Promise.all(Array.from({ length: 10 }, () => postForm(`${server.config.issuer}/token`, { grant_type: DEVICE_CODE_GRANT, device_code: second.device_code, client_id: client.client_id })));
  t.deepEqual(raced.map((response) => response.status).sort(), [200, ...Array<number>(9).fill(400)]);
});

test('another client cannot redeem the device code; a denial is access_denied with 400', async (t) => {
  const { server, client, as } = await deviceServer(t);
  const other = await registerClient(server, { name: 'other', public: true, grantTypes: [DEVICE_CODE_GRANT] });
  const started = await startDevice(as, client);
  t.is(await poll(as, other, started.device_code), 'invalid_grant');

  const { services } = server;
  const created = await services.users.create({ email: 'deny@example.com', password: 'correct horse battery staple', verified: true }, TEST_ACTOR);
  const user = userFromRow((await findUserById(services.db, created.id))!);
  const session = await services.db.transaction().execute((tx) => services.browserSessions.start(tx, user, 'tessera', ['pwd'], META));
  const csrf = 'd'.repeat(43);
  const pending = await services.devices.enterUserCode(started.user_code.toLowerCase(), csrf, META);
  await t.throwsAsync(services.devices.decide(pending.id, 'e'.repeat(43), (await services.browserSessions.find(session.secret))!, true, META), { message: /another browser/ }, 'only the browser that entered the code decides');
  await services.devices.decide(pending.id, csrf, (await services.browserSessions.find(session.secret))!, false, META);
  const denied = await postForm(`${server.config.issuer}/token`, { grant_type: DEVICE_CODE_GRANT, device_code: started.device_code, client_id: client.client_id });
  t.is(denied.status, 400);
  t.is(((await denied.json()) as { error: string }).error, 'access_denied');
});

/** The verification form as a browser sends it: GET for the CSRF cookie, then POST with it. */
async function enterCode(server: TestServer, userCode: string, ip: string) {
  const page = await fetch(`${server.config.issuer}/device`, { headers: { 'x-forwarded-for': ip } });
  const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0]!;
  const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())![1]!;
  return fetch(`${server.config.issuer}/device`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, 'x-forwarded-for': ip },
    body: new URLSearchParams({ csrf, user_code: userCode }).toString(),
    redirect: 'manual',
  });
}

test('20 wrong user codes from one IP are rate-limited, a right one then too; another IP is not affected', async (t) => {
  const { server, client, as } = await deviceServer(t, { env: { TRUST_PROXY: 'true' } });
  const started = await startDevice(as, client);
  const statuses: number[] = [];
  for (let i = 0; i < 20; i += 1) {
    const response = await enterCode(server, `BCDF-GH${'JKLMNPQRSTVWXZ'[i % 14]}${'BCDFG'[i % 5]}`, '198.51.100.7');
    statuses.push(response.status);
    if (response.status === 429) t.truthy(response.headers.get('retry-after'));
  }
  t.deepEqual(statuses, [...Array<number>(10).fill(400), ...Array<number>(10).fill(429)]);
  const blocked = await enterCode(server, started.user_code, '198.51.100.7');
  t.is(blocked.status, 429, 'past the limit even the right code is refused');
  t.regex(await blocked.text(), /Too many attempts/);
  const elsewhere = await enterCode(server, started.user_code.replace('-', '').toLowerCase(), '203.0.113.9');
  t.is(elsewhere.status, 303, 'the right code from another IP goes on to the sign-in');
  t.regex(elsewhere.headers.get('location') ?? '', /^\/login\?interaction=/);
});
