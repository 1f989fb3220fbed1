// Account linking, the security-critical part of upstream sign-in, in Chromium against a second
// Tessera as the upstream: a local account with the upstream's email is linked only after its own
// password (and its code, with 2FA on) is given here; a wrong password links nothing; after the
// link the next upstream sign-in goes straight through, and the local TOTP step still applies.
import { generate } from 'otplib';
import type { Clock } from '../../src/clock.js';
import { api, login, signUp, startAccountServer } from '../helpers/accounts.js';
import { atApp, authorizationRequest, browserTest, openPage, recordNavigations, redeem, seriousA11yViolations, submitPassword } from '../browser/chromium.js';
import { addUpstream, appSignIn, startTesseraUpstream } from './providers.js';

const STEP_MS = 30_000;
const totp = (secret: string, atMs: number) => generate({ secret, epoch: Math.floor(atMs / 1000) });

/** The real time, shifted by hand, so each TOTP code here falls in a step not used before. */
class ShiftedClock implements Clock {
  shift = 0;
  now(): number {
    return Date.now() + this.shift;
  }
}

browserTest('an existing account is linked only after its password; a wrong one links nothing; then upstream sign-in goes straight through', async (t) => {
  const server = await startAccountServer(t);
  const upstream = await startTesseraUpstream(t, server, 'partner');
  // The same person has an account here already, with the same address and a password of their own.
  const local = await signUp(server, { ...upstream.person, password: 'a different local password' });
  await addUpstream(server, { name: 'partner', issuer: upstream.server.config.issuer, clientId: upstream.clientId, clientSecret: upstream.clientSecret, displayName: 'Partner SSO' });
  const { app, config, request } = await appSignIn(t, server);
  const { page } = await openPage(t);
  await page.goto(request.url.toString());
  await page.getByRole('button', { name: 'Continue with Partner SSO' }).click();
  await page.waitForURL((url) => url.pathname === '/login' && url.origin === new URL(upstream.server.config.issuer).origin);
  await submitPassword(page, upstream.person);

  await page.waitForURL((url) => url.pathname === '/upstream/confirm');
  t.regex((await page.locator('body').textContent()) ?? '', new RegExp(upstream.person.email.replace(/\./g, '\\.')));
  t.is(await page.locator('input[name=code]').count(), 0, 'no code field without 2FA');
  t.deepEqual(await seriousA11yViolations(page), []);
  const identities = () => server.services.db.selectFrom('upstream_identities').selectAll().execute();

  // The upstream's password is not this account's: nothing is linked.
  await page.fill('input[name=password]', upstream.person.password);
  const wrong = page.waitForResponse((response) => response.request().method() === 'POST' && new URL(response.url()).pathname === '/upstream/confirm');
  await page.click('button[type=submit]');
  t.is((await wrong).status(), 401);
  await page.locator('[role=alert]').waitFor();
  t.deepEqual(await identities(), [], 'a wrong password links nothing');
  t.is(app.requests.length, 0, 'and signs nobody in');

  await page.fill('input[name=password]', local.password);
  await page.click('button[type=submit]');
  await page.waitForURL(atApp(app));
  const claims = (await redeem(config, new URL(page.url()), request)).claims()!;
  t.is(claims.sub, local.id, 'the existing account, not a new one');
  t.deepEqual(claims.amr, ['fed', 'pwd']);
  t.deepEqual((await identities()).map((row) => [row.upstream, row.subject, row.user_id]), [['partner', upstream.person.id, local.id]]);
  t.is((await server.services.db.selectFrom('users').select('id').execute()).length, 1, 'no second account');

  // From now on the upstream alone signs this person in.
  const again = await authorizationRequest(config, app.callback, { prompt: 'login' });
  await page.goto(again.url.toString());
  await page.waitForURL((url) => url.pathname === '/login');
  const navigations = recordNavigations(page);
  await page.getByRole('button', { name: 'Continue with Partner SSO' }).click();
  await page.waitForURL(atApp(app));
  t.false(navigations.some((url) => url.pathname === '/upstream/confirm'), 'no password asked again');
  const second = (await redeem(config, new URL(page.url()), again)).claims()!;
  t.is(second.sub, local.id);
  t.deepEqual(second.amr, ['fed']);
});

browserTest('with 2FA on, linking asks for the code too, and every upstream sign-in after it still meets the TOTP step', async (t) => {
  const clock = new ShiftedClock();
  const server = await startAccountServer(t, { clock });
  const upstream = await startTesseraUpstream(t, server, 'partner');
  const local = await signUp(server, { ...upstream.person, password: 'a different local password' });
  clock.shift = -STEP_MS; // set up a step ago: the setup code's step is spent
  const { access_token } = await login(server, local);
  const setup = await api(server, 'POST', '/auth/2fa/setup/initiate', { token: access_token });
  const secret = setup.body.secret as string;
  t.is((await api(server, 'POST', '/auth/2fa/setup/verify', { token: access_token, body: { code: await totp(secret, clock.now()) } })).status, 200);
  clock.shift = 0;
  await addUpstream(server, { name: 'partner', issuer: upstream.server.config.issuer, clientId: upstream.clientId, clientSecret: upstream.clientSecret, displayName: 'Partner SSO' });

  const { app, config, request } = await appSignIn(t, server);
  const { page } = await openPage(t);
  await page.goto(request.url.toString());
  await page.getByRole('button', { name: 'Continue with Partner SSO' }).click();
  await page.waitForURL((url) => url.pathname === '/login' && url.origin === new URL(upstream.server.config.issuer).origin);
  await submitPassword(page, upstream.person);
  await page.waitForURL((url) => url.pathname === '/upstream/confirm');
  t.is(await page.locator('input[name=code]').getAttribute('autocomplete'), 'one-time-code');
  await page.fill('input[name=password]', local.password);
  await page.fill('input[name=code]', await totp(secret, clock.now()));
  await page.click('button[type=submit]');
  await page.waitForURL(atApp(app));
  t.deepEqual((await redeem(config, new URL(page.url()), request)).claims()!.amr, ['fed', 'pwd', 'otp']);

  // Linked: the next sign-in through the upstream needs no password here, but the code, yes.
  clock.shift = STEP_MS; // the next step: the code just used cannot count twice
  const again = await authorizationRequest(config, app.callback, { prompt: 'login' });
  await page.goto(again.url.toString());
  await page.waitForURL((url) => url.pathname === '/login');
  await page.getByRole('button', { name: 'Continue with Partner SSO' }).click();
  await page.waitForURL((url) => url.pathname === '/login/totp');
  t.is(app.requests.length, 1, 'no code for the app before the second factor');
  await page.fill('input[name=code]', await totp(secret, clock.now()));
  await page.click('button[type=submit]');
  await page.waitForURL(atApp(app));
  const claims = (await redeem(config, new URL(page.url()), again)).claims()!;
  t.is(claims.sub, local.id);
  t.deepEqual(claims.amr, ['fed', 'otp']);
});
