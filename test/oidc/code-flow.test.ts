// The authorization code flow at the protocol level, driven by openid-client with a scripted
// browser (cookie jar + form posts). The same flow in Chromium lives in test/browser/.
import test from 'ava';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { atHash } from '../../src/domain/tokens/id-tokens.js';
import { signUp, startAccountServer, type AccountServer } from '../helpers/accounts.js';
import { CookieJar, get, signInThroughPages } from '../helpers/browserless.js';
import { introspect, postForm as postOAuthForm } from '../helpers/http.js';
import { ManualClock, registerClient } from '../helpers/server.js';

const REDIRECT = 'https://app.example.com/callback';

async function oidcClient(server: AccountServer, options: Parameters<typeof registerClient>[1] = {}) {
  const client = await registerClient(server, { redirectUris: [REDIRECT], postLogoutRedirectUris: ['https://app.example.com/bye'], firstParty: true, ...options });
  const config = await oidc.discovery(new URL(server.config.issuer), client.client_id, client.client_secret, oidc.ClientSecretBasic(client.client_secret), { execute: [oidc.allowInsecureRequests] });
  return { client, config };
}

async function authorizeUrl(config: oidc.Configuration, extra: Record<string, string> = {}) {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT,
    scope: 'openid profile email',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...extra,
  });
  return { url, verifier, state, nonce };
}

test('openid-client: code + PKCE through the hosted page; the ID token verifies; UserInfo follows the scopes; refresh rotates', async (t) => {
  const server = await startAccountServer(t);
  const person = await signUp(server);
  const { client, config } = await oidcClient(server, { accessTokenAlg: 'RS256' });
  const { url, verifier, state, nonce } = await authorizeUrl(config);
  const jar = new CookieJar();
  const callback = await signInThroughPages(jar, server.url, url.toString(), person);
  t.is(`${callback.origin}${callback.pathname}`, REDIRECT);
  t.is(callback.searchParams.get('iss'), server.config.issuer);
  t.is(callback.searchParams.get('state'), state);

  const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
  t.truthy(tokens.refresh_token);
  const jwks = createRemoteJWKSet(new URL(`${server.config.issuer}/.well-known/jwks.json`));
  const { payload, protectedHeader } = await jwtVerify(tokens.id_token!, jwks, { issuer: server.config.issuer, audience: client.client_id });
  t.is(protectedHeader.alg, 'RS256');
  t.is(payload.sub, person.id);
  t.is(payload.nonce, nonce);
  t.is(payload.at_hash, atHash(tokens.access_token));
  t.deepEqual(payload.amr, ['pwd']);
  t.is(typeof payload.sid, 'string');
  t.true(Math.abs((payload.auth_time as number) - Date.now() / 1000) < 30);

  const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, person.id);
  t.deepEqual(userinfo, { sub: person.id, email: person.email, email_verified: true, name: person.name });

  const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
  t.not(refreshed.refresh_token, tokens.refresh_token);
  const replay = await postOAuthForm(`${server.url}/token`, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token! }, { authorization: `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}` });
  t.is(replay.status, 400);
  t.is(((await replay.json()) as { error: string }).error, 'invalid_grant');
  t.deepEqual(await introspect(server.url, client, refreshed.refresh_token!), { active: false }, 'the family is revoked');
});

test('UserInfo returns exactly the claims of the granted scopes', async (t) => {
  const server = await startAccountServer(t);
  const person = await signUp(server);
  const { config } = await oidcClient(server);
  for (const [scope, expected] of [
    ['openid', { sub: person.id }],
    ['openid email', { sub: person.id, email: person.email, email_verified: true }],
    ['openid profile', { sub: person.id, name: person.name }],
  ] as const) {
    const { url, verifier, state, nonce } = await authorizeUrl(config, { scope });
    const callback = await signInThroughPages(new CookieJar(), server.url, url.toString(), person);
    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
    t.deepEqual(await oidc.fetchUserInfo(config, tokens.access_token, person.id), expected, scope);
  }
});

