// Acceptance 4 of the account pages (docs/account.md): every form refuses a POST without its CSRF
// secret (a 403 page, nothing changed) and answers 303 with it; every page sends a CSP without inline
// code and with frame-ancestors 'none'; axe-core finds nothing serious or critical in the light and
// dark schemes at 390 and 1280 px, and nothing is wider than a phone. German with Accept-Language.
import { generate } from 'otplib';
import type { Page } from 'playwright-core';
import { signUp, startAccountServer } from '../helpers/accounts.js';
import { registerClient } from '../helpers/server.js';
import { csrfOf, signInAtAccount } from './account.js';
import { atApp, authorizationRequest, browserTest, discover, openPage, seriousA11yViolations, startApp, submitPassword } from './chromium.js';

const WIDTHS = [390, 1280];
const SCHEMES = ['light', 'dark'] as const;

function cspProblems(headers: Record<string, string>): string[] {
  const csp = headers['content-security-policy'] ?? '';
  const problems: string[] = [];
  if (!/(^|;)\s*frame-ancestors 'none'\s*(;|$)/.test(csp)) problems.push(`no frame-ancestors 'none': ${csp}`);
  if (/'unsafe-inline'|'unsafe-hashes'|'unsafe-eval'/.test(csp)) problems.push(`inline code allowed: ${csp}`);
  if (!/(^|;)\s*default-src 'none'/.test(csp) && !/script-src/.test(csp)) problems.push(`scripts not restricted: ${csp}`);
  return problems;
}

/** The page as it is, in every scheme and width: axe's serious findings and any sideways scrolling, by where. */
async function audit(page: Page, label: string): Promise<string[]> {
  const found: string[] = [];
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 });
    for (const colorScheme of SCHEMES) {
      await page.emulateMedia({ colorScheme });
      for (const violation of await seriousA11yViolations(page)) found.push(`${label} ${colorScheme} ${width}px: ${violation.id} (${violation.help}) at ${JSON.stringify(violation.nodes.map((n) => n.target))}`);
    }
    const overflow = await page.evaluate(() => {
      // No DOM types in the tests' compilation: the page's document, as far as this needs it.
      const root = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
      return root.scrollWidth - root.clientWidth;
    });
    if (overflow > 0) found.push(`${label} ${width}px: ${overflow}px wider than the screen`);
  }
  return found;
}

