// private_key_jwt (RFC 7523 §2.2, §3): openid-client authenticates with ES256, RS256 and Ed25519
// keys registered as `jwks` or published at a `jwks_uri` the test serves, at the token,
// introspection and revocation endpoints; every hostile assertion is 401 invalid_client.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { ExecutionContext } from 'ava';
import test from 'ava';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import * as oidc from 'openid-client';
import { POSTGRES_URL } from '../helpers/env.js';
import { basic, postForm } from '../helpers/http.js';
import { ManualClock, registerClient, startTestServer, TEST_ACTOR, type TestServer } from '../helpers/server.js';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

interface ClientKey {
  privateKey: CryptoKey;
  publicJwk: JWK;
  kid: string;
  alg: 'ES256' | 'RS256' | 'EdDSA';
}

let kids = 0;
async function clientKey(alg: ClientKey['alg'] = 'ES256'): Promise<ClientKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg === 'EdDSA' ? 'Ed25519' : alg, { extractable: true });
  const kid = `key-${(kids += 1)}`;
  return { privateKey, kid, alg, publicJwk: { ...(await exportJWK(publicKey)), kid, use: 'sig' } };
}

/** openid-client, configured by discovery for a private_key_jwt client signing with `key`. */
function rp(server: TestServer, clientId: string, key: ClientKey): Promise<oidc.Configuration> {
  return oidc.discovery(new URL(server.config.issuer), clientId, undefined, oidc.PrivateKeyJwt({ key: key.privateKey, kid: key.kid }), { execute: [oidc.allowInsecureRequests] });
}

/** An assertion made by hand, so each claim can be made wrong on purpose. */
async function assertion(server: TestServer, clientId: string, key: ClientKey, change: { header?: Record<string, unknown>; claims?: Record<string, unknown> } = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const claims = { iss: clientId, sub: clientId, aud: server.config.issuer, jti: crypto.randomUUID(), iat: now, exp: now + 60, ...change.claims };
  for (const [name, value] of Object.entries(claims)) if (value === undefined) delete (claims as Record<string, unknown>)[name];
  return new SignJWT(claims).setProtectedHeader({ alg: key.alg, kid: key.kid, ...change.header }).sign(key.privateKey);
}

const tokenRequest = (server: TestServer, clientAssertion: string, extra: Record<string, string> = {}, headers: Record<string, string> = {}) =>
  postForm(`${server.url}/token`, { grant_type: 'client_credentials', client_assertion_type: ASSERTION_TYPE, client_assertion: clientAssertion, ...extra }, headers);

async function expectInvalidClient(t: ExecutionContext, response: Response, what: string): Promise<void> {
  t.is(response.status, 401, what);
  t.is(((await response.json()) as { error: string }).error, 'invalid_client', what);
}

