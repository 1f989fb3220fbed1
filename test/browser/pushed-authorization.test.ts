// Pushed authorization requests (RFC 9126) in a real browser: openid-client's
// buildAuthorizationUrlWithPAR signs a person in through the hosted page, and the request_uri it
// used is spent; a client registered with --require-par gets there only this way.
import * as oidc from 'openid-client';
import { signUp, startAccountServer } from '../helpers/accounts.js';
import { registerClient } from '../helpers/server.js';
import { atApp, browserTest, discover, openPage, redeem, startApp, submitPassword } from './chromium.js';

browserTest('openid-client buildAuthorizationUrlWithPAR signs a person in; the request_uri works once', async (t) => {
  const server = await startAccountServer(t);
  const person = await signUp(server);
  const app = await startApp(t);
  const client = await registerClient(server, { name: 'par-app', redirectUris: [app.callback], requirePar: true, firstParty: true });
  const config = await discover(server, client);
  t.is(config.serverMetadata().pushed_authorization_request_endpoint, `${server.config.issuer}/par`);

  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = await oidc.buildAuthorizationUrlWithPAR(config, {
    redirect_uri: app.callback,
    scope: 'openid email',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  t.deepEqual([...url.searchParams.keys()].sort(), ['client_id', 'request_uri'], 'nothing but the reference travels through the browser');

  const { page } = await openPage(t);
  await page.goto(url.toString());
  await page.waitForURL((at) => at.pathname === '/login');
  await submitPassword(page, person);
  await page.waitForURL(atApp(app));
  const callback = new URL(page.url());
  const tokens = await redeem(config, callback, { url, verifier, state, nonce });
  t.is(tokens.claims()?.sub, person.id);
  t.is(tokens.claims()?.nonce, nonce);

  // The same URL again, in the same browser (signed in): the request_uri is spent.
  const again = await page.goto(url.toString());
  t.is(again?.status(), 400);
  t.false(atApp(app)(new URL(page.url())), 'no redirect to the app');

  // Without PAR this client is sent back with invalid_request.
  const direct = oidc.buildAuthorizationUrl(config, { redirect_uri: app.callback, scope: 'openid', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', state: 's2' });
  await page.goto(direct.toString());
  await page.waitForURL(atApp(app));
  const refused = new URL(page.url());
  t.is(refused.searchParams.get('error'), 'invalid_request');
  t.is(refused.searchParams.get('state'), 's2');
});
