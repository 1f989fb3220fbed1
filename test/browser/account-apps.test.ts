// Acceptance 3 of the account pages (docs/account.md): after consenting to a third-party app,
// /account/apps lists it with its scopes in words; "Remove access" makes its tokens inactive at
// introspection and the consent page comes back at its next sign-in. Unknown apps are a 404.
import { signUp, startAccountServer } from '../helpers/accounts.js';
import { introspect } from '../helpers/http.js';
import { registerClient } from '../helpers/server.js';
import { csrfOf } from './account.js';
import { atApp, authorizationRequest, browserTest, discover, openPage, redeem, startApp, submitPassword } from './chromium.js';

browserTest('a consented app is listed with its scopes in words; Remove access ends its tokens and asks for consent again', async (t) => {
  const server = await startAccountServer(t);
  const person = await signUp(server);
  const app = await startApp(t);
  const thirdParty = await registerClient(server, { name: 'Photo Printer', redirectUris: [app.callback], scope: 'openid profile email', firstParty: false });
  const config = await discover(server, thirdParty);
  const { page } = await openPage(t);

  const first = await authorizationRequest(config, app.callback, { scope: 'openid email' });
  await page.goto(first.url.toString());
  await submitPassword(page, person);
  await page.waitForURL((url) => url.pathname === '/consent');
  await page.getByRole('button', { name: 'Allow' }).click();
  await page.waitForURL(atApp(app));
  const tokens = await redeem(config, new URL(page.url()), first);
  t.like(await introspect(server.url, thirdParty, tokens.access_token), { active: true });

  // The browser is signed in already: the apps page opens at once.
  await page.goto(`${server.config.issuer}/account/apps`);
  t.is(new URL(page.url()).pathname, '/account/apps');
  const listed = page.locator('li.app');
  t.is(await listed.count(), 1);
  t.is(await listed.locator('h2').textContent(), 'Photo Printer');
  t.deepEqual(await listed.locator('ul li').allTextContents(), ['See your email address and whether it is verified', 'Know who you are (your account identifier)']);

  // Unknown app: 404 and nothing removed.
  const response = await page.request.post(`${server.config.issuer}/account/apps`, { form: { csrf: await csrfOf(page), client_id: 'no-such-app' }, maxRedirects: 0 });
  t.is(response.status(), 404);
  t.like(await introspect(server.url, thirdParty, tokens.access_token), { active: true });

  await listed.getByRole('button', { name: 'Remove access for Photo Printer' }).click();
  await page.waitForURL((url) => url.search === '?done=appRemoved');
  t.is(await page.locator('li.app').count(), 0);
  t.regex((await page.textContent('main')) ?? '', /You have not allowed any app yet/);
  t.deepEqual(await introspect(server.url, thirdParty, tokens.access_token), { active: false }, 'its access token is inactive');
  t.deepEqual(await introspect(server.url, thirdParty, tokens.refresh_token!), { active: false }, 'its refresh token too');

  const again = await authorizationRequest(config, app.callback, { scope: 'openid email' });
  await page.goto(again.url.toString());
  t.is(new URL(page.url()).pathname, '/consent', 'the app asks for consent again');
});
