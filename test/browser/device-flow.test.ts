// The device authorization grant (RFC 8628) end to end: openid-client plays the device
// (initiateDeviceAuthorization, then pollDeviceAuthorizationGrant) while Chromium plays the person
// on the verification page: following verification_uri_complete, or typing the code at
// verification_uri (lower case, no dash, with a second factor), allowing or denying. Also the
// pages' accessibility in both schemes and widths.
import { generate } from 'otplib';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import type { Page } from 'playwright-core';
import type { Clock } from '../../src/clock.js';
import { DEVICE_CODE_GRANT } from '../../src/domain/clients/client.js';
import { api, login, signUp, startAccountServer } from '../helpers/accounts.js';
import { introspect } from '../helpers/http.js';
import { registerClient } from '../helpers/server.js';
import { signInAtAccount } from './account.js';
import { browserTest, discover, openPage, seriousA11yViolations, submitPassword } from './chromium.js';

const USER_CODE = /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/;
const at = (path: string) => (url: URL) => url.pathname === path;

browserTest('openid-client polls while the person signs in at verification_uri_complete and allows; the tokens are those of the sign-in, tied to its browser session', async (t) => {
  const server = await startAccountServer(t);
  const person = await signUp(server);
  const client = await registerClient(server, { name: 'Shell CLI', grantTypes: [DEVICE_CODE_GRANT, 'refresh_token'], scope: 'openid profile email offline_access' });
  const resourceServer = await registerClient(server, { name: 'resource server' });
  const config = await discover(server, client);
  t.is(config.serverMetadata().device_authorization_endpoint, `${server.config.issuer}/device_authorization`);

  const started = await oidc.initiateDeviceAuthorization(config, { scope: 'openid email offline_access' });
  t.regex(started.user_code, USER_CODE);
  t.is(started.verification_uri, `${server.config.issuer}/device`);
  t.is(started.verification_uri_complete, `${server.config.issuer}/device?user_code=${started.user_code}`);
  t.is(started.expires_in, 600, 'DEVICE_CODE_TTL, 10 minutes by default');
  t.is(started.interval, 5);
  const polling = oidc.pollDeviceAuthorizationGrant(config, started);

  const { page } = await openPage(t);
  await page.goto(started.verification_uri_complete!);
  t.is(await page.inputValue('input[name=user_code]'), started.user_code, 'the code is filled in');
  t.regex((await page.textContent('main')) ?? '', /Is this the code shown on your device\?/);
  const entered = page.waitForResponse((response) => response.request().method() === 'POST' && new URL(response.url()).pathname === '/device');
  await page.click('button[type=submit]');
  t.is((await entered).status(), 303);
  await page.waitForURL(at('/login'));
  await submitPassword(page, person);
  await page.waitForURL((url) => /^\/device\/[0-9a-f]{32}$/.test(url.pathname));
  t.is(await page.textContent('h1'), 'Allow Shell CLI on your device?');
  const shown = (await page.locator('ul.scopes li').allTextContents()).join('\n');
  t.regex(shown, /See your email address/);
  t.regex(shown, /Keep access while you are away/);
  t.notRegex(shown, /See your name/, 'only the scopes the device asked for');
  await page.click('button[value=approve]');
  await page.waitForURL(at('/device/done'));
  t.is(await page.textContent('h1'), 'You can return to your device');

  const tokens = await polling;
  t.is(tokens.token_type.toLowerCase(), 'bearer');
  t.is(tokens.scope, 'openid email offline_access');
  t.truthy(tokens.refresh_token, 'a client with the refresh_token grant gets one');
  const claims = tokens.claims()!;
  t.is(claims.sub, person.id);
  t.is(claims.aud, client.client_id);
  t.deepEqual(claims.amr, ['pwd']);
  t.is(claims.nonce, undefined);
  const jwks = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri!));
  const { payload: access } = await jwtVerify(tokens.access_token, jwks, { issuer: server.config.issuer, typ: 'at+jwt' });
  const session = await server.services.db.selectFrom('sessions').select('parent_id').where('id', '=', access.sid as string).executeTakeFirstOrThrow();
  t.is(session.parent_id, claims.sid as string, "the device's session hangs off the browser session that approved, whose sid the ID token names");
  t.like(await oidc.fetchUserInfo(config, tokens.access_token, person.id), { sub: person.id, email: person.email });
  t.like(await introspect(server.url, resourceServer, tokens.access_token), { active: true, client_id: client.client_id });

  // Consent was given on the way: the same person is not asked again by the code flow.
  const consents = await api(server, 'GET', '/auth/consents', { token: (await login(server, person)).access_token });
  t.true(JSON.stringify(consents.body).includes(client.client_id));

  // Signing out of the browser session ends the device's tokens too.
  const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
  await server.services.browserSessions.end(server.services.db, claims.sid as string, 'test');
  t.deepEqual(await introspect(server.url, resourceServer, refreshed.access_token), { active: false });
  t.deepEqual(await introspect(server.url, resourceServer, refreshed.refresh_token!), { active: false });
});

