// The hosted sign-in pages in Chromium: the language of the browser, the ways out of every page
// ("Create an account" and "Back to sign in", "Not you?"), and no serious or critical axe-core
// violation on any of them, in light and dark mode, on a phone (390 px) and a desktop (1280 px).
import { generate } from 'otplib';
import type { Page } from 'playwright-core';
import { api, login, newPerson, signUp, startAccountServer } from '../helpers/accounts.js';
import { registerClient } from '../helpers/server.js';
import { linkIn, waitForMail } from '../helpers/smtp.js';
import { atApp, authorizationRequest, browserTest, discover, openPage, seriousA11yViolations, startApp, submitPassword, type AxeViolation } from './chromium.js';

const LAYOUTS = [
  { colorScheme: 'light', width: 390 },
  { colorScheme: 'dark', width: 390 },
  { colorScheme: 'light', width: 1280 },
  { colorScheme: 'dark', width: 1280 },
] as const;

/** axe-core on the page as it is, in each colour scheme and width; the violations by layout. */
async function auditLayouts(page: Page): Promise<Map<string, AxeViolation[]>> {
  const found = new Map<string, AxeViolation[]>();
  for (const { colorScheme, width } of LAYOUTS) {
    await page.emulateMedia({ colorScheme });
    await page.setViewportSize({ width, height: 900 });
    found.set(`${colorScheme} ${width}px`, await seriousA11yViolations(page));
  }
  return found;
}

browserTest('a German browser gets German pages; "Create an account" and "Back to sign in" keep the sign-in; "Not you?" starts it over', async (t) => {
  const server = await startAccountServer(t);
  const ada = await signUp(server, newPerson('Ada'));
  const bob = await signUp(server, newPerson('Bob'));
  const app = await startApp(t);
  const client = await registerClient(server, { name: 'Photo Printer', redirectUris: [app.callback] });
  const config = await discover(server, client);
  const { page } = await openPage(t, { locale: 'de-DE' });

  const request = await authorizationRequest(config, app.callback);
  await page.goto(request.url.toString());
  await page.waitForURL((url) => url.pathname === '/login');
  const loginUrl = page.url();
  t.is(await page.locator('html').getAttribute('lang'), 'de');
  t.is(await page.textContent('h1'), 'Anmelden, um mit Photo Printer fortzufahren');

  await page.getByRole('link', { name: 'Konto erstellen' }).click();
  await page.waitForURL((url) => url.pathname === '/register');
  const person = newPerson('Rita');
  await page.getByLabel('Name').fill(person.name);
  await page.getByLabel('E-Mail-Adresse').fill(person.email);
  await page.getByLabel('Passwort').fill(person.password);
  await page.getByRole('button', { name: 'Konto erstellen' }).click();
  await page.waitForURL((url) => url.searchParams.get('status') === 'sent');
  t.is(await page.textContent('h1'), 'Sehen Sie in Ihr Postfach');
  await page.getByRole('link', { name: 'Zurück zur Anmeldung' }).click();
  await page.waitForURL((url) => url.pathname === '/login');
  t.is(page.url(), loginUrl, 'back at the same sign-in');

  await page.getByRole('link', { name: 'Passwort vergessen?' }).click();
  await page.getByLabel('E-Mail-Adresse').fill(ada.email);
  await page.getByRole('button', { name: 'Link zum Zurücksetzen senden' }).click();
  await page.waitForURL((url) => url.searchParams.get('status') === 'sent');
  await page.getByRole('link', { name: 'Zurück zur Anmeldung' }).click();
  await page.waitForURL((url) => url.pathname === '/login');
  t.is(page.url(), loginUrl, 'back at the same sign-in after asking for a reset link');

  // Ada signs in; at the consent page she is named, and "Not you?" hands the sign-in to Bob.
  await submitPassword(page, ada);
  await page.waitForURL((url) => url.pathname === '/consent');
  t.is(await page.locator('.signed-in-as').textContent(), `Angemeldet als ${ada.email}`);
  await page.getByRole('button', { name: 'Nicht Sie? Anderes Konto verwenden' }).click();
  await page.waitForURL((url) => url.pathname === '/login');
  t.is(page.url(), loginUrl, 'the same sign-in, at its login step');
  t.false((await page.context().cookies()).some((cookie) => cookie.name === 'tessera_session'), 'the browser session cookie is gone');
  const adaSessions = await server.services.db.selectFrom('sessions').select('ended_at').where('user_id', '=', ada.id).execute();
  t.true(adaSessions.length === 1 && adaSessions[0]!.ended_at !== null, "Ada's browser session has ended");

  await submitPassword(page, bob);
  await page.waitForURL((url) => url.pathname === '/consent');
  t.is(await page.locator('.signed-in-as').textContent(), `Angemeldet als ${bob.email}`);
  await page.getByRole('button', { name: 'Zulassen' }).click();
  await page.waitForURL(atApp(app));
  t.is(new URL(page.url()).searchParams.get('state'), request.state);
});

