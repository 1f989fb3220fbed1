// Consent for third-party applications: asked once per scope set (in words), asked again for a
// wider set, a denial is access_denied, first-party applications never ask, and the user can list
// and revoke consents through the account API (after which the page asks again).
import type { Page } from 'playwright-core';
import { api, login, signUp, startAccountServer } from '../helpers/accounts.js';
import { introspect } from '../helpers/http.js';
import { registerClient } from '../helpers/server.js';
import { atApp, authorizationRequest, browserTest, discover, openPage, recordNavigations, redeem, startApp, submitPassword, type App } from './chromium.js';

const WORDS = {
  openid: 'Know who you are (your account identifier)',
  email: 'See your email address and whether it is verified',
  profile: 'See your name',
};

const listedScopes = async (page: Page) => (await page.locator('main li').allTextContents()).map((text) => text.trim());

const callbackParams = (page: Page, app: App) => {
  const url = new URL(page.url());
  if (!atApp(app)(url)) throw new Error(`expected the callback, the browser is at ${url.pathname}`);
  return url.searchParams;
};

browserTest('a third-party client shows the consent page once per scope set; Deny is access_denied; a first-party client never asks; consents can be listed and revoked', async (t) => {
  const server = await startAccountServer(t);
  const person = await signUp(server);
  const app = await startApp(t);
  const thirdParty = await registerClient(server, { name: 'Photo Printer', redirectUris: [app.callback], scope: 'openid profile email' });
  const firstParty = await registerClient(server, { name: 'Our Own App', redirectUris: [app.callback], firstParty: true });
  const config = await discover(server, thirdParty);
  const ownConfig = await discover(server, firstParty);
  const { page } = await openPage(t);
  const navigations = recordNavigations(page);
  const consentShown = () => navigations.some((url) => url.pathname === '/consent');

  // First sign-in with "openid email": password, then consent.
  const first = await authorizationRequest(config, app.callback, { scope: 'openid email' });
  await page.goto(first.url.toString());
  await submitPassword(page, person);
  await page.waitForURL((url) => url.pathname === '/consent');
  t.is(await page.textContent('h1'), 'Photo Printer wants to access your account');
  t.deepEqual(await listedScopes(page), [WORDS.openid, WORDS.email], 'the scopes in words, and only those asked for');
  await page.getByRole('button', { name: 'Allow' }).click();
  await page.waitForURL(atApp(app));
  const firstTokens = await redeem(config, new URL(page.url()), first);
  t.is(firstTokens.scope, 'openid email');

  // The same scopes again: straight to the callback.
  navigations.length = 0;
  const again = await authorizationRequest(config, app.callback, { scope: 'openid email' });
  await page.goto(again.url.toString());
  t.truthy(callbackParams(page, app).get('code'));
  t.false(consentShown(), 'consent is remembered for the same scope set');

  // A wider set: asked again; Deny is access_denied with state and iss.
  navigations.length = 0;
  const wider = await authorizationRequest(config, app.callback, { scope: 'openid email profile' });
  await page.goto(wider.url.toString());
  t.is(new URL(page.url()).pathname, '/consent', 'an extra scope shows the consent page again');
  t.deepEqual(await listedScopes(page), [WORDS.openid, WORDS.email, WORDS.profile]);
  await page.getByRole('button', { name: 'Deny' }).click();
  await page.waitForURL(atApp(app));
  const denied = callbackParams(page, app);
  t.is(denied.get('error'), 'access_denied');
  t.is(denied.get('state'), wider.state);
  t.is(denied.get('iss'), server.config.issuer);
  t.is(denied.get('code'), null);

  // A denial is not remembered: the wider set asks again, and Allow records it.
  const widerAgain = await authorizationRequest(config, app.callback, { scope: 'openid email profile' });
  await page.goto(widerAgain.url.toString());
  t.is(new URL(page.url()).pathname, '/consent');
  await page.getByRole('button', { name: 'Allow' }).click();
  await page.waitForURL(atApp(app));
  t.is((await redeem(config, new URL(page.url()), widerAgain)).scope, 'openid email profile');

  // A first-party client never asks, in this browser or in a fresh one.
  navigations.length = 0;
  const own = await authorizationRequest(ownConfig, app.callback);
  await page.goto(own.url.toString());
  t.truthy(callbackParams(page, app).get('code'));
  t.false(consentShown(), 'first-party: no consent page with a session');
  const fresh = await openPage(t);
  const freshNavigations = recordNavigations(fresh.page);
  const ownFresh = await authorizationRequest(ownConfig, app.callback, { scope: 'openid email profile' });
  await fresh.page.goto(ownFresh.url.toString());
  await submitPassword(fresh.page, person);
  await fresh.page.waitForURL(atApp(app));
  t.false(freshNavigations.some((url) => url.pathname === '/consent'), 'first-party: no consent page after the password either');

  // The account API lists the consent and revokes it.
  const { access_token } = await login(server, person);
  const listed = await api(server, 'GET', '/auth/consents', { token: access_token });
  t.is(listed.status, 200);
  t.is(listed.body.consents.length, 1, 'only the third-party client has a consent');
  t.like(listed.body.consents[0], { client_id: thirdParty.client_id, client_name: 'Photo Printer', scope: 'email openid profile' });
  t.false(Number.isNaN(Date.parse(listed.body.consents[0].granted_at)));
  t.like(await introspect(server.url, thirdParty, firstTokens.access_token), { active: true });
  t.is((await api(server, 'DELETE', `/auth/consents/${encodeURIComponent(thirdParty.client_id)}`, { token: access_token })).status, 204);
  t.deepEqual(await introspect(server.url, thirdParty, firstTokens.access_token), { active: false }, "revoking consent ends the application's tokens");
  t.deepEqual(await introspect(server.url, thirdParty, firstTokens.refresh_token!), { active: false });
  t.deepEqual((await api(server, 'GET', '/auth/consents', { token: access_token })).body, { consents: [] });
  t.is((await api(server, 'DELETE', `/auth/consents/${encodeURIComponent(thirdParty.client_id)}`, { token: access_token })).status, 404);

  // After the revocation the consent page shows again (the browser is still signed in).
  const afterRevoke = await authorizationRequest(config, app.callback, { scope: 'openid email' });
  await page.goto(afterRevoke.url.toString());
  t.is(new URL(page.url()).pathname, '/consent', 'a revoked consent is asked for again');
  t.deepEqual(await listedScopes(page), [WORDS.openid, WORDS.email]);
});