/** The real time, shifted by hand: 2FA is set up one step in the past so the browser's code is fresh. */
class ShiftedClock implements Clock {
  shift = 0;
  now(): number {
    return Date.now() + this.shift;
  }
}

browserTest('a public client: the person types the code at verification_uri in lower case without the dash, passes the second factor, and the device gets its tokens', async (t) => {
  const clock = new ShiftedClock();
  const server = await startAccountServer(t, { clock });
  const person = await signUp(server);
  clock.shift = -30_000;
  const { access_token } = await login(server, person);
  const setup = await api(server, 'POST', '/auth/2fa/setup/initiate', { token: access_token });
  const secret = setup.body.secret as string;
  t.is((await api(server, 'POST', '/auth/2fa/setup/verify', { token: access_token, body: { code: await generate({ secret, epoch: Math.floor(clock.now() / 1000) }) } })).status, 200);
  clock.shift = 0;

  const client = await registerClient(server, { name: 'TV', public: true, grantTypes: [DEVICE_CODE_GRANT], firstParty: true });
  t.is(client.token_endpoint_auth_method, 'none');
  const config = await discover(server, client);
  const started = await oidc.initiateDeviceAuthorization(config, {});
  const polling = oidc.pollDeviceAuthorizationGrant(config, started);

  const { page } = await openPage(t);
  await page.goto(started.verification_uri);
  t.is(await page.inputValue('input[name=user_code]'), '');
  t.regex((await page.textContent('main')) ?? '', /Enter the code shown on your device/);
  await page.fill('input[name=user_code]', started.user_code.replace('-', '').toLowerCase());
  await page.click('button[type=submit]');
  await page.waitForURL(at('/login'));
  await submitPassword(page, person);
  await page.waitForURL(at('/login/totp'));
  await page.fill('input[name=code]', await generate({ secret, epoch: Math.floor(Date.now() / 1000) }));
  await page.click('button[type=submit]');
  await page.waitForURL((url) => url.pathname.startsWith('/device/'));
  await page.click('button[value=approve]');
  await page.waitForURL(at('/device/done'));

  const tokens = await polling;
  t.deepEqual(tokens.claims()!.amr, ['pwd', 'otp']);
  t.is(tokens.scope, 'openid profile email', 'no scope asked: every scope registered');
  t.is(tokens.refresh_token, undefined, 'no refresh_token grant, no refresh token');
});