test('a replayed code is invalid_grant and revokes what the first redemption issued; 50 parallel redemptions give one 200', async (t) => {
  const server = await startAccountServer(t);
  const person = await signUp(server);
  const { client, config } = await oidcClient(server);
  const auth = { authorization: `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}` };

  const first = await authorizeUrl(config);
  const jar = new CookieJar();
  const callback = await signInThroughPages(jar, server.url, first.url.toString(), person);
  const redeem = (code: string, verifier: string) => postOAuthForm(`${server.url}/token`, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier }, auth);
  const ok = await redeem(callback.searchParams.get('code')!, first.verifier);
  t.is(ok.status, 200);
  const issued = (await ok.json()) as { access_token: string; refresh_token: string };
  const replay = await redeem(callback.searchParams.get('code')!, first.verifier);
  t.is(replay.status, 400);
  t.is(((await replay.json()) as { error: string }).error, 'invalid_grant');
  t.deepEqual(await introspect(server.url, client, issued.access_token), { active: false });
  t.deepEqual(await introspect(server.url, client, issued.refresh_token), { active: false });

  // The browser session is still there: the next code comes without a password.
  const second = await authorizeUrl(config);
  const silent = await get(jar, second.url.toString());
  const code = new URL(silent.headers.get('location')!).searchParams.get('code')!;
  const results = await Promise.all(Array.from({ length: 50 }, () => redeem(code, second.verifier)));
  t.is(results.filter((r) => r.status === 200).length, 1, 'exactly one redemption wins');
});

test('the code is bound to its client, redirect_uri and verifier, and lives 60 s', async (t) => {
  const clock = new ManualClock();
  const server = await startAccountServer(t, { clock });
  const person = await signUp(server);
  const { client, config } = await oidcClient(server);
  const other = await registerClient(server, { redirectUris: [REDIRECT] });
  const { url, verifier } = await authorizeUrl(config);
  const callback = await signInThroughPages(new CookieJar(), server.url, url.toString(), person);
  const code = callback.searchParams.get('code')!;
  const basicOf = (c: { client_id: string; client_secret: string }) => ({ authorization: `Basic ${Buffer.from(`${c.client_id}:${c.client_secret}`).toString('base64')}` });
  const attempt = async (form: Record<string, string>, who = client) => {
    const response = await postOAuthForm(`${server.url}/token`, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier, ...form }, basicOf(who));
    return { status: response.status, error: ((await response.json()) as { error?: string }).error };
  };
  t.deepEqual(await attempt({}, other), { status: 400, error: 'invalid_grant' }, "another client's code");
  t.deepEqual(await attempt({ redirect_uri: 'https://app.example.com/callback/' }), { status: 400, error: 'invalid_grant' }, 'redirect_uri mismatch');
  t.deepEqual(await attempt({ code_verifier: 'x'.repeat(43) }), { status: 400, error: 'invalid_grant' }, 'wrong verifier');
  t.deepEqual(await attempt({ code_verifier: '' }), { status: 400, error: 'invalid_grant' }, 'no verifier (a PKCE downgrade)');
  clock.advance(60_000);
  t.deepEqual(await attempt({}), { status: 400, error: 'invalid_grant' }, 'expired after 60 s');
});

test('a code that is still fresh is redeemed after the failures above did not spend it', async (t) => {
  const server = await startAccountServer(t);
  const person = await signUp(server);
  const { client, config } = await oidcClient(server);
  const { url, verifier } = await authorizeUrl(config);
  const callback = await signInThroughPages(new CookieJar(), server.url, url.toString(), person);
  const basic = { authorization: `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}` };
  const redeem = (codeVerifier: string) =>
    postOAuthForm(`${server.url}/token`, { grant_type: 'authorization_code', code: callback.searchParams.get('code')!, redirect_uri: REDIRECT, code_verifier: codeVerifier }, basic);
  t.is((await redeem('y'.repeat(43))).status, 400);
  t.is((await redeem(verifier)).status, 200);
});

