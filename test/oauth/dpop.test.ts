// DPoP (RFC 9449) over the real server: openid-client's DPoP handle gets bound tokens, the
// resources take them with the DPoP scheme and a proof only, and the proofs hostile clients try
// (RFC 9449 §11: replay, wrong method or URL, stale, another key) are refused.
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import test, { type ExecutionContext } from 'ava';
import { calculateJwkThumbprint, createRemoteJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT, type CryptoKey } from 'jose';
import * as oidc from 'openid-client';
import { CookieJar, signInThroughPages } from '../helpers/browserless.js';
import { POSTGRES_URL } from '../helpers/env.js';
import { basic, introspect, postForm } from '../helpers/http.js';
import { registerClient, startTestServer, TEST_ACTOR, type TestServer } from '../helpers/server.js';

const REDIRECT = 'https://app.example.com/callback';
const insecure = { execute: [oidc.allowInsecureRequests] };

type KeyPair = { privateKey: CryptoKey; publicKey: CryptoKey };
const newKey = (alg = 'ES256'): Promise<KeyPair> => generateKeyPair(alg, { extractable: true });
const thumbprint = async (key: KeyPair) => calculateJwkThumbprint(await exportJWK(key.publicKey));
const ath = (token: string) => createHash('sha256').update(token, 'ascii').digest('base64url');

/** A proof made by hand, to say exactly what is wrong with it. */
async function proof(key: KeyPair, claims: { htm: string; htu: string; ath?: string; iat?: number; jti?: string }, jwkOf: KeyPair = key): Promise<string> {
  return new SignJWT({ iat: Math.floor(Date.now() / 1000), jti: randomUUID(), ...claims })
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: await exportJWK(jwkOf.publicKey) })
    .sign(key.privateKey);
}

const unsigned = (header: object, payload: object) => `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.`;

async function discover(server: TestServer, client: { client_id: string; client_secret?: string }) {
  const auth = client.client_secret ? oidc.ClientSecretBasic(client.client_secret) : oidc.None();
  return oidc.discovery(new URL(server.config.issuer), client.client_id, client.client_secret || undefined, auth, insecure);
}

async function person(server: TestServer) {
  const credentials = { email: `dpop.${randomUUID()}@example.com`, password: 'correct horse battery staple' };
  const user = await server.services.users.create({ ...credentials, name: 'Dee', verified: true }, TEST_ACTOR);
  return { ...credentials, id: user.id };
}

/** A code flow through the hosted pages with openid-client, the code redeemed with `dpop` (if any). */
async function signIn(server: TestServer, config: oidc.Configuration, who: { email: string; password: string }, dpop?: oidc.DPoPHandle) {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(config, { redirect_uri: REDIRECT, scope: 'openid email', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', state });
  const callback = await signInThroughPages(new CookieJar(), server.url, url.toString(), who);
  return oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state }, undefined, dpop ? { DPoP: dpop } : undefined);
}

async function errorOf(response: Response) {
  return { status: response.status, ...((await response.json()) as { error: string; error_description: string }) };
}

test('openid-client gets a DPoP-bound client_credentials token; cnf.jkt is the RFC 7638 thumbprint of the proof key; introspection shows cnf', async (t) => {
  const server = await startTestServer(t);
  const client = await registerClient(server, { scope: 'read' });
  const config = await discover(server, client);
  t.deepEqual(config.serverMetadata().dpop_signing_alg_values_supported, ['ES256', 'ES384', 'PS256', 'RS256', 'EdDSA', 'Ed25519']);

  const key = await newKey();
  const tokens = await oidc.clientCredentialsGrant(config, { scope: 'read' }, { DPoP: oidc.getDPoPHandle(config, key) });
  t.is(tokens.token_type, 'dpop');

  const jwks = createRemoteJWKSet(new URL(`${server.config.issuer}/.well-known/jwks.json`));
  const { payload } = await jwtVerify(tokens.access_token, jwks, { issuer: server.config.issuer, audience: server.config.issuer, typ: 'at+jwt' });
  t.deepEqual(payload.cnf, { jkt: await thumbprint(key) });

  const introspected = await introspect(server.url, client, tokens.access_token);
  t.like(introspected, { active: true, token_type: 'DPoP', cnf: { jkt: await thumbprint(key) } });

  // Without a proof the same client still gets a plain Bearer token, with no cnf (RFC 9449 §5).
  const plain = await oidc.clientCredentialsGrant(config, { scope: 'read' });
  t.is(plain.token_type, 'bearer');
  const plainIntrospected = await introspect(server.url, client, plain.access_token);
  t.is(plainIntrospected.token_type, 'Bearer');
  t.false('cnf' in plainIntrospected);
});

