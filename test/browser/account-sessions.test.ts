// Acceptance 2 of the account pages (docs/account.md): two browsers signed in; /account/sessions
// lists both with their device in words; "Sign out" on the other ends it and what its app got;
// another person's session is a 404; "Sign out everywhere" ends every session, this one too.
import * as oidc from 'openid-client';
import { api, login, newPerson, signUp, startAccountServer } from '../helpers/accounts.js';
import { registerClient } from '../helpers/server.js';
import { csrfOf, signInAtAccount, whereIs } from './account.js';
import { atApp, authorizationRequest, browserTest, discover, openPage, redeem, startApp } from './chromium.js';

const FIREFOX = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0';

browserTest('the sessions page lists both browsers; Sign out ends the other and its tokens; Sign out everywhere ends all', async (t) => {
  const server = await startAccountServer(t);
  const person = await signUp(server);
  const app = await startApp(t);
  const client = await registerClient(server, { name: 'Notes', redirectUris: [app.callback], firstParty: true });
  const config = await discover(server, client);

  const here = await openPage(t);
  const there = await openPage(t, { userAgent: FIREFOX });
  await signInAtAccount(here.page, server, person, '/account/sessions');
  await signInAtAccount(there.page, server, person);
  // The other browser signs in to an app too: its refresh token hangs off that browser's session.
  const request = await authorizationRequest(config, app.callback);
  await there.page.goto(request.url.toString());
  await there.page.waitForURL(atApp(app));
  const appTokens = await redeem(config, new URL(there.page.url()), request);
  const apiTokens = await login(server, person);

  await here.page.reload();
  const sessions = here.page.locator('li.session');
  t.is(await sessions.count(), 3, 'both browsers and the API sign-in; the app sign-in is part of its browser');
  const current = here.page.locator('li.session-current');
  t.is(await current.count(), 1);
  t.regex((await current.locator('h2').textContent()) ?? '', /^Chrome on Linux\s+This browser$/);
  t.is(await current.locator('dd').nth(2).textContent(), 'Now');
  const firefox = here.page.locator('li.session', { hasText: 'Firefox on Windows' });
  t.is(await firefox.count(), 1);
  t.is(await firefox.locator('dd').first().textContent(), '127.0.0.1');
  t.truthy(await firefox.locator('time').first().getAttribute('datetime'));

  // Sign out the other browser.
  const ended = here.page.waitForResponse((response) => response.request().method() === 'POST' && new URL(response.url()).pathname === '/account/sessions');
  await firefox.getByRole('button', { name: 'Sign out Firefox on Windows' }).click();
  t.is((await ended).status(), 303);
  await here.page.waitForURL((url) => url.search === '?done=sessionEnded');
  t.is(await here.page.locator('li.session', { hasText: 'Firefox on Windows' }).count(), 0);
  t.is(await here.page.locator('li.session').count(), 2);
  const live = await server.services.signOut.listOwn(person.id);
  t.is(live.filter((session) => session.parentId !== null).length, 0, "the app's session under the other browser ended with it");
  await t.throwsAsync(oidc.refreshTokenGrant(config, appTokens.refresh_token!), { instanceOf: oidc.ResponseBodyError }, "the other browser's app token fails");
  await there.page.goto(`${server.config.issuer}/account`);
  t.is(new URL(there.page.url()).pathname, '/login', 'the other browser is signed out');
  t.is((await api(server, 'POST', '/auth/refresh', { body: { refresh_token: apiTokens.refresh_token } })).status, 200, 'the API session is untouched');

  // Another person's session, and a made-up one: 404, and nothing ends.
  const stranger = await signUp(server, newPerson('Eve'));
  const strangerTokens = await login(server, stranger);
  const strangerSessions = await api(server, 'GET', '/auth/sessions', { token: strangerTokens.access_token });
  const strangerSession = strangerSessions.body.sessions[0].id as string;
  const csrf = await csrfOf(here.page);
  for (const session of [strangerSession, 'no-such-session']) {
    const response = await here.page.request.post(`${server.config.issuer}/account/sessions`, { form: { csrf, session }, maxRedirects: 0 });
    t.is(response.status(), 404, session);
    t.regex(await response.text(), /Page not found/);
  }
  t.is((await api(server, 'GET', '/auth/sessions', { token: strangerTokens.access_token })).status, 200, "the other person's session lives on");

  // Everywhere: this browser too, then a page that leads back in.
  await here.page.getByRole('button', { name: 'Sign out everywhere' }).click();
  await here.page.waitForURL((url) => url.pathname === '/account/signed-out');
  t.is(await here.page.textContent('h1'), 'You are signed out');
  t.is((await api(server, 'POST', '/auth/refresh', { body: { refresh_token: apiTokens.refresh_token } })).status, 401, 'the API session ended');
  await here.page.getByRole('link', { name: 'Sign in again' }).click();
  await here.page.waitForURL((url) => url.pathname === '/login');
  t.false((await here.context.cookies()).some((cookie) => cookie.name === 'tessera_session' && cookie.value !== ''));
  t.not(whereIs(here.page), '/account');
});

browserTest('Sign out on the account page ends this browser session and leads to the signed-out page', async (t) => {
  const server = await startAccountServer(t);
  const person = await signUp(server);
  const { page } = await openPage(t);
  await signInAtAccount(page, server, person);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL((url) => url.pathname === '/account/signed-out');
  const live = await server.services.signOut.listOwn(person.id);
  t.is(live.length, 0);
  await page.goto(`${server.config.issuer}/`);
  t.is(new URL(page.url()).pathname, '/login', '/ leads to /account, which asks to sign in');
});
