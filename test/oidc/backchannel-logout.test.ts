// Back-channel logout (OpenID Connect Back-Channel Logout 1.0; docs/sign-in.md) over the real
// server: a person signs in at an app through the hosted pages (openid-client, scripted browser),
// the app's logout endpoint is a real socket served by the test, and each way a session ends
// delivers a logout token that verifies with jose against the published JWKS. Delivery goes through
// a durable queue: a receiver that is down gets the token when it is back, also after a restart,
// and the request that ended the session never waits for the receiver.
import test, { type ExecutionContext } from 'ava';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { BACKCHANNEL_LOGOUT_EVENT } from '../../src/domain/tokens/logout-tokens.js';
import { pendingLogouts } from '../../src/storage/repositories/backchannel-logouts.js';
import { api, signUp, startAccountServer, type AccountServer } from '../helpers/accounts.js';
import { APP_LOGGED_OUT, appClient, signInAtApp, type AppClient } from '../helpers/app-sign-in.js';
import { get } from '../helpers/browserless.js';
import { cliEnv, cliJson } from '../helpers/cli.js';
import { waitFor } from '../helpers/http.js';
import { LogoutReceiver } from '../helpers/logout-receiver.js';

const DELIVERY_WAIT_MS = 15_000;

interface Setup {
  server: AccountServer;
  person: { id: string; email: string; password: string };
  receiver: LogoutReceiver;
  app: AppClient;
}

async function setup(t: ExecutionContext, options: { idTokenAlg?: string } = {}): Promise<Setup> {
  const server = await startAccountServer(t);
  const person = await signUp(server);
  const receiver = await LogoutReceiver.start(t);
  const app = await appClient(server, { backchannelLogoutUri: receiver.url, ...(options.idTokenAlg ? { idTokenAlg: options.idTokenAlg } : {}) });
  return { server, person, receiver, app };
}

/** The n-th logout token the receiver got, checked as an RP must (Back-Channel Logout §2.6). */
async function verifyLogoutToken(t: ExecutionContext, server: AccountServer, receiver: LogoutReceiver, expected: { clientId: string; sid: unknown; sub: string; alg?: string }, index = 0) {
  await waitFor(() => receiver.received.length > index, DELIVERY_WAIT_MS);
  const received = receiver.received[index]!;
  t.is(received.contentType, 'application/x-www-form-urlencoded');
  t.truthy(received.logoutToken);
  const jwks = createRemoteJWKSet(new URL(`${server.config.issuer}/.well-known/jwks.json`));
  const { payload, protectedHeader } = await jwtVerify(received.logoutToken!, jwks, {
    issuer: server.config.issuer,
    audience: expected.clientId,
    typ: 'logout+jwt',
    algorithms: [expected.alg ?? 'RS256'],
    requiredClaims: ['iat', 'exp', 'jti', 'sid', 'sub', 'events'],
  });
  t.is(protectedHeader.typ, 'logout+jwt');
  t.is(protectedHeader.alg, expected.alg ?? 'RS256', 'signed like the client\'s ID tokens');
  t.deepEqual(payload.events, { [BACKCHANNEL_LOGOUT_EVENT]: {} });
  t.is(payload.sid, expected.sid, 'the sid of the ID token');
  t.is(payload.sub, expected.sub);
  t.is(payload.aud, expected.clientId);
  t.false('nonce' in payload, '§2.4: no nonce');
  t.true(payload.exp! > payload.iat! && payload.exp! - payload.iat! <= 300, 'short-lived');
  return payload;
}