test('the token endpoint refuses hostile proofs with 400 invalid_dpop_proof', async (t) => {
  const server = await startTestServer(t);
  const client = await registerClient(server, { scope: 'read' });
  const auth = { authorization: basic(client.client_id, client.client_secret) };
  const url = `${server.config.issuer}/token`;
  const key = await newKey();
  const other = await newKey();
  const request = (dpop: string | string[]) =>
    fetch(`${server.url}/token`, {
      method: 'POST',
      headers: [['content-type', 'application/x-www-form-urlencoded'], ['authorization', auth.authorization], ...(Array.isArray(dpop) ? dpop : [dpop]).map((value): [string, string] => ['dpop', value])],
      body: 'grant_type=client_credentials',
    });

  const good = await proof(key, { htm: 'POST', htu: url });
  t.is((await request(good)).status, 200);
  const cases: Array<[string, string | string[]]> = [
    ['a replayed jti', good],
    ['a wrong htm', await proof(key, { htm: 'GET', htu: url })],
    ['a wrong htu', await proof(key, { htm: 'POST', htu: `${server.config.issuer}/introspect` })],
    ['a query in htu', await proof(key, { htm: 'POST', htu: `${url}?x=1` })],
    ['an old iat', await proof(key, { htm: 'POST', htu: url, iat: Math.floor(Date.now() / 1000) - 120 })],
    ['a future iat', await proof(key, { htm: 'POST', htu: url, iat: Math.floor(Date.now() / 1000) + 120 })],
    ['signed by another key than its jwk', await proof(other, { htm: 'POST', htu: url }, key)],
    ['two DPoP headers', [await proof(key, { htm: 'POST', htu: url }), await proof(key, { htm: 'POST', htu: url })]],
    ['alg none', unsigned({ alg: 'none', typ: 'dpop+jwt', jwk: await exportJWK(key.publicKey) }, { htm: 'POST', htu: url, iat: Math.floor(Date.now() / 1000), jti: randomUUID() })],
    [
      'a private key in its jwk',
      await new SignJWT({ htm: 'POST', htu: url, iat: Math.floor(Date.now() / 1000), jti: randomUUID() })
        .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: await exportJWK(key.privateKey) })
        .sign(key.privateKey),
    ],
    ['not a JWT', 'not-a-jwt'],
  ];
  for (const [name, dpop] of cases) {
    const answer = await errorOf(await request(dpop));
    t.is(answer.status, 400, name);
    t.is(answer.error, 'invalid_dpop_proof', name);
  }
});

test('a --dpop-bound client gets no token without a proof: 400 invalid_dpop_proof', async (t) => {
  const server = await startTestServer(t);
  const client = await registerClient(server, { scope: 'read', dpopBound: true });
  const config = await discover(server, client);
  const refused = await t.throwsAsync(oidc.clientCredentialsGrant(config, { scope: 'read' }), { instanceOf: oidc.ResponseBodyError });
  t.is(refused?.error, 'invalid_dpop_proof');
  t.is(refused?.status, 400);
  const tokens = await oidc.clientCredentialsGrant(config, { scope: 'read' }, { DPoP: oidc.getDPoPHandle(config, await newKey()) });
  t.is(tokens.token_type, 'dpop');
});

test('the code flow with a DPoP handle: bound tokens; UserInfo and /auth take them with DPoP and refuse them as Bearer', async (t) => {
  const server = await startTestServer(t);
  const who = await person(server);
  const client = await registerClient(server, { redirectUris: [REDIRECT], firstParty: true });
  const config = await discover(server, client);
  const key = await newKey();
  const dpop = oidc.getDPoPHandle(config, key);
  const tokens = await signIn(server, config, who, dpop);
  t.is(tokens.token_type, 'dpop');
  t.like(await introspect(server.url, client, tokens.access_token), { active: true, token_type: 'DPoP', cnf: { jkt: await thumbprint(key) } });

  t.deepEqual(await oidc.fetchUserInfo(config, tokens.access_token, who.id, { DPoP: dpop }), { sub: who.id, email: who.email, email_verified: true });
  const me = await oidc.fetchProtectedResource(config, tokens.access_token, new URL(`${server.config.issuer}/auth/me`), 'GET', undefined, undefined, { DPoP: dpop });
  t.is(me.status, 200);
  t.is(((await me.json()) as { id: string }).id, who.id);

  // The same token as a Bearer token: refused at every resource, with a DPoP challenge (RFC 9449 §7.1).
  for (const path of ['/userinfo', '/auth/me']) {
    const asBearer = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    t.is(asBearer.status, 401, path);
    t.regex(asBearer.headers.get('www-authenticate') ?? '', /^DPoP error="invalid_token", error_description="[^"]+", algs="ES256 [^"]+"$/, path);
    // Sent as DPoP but without a proof.
    const noProof = await fetch(`${server.url}${path}`, { headers: { authorization: `DPoP ${tokens.access_token}` } });
    t.is(noProof.status, 401, path);
    t.regex(noProof.headers.get('www-authenticate') ?? '', /^DPoP error="invalid_dpop_proof"/, path);
  }

  // A confidential client's refresh token is not bound (RFC 9449 §5): no proof, a plain token.
  const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
  t.is(refreshed.token_type, 'bearer');
  t.truthy(await oidc.fetchUserInfo(config, refreshed.access_token, who.id));
  // With a proof of any key, a token bound to that key.
  const otherKey = await newKey();
  const rebound = await oidc.refreshTokenGrant(config, refreshed.refresh_token!, undefined, { DPoP: oidc.getDPoPHandle(config, otherKey) });
  t.is(rebound.token_type, 'dpop');
  t.like(await introspect(server.url, client, rebound.access_token), { cnf: { jkt: await thumbprint(otherKey) } });
});

