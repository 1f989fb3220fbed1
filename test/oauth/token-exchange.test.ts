// Token exchange (RFC 8693; docs/delegation.md) over the real server, driven by oauth4webapi's
// generic token endpoint request as a service in a chain would: a person signs in at an app, the
// app's API (a service) exchanges the person's token for the next service, which may exchange it
// again. Delegation only: `act` names the services, `sub` and `sid` stay the person's.
import test from 'ava';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oauth from 'oauth4webapi';
import { TOKEN_EXCHANGE_GRANT } from '../../src/domain/clients/client.js';
import { ACCESS_TOKEN_TYPE } from '../../src/domain/tokens/token-exchange.js';
import { api, signUp, startAccountServer, type AccountServer } from '../helpers/accounts.js';
import { APP_LOGGED_OUT, appClient, signInAtApp } from '../helpers/app-sign-in.js';
import { introspect, revoke, type RegisteredClient } from '../helpers/http.js';
import { registerClient, TEST_ACTOR } from '../helpers/server.js';
import { get } from '../helpers/browserless.js';

const API_A = 'https://orders.example.com';
const API_B = 'https://billing.example.com';
const API_C = 'https://ledger.example.com';
const insecure = { [oauth.allowInsecureRequests]: true } as const;

interface Chain {
  server: AccountServer;
  person: { id: string; email: string; password: string };
  as: oauth.AuthorizationServer;
  /** The person's token, as the app got it (aud: API_A and the issuer). */
  subjectToken: string;
  idToken: string;
  /** The orders service: may exchange for billing. */
  orders: RegisteredClient;
  /** The billing service: may exchange for the ledger. */
  billing: RegisteredClient;
  app: RegisteredClient;
  jar: import('../helpers/browserless.js').CookieJar;
}

async function chain(t: import('ava').ExecutionContext): Promise<Chain> {
  const server = await startAccountServer(t);
  const person = await signUp(server);
  const app = await appClient(server, { audience: API_A });
  const { tokens, jar } = await signInAtApp(server, app, person);
  const orders = await registerClient(server, { name: 'orders', grantTypes: [TOKEN_EXCHANGE_GRANT], exchangeAudiences: [API_B] });
  const billing = await registerClient(server, { name: 'billing', grantTypes: [TOKEN_EXCHANGE_GRANT], exchangeAudiences: [API_C] });
  const issuer = new URL(server.config.issuer);
  const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, insecure));
  return { server, person, as, subjectToken: tokens.access_token, idToken: tokens.id_token!, orders, billing, app: app.client, jar };
}

/** The exchange request a service sends (RFC 8693 §2.1), with oauth4webapi. */
async function exchange(as: oauth.AuthorizationServer, service: RegisteredClient, subjectToken: string, parameters: Record<string, string>) {
  const response = await oauth.genericTokenEndpointRequest(
    as,
    { client_id: service.client_id },
    oauth.ClientSecretBasic(service.client_secret),
    TOKEN_EXCHANGE_GRANT,
    { subject_token: subjectToken, subject_token_type: ACCESS_TOKEN_TYPE, ...parameters },
    insecure,
  );
  return oauth.processGenericTokenEndpointResponse(as, { client_id: service.client_id }, response);
}

/** The RFC 6749 §5.2 error code of a refused exchange. */
async function refusal(as: oauth.AuthorizationServer, service: RegisteredClient, subjectToken: string, parameters: Record<string, string>) {
  try {
    await exchange(as, service, subjectToken, parameters);
  } catch (error) {
    if (error instanceof oauth.ResponseBodyError) return { status: error.status, error: error.error };
    throw error;
  }
  throw new Error('the exchange was not refused');
}