/** A jwks_uri on loopback: serves `keys`, counts requests, and can be made to misbehave. */
async function startJwksServer(t: ExecutionContext, initial: JWK[]) {
  const state = { keys: initial, fetches: 0, cacheControl: 'max-age=300', handler: undefined as undefined | ((req: IncomingMessage, res: ServerResponse) => void) };
  const server = createServer((req, res) => {
    state.fetches += 1;
    if (state.handler) return state.handler(req, res);
    res.writeHead(200, { 'content-type': 'application/jwk-set+json', 'cache-control': state.cacheControl });
    res.end(JSON.stringify({ keys: state.keys }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return Object.assign(state, { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/jwks.json` });
}

test('openid-client PrivateKeyJwt with ES256 and RS256 keys from --jwks gets tokens, introspects and revokes', async (t) => {
  const server = await startTestServer(t);
  for (const alg of ['ES256', 'RS256'] as const) {
    const key = await clientKey(alg);
    const client = await registerClient(server, { authMethod: 'private_key_jwt', jwks: { keys: [key.publicJwk] }, scope: 'read' });
    t.is(client.token_endpoint_auth_method, 'private_key_jwt');
    t.deepEqual((client.jwks as { keys: JWK[] }).keys[0]!.kid, key.kid);
    t.is(client.client_secret, '', `${alg}: no secret is issued to a private_key_jwt client`);

    const config = await rp(server, client.client_id, key);
    const tokens = await oidc.clientCredentialsGrant(config, { scope: 'read' });
    t.is(tokens.token_type.toLowerCase(), 'bearer');
    t.like(await oidc.tokenIntrospection(config, tokens.access_token), { active: true, client_id: client.client_id, scope: 'read' });
    await oidc.tokenRevocation(config, tokens.access_token);
    t.deepEqual(await oidc.tokenIntrospection(config, tokens.access_token), { active: false }, `${alg}: revoked`);
  }
});

test('an Ed25519 key works too, with the header alg openid-client uses (Ed25519) and with EdDSA', async (t) => {
  const server = await startTestServer(t);
  const key = await clientKey('EdDSA');
  const client = await registerClient(server, { authMethod: 'private_key_jwt', jwks: { keys: [{ ...key.publicJwk, alg: 'EdDSA' }] } });
  const config = await rp(server, client.client_id, key);
  t.truthy((await oidc.clientCredentialsGrant(config)).access_token);
  t.is((await tokenRequest(server, await assertion(server, client.client_id, key, { header: { alg: 'EdDSA' } }))).status, 200);
});

test('keys from a --jwks-uri served by the test: fetched once, cached, refetched once on a new kid, never per request', async (t) => {
  const clock = new ManualClock();
  const server = await startTestServer(t, { clock });
  const first = await clientKey('RS256');
  const jwks = await startJwksServer(t, [first.publicJwk]);
  const client = await registerClient(server, { authMethod: 'private_key_jwt', jwksUri: jwks.url });
  t.is(client.jwks_uri, jwks.url);

  const config = await rp(server, client.client_id, first);
  const tokens = await oidc.clientCredentialsGrant(config);
  t.like(await oidc.tokenIntrospection(config, tokens.access_token), { active: true });
  await oidc.tokenRevocation(config, tokens.access_token);
  for (let i = 0; i < 5; i += 1) await oidc.clientCredentialsGrant(config);
  t.is(jwks.fetches, 1, 'one fetch for eight authentications');

  // The client rotates: publishes a new key and signs with it. Within the cool-down after the
  // last fetch (30 s) the new kid is not looked for; after it, one refetch finds it.
  const second = await clientKey('ES256');
  jwks.keys = [first.publicJwk, second.publicJwk];
  const rotated = await rp(server, client.client_id, second);
  await t.throwsAsync(oidc.clientCredentialsGrant(rotated), { instanceOf: oidc.WWWAuthenticateChallengeError });
  t.is(jwks.fetches, 1);
  clock.advance(31_000);
  t.truthy((await oidc.clientCredentialsGrant(rotated)).access_token);
  t.is(jwks.fetches, 2);

  // A flood of unknown kids: refused, and no refetch within the cool-down.
  const stranger = await clientKey('ES256');
  for (let i = 0; i < 5; i += 1) await expectInvalidClient(t, await tokenRequest(server, await assertion(server, client.client_id, stranger)), 'unknown kid');
  t.is(jwks.fetches, 2, 'unknown kids cause no refetch within the cool-down');

  // Past the Cache-Control max-age (300 s here) the set is fetched again, once.
  clock.advance(301_000);
  const serverNow = Math.floor(clock.now() / 1000);
  for (let i = 0; i < 3; i += 1) t.is((await tokenRequest(server, await assertion(server, client.client_id, first, { claims: { iat: serverNow, exp: serverNow + 60 } }))).status, 200);
  t.is(jwks.fetches, 3);
});

test('a jwks_uri that redirects, answers 10 MB, is not JSON or is down: 401 invalid_client, bounded, no crash', async (t) => {
  const server = await startTestServer(t);
  const key = await clientKey('ES256');
  const cases: Array<[string, (req: IncomingMessage, res: ServerResponse) => void]> = [
    ['redirect', (_req, res) => res.writeHead(302, { location: '/jwks.json' }).end()],
    ['10 MB', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`{"keys":[${'{"kty":"EC"},'.repeat(800_000)}{}]}`);
    }],
    ['not JSON', (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('<html>')],
    ['500', (_req, res) => res.writeHead(500).end()],
  ];
  for (const [what, handler] of cases) {
    const jwks = await startJwksServer(t, [key.publicJwk]);
    jwks.handler = handler;
    const client = await registerClient(server, { authMethod: 'private_key_jwt', jwksUri: jwks.url });
    await expectInvalidClient(t, await tokenRequest(server, await assertion(server, client.client_id, key)), what);
    await expectInvalidClient(t, await tokenRequest(server, await assertion(server, client.client_id, key)), `${what}, again`);
    t.is(jwks.fetches, 1, `${what}: a failed fetch is not repeated within the cool-down`);
  }
  t.is((await fetch(`${server.url}/healthz`)).status, 200);
});

test('a jwks_uri that hangs is given up after the timeout', async (t) => {
  const server = await startTestServer(t);
  const key = await clientKey('ES256');
  const jwks = await startJwksServer(t, [key.publicJwk]);
  jwks.handler = () => {}; // never answers
  const client = await registerClient(server, { authMethod: 'private_key_jwt', jwksUri: jwks.url });
  const started = Date.now();
  await expectInvalidClient(t, await tokenRequest(server, await assertion(server, client.client_id, key)), 'hanging jwks_uri');
  const took = Date.now() - started;
  t.true(took >= 4_500 && took < 8_000, `answered after ${took} ms`);
});

test('hostile assertions are 401 invalid_client', async (t) => {
  const server = await startTestServer(t);
  const key = await clientKey('ES256');
  const client = await registerClient(server, { authMethod: 'private_key_jwt', jwks: { keys: [key.publicJwk] } });
  const id = client.client_id;
  const now = Math.floor(Date.now() / 1000);

  const good = await assertion(server, id, key);
  t.is((await tokenRequest(server, good)).status, 200, 'the assertion is good once');
  await expectInvalidClient(t, await tokenRequest(server, good), 'replayed assertion');
  await expectInvalidClient(t, await postForm(`${server.url}/introspect`, { token: 'x', client_assertion_type: ASSERTION_TYPE, client_assertion: good }), 'replayed at another endpoint');

  t.is((await tokenRequest(server, await assertion(server, id, key, { claims: { aud: `${server.config.issuer}/token` } }))).status, 200, 'aud: the token endpoint');
  t.is((await tokenRequest(server, await assertion(server, id, key, { claims: { aud: ['https://other.example', server.config.issuer] } }))).status, 200, 'aud: an array naming the issuer');
  t.is(
    (await postForm(`${server.url}/introspect`, { token: 'x', client_assertion_type: ASSERTION_TYPE, client_assertion: await assertion(server, id, key, { claims: { aud: `${server.config.issuer}/introspect` } }) })).status,
    200,
    'aud: the endpoint called',
  );

  const other = await clientKey('ES256');
  const otherClient = await registerClient(server, { authMethod: 'private_key_jwt', jwks: { keys: [other.publicJwk] } });
  const hostile: Array<[string, Promise<string>]> = [
    ['wrong aud', assertion(server, id, key, { claims: { aud: 'https://other-server.example' } })],
    ['aud of another endpoint', assertion(server, id, key, { claims: { aud: `${server.config.issuer}/introspect` } })],
    ['expired', assertion(server, id, key, { claims: { iat: now - 600, exp: now - 300 } })],
    ['exp more than 5 minutes ahead', assertion(server, id, key, { claims: { exp: now + 3600 } })],
    ['no exp', assertion(server, id, key, { claims: { exp: undefined } })],
    ['iat in the future', assertion(server, id, key, { claims: { iat: now + 600, exp: now + 660 } })],
    ['no jti', assertion(server, id, key, { claims: { jti: undefined } })],
    ['iss differs from sub', assertion(server, id, key, { claims: { iss: otherClient.client_id } })],
    ['signed by an unregistered key with the registered kid', assertion(server, id, { ...other, kid: key.kid })],
    ['signed by an unregistered key', assertion(server, id, other)],
    ['signed by another client\'s key', assertion(server, id, { ...other, kid: other.kid })],
    ['alg none', Promise.resolve(`${Buffer.from(JSON.stringify({ alg: 'none', kid: key.kid })).toString('base64url')}.${Buffer.from(JSON.stringify({ iss: id, sub: id, aud: server.config.issuer, jti: 'n', exp: now + 60 })).toString('base64url')}.`)],
    [
      'HS256 keyed with the public key',
      new SignJWT({ iss: id, sub: id, aud: server.config.issuer, jti: 'h', exp: now + 60 }).setProtectedHeader({ alg: 'HS256', kid: key.kid }).sign(new TextEncoder().encode(JSON.stringify(key.publicJwk))),
    ],
    ['not a JWT', Promise.resolve('not-a-jwt')],
  ];
  for (const [what, made] of hostile) await expectInvalidClient(t, await tokenRequest(server, await made), what);

  await expectInvalidClient(t, await tokenRequest(server, await assertion(server, id, key), { client_id: otherClient.client_id }), 'client_id differs from sub');
  await expectInvalidClient(t, await tokenRequest(server, await assertion(server, id, key), { client_assertion_type: 'urn:example:other' }), 'unknown assertion type');
  await expectInvalidClient(t, await postForm(`${server.url}/token`, { grant_type: 'client_credentials' }, { authorization: basic(id, 'a-guessed-secret') }), 'a secret sent by a private_key_jwt client (Basic)');
  await expectInvalidClient(t, await postForm(`${server.url}/token`, { grant_type: 'client_credentials', client_id: id, client_secret: 'x' }), 'a secret sent by a private_key_jwt client (post)');
  await expectInvalidClient(t, await postForm(`${server.url}/token`, { grant_type: 'client_credentials', client_id: id }), 'no credentials at all');

  // The other way round: a secret client cannot authenticate with an assertion, even one signed by a key of its own making.
  const secretClient = await registerClient(server);
  await expectInvalidClient(t, await tokenRequest(server, await assertion(server, secretClient.client_id, key)), 'assertion from a client_secret_basic client');

  const both = await tokenRequest(server, await assertion(server, id, key), {}, { authorization: basic(secretClient.client_id, secretClient.client_secret) });
  t.is(both.status, 400, 'two authentication methods at once');
  t.is(((await both.json()) as { error: string }).error, 'invalid_request');
});

test('failed assertions count against the caller\'s IP like failed secrets', async (t) => {
  const server = await startTestServer(t, { env: { RATE_LIMIT_PER_IP: '3', TRUST_PROXY: 'true' } });
  const key = await clientKey('ES256');
  const client = await registerClient(server, { authMethod: 'private_key_jwt', jwks: { keys: [key.publicJwk] } });
  const from = { 'x-forwarded-for': '192.0.2.7' };
  const statuses = [];
  for (let i = 0; i < 4; i += 1) {
    const bad = await assertion(server, client.client_id, key, { claims: { aud: 'https://elsewhere.example' } });
    statuses.push((await tokenRequest(server, bad, {}, from)).status);
  }
  t.deepEqual(statuses, [401, 401, 401, 429]);
  t.is((await tokenRequest(server, await assertion(server, client.client_id, key), {}, from)).status, 200, 'a good assertion is served');
});

test('clients update changes the keys without a new client id; the old key stops working at once', async (t) => {
  const server = await startTestServer(t);
  const oldKey = await clientKey('ES256');
  const newKey = await clientKey('RS256');
  const client = await registerClient(server, { authMethod: 'private_key_jwt', jwks: { keys: [oldKey.publicJwk] } });
  t.is((await tokenRequest(server, await assertion(server, client.client_id, oldKey))).status, 200);
  const updated = await server.services.clients.update(client.client_id, { jwks: { keys: [newKey.publicJwk] } }, TEST_ACTOR);
  t.is(updated.clientId, client.client_id);
  await expectInvalidClient(t, await tokenRequest(server, await assertion(server, client.client_id, oldKey)), 'the old key');
  t.is((await tokenRequest(server, await assertion(server, client.client_id, newKey))).status, 200, 'the new key');

  // From keys to a jwks_uri, still the same client.
  const jwks = await startJwksServer(t, [oldKey.publicJwk]);
  await server.services.clients.update(client.client_id, { jwksUri: jwks.url }, TEST_ACTOR);
  const shown = await server.services.clients.get(client.client_id);
  t.is(shown.jwks, null);
  t.is(shown.jwksUri, jwks.url);
  t.is((await tokenRequest(server, await assertion(server, client.client_id, oldKey))).status, 200);
});

test('discovery announces private_key_jwt and its algorithms', async (t) => {
  const server = await startTestServer(t);
  const metadata = (await (await fetch(`${server.url}/.well-known/openid-configuration`)).json()) as Record<string, string[]>;
  t.true(metadata.token_endpoint_auth_methods_supported!.includes('private_key_jwt'));
  t.true(metadata.introspection_endpoint_auth_methods_supported!.includes('private_key_jwt'));
  t.true(metadata.revocation_endpoint_auth_methods_supported!.includes('private_key_jwt'));
  for (const name of ['token', 'introspection', 'revocation']) {
    t.deepEqual(metadata[`${name}_endpoint_auth_signing_alg_values_supported`], ['ES256', 'RS256', 'EdDSA', 'Ed25519']);
  }
});

const pgTest = POSTGRES_URL ? test : test.skip;

pgTest('postgres: an assertion used on one instance is refused on the other', async (t) => {
  const first = await startTestServer(t, { dialect: 'postgres' });
  const kek = (await import('node:fs')).readFileSync(`${first.config.keysDir}/kek`, 'utf8').trim();
  const second = await startTestServer(t, { databaseUrl: first.config.databaseUrl, env: { ISSUER: first.config.issuer, KEYS_KEK: kek } });
  const key = await clientKey('ES256');
  const client = await registerClient(first, { authMethod: 'private_key_jwt', jwks: { keys: [key.publicJwk] } });
  const once = await assertion(first, client.client_id, key);
  t.is((await tokenRequest(first, once)).status, 200);
  await expectInvalidClient(t, await tokenRequest(second, once), 'replayed on the second instance');
  const again = await assertion(first, client.client_id, key);
  const racing = await Promise.all([tokenRequest(first, again), tokenRequest(second, again), tokenRequest(first, again), tokenRequest(second, again)]);
  t.deepEqual(racing.map((response) => response.status).sort(), [200, 401, 401, 401]);
});
