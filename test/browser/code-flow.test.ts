// The authorization code flow in a real browser, driven from the relying party's side by the two
// libraries apps use: openid-client v6 (confidential client) and oauth4webapi (public client).
// The first test also takes the screenshot of the sign-in page that docs/sign-in.md shows.
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oauth from 'oauth4webapi';
import * as oidc from 'openid-client';
import { signUp, startAccountServer } from '../helpers/accounts.js';
import { introspect } from '../helpers/http.js';
import { registerClient } from '../helpers/server.js';
import { atApp, authorizationRequest, browserTest, discover, openPage, redeem, startApp, submitPassword } from './chromium.js';

const SCREENSHOT = fileURLToPath(new URL('../../docs/images/sign-in.png', import.meta.url));

/** OIDC Core §3.1.3.6, computed here independently of the provider's code. */
const leftHalfSha256 = (token: string) => createHash('sha256').update(token, 'ascii').digest().subarray(0, 16).toString('base64url');

browserTest('openid-client signs a user in through the hosted page; the ID token verifies; UserInfo follows the scopes; refresh rotates and a replay revokes the family', async (t) => {
  const server = await startAccountServer(t);
  const person = await signUp(server);
  const app = await startApp(t);
  const client = await registerClient(server, { name: 'my-app', redirectUris: [app.callback], postLogoutRedirectUris: [app.bye], firstParty: true });
  const config = await discover(server, client);
  const request = await authorizationRequest(config, app.callback);
  const { page } = await openPage(t);

  const shown = await page.goto(request.url.toString());
  t.is(shown?.status(), 200);
  t.is(new URL(page.url()).pathname, '/login', 'the authorize endpoint sends the browser to the sign-in page');
  t.is(await page.textContent('h1'), 'Sign in to continue to my-app');
  t.is(await page.getAttribute('input[name=email]', 'autocomplete'), 'username webauthn');
  t.is(await page.getAttribute('input[name=password]', 'autocomplete'), 'current-password');
  mkdirSync(dirname(SCREENSHOT), { recursive: true });
  await page.screenshot({ path: SCREENSHOT, fullPage: true });

  const credentialPost = page.waitForResponse((response) => response.request().method() === 'POST' && new URL(response.url()).pathname === '/login');
  await submitPassword(page, person);
  t.is((await credentialPost).status(), 303, '303 after the credential POST, never 307');
  await page.waitForURL(atApp(app));
  const callback = new URL(page.url());
  t.is(callback.searchParams.get('state'), request.state);
  t.is(callback.searchParams.get('iss'), server.config.issuer, 'RFC 9207');
  t.is(app.requests.length, 1);

  const tokens = await redeem(config, callback, request);
  t.is(tokens.token_type.toLowerCase(), 'bearer');
  t.truthy(tokens.refresh_token);
  const jwks = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri!));
  const { payload } = await jwtVerify(tokens.id_token!, jwks, { issuer: server.config.issuer, audience: client.client_id });
  t.is(payload.sub, person.id);
  t.is(payload.nonce, request.nonce);
  t.is(payload.at_hash, leftHalfSha256(tokens.access_token));
  t.is(typeof payload.auth_time, 'number');
  t.true(Math.abs((payload.auth_time as number) - Date.now() / 1000) < 30, 'auth_time is the sign-in just made');
  t.true((payload.auth_time as number) <= payload.iat!);
  t.regex(payload.sid as string, /^\S+$/);
  t.deepEqual(payload.amr, ['pwd']);

  t.deepEqual(await oidc.fetchUserInfo(config, tokens.access_token, person.id), { sub: person.id, email: person.email, email_verified: true, name: person.name });

  const rotated = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
  t.truthy(rotated.refresh_token);
  t.not(rotated.refresh_token, tokens.refresh_token, 'the refresh token rotates');
  t.like(await introspect(server.url, client, rotated.refresh_token!), { active: true, token_type: 'refresh_token' });
  const replay = await t.throwsAsync(oidc.refreshTokenGrant(config, tokens.refresh_token!), { instanceOf: oidc.ResponseBodyError });
  t.is(replay?.error, 'invalid_grant');
  t.deepEqual(await introspect(server.url, client, rotated.refresh_token!), { active: false }, 'the replay revoked the newest token of the family');
  t.deepEqual(await introspect(server.url, client, rotated.access_token), { active: false });
});

browserTest('oauth4webapi, as a public client with PKCE, signs a user in through the hosted page', async (t) => {
  const server = await startAccountServer(t);
  const person = await signUp(server);
  const app = await startApp(t);
  const registered = await registerClient(server, { name: 'spa', redirectUris: [app.callback], public: true, firstParty: true });
  t.is(registered.token_endpoint_auth_method, 'none');
  const resourceServer = await registerClient(server, { name: 'resource server' });
  const insecure = { [oauth.allowInsecureRequests]: true };

  const issuer = new URL(server.config.issuer);
  const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, insecure));
  t.true(as.authorization_response_iss_parameter_supported);
  t.deepEqual(as.code_challenge_methods_supported, ['S256']);
  const client: oauth.Client = { client_id: registered.client_id };
  const clientAuth = oauth.None();

  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const nonce = oauth.generateRandomNonce();
  const authorizeUrl = new URL(as.authorization_endpoint!);
  for (const [name, value] of Object.entries({
    response_type: 'code',
    client_id: client.client_id,
    redirect_uri: app.callback,
    scope: 'openid email',
    state,
    nonce,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  })) {
    authorizeUrl.searchParams.set(name, value);
  }

  const { page } = await openPage(t);
  await page.goto(authorizeUrl.toString());
  await submitPassword(page, person);
  await page.waitForURL(atApp(app));

  const params = oauth.validateAuthResponse(as, client, new URL(page.url()), state);
  const response = await oauth.authorizationCodeGrantRequest(as, client, clientAuth, params, app.callback, verifier, insecure);
  const tokens = await oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: nonce, requireIdToken: true });
  const claims = oauth.getValidatedIdTokenClaims(tokens)!;
  t.is(claims.sub, person.id);
  t.is(claims.nonce, nonce);
  t.deepEqual(claims.amr, ['pwd']);
  const { payload } = await jwtVerify(tokens.id_token!, createRemoteJWKSet(new URL(as.jwks_uri!)), { issuer: server.config.issuer, audience: client.client_id });
  t.is(payload.at_hash, leftHalfSha256(tokens.access_token));
  t.is(tokens.scope, 'openid email');

  const userinfo = await oauth.processUserInfoResponse(as, client, person.id, await oauth.userInfoRequest(as, client, tokens.access_token, insecure));
  t.deepEqual({ ...userinfo }, { sub: person.id, email: person.email, email_verified: true }, 'no name without the profile scope');

  const refreshed = await oauth.processRefreshTokenResponse(as, client, await oauth.refreshTokenGrantRequest(as, client, clientAuth, tokens.refresh_token!, insecure));
  t.not(refreshed.refresh_token, tokens.refresh_token);
  const replay = await t.throwsAsync(
    async () => oauth.processRefreshTokenResponse(as, client, await oauth.refreshTokenGrantRequest(as, client, clientAuth, tokens.refresh_token!, insecure)),
    { instanceOf: oauth.ResponseBodyError },
  );
  t.is(replay?.error, 'invalid_grant');
  t.deepEqual(await introspect(server.url, resourceServer, refreshed.refresh_token!), { active: false }, 'the family is revoked');
});