test('the exchanged token keeps sub and sid, has the requested aud and act.sub = the calling client; discovery names the grant', async (t) => {
  const { server, person, as, subjectToken, orders, app } = await chain(t);
  t.true((as.grant_types_supported ?? []).includes(TOKEN_EXCHANGE_GRANT));

  const issued = await exchange(as, orders, subjectToken, { audience: API_B, scope: 'profile' });
  t.is(issued.issued_token_type, ACCESS_TOKEN_TYPE, 'RFC 8693 §2.2.1');
  t.is(issued.token_type, 'bearer');
  t.is(issued.scope, 'profile');
  t.is(issued.refresh_token, undefined, 'no refresh token: the exchanged token lives with its subject');
  t.true(issued.expires_in! > 0);

  const jwks = createRemoteJWKSet(new URL(`${server.config.issuer}/.well-known/jwks.json`));
  const subject = (await jwtVerify(subjectToken, jwks, { issuer: server.config.issuer })).payload;
  const { payload, protectedHeader } = await jwtVerify(issued.access_token, jwks, { issuer: server.config.issuer, audience: API_B, typ: 'at+jwt' });
  t.is(protectedHeader.typ, 'at+jwt');
  t.is(payload.sub, person.id);
  t.is(payload.sid, subject.sid);
  t.is(payload.aud, API_B);
  t.deepEqual(payload.act, { sub: orders.client_id });
  t.is(payload.client_id, orders.client_id);
  t.is(payload.scope, 'profile');
  t.true(payload.exp! <= subject.exp!, 'never outlives the subject token');

  const introspected = await introspect(server.url, app, issued.access_token);
  t.like(introspected, { active: true, sub: person.id, aud: API_B, client_id: orders.client_id, act: { sub: orders.client_id } });

  // Audited with the service as the actor.
  const events = await server.services.db.selectFrom('audit_log').selectAll().where('event', '=', 'token.exchanged').execute();
  t.is(events.length, 1);
  t.is(events[0]!.user_id, person.id);
  t.is(events[0]!.actor_id, `client:${orders.client_id}`);
  t.like(JSON.parse(events[0]!.detail), { client_id: orders.client_id, audience: API_B, scope: 'profile', subject_client_id: app.client_id });
});

test('exchanging an exchanged token nests act (RFC 8693 §4.1); sub and sid stay the person\'s', async (t) => {
  const { server, person, as, subjectToken, orders, billing } = await chain(t);
  const first = await exchange(as, orders, subjectToken, { audience: API_B });
  const second = await exchange(as, billing, first.access_token, { audience: API_C });
  const jwks = createRemoteJWKSet(new URL(`${server.config.issuer}/.well-known/jwks.json`));
  const { payload } = await jwtVerify(second.access_token, jwks, { issuer: server.config.issuer, audience: API_C });
  const sid = (await jwtVerify(subjectToken, jwks, { issuer: server.config.issuer })).payload.sid;
  t.deepEqual(payload.act, { sub: billing.client_id, act: { sub: orders.client_id } });
  t.is(payload.sub, person.id);
  t.is(payload.sid, sid);
  t.is(payload.scope, 'openid profile email', 'without scope, the subject token\'s');
});

test('an audience outside the client\'s exchange_audiences is invalid_target; a wider scope is invalid_scope', async (t) => {
  const { as, subjectToken, orders, billing } = await chain(t);
  t.deepEqual(await refusal(as, orders, subjectToken, { audience: API_C }), { status: 400, error: 'invalid_target' });
  t.deepEqual(await refusal(as, orders, subjectToken, { audience: API_A }), { status: 400, error: 'invalid_target' }, 'not even the subject token\'s own audience');
  t.deepEqual(await refusal(as, orders, subjectToken, {}), { status: 400, error: 'invalid_target' }, 'an audience is required');
  t.deepEqual(await refusal(as, orders, subjectToken, { audience: API_B, scope: 'profile offline_access' }), { status: 400, error: 'invalid_scope' });
  // A narrower token cannot be widened again further down the chain.
  const narrow = await exchange(as, orders, subjectToken, { audience: API_B, scope: 'profile' });
  t.deepEqual(await refusal(as, billing, narrow.access_token, { audience: API_C, scope: 'profile email' }), { status: 400, error: 'invalid_scope' });
});

test('an inactive subject token is invalid_grant: revoked, forged, or not a person\'s', async (t) => {
  const { server, as, subjectToken, orders, app } = await chain(t);
  const forged = `${subjectToken.slice(0, -4)}AAAA`;
  t.deepEqual(await refusal(as, orders, forged, { audience: API_B }), { status: 400, error: 'invalid_grant' });
  t.is(await revoke(server.url, app, subjectToken), 200);
  t.deepEqual(await refusal(as, orders, subjectToken, { audience: API_B }), { status: 400, error: 'invalid_grant' });

  // A service's own token names no person: nobody to act for.
  const service = await registerClient(server, { name: 'batch', grantTypes: ['client_credentials'] });
  const own = await oauth.processClientCredentialsResponse(
    as,
    { client_id: service.client_id },
    await oauth.clientCredentialsGrantRequest(as, { client_id: service.client_id }, oauth.ClientSecretBasic(service.client_secret), {}, insecure),
  );
  t.deepEqual(await refusal(as, orders, own.access_token, { audience: API_B }), { status: 400, error: 'invalid_grant' });
});