test('resources refuse hostile proofs of a bound token with 401 and invalid_dpop_proof (or invalid_token for another key)', async (t) => {
  const server = await startTestServer(t);
  const who = await person(server);
  const client = await registerClient(server, { redirectUris: [REDIRECT], firstParty: true });
  const config = await discover(server, client);
  const key = await newKey();
  const token = (await signIn(server, config, who, oidc.getDPoPHandle(config, key))).access_token;
  const userinfo = `${server.config.issuer}/userinfo`;
  const call = (dpop: string, path = '/userinfo', method = 'GET') => fetch(`${server.url}${path}`, { method, headers: { authorization: `DPoP ${token}`, dpop } });

  const good = await proof(key, { htm: 'GET', htu: userinfo, ath: ath(token) });
  t.is((await call(good)).status, 200);
  const refusals: Array<[string, string, string?]> = [
    ['a replayed jti', good],
    ['a wrong htm', await proof(key, { htm: 'POST', htu: userinfo, ath: ath(token) })],
    ['a wrong htu', await proof(key, { htm: 'GET', htu: `${server.config.issuer}/auth/me`, ath: ath(token) })],
    ['a query in htu', await proof(key, { htm: 'GET', htu: `${userinfo}?a=1`, ath: ath(token) })],
    ['an old iat', await proof(key, { htm: 'GET', htu: userinfo, ath: ath(token), iat: Math.floor(Date.now() / 1000) - 300 })],
    ['no ath', await proof(key, { htm: 'GET', htu: userinfo })],
    ['a wrong ath', await proof(key, { htm: 'GET', htu: userinfo, ath: ath(`${token}x`) })],
    ['signed by another key than its jwk', await proof(await newKey(), { htm: 'GET', htu: userinfo, ath: ath(token) }, key)],
  ];
  for (const [name, dpop] of refusals) {
    const response = await call(dpop);
    t.is(response.status, 401, name);
    t.regex(response.headers.get('www-authenticate') ?? '', /^DPoP error="invalid_dpop_proof", error_description="[^"]+", algs="/, name);
    t.is(((await response.json()) as { error: string }).error, 'invalid_dpop_proof', name);
  }
  // A valid proof, but of another key than the token is bound to (cnf.jkt).
  const thief = await newKey();
  const stolen = await call(await proof(thief, { htm: 'GET', htu: userinfo, ath: ath(token) }));
  t.is(stolen.status, 401);
  t.regex(stolen.headers.get('www-authenticate') ?? '', /^DPoP error="invalid_token"/);
  const stolenAtAuth = await call(await proof(thief, { htm: 'GET', htu: `${server.config.issuer}/auth/me`, ath: ath(token) }), '/auth/me');
  t.is(stolenAtAuth.status, 401);
  // And a good proof for /auth/me works there: the URL is the issuer's name of the endpoint.
  t.is((await call(await proof(key, { htm: 'GET', htu: `${server.config.issuer}/auth/me`, ath: ath(token) }), '/auth/me')).status, 200);

  // An unbound token sent with the DPoP scheme is refused too; as Bearer it works as always.
  const plain = (await oidc.refreshTokenGrant(config, (await signIn(server, config, who)).refresh_token!)).access_token;
  const unbound = await fetch(`${server.url}/userinfo`, { headers: { authorization: `DPoP ${plain}`, dpop: await proof(key, { htm: 'GET', htu: userinfo, ath: ath(plain) }) } });
  t.is(unbound.status, 401);
  t.is((await fetch(`${server.url}/userinfo`, { headers: { authorization: `Bearer ${plain}` } })).status, 200);
  const anonymous = await fetch(`${server.url}/userinfo`);
  t.is(anonymous.status, 401);
  t.regex(anonymous.headers.get('www-authenticate') ?? '', /^Bearer realm="tessera", DPoP algs="ES256 /);
});