browserTest('every account page: CSRF required, 303 after POST, strict CSP, no serious axe finding in light and dark at 390 and 1280 px', async (t) => {
  const server = await startAccountServer(t);
  const person = await signUp(server);
  const app = await startApp(t);
  const thirdParty = await registerClient(server, { name: 'Photo Printer', redirectUris: [app.callback], scope: 'openid profile email' });
  const { page } = await openPage(t);
  const consent = await authorizationRequest(await discover(server, thirdParty), app.callback);
  await page.goto(consent.url.toString());
  await submitPassword(page, person);
  await page.waitForURL((url) => url.pathname === '/consent');
  await page.getByRole('button', { name: 'Allow' }).click();
  await page.waitForURL(atApp(app));

  const findings: string[] = [];
  const visit = async (path: string, label = path) => {
    const response = await page.goto(`${server.config.issuer}${path}`);
    t.is(response?.status(), 200, path);
    t.deepEqual(cspProblems(response?.headers() ?? {}), [], path);
    t.is(response?.headers()['cache-control'], 'no-store', path);
    findings.push(...(await audit(page, label)));
  };
  for (const path of ['/account', '/account/password', '/account/two-factor', '/account/passkeys', '/account/sessions', '/account/apps', '/account/connections', '/account/confirm?return=%2Faccount%2Fpassword']) {
    await visit(path);
  }
  t.is(await page.locator('nav[aria-label] a').count(), 7);

  // POST without the CSRF field: 403, no redirect, nothing changed.
  const forms: Array<[string, Record<string, string>]> = [
    ['/account', { name: 'Mallory' }],
    ['/account', { email: 'mallory@example.com', current_password: person.password }],
    ['/account/password', { current_password: person.password, password: 'mallory was here 123' }],
    ['/account/two-factor', { action: 'start' }],
    ['/account/sessions', { everywhere: '1' }],
    ['/account/apps', { client_id: thirdParty.client_id }],
    ['/account/connections', { action: 'link', upstream: 'anything' }],
    ['/account/confirm', { password: person.password, return: '/account' }],
    ['/account/sign-out', {}],
  ];
  for (const [path, form] of forms) {
    for (const csrf of [undefined, 'x'.repeat(43)]) {
      const response = await page.request.post(`${server.config.issuer}${path}`, { form: csrf ? { ...form, csrf } : form, maxRedirects: 0 });
      t.is(response.status(), 403, `${path} ${Object.keys(form).join(',')} csrf=${csrf}`);
      t.is(response.headers().location, undefined);
      t.deepEqual(cspProblems(response.headers()), []);
    }
  }
  const user = await server.services.db.selectFrom('users').selectAll().where('id', '=', person.id).executeTakeFirstOrThrow();
  t.like(user, { name: person.name, pending_email: null, totp_pending_sealed: null });
  t.true((await server.services.hasher.verify(user.password_hash, person.password)).ok);
  t.is((await server.services.consents.list(person.id)).length, 1);
  t.true((await server.services.signOut.listOwn(person.id)).length > 0, 'still signed in');
  await page.goto(`${server.config.issuer}/account`);
  t.is(new URL(page.url()).pathname, '/account');
  findings.push(...(await audit(page, 'after the refusals')));

  // With it: 303, and the notice after the redirect.
  const saved = await page.request.post(`${server.config.issuer}/account`, { form: { csrf: await csrfOf(page), name: 'Ada L.' }, maxRedirects: 0 });
  t.is(saved.status(), 303);
  t.is(saved.headers().location, '/account?done=name');
  await visit('/account?done=name', 'notice');

  // A form with a problem; the 2FA set-up and the backup codes; the signed-out page.
  await page.goto(`${server.config.issuer}/account/password`);
  await page.fill('input[name=current_password]', 'wrong password');
  await page.fill('input[name=password]', 'short');
  await page.getByRole('button', { name: 'Change password' }).click();
  await page.locator('[role=alert]').waitFor();
  findings.push(...(await audit(page, 'password problem')));
  await page.goto(`${server.config.issuer}/account/two-factor`);
  await page.getByRole('button', { name: 'Turn on', exact: true }).click();
  await page.locator('#totp-secret').waitFor();
  findings.push(...(await audit(page, '2FA set-up')));
  const secret = ((await page.textContent('#totp-secret')) ?? '').replace(/\s/g, '');
  await page.fill('input[name=code]', await generate({ secret }));
  await page.getByRole('button', { name: 'Turn on two-factor authentication' }).click();
  await page.locator('.code-list').waitFor();
  findings.push(...(await audit(page, 'backup codes')));
  await page.goto(`${server.config.issuer}/account/confirm`);
  findings.push(...(await audit(page, 'confirm with 2FA')));
  await page.goto(`${server.config.issuer}/account`);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL((url) => url.pathname === '/account/signed-out');
  findings.push(...(await audit(page, 'signed out')));

  t.deepEqual(findings, []);
});

browserTest('Accept-Language: de gives the account pages in German', async (t) => {
  const server = await startAccountServer(t);
  const person = await signUp(server);
  const { page } = await openPage(t, { locale: 'de-DE' });
  await signInAtAccount(page, server, person);
  t.is(await page.getAttribute('html', 'lang'), 'de');
  t.is(await page.textContent('h1'), 'Ihr Konto');
  t.is(await page.getAttribute('nav', 'aria-label'), 'Kontoeinstellungen');
  await page.goto(`${server.config.issuer}/account/sessions`);
  t.is(await page.textContent('h1'), 'Wo Sie angemeldet sind');
  t.regex((await page.textContent('li.session h2')) ?? '', /^Chrome unter Linux/);
});