browserTest('no serious or critical axe-core violation on the sign-in pages, light and dark, 390 and 1280 px wide', async (t) => {
  const server = await startAccountServer(t);
  const person = await signUp(server);
  const twoFactor = await signUp(server, newPerson('Tess'));
  const { access_token } = await login(server, twoFactor);
  const { secret } = (await api(server, 'POST', '/auth/2fa/setup/initiate', { token: access_token })).body as { secret: string };
  t.is((await api(server, 'POST', '/auth/2fa/setup/verify', { token: access_token, body: { code: await generate({ secret, epoch: Math.floor(Date.now() / 1000) }) } })).status, 200);
  const app = await startApp(t);
  const thirdParty = await registerClient(server, { name: 'Photo Printer', redirectUris: [app.callback] });
  const firstParty = await registerClient(server, { name: 'Our App', redirectUris: [app.callback], firstParty: true });
  const thirdConfig = await discover(server, thirdParty);
  const firstConfig = await discover(server, firstParty);
  const issuer = server.config.issuer;
  const { page } = await openPage(t);
  const results = new Map<string, Map<string, AxeViolation[]>>();
  const audit = async (name: string) => results.set(`${name} (${new URL(page.url()).pathname})`, await auditLayouts(page));

  await page.goto((await authorizationRequest(thirdConfig, app.callback)).url.toString());
  await audit('sign-in');
  await submitPassword(page, { email: person.email, password: 'not the password at all' });
  await page.locator('[role=alert]').waitFor();
  await audit('sign-in with an error');
  await submitPassword(page, person);
  await page.waitForURL((url) => url.pathname === '/consent');
  await audit('consent');
  await page.getByRole('button', { name: 'Allow' }).click();
  await page.waitForURL(atApp(app));
  await page.goto(firstConfig.serverMetadata().end_session_endpoint!);
  await audit('sign out?');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL((url) => url.pathname === '/end-session/done');
  await audit('signed out');

  await page.goto((await authorizationRequest(firstConfig, app.callback)).url.toString());
  await submitPassword(page, twoFactor);
  await page.waitForURL((url) => url.pathname === '/login/totp');
  await audit('second factor');
  await page.goto(`${issuer}/login?interaction=no-such-sign-in`);
  await audit('sign-in interrupted');

  for (const [name, path] of [
    ['register', '/register'],
    ['register: check your email', '/register?status=sent'],
    ['forgot password', '/forgot-password'],
    ['forgot password: check your email', '/forgot-password?status=sent'],
    ['resend verification', '/resend-verification'],
    ['verify: link not valid', '/verify-email'],
    ['verified', '/verify-email?status=done'],
    ['password changed', '/reset-password?status=done'],
  ] as const) {
    await page.goto(`${issuer}${path}`);
    await audit(name);
  }

  // The pages a real verification and reset mail open.
  const newcomer = newPerson('Nia');
  t.is((await api(server, 'POST', '/auth/register', { body: newcomer })).status, 202);
  await page.goto(linkIn(await waitForMail(server.smtp, newcomer.email, /./), `${issuer}/verify-email?token=`).url);
  await audit('verify');
  t.is((await api(server, 'POST', '/auth/forgot-password', { body: { email: person.email } })).status, 202);
  await page.goto(linkIn(await waitForMail(server.smtp, person.email, /reset|password/i), `${issuer}/reset-password?token=`).url);
  await audit('reset');
  await page.getByLabel('New password').fill('short');
  await page.getByRole('button', { name: 'Set new password' }).click();
  await page.locator('[role=alert]').waitFor();
  await audit('reset with an error');

  const failing: string[] = [];
  for (const [name, layouts] of results) {
    for (const [layout, found] of layouts) {
      if (found.length === 0) continue;
      failing.push(`${name}, ${layout}: ${found.map((v) => v.id).join(', ')}`);
      for (const violation of found) t.log(`${name}, ${layout}: [${violation.impact}] ${violation.id}: ${violation.help}\n  ${violation.nodes.map((node) => `${JSON.stringify(node.target)} ${node.failureSummary ?? ''}`).join('\n  ')}`);
    }
  }
  t.deepEqual(failing, [], 'no serious or critical accessibility violations');
  t.is(results.size, 18);
});