browserTest('Deny on the verification page: the device hears access_denied', async (t) => {
  const server = await startAccountServer(t);
  const person = await signUp(server);
  const client = await registerClient(server, { name: 'Sneaky CLI', public: true, grantTypes: [DEVICE_CODE_GRANT] });
  const config = await discover(server, client);
  const started = await oidc.initiateDeviceAuthorization(config, { scope: 'openid' });
  const polling = oidc.pollDeviceAuthorizationGrant(config, started);
  const failed = t.throwsAsync(polling, { instanceOf: oidc.ResponseBodyError });

  const { page } = await openPage(t);
  await signInAtAccount(page, server, person);
  await page.goto(started.verification_uri_complete!);
  await page.click('button[type=submit]');
  await page.waitForURL((url) => url.pathname.startsWith('/device/'), { waitUntil: 'load' });
  t.regex((await page.textContent('.notice')) ?? '', /Someone who sends you a code/);
  await page.click('button[value=deny]');
  await page.waitForURL(at('/device/denied'));
  t.is(await page.textContent('h1'), 'Request denied');

  const error = await failed;
  t.is(error?.error, 'access_denied');
  t.is(error?.status, 400);
  const consents = await api(server, 'GET', '/auth/consents', { token: (await login(server, person)).access_token });
  t.false(JSON.stringify(consents.body).includes(client.client_id), 'a denial records no consent');
});

browserTest('the verification pages: no serious axe finding in light and dark at 390 and 1280 px; CSRF required', async (t) => {
  const server = await startAccountServer(t);
  const person = await signUp(server);
  const client = await registerClient(server, { name: 'Photo Frame', public: true, grantTypes: [DEVICE_CODE_GRANT] });
  const started = await oidc.initiateDeviceAuthorization(await discover(server, client), { scope: 'openid profile' });
  const { page } = await openPage(t);
  const found: string[] = [];
  const audit = async (label: string, on: Page = page) => {
    for (const width of [390, 1280]) {
      await on.setViewportSize({ width, height: 900 });
      for (const colorScheme of ['light', 'dark'] as const) {
        await on.emulateMedia({ colorScheme });
        for (const v of await seriousA11yViolations(on)) found.push(`${label} ${colorScheme} ${width}px: ${v.id} (${v.help}) at ${JSON.stringify(v.nodes.map((n) => n.target))}`);
      }
    }
  };
  const csp = async (p: Page) => (await p.request.get(`${server.config.issuer}/device`)).headers()['content-security-policy'] ?? '';
  t.regex(await csp(page), /frame-ancestors 'none'/);

  await page.goto(`${server.config.issuer}/device`);
  await audit('enter');
  await page.fill('input[name=user_code]', 'BBBB-BBBB');
  await page.click('button[type=submit]');
  t.regex((await page.textContent('.error')) ?? '', /That code is not valid/);
  await audit('wrong code');

  // A form without the CSRF secret changes nothing.
  const forged = await page.request.post(`${server.config.issuer}/device`, { form: { user_code: started.user_code }, maxRedirects: 0 });
  t.is(forged.status(), 403);

  await signInAtAccount(page, server, person);
  await page.goto(started.verification_uri_complete!);
  await audit('confirm');
  await page.click('button[type=submit]');
  await page.waitForURL((url) => url.pathname.startsWith('/device/'));
  await audit('decision');
  const decisionUrl = page.url();
  const noCsrf = await page.request.post(decisionUrl, { form: { decision: 'approve' }, maxRedirects: 0 });
  t.is(noCsrf.status(), 403, 'the decision needs the CSRF secret');
  await page.click('button[value=approve]');
  await page.waitForURL(at('/device/done'));
  await audit('done');
  await page.goto(decisionUrl);
  t.is((await page.request.get(decisionUrl)).status(), 400, 'a decided request is not decided again');
  await audit('decided already');
  await page.goto(`${server.config.issuer}/device/denied`);
  await audit('denied');

  const german = (await openPage(t, { locale: 'de-DE' })).page;
  await german.goto(started.verification_uri_complete!);
  t.is(await german.textContent('h1'), 'Gerät verbinden');
  t.regex((await german.textContent('main')) ?? '', /Ist das der Code, den Ihr Gerät anzeigt\?/);
  await audit('confirm (de)', german);
  t.deepEqual(found, []);
});
