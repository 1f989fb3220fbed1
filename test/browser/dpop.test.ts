// The authorization code flow in Chromium with openid-client's DPoP handle (RFC 9449): the tokens
// the relying party redeems are bound to its key, UserInfo takes them with a proof only, and the
// refresh of a public client needs the same key.
import { randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, createRemoteJWKSet, exportJWK, generateKeyPair, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { introspect } from '../helpers/http.js';
import { registerClient, startTestServer, TEST_ACTOR, type TestServer } from '../helpers/server.js';
import { atApp, authorizationRequest, browserTest, discover, openPage, startApp, submitPassword } from './chromium.js';

async function person(server: TestServer) {
  const credentials = { email: `dpop.${randomUUID()}@example.com`, password: 'correct horse battery staple' };
  const user = await server.services.users.create({ ...credentials, name: 'Dee', verified: true }, TEST_ACTOR);
  return { ...credentials, id: user.id };
}

browserTest('openid-client with a DPoP handle signs a person in through the hosted page and gets DPoP-bound tokens', async (t) => {
  const server = await startTestServer(t);
  const who = await person(server);
  const app = await startApp(t);
  const client = await registerClient(server, { name: 'dpop-app', redirectUris: [app.callback], firstParty: true });
  const config = await discover(server, client);
  const key = await generateKeyPair('ES256', { extractable: true });
  const dpop = oidc.getDPoPHandle(config, key);
  const request = await authorizationRequest(config, app.callback);

  const { page } = await openPage(t);
  await page.goto(request.url.toString());
  await submitPassword(page, who);
  await page.waitForURL(atApp(app));
  const tokens = await oidc.authorizationCodeGrant(config, new URL(page.url()), { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce }, undefined, { DPoP: dpop });

  t.is(tokens.token_type, 'dpop');
  const jkt = await calculateJwkThumbprint(await exportJWK(key.publicKey));
  const jwks = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri!));
  const { payload } = await jwtVerify(tokens.access_token, jwks, { issuer: server.config.issuer, typ: 'at+jwt' });
  t.deepEqual(payload.cnf, { jkt }, 'cnf.jkt is the RFC 7638 thumbprint of the proof key');
  t.like(await introspect(server.url, client, tokens.access_token), { active: true, token_type: 'DPoP', cnf: { jkt } });

  t.like(await oidc.fetchUserInfo(config, tokens.access_token, who.id, { DPoP: dpop }), { sub: who.id, email: who.email });
  const asBearer = await t.throwsAsync(oidc.fetchUserInfo(config, tokens.access_token, who.id));
  t.truthy(asBearer, 'the same token as Bearer is refused');
  const plain = await fetch(`${server.url}/userinfo`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
  t.is(plain.status, 401);
  t.regex(plain.headers.get('www-authenticate') ?? '', /^DPoP error="invalid_token"/);
});

browserTest("a public client's code flow with DPoP: its refresh token needs a proof of the same key", async (t) => {
  const server = await startTestServer(t);
  const who = await person(server);
  const app = await startApp(t);
  const client = await registerClient(server, { name: 'dpop-spa', redirectUris: [app.callback], public: true, firstParty: true });
  const config = await discover(server, client);
  const dpop = oidc.getDPoPHandle(config, await generateKeyPair('ES256', { extractable: true }));
  const request = await authorizationRequest(config, app.callback);

  const { page } = await openPage(t);
  await page.goto(request.url.toString());
  await submitPassword(page, who);
  await page.waitForURL(atApp(app));
  const callback = new URL(page.url());
  const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce }, undefined, { DPoP: dpop });
  t.is(tokens.token_type, 'dpop');
  t.truthy(tokens.refresh_token);

  const otherKey = oidc.getDPoPHandle(config, await generateKeyPair('ES256', { extractable: true }));
  const stolen = await t.throwsAsync(oidc.refreshTokenGrant(config, tokens.refresh_token!, undefined, { DPoP: otherKey }), { instanceOf: oidc.ResponseBodyError });
  t.is(stolen?.error, 'invalid_grant');
  const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!, undefined, { DPoP: dpop });
  t.is(refreshed.token_type, 'dpop');
  t.truthy(await oidc.fetchUserInfo(config, refreshed.access_token, who.id, { DPoP: dpop }));
});