test('discovery and the client view announce back-channel logout', async (t) => {
  const { server, app, receiver } = await setup(t);
  const discovery = (await (await fetch(`${server.url}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
  t.is(discovery.backchannel_logout_supported, true);
  t.is(discovery.backchannel_logout_session_supported, true);
  t.is(app.client.backchannel_logout_uri, receiver.url);
  t.is(app.client.backchannel_logout_session_required, true);
});

test('end-session delivers a logout token that verifies with jose (typ, events, the ID token\'s sid, aud, no nonce)', async (t) => {
  const { server, person, receiver, app } = await setup(t, { idTokenAlg: 'ES256' });
  const { tokens, idClaims, jar } = await signInAtApp(server, app, person);
  const ended = await get(jar, `${server.url}/end-session?${new URLSearchParams({ id_token_hint: tokens.id_token!, post_logout_redirect_uri: APP_LOGGED_OUT })}`);
  t.is(ended.status, 303);
  await verifyLogoutToken(t, server, receiver, { clientId: app.client.client_id, sid: idClaims.sid, sub: person.id, alg: 'ES256' });
  // Delivered once, recorded in the audit log, and gone from the queue.
  await waitFor(async () => (await pendingLogouts(server.services.db)).length === 0, DELIVERY_WAIT_MS);
  const events = await server.services.db.selectFrom('audit_log').selectAll().where('event', '=', 'backchannel_logout.delivered').execute();
  t.is(events.length, 1);
  t.is(receiver.received.length, 1);
});

test('logout-all delivers a logout token', async (t) => {
  const { server, person, receiver, app } = await setup(t);
  const { tokens, idClaims } = await signInAtApp(server, app, person);
  t.is((await api(server, 'POST', '/auth/logout-all', { token: tokens.access_token })).status, 204);
  await verifyLogoutToken(t, server, receiver, { clientId: app.client.client_id, sid: idClaims.sid, sub: person.id });
});

test('DELETE /auth/sessions/:id delivers a logout token', async (t) => {
  const { server, person, receiver, app } = await setup(t);
  const { tokens, idClaims } = await signInAtApp(server, app, person);
  const ended = await api(server, 'DELETE', `/auth/sessions/${String(idClaims.sid)}`, { token: tokens.access_token });
  t.is(ended.status, 204);
  await verifyLogoutToken(t, server, receiver, { clientId: app.client.client_id, sid: idClaims.sid, sub: person.id });
});

test('`tessera users disable` delivers a logout token (the CLI queues it, the running server delivers it)', async (t) => {
  const { server, person, receiver, app } = await setup(t);
  const { idClaims } = await signInAtApp(server, app, person);
  const disabled = await cliJson<{ disabled: boolean }>(['users', 'disable', person.id], cliEnv(server));
  t.true(disabled.disabled);
  await verifyLogoutToken(t, server, receiver, { clientId: app.client.client_id, sid: idClaims.sid, sub: person.id });
});

test('only the apps that got an ID token in the session and registered a logout URI are told', async (t) => {
  const { server, person, receiver, app } = await setup(t);
  const silent = await appClient(server, { name: 'no-uri' });
  const { jar, idClaims, tokens } = await signInAtApp(server, app, person);
  await signInAtApp(server, silent, person, jar);
  t.is((await api(server, 'POST', '/auth/logout-all', { token: tokens.access_token })).status, 204);
  await verifyLogoutToken(t, server, receiver, { clientId: app.client.client_id, sid: idClaims.sid, sub: person.id });
  await waitFor(async () => (await pendingLogouts(server.services.db)).length === 0, DELIVERY_WAIT_MS);
  t.is(receiver.received.length, 1, 'one token, for the app that listens');
});

test('a receiver that is down at first gets the token once it is back', async (t) => {
  const { server, person, receiver, app } = await setup(t);
  const { tokens, idClaims } = await signInAtApp(server, app, person);
  await receiver.stop();
  t.is((await api(server, 'POST', '/auth/logout-all', { token: tokens.access_token })).status, 204);
  // A first attempt fails (connection refused) and is scheduled again with backoff.
  await waitFor(async () => (await pendingLogouts(server.services.db))[0]?.attempts === 1, DELIVERY_WAIT_MS);
  const [pending] = await pendingLogouts(server.services.db);
  t.truthy(pending?.last_error);
  t.is(receiver.received.length, 0);
  await receiver.up();
  await verifyLogoutToken(t, server, receiver, { clientId: app.client.client_id, sid: idClaims.sid, sub: person.id });
  await waitFor(async () => (await pendingLogouts(server.services.db)).length === 0, DELIVERY_WAIT_MS);
});

test('a pending logout token survives a server restart and is delivered by the next server', async (t) => {
  const { server, person, receiver, app } = await setup(t);
  const { tokens, idClaims } = await signInAtApp(server, app, person);
  await receiver.stop();
  t.is((await api(server, 'POST', '/auth/logout-all', { token: tokens.access_token })).status, 204);
  await waitFor(async () => ((await pendingLogouts(server.services.db))[0]?.attempts ?? 0) >= 1, DELIVERY_WAIT_MS);
  await server.close();
  await receiver.up();
  t.is(receiver.received.length, 0, 'nothing delivered while no server ran');
  // A new server on the same database file and keys.
  const next = await startAccountServer(t, { dir: server.dir });
  await verifyLogoutToken(t, next, receiver, { clientId: app.client.client_id, sid: idClaims.sid, sub: person.id });
  await waitFor(async () => (await pendingLogouts(next.services.db)).length === 0, DELIVERY_WAIT_MS);
});

test('the request that ends a session does not wait for a receiver that hangs', async (t) => {
  const { server, person, receiver, app } = await setup(t);
  receiver.hang();
  const first = await signInAtApp(server, app, person);
  const second = await signInAtApp(server, app, person);
  // The receiver answers nothing until released, and it is released only after the responses
  // below have arrived: an ending request that waited for it would never complete.
  const ended = await api(server, 'DELETE', `/auth/sessions/${String(first.idClaims.sid)}`, { token: first.tokens.access_token });
  t.is(ended.status, 204);
  await waitFor(() => receiver.holding === 1, DELIVERY_WAIT_MS);
  // While that delivery hangs, another session ends just as promptly.
  const endedToo = await get(second.jar, `${server.url}/end-session?${new URLSearchParams({ id_token_hint: second.tokens.id_token!, post_logout_redirect_uri: APP_LOGGED_OUT })}`);
  t.is(endedToo.status, 303);
  t.true(receiver.holding >= 1, 'the first delivery is still hanging');
  receiver.release();
  await verifyLogoutToken(t, server, receiver, { clientId: app.client.client_id, sid: first.idClaims.sid, sub: person.id });
  await waitFor(async () => (await pendingLogouts(server.services.db)).length === 0, DELIVERY_WAIT_MS);
  const sids = new Set(receiver.received.map((received) => JSON.parse(Buffer.from(received.logoutToken!.split('.')[1]!, 'base64url').toString()).sid as string));
  t.deepEqual(sids, new Set([first.idClaims.sid as string, second.idClaims.sid as string]));
});
