// Two things relying parties found: the access token of a sign-in must work at UserInfo even when
// the client is registered for an API audience (OIDC Core §5.3.1), and ID tokens are RS256 unless
// the client registered otherwise (OIDC Registration §2), apart from the access token's algorithm.
import test from 'ava';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { signUp, startAccountServer, type AccountServer } from '../helpers/accounts.js';
import { CookieJar, signInThroughPages } from '../helpers/browserless.js';
import { clientCredentialsToken } from '../helpers/http.js';
import { registerClient } from '../helpers/server.js';

const REDIRECT = 'https://app.example.com/callback';
const API = 'https://api.example.com';

async function signIn(server: AccountServer, options: Parameters<typeof registerClient>[1]) {
  const person = await signUp(server);
  const client = await registerClient(server, { redirectUris: [REDIRECT], firstParty: true, ...options });
  const config = await oidc.discovery(new URL(server.config.issuer), client.client_id, client.client_secret, oidc.ClientSecretBasic(client.client_secret), { execute: [oidc.allowInsecureRequests] });
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(config, { redirect_uri: REDIRECT, scope: 'openid email profile', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', state });
  const callback = await signInThroughPages(new CookieJar(), server.url, url.toString(), person);
  const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state });
  return { person, client, config, tokens };
}

test('the access token of a client registered for an API works at UserInfo and still verifies for the API', async (t) => {
  const server = await startAccountServer(t);
  const { person, config, tokens } = await signIn(server, { audience: API });

  const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, person.id);
  t.deepEqual(userinfo, { sub: person.id, email: person.email, email_verified: true, name: person.name });

  const jwks = createRemoteJWKSet(new URL(`${server.config.issuer}/.well-known/jwks.json`));
  const { payload } = await jwtVerify(tokens.access_token, jwks, { issuer: server.config.issuer, audience: API, typ: 'at+jwt' });
  t.deepEqual(payload.aud, [API, server.config.issuer], 'RFC 9068 §3: the API and, for openid, the issuer');

  // The refreshed token keeps both audiences.
  const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
  t.deepEqual((await jwtVerify(refreshed.access_token, jwks, { audience: API })).payload.aud, [API, server.config.issuer]);
  t.truthy(await oidc.fetchUserInfo(config, refreshed.access_token, person.id));
});

test('a client_credentials token never works at UserInfo, whatever its audience', async (t) => {
  const server = await startAccountServer(t);
  for (const audience of [undefined, API]) {
    const service = await registerClient(server, { scope: 'read', ...(audience ? { audience } : {}) });
    const token = await clientCredentialsToken(server.url, service);
    const response = await fetch(`${server.url}/userinfo`, { headers: { authorization: `Bearer ${token}` } });
    t.is(response.status, 401);
    t.is(((await response.json()) as { error: string }).error, 'invalid_token');
  }
});

test('a client registered without flags gets RS256 ID tokens and ES256 access tokens; --id-token-alg ES256 changes only the ID token', async (t) => {
  const server = await startAccountServer(t);
  const plain = await signIn(server, {});
  t.is(plain.client.id_token_signed_response_alg, 'RS256');
  t.is(decodeProtectedHeader(plain.tokens.id_token!).alg, 'RS256');
  t.is(decodeProtectedHeader(plain.tokens.access_token).alg, 'ES256');

  const es = await signIn(server, { idTokenAlg: 'ES256', accessTokenAlg: 'RS256' });
  t.is(decodeProtectedHeader(es.tokens.id_token!).alg, 'ES256');
  t.is(decodeProtectedHeader(es.tokens.access_token).alg, 'RS256');
  const refreshed = await oidc.refreshTokenGrant(es.config, es.tokens.refresh_token!);
  t.is(decodeProtectedHeader(refreshed.id_token!).alg, 'ES256', 'a refreshed ID token uses the same algorithm');
});
