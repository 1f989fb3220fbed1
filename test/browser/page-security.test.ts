// The hosted pages as a browser sees them: forms refused without their CSRF secret, the security
// headers on every page (CSP with frame-ancestors 'none' and no inline script, X-Frame-Options,
// Referrer-Policy), and no serious or critical accessibility violation (axe-core) on any page.
import { generate } from 'otplib';
import type { Page, Response } from 'playwright-core';
import { api, login, newPerson, signUp, startAccountServer } from '../helpers/accounts.js';
import { registerClient } from '../helpers/server.js';
import { atApp, authorizationRequest, browserTest, discover, openPage, seriousA11yViolations, startApp, submitPassword, type AxeViolation } from './chromium.js';

/** What is wrong with a page's headers, if anything. */
function headerProblems(headers: Record<string, string>): string[] {
  const problems: string[] = [];
  const csp = headers['content-security-policy'];
  if (!csp) return ['no Content-Security-Policy'];
  const directives = new Map<string, string[]>();
  for (const part of csp.split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) directives.set(name.toLowerCase(), values);
  }
  if (directives.get('frame-ancestors')?.join(' ') !== "'none'") problems.push(`frame-ancestors is not 'none': ${csp}`);
  if (/'unsafe-inline'|'unsafe-hashes'/i.test(csp)) problems.push(`the CSP allows inline code: ${csp}`);
  const scripts = directives.get('script-src-elem') ?? directives.get('script-src') ?? directives.get('default-src');
  if (!scripts) problems.push(`scripts are not restricted (no script-src or default-src): ${csp}`);
  else if (scripts.some((value) => /^('unsafe-eval'|\*|data:|blob:|https?:)$/i.test(value))) problems.push(`script-src is too wide: ${scripts.join(' ')}`);
  if (headers['x-frame-options'] !== 'DENY') problems.push(`X-Frame-Options is ${headers['x-frame-options']}`);
  if (headers['referrer-policy'] !== 'no-referrer') problems.push(`Referrer-Policy is ${headers['referrer-policy']}`);
  if (headers['x-content-type-options'] !== 'nosniff') problems.push(`X-Content-Type-Options is ${headers['x-content-type-options']}`);
  return problems;
}

/** Every document the main frame received from the provider, redirects included. */
function recordDocuments(page: Page, issuer: string): Response[] {
  const documents: Response[] = [];
  page.on('response', (response) => {
    const request = response.request();
    if (request.isNavigationRequest() && request.frame() === page.mainFrame() && new URL(response.url()).origin === new URL(issuer).origin) documents.push(response);
  });
  return documents;
}