test('a client without the grant is unauthorized_client; other token types and actor tokens are invalid_request', async (t) => {
  const { server, as, subjectToken, orders } = await chain(t);
  const other = await registerClient(server, { name: 'plain', grantTypes: ['client_credentials'] });
  t.deepEqual(await refusal(as, other, subjectToken, { audience: API_B }), { status: 400, error: 'unauthorized_client' });
  t.deepEqual(await refusal(as, orders, subjectToken, { audience: API_B, subject_token_type: 'urn:ietf:params:oauth:token-type:id_token' }), { status: 400, error: 'invalid_request' });
  t.deepEqual(await refusal(as, orders, subjectToken, { audience: API_B, actor_token: subjectToken, actor_token_type: ACCESS_TOKEN_TYPE }), { status: 400, error: 'invalid_request' });
  t.deepEqual(await refusal(as, orders, subjectToken, { audience: API_B, requested_token_type: 'urn:ietf:params:oauth:token-type:refresh_token' }), { status: 400, error: 'invalid_request' });
});

test('logging the person out (end-session) makes the exchanged tokens inactive at introspection', async (t) => {
  const { server, as, subjectToken, idToken, orders, billing, app, jar } = await chain(t);
  const first = await exchange(as, orders, subjectToken, { audience: API_B });
  const second = await exchange(as, billing, first.access_token, { audience: API_C });
  t.true((await introspect(server.url, app, second.access_token)).active);

  // RP-Initiated Logout: the app sends the browser to end-session with its ID token.
  const ended = await get(jar, `${server.url}/end-session?${new URLSearchParams({ id_token_hint: idToken, post_logout_redirect_uri: APP_LOGGED_OUT })}`);
  t.is(ended.status, 303);
  t.deepEqual(await introspect(server.url, app, first.access_token), { active: false });
  t.deepEqual(await introspect(server.url, app, second.access_token), { active: false });
  t.deepEqual(await refusal(as, orders, subjectToken, { audience: API_B }), { status: 400, error: 'invalid_grant' });
});

test('logout-all and disabling the user make the exchanged tokens inactive', async (t) => {
  const { server, person, as, subjectToken, orders, app } = await chain(t);
  const exchanged = await exchange(as, orders, subjectToken, { audience: API_B });
  t.is((await api(server, 'POST', '/auth/logout-all', { token: subjectToken })).status, 204);
  t.deepEqual(await introspect(server.url, app, exchanged.access_token), { active: false });

  // Signed in again, then disabled by an admin.
  const again = await signInAtApp(server, await appClient(server, { audience: API_A }), person);
  const fresh = await exchange(as, orders, again.tokens.access_token, { audience: API_B });
  t.true((await introspect(server.url, app, fresh.access_token)).active);
  await server.services.users.setDisabled(person.id, true, TEST_ACTOR);
  t.deepEqual(await introspect(server.url, app, fresh.access_token), { active: false });
});

test('a delegated token never opens the account API, even exchanged for Tessera\'s own audience', async (t) => {
  const { server, as, subjectToken } = await chain(t);
  const gateway = await registerClient(server, { name: 'gateway', grantTypes: [TOKEN_EXCHANGE_GRANT], exchangeAudiences: [server.config.issuer], firstParty: true });
  const forTessera = await exchange(as, gateway, subjectToken, { audience: server.config.issuer });
  t.is((await api(server, 'GET', '/auth/me', { token: subjectToken })).status, 200);
  t.is((await api(server, 'GET', '/auth/me', { token: forTessera.access_token })).status, 401);
});

test('registration: the grant needs audiences, a public client may not exchange, and the view shows exchange_audiences', async (t) => {
  const server = await startAccountServer(t);
  const service = await registerClient(server, { name: 'orders', grantTypes: [TOKEN_EXCHANGE_GRANT], exchangeAudiences: [API_B, API_C] });
  t.deepEqual(service.exchange_audiences, [API_B, API_C]);
  await t.throwsAsync(registerClient(server, { name: 'x', grantTypes: [TOKEN_EXCHANGE_GRANT] }), { message: /exchange audience/ });
  await t.throwsAsync(registerClient(server, { name: 'x', grantTypes: [TOKEN_EXCHANGE_GRANT], exchangeAudiences: [API_B], public: true }), { message: /public client/ });
  await t.throwsAsync(registerClient(server, { name: 'x', grantTypes: ['client_credentials'], exchangeAudiences: [API_B] }), { message: /grant/ });
  const updated = await server.services.clients.update(service.client_id, { exchangeAudiences: [API_C] }, TEST_ACTOR);
  t.deepEqual(updated.exchangeAudiences, [API_C]);
  const dropped = await server.services.clients.update(service.client_id, { grantTypes: ['client_credentials'] }, TEST_ACTOR);
  t.deepEqual(dropped.exchangeAudiences, [], 'leaving the grant drops its audiences');
});
