// RP-Initiated Logout in a real browser: with an id_token_hint and a registered
// post_logout_redirect_uri the session ends at once and the browser goes back with state; an
// unregistered post_logout_redirect_uri is refused without a redirect; without a hint the user
// confirms on a page.
import type { ExecutionContext } from 'ava';
import * as oidc from 'openid-client';
import type { Page } from 'playwright-core';
import { signUp, startAccountServer, type AccountServer, type Person } from '../helpers/accounts.js';
import { introspect, type RegisteredClient } from '../helpers/http.js';
import { registerClient } from '../helpers/server.js';
import { atApp, authorizationRequest, browserTest, discover, openPage, recordNavigations, redeem, startApp, submitPassword, type App } from './chromium.js';

async function signedIn(t: ExecutionContext) {
  const server = await startAccountServer(t);
  const person = await signUp(server);
  const app = await startApp(t);
  const client = await registerClient(server, { redirectUris: [app.callback], postLogoutRedirectUris: [app.bye], firstParty: true });
  const config = await discover(server, client);
  const { page } = await openPage(t);
  const request = await authorizationRequest(config, app.callback);
  await page.goto(request.url.toString());
  await submitPassword(page, person);
  await page.waitForURL(atApp(app));
  const tokens = await redeem(config, new URL(page.url()), request);
  return { server, person, app, client, config, page, tokens };
}

/** The next authorization request shows the sign-in page: the browser session is over. */
async function assertSignedOut(t: ExecutionContext, env: { server: AccountServer; client: RegisteredClient; config: oidc.Configuration; page: Page; app: App; person: Person }, tokens: { access_token: string; refresh_token?: string }) {
  t.deepEqual(await introspect(env.server.url, env.client, tokens.access_token), { active: false }, 'the access token died with the session');
  t.deepEqual(await introspect(env.server.url, env.client, tokens.refresh_token!), { active: false }, 'so did the refresh token');
  const next = await authorizationRequest(env.config, env.app.callback);
  await env.page.goto(next.url.toString());
  t.is(new URL(env.page.url()).pathname, '/login', 'the next authorize shows the sign-in page');
}

browserTest('end-session with an id_token_hint and a registered post_logout_redirect_uri ends the session and redirects with state', async (t) => {
  const env = await signedIn(t);
  const { server, client, config, page, app, tokens } = env;
  t.like(await introspect(server.url, client, tokens.access_token), { active: true });

  const logout = oidc.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: app.bye, state: 'bye-state' });
  await page.goto(logout.toString());
  const landed = new URL(page.url());
  t.true(atApp(app, '/bye')(landed));
  t.is(landed.searchParams.get('state'), 'bye-state');
  t.is(await page.textContent('body'), 'ok');
  await assertSignedOut(t, env, tokens);
});

browserTest('an unregistered post_logout_redirect_uri is refused with a page and no redirect', async (t) => {
  const { server, client, config, page, app, tokens } = await signedIn(t);
  const before = app.requests.length;
  const navigations = recordNavigations(page);
  for (const target of [`${app.origin}/elsewhere`, `${app.bye}/`, 'https://evil.example/bye']) {
    navigations.length = 0;
    const logout = oidc.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: target, state: 's' });
    const response = await page.goto(logout.toString());
    t.is(response?.status(), 400, target);
    t.is(page.url(), logout.toString(), `${target}: the browser stays on the provider`);
    t.is(navigations.length, 1, `${target}: no redirect`);
    t.regex((await page.locator('[role=alert]').textContent()) ?? '', /still signed in/);
    t.regex((await page.locator('details code').textContent()) ?? '', /post_logout_redirect_uri is not registered/);
  }
  t.is(app.requests.length, before, 'the app never heard from the browser');
  t.like(await introspect(server.url, client, tokens.access_token), { active: true }, 'a refused request ends nothing');
});

browserTest('without an id_token_hint the user confirms on a page, then the session is over', async (t) => {
  const env = await signedIn(t);
  const { server, client, config, page, tokens } = env;
  const endpoint = config.serverMetadata().end_session_endpoint!;

  const response = await page.goto(endpoint);
  t.is(response?.status(), 200);
  t.is(await page.textContent('h1'), 'Sign out?');
  t.like(await introspect(server.url, client, tokens.access_token), { active: true }, 'opening the link alone signs no one out');

  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL((url) => url.pathname.endsWith('/done'));
  t.is(await page.textContent('h1'), 'You are signed out');
  await assertSignedOut(t, env, tokens);
});