test('prompt=none without a session is login_required; with one a code comes without any page; prompt=login and max_age=0 ask again', async (t) => {
  const server = await startAccountServer(t);
  const person = await signUp(server);
  const { config } = await oidcClient(server);
  const jar = new CookieJar();
  const none = await get(jar, (await authorizeUrl(config, { prompt: 'none' })).url.toString());
  t.is(none.status, 303);
  const noneUrl = new URL(none.headers.get('location')!);
  t.is(noneUrl.searchParams.get('error'), 'login_required');
  t.is(noneUrl.searchParams.get('iss'), server.config.issuer);

  await signInThroughPages(jar, server.url, (await authorizeUrl(config)).url.toString(), person);
  const silent = await get(jar, (await authorizeUrl(config, { prompt: 'none' })).url.toString());
  t.truthy(new URL(silent.headers.get('location')!).searchParams.get('code'));

  const forceSignIn: Array<Record<string, string>> = [{ prompt: 'login' }, { max_age: '0' }];
  for (const extra of forceSignIn) {
    const again = await get(jar, (await authorizeUrl(config, extra)).url.toString());
    t.is(new URL(again.headers.get('location')!, server.url).pathname, '/login', JSON.stringify(extra));
  }
});

test('bad redirect_uris get an error page and no redirect; other errors are redirected with state and iss', async (t) => {
  const server = await startAccountServer(t);
  const { client } = await oidcClient(server);
  const base = { response_type: 'code', client_id: client.client_id, scope: 'openid', state: 'xyz', code_challenge: 'a'.repeat(43), code_challenge_method: 'S256' };
  const authorize = (params: Record<string, string>) => fetch(`${server.url}/authorize?${new URLSearchParams(params)}`, { redirect: 'manual' });
  for (const redirectUri of [
    `${REDIRECT}/`, REDIRECT.toUpperCase(), `${REDIRECT}?x=1`, 'https://app.example.com:8443/callback', 'https://app.example.com@evil.com/callback',
    'https://app.example.com.evil.com/callback', 'http://app.example.com/callback', 'https://evil.com/callback',
  ]) {
    const response = await authorize({ ...base, redirect_uri: redirectUri });
    t.is(response.status, 400, redirectUri);
    t.is(response.headers.get('location'), null, `${redirectUri}: no redirect`);
    t.regex(await response.text(), /<html lang="en">/);
  }
  const { redirect_uri: _r, ...noRedirect } = { ...base, redirect_uri: '' };
  t.is((await authorize(noRedirect)).status, 400, 'missing redirect_uri');
  t.is((await authorize({ ...base, client_id: 'unknown', redirect_uri: REDIRECT })).status, 400, 'unknown client');

  const errorOf = async (params: Record<string, string>) => {
    const response = await authorize({ ...base, redirect_uri: REDIRECT, ...params });
    t.is(response.status, 303);
    const location = new URL(response.headers.get('location')!);
    t.is(location.searchParams.get('state'), 'xyz');
    t.is(location.searchParams.get('iss'), server.config.issuer);
    return location.searchParams.get('error');
  };
  t.is(await errorOf({ response_type: 'token' }), 'unsupported_response_type');
  t.is(await errorOf({ scope: 'openid admin' }), 'invalid_scope');
  t.is(await errorOf({ code_challenge: '' }), 'invalid_request', 'no PKCE');
  t.is(await errorOf({ code_challenge_method: 'plain' }), 'invalid_request');
  t.is(await errorOf({ code_challenge: 'short' }), 'invalid_request');
  const duplicated = await fetch(`${server.url}/authorize?${new URLSearchParams({ ...base, redirect_uri: REDIRECT })}&scope=openid`, { redirect: 'manual' });
  t.is(new URL(duplicated.headers.get('location')!).searchParams.get('error'), 'invalid_request', 'duplicate parameter');
  const unknownParam = await authorize({ ...base, redirect_uri: REDIRECT, foo: 'bar' });
  t.is(new URL(unknownParam.headers.get('location')!, server.url).pathname, '/login', 'unknown parameters are ignored');
});