browserTest('the sign-in form POSTed without its CSRF secret is refused, with no redirect and no session', async (t) => {
  const server = await startAccountServer(t);
  const person = await signUp(server);
  const app = await startApp(t);
  const client = await registerClient(server, { redirectUris: [app.callback], firstParty: true });
  const request = await authorizationRequest(await discover(server, client), app.callback);
  const { context, page } = await openPage(t);
  await page.goto(request.url.toString());
  const interaction = await page.inputValue('input[name=interaction]');
  const csrf = await page.inputValue('input[name=csrf]');
  t.regex(csrf, /^[A-Za-z0-9_-]{43}$/);
  t.true((await context.cookies()).some((cookie) => cookie.name === 'tessera_csrf' && cookie.httpOnly && cookie.sameSite === 'Lax'));

  // page.request carries the browser's cookies (the CSRF cookie included); only the field is missing or wrong.
  for (const [what, form] of [
    ['no csrf field', { interaction, email: person.email, password: person.password }],
    ['a wrong csrf field', { interaction, csrf: 'x'.repeat(43), email: person.email, password: person.password }],
  ] as const) {
    const response = await page.request.post(`${server.config.issuer}/login`, { form, maxRedirects: 0 });
    t.is(response.status(), 403, what);
    t.is(response.headers().location, undefined, `${what}: no redirect`);
    t.regex(await response.text(), /started in another browser or tab/, what);
  }
  // The right field without the browser's cookie (a forged cross-site POST) is refused too.
  const forged = await fetch(`${server.config.issuer}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ interaction, csrf, email: person.email, password: person.password }),
  });
  t.is(forged.status, 403, 'the field without the cookie');
  t.is(forged.headers.get('location'), null);

  for (const path of ['/register', '/forgot-password']) {
    const response = await page.request.post(`${server.config.issuer}${path}`, { form: { email: person.email, name: 'Eve', password: 'a long enough password 1' }, maxRedirects: 0 });
    t.is(response.status(), 403, `${path} without its CSRF field`);
  }
  t.false((await context.cookies()).some((cookie) => cookie.name === 'tessera_session'), 'no session cookie');
  const logins = await server.services.db.selectFrom('audit_log').select('event').where('event', '=', 'user.login').execute();
  t.is(logins.length, 0, 'nobody signed in');
  t.deepEqual(app.requests, []);

  // The page's own form still works.
  await submitPassword(page, person);
  await page.waitForURL(atApp(app));
  t.truthy(new URL(page.url()).searchParams.get('code'));
});

browserTest('every hosted page has the security headers and no serious or critical axe-core violation', async (t) => {
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
  const documents = recordDocuments(page, issuer);
  const violations = new Map<string, AxeViolation[]>();
  const audit = async (name: string, path: string | RegExp) => {
    const { pathname } = new URL(page.url());
    t.true(typeof path === 'string' ? pathname === path : path.test(pathname), `${name}: the browser is at ${pathname}`);
    t.is(await page.locator('html').getAttribute('lang'), 'en', name);
    violations.set(name, await seriousA11yViolations(page));
  };

  // The error page of an untrusted request.
  await page.goto(`${issuer}/authorize?${new URLSearchParams({ client_id: thirdParty.client_id, redirect_uri: `${app.callback}/`, response_type: 'code' })}`);
  await audit('error page', '/authorize');

  // Sign-in, its error state, consent, then the end-session confirmation and the signed-out page.
  await page.goto((await authorizationRequest(thirdConfig, app.callback)).url.toString());
  await audit('sign-in', '/login');
  await submitPassword(page, { email: person.email, password: 'not the password at all' });
  await page.locator('[role=alert]').waitFor();
  await audit('sign-in with an error', '/login');
  await submitPassword(page, person);
  await page.waitForURL((url) => url.pathname === '/consent');
  await audit('consent', '/consent');
  await page.getByRole('button', { name: 'Allow' }).click();
  await page.waitForURL(atApp(app));
  await page.goto(firstConfig.serverMetadata().end_session_endpoint!);
  await audit('end-session confirmation', '/end-session');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL((url) => url.pathname === '/end-session/done');
  await audit('signed out', '/end-session/done');

  // The TOTP step and its error state.
  await page.goto((await authorizationRequest(firstConfig, app.callback)).url.toString());
  await submitPassword(page, twoFactor);
  await page.waitForURL((url) => url.pathname === '/login/totp');
  await audit('TOTP', '/login/totp');
  await page.fill('input[name=code]', 'ABCDEF');
  await page.click('button[type=submit]');
  await page.locator('[role=alert]').waitFor();
  await audit('TOTP with an error', '/login/totp');

  // The account pages and the pages mail links open.
  for (const [name, path] of [
    ['register', '/register'],
    ['forgot-password', '/forgot-password'],
    ['check your email', '/register?status=sent'],
    ['verify-email link', '/verify-email?token=abc'],
    ['reset-password link', '/reset-password?token=abc'],
  ] as const) {
    await page.goto(`${issuer}${path}`);
    await audit(name, new URL(path, issuer).pathname);
  }
  await page.goto(`${issuer}/register`);
  await page.fill('input[name=name]', 'Eve');
  await page.fill('input[name=email]', 'eve@example.com');
  await page.fill('input[name=password]', 'short');
  await page.click('button[type=submit]');
  await page.locator('[role=alert]').waitFor();
  await audit('register with an error', '/register');

  const failing = [...violations].filter(([, found]) => found.length > 0);
  for (const [name, found] of failing) {
    for (const violation of found) t.log(`${name}: [${violation.impact}] ${violation.id}: ${violation.help}\n  ${violation.nodes.map((node) => `${JSON.stringify(node.target)} ${node.failureSummary ?? ''}`).join('\n  ')}`);
  }
  t.deepEqual(
    failing.map(([name, found]) => `${name}: ${found.map((v) => v.id).join(', ')}`),
    [],
    'no serious or critical accessibility violations',
  );
  t.is(violations.size, 14);

  // Every document the provider sent, redirects and error pages included, has the headers.
  t.true(documents.length >= violations.size);
  const headerFailures = (await Promise.all(documents.map(async (response) => headerProblems(await response.allHeaders()).map((problem) => `${response.status()} ${new URL(response.url()).pathname}: ${problem}`)))).flat();
  t.deepEqual(headerFailures, []);
  const html = documents.filter((response) => (response.headers()['content-type'] ?? '').startsWith('text/html'));
  t.true(html.length >= violations.size, 'the pages are HTML');
});