test("a public client's refresh token is bound to its DPoP key: a refresh needs a proof of that key", async (t) => {
  const server = await startTestServer(t);
  const who = await person(server);
  // First party: no consent page in between (the browserless sign-in does not answer one).
  const client = await registerClient(server, { redirectUris: [REDIRECT], public: true, firstParty: true });
  const config = await discover(server, client);
  const key = await newKey('EdDSA');
  const dpop = oidc.getDPoPHandle(config, key);
  const tokens = await signIn(server, config, who, dpop);
  t.is(tokens.token_type, 'dpop');

  const withoutProof = await t.throwsAsync(oidc.refreshTokenGrant(config, tokens.refresh_token!), { instanceOf: oidc.ResponseBodyError });
  t.is(withoutProof?.error, 'invalid_dpop_proof');
  const otherKey = await t.throwsAsync(oidc.refreshTokenGrant(config, tokens.refresh_token!, undefined, { DPoP: oidc.getDPoPHandle(config, await newKey()) }), {
    instanceOf: oidc.ResponseBodyError,
  });
  t.is(otherKey?.error, 'invalid_grant');

  // Neither attempt spent the token (nor ended the family): the holder of the key still refreshes.
  const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!, undefined, { DPoP: dpop });
  t.is(refreshed.token_type, 'dpop');
  const { payload } = await jwtVerify(refreshed.access_token, createRemoteJWKSet(new URL(`${server.config.issuer}/.well-known/jwks.json`)));
  t.deepEqual(payload.cnf, { jkt: await thumbprint(key) });
  // The rotated token keeps the binding.
  const again = await t.throwsAsync(oidc.refreshTokenGrant(config, refreshed.refresh_token!), { instanceOf: oidc.ResponseBodyError });
  t.is(again?.error, 'invalid_dpop_proof');
  t.truthy((await oidc.refreshTokenGrant(config, refreshed.refresh_token!, undefined, { DPoP: dpop })).access_token);
});

const pgTest = POSTGRES_URL ? test : test.skip;

pgTest('postgres: a proof accepted by one instance is refused by another on the same database', async (t: ExecutionContext) => {
  const first = await startTestServer(t, { dialect: 'postgres' });
  const kek = readFileSync(`${first.config.keysDir}/kek`, 'utf8').trim();
  const second = await startTestServer(t, { databaseUrl: first.config.databaseUrl, env: { ISSUER: first.config.issuer, KEYS_KEK: kek } });
  const client = await registerClient(first, { scope: 'read' });
  const auth = { authorization: basic(client.client_id, client.client_secret) };
  const key = await newKey();
  // Behind a load balancer both instances are the issuer's /token: the proof names that URL.
  const dpop = await proof(key, { htm: 'POST', htu: `${first.config.issuer}/token` });

  const accepted = await postForm(`${first.url}/token`, { grant_type: 'client_credentials' }, { ...auth, dpop });
  t.is(accepted.status, 200);
  t.is(((await accepted.json()) as { token_type: string }).token_type, 'DPoP');
  const replayed = await errorOf(await postForm(`${second.url}/token`, { grant_type: 'client_credentials' }, { ...auth, dpop }));
  t.is(replayed.status, 400);
  t.is(replayed.error, 'invalid_dpop_proof');
  t.regex(replayed.error_description, /used before/);
  // A fresh proof works on the second instance.
  const fresh = await postForm(`${second.url}/token`, { grant_type: 'client_credentials' }, { ...auth, dpop: await proof(key, { htm: 'POST', htu: `${first.config.issuer}/token` }) });
  t.is(fresh.status, 200);
});

test('a browser app may send the DPoP header across origins (CORS preflight)', async (t) => {
  const server = await startTestServer(t, { env: { CORS_ORIGINS: 'https://spa.example.com' } });
  for (const path of ['/token', '/userinfo']) {
    const preflight = await fetch(`${server.url}${path}`, {
      method: 'OPTIONS',
      headers: { origin: 'https://spa.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'dpop, authorization' },
    });
    t.is(preflight.status, 204, path);
    t.regex(preflight.headers.get('access-control-allow-headers') ?? '', /(^|, )DPoP($|,)/, path);
  }
});
