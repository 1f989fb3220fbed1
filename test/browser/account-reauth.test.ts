// Acceptance 6 of the issue (docs/account.md, Re-authentication): 6 minutes after signing in, the
// password page and a password change first ask "Confirm it's you"; a wrong password is refused and
// counts toward the lockout; the right one moves auth_time, is audited, and returns to the page.
// A return address that is not an account page leads to /account.
import { generate } from 'otplib';
import { lockoutSubject } from '../../src/domain/accounts/lockout.js';
import { api, login, signUp, startAccountServer } from '../helpers/accounts.js';
import { ManualClock } from '../helpers/server.js';
import { csrfOf, signInAtAccount, whereIs } from './account.js';
import { browserTest, openPage, submitPassword } from './chromium.js';

browserTest('six minutes after sign-in the password page asks for the password again first, then works', async (t) => {
  const clock = new ManualClock();
  const server = await startAccountServer(t, { clock });
  const person = await signUp(server);
  const { page } = await openPage(t);
  await signInAtAccount(page, server, person);

  // Within 5 minutes: no question.
  clock.advance(4 * 60_000);
  await page.goto(`${server.config.issuer}/account/password`);
  t.is(whereIs(page), '/account/password');

  clock.advance(2 * 60_000);
  const csrf = await csrfOf(page);
  // A POST straight to the change is sent to confirm as well, and changes nothing.
  const direct = await page.request.post(`${server.config.issuer}/account/password`, { form: { csrf, current_password: person.password, password: 'another long passphrase' }, maxRedirects: 0 });
  t.is(direct.status(), 303);
  t.is(direct.headers().location, '/account/confirm?return=%2Faccount%2Fpassword');
  const email = await page.request.post(`${server.config.issuer}/account`, { form: { csrf, email: 'new@example.com', current_password: person.password }, maxRedirects: 0 });
  t.is(email.headers().location, '/account/confirm?return=%2Faccount', 'the email change asks too');

  await page.goto(`${server.config.issuer}/account/password`);
  t.is(whereIs(page), '/account/confirm?return=%2Faccount%2Fpassword');
  t.is(await page.textContent('h1'), 'Confirm it’s you');
  t.is(await page.locator('input[name=code]').count(), 0, 'no code field without 2FA');

  await page.fill('input[name=password]', 'not the password');
  const wrong = page.waitForResponse((response) => response.request().method() === 'POST' && new URL(response.url()).pathname === '/account/confirm');
  await page.getByRole('button', { name: 'Confirm', exact: true }).click();
  t.is((await wrong).status(), 401);
  t.regex((await page.textContent('[role=alert]')) ?? '', /password is wrong/);
  const lockout = await server.services.db.selectFrom('lockouts').selectAll().where('subject', '=', lockoutSubject(person.email)).executeTakeFirst();
  t.is(lockout?.failed_attempts, 1, 'a wrong password counts toward the lockout');

  await page.fill('input[name=password]', person.password);
  await page.getByRole('button', { name: 'Confirm', exact: true }).click();
  await page.waitForURL((url) => url.pathname === '/account/password' && url.search === '');
  const audited = await server.services.db.selectFrom('audit_log').selectAll().where('event', '=', 'user.reauthenticated').where('user_id', '=', person.id).execute();
  t.is(audited.length, 1);

  const newPassword = 'another long passphrase';
  await page.fill('input[name=current_password]', person.password);
  await page.fill('input[name=password]', newPassword);
  await page.getByRole('button', { name: 'Change password' }).click();
  await page.waitForURL((url) => url.search === '?done=password');
  const row = await server.services.db.selectFrom('users').select('password_hash').where('id', '=', person.id).executeTakeFirstOrThrow();
  t.true((await server.services.hasher.verify(row.password_hash, newPassword)).ok);

  // Only an account page is a return address.
  clock.advance(6 * 60_000);
  await page.goto(`${server.config.issuer}/account/confirm?return=${encodeURIComponent('//evil.example/account')}`);
  await page.fill('input[name=password]', newPassword);
  await page.getByRole('button', { name: 'Confirm', exact: true }).click();
  await page.waitForURL((url) => url.pathname === '/account');
  t.is(new URL(page.url()).origin, server.config.issuer);
});

browserTest('a person with 2FA confirms with a code from the app instead of the password; a wrong code is refused', async (t) => {
  const clock = new ManualClock();
  const server = await startAccountServer(t, { clock });
  const person = await signUp(server);
  const code = () => generate({ secret, epoch: Math.floor(clock.now() / 1000) });
  const { access_token } = await login(server, person);
  const setup = await api(server, 'POST', '/auth/2fa/setup/initiate', { token: access_token });
  const secret = setup.body.secret as string;
  t.is((await api(server, 'POST', '/auth/2fa/setup/verify', { token: access_token, body: { code: await code() } })).status, 200);

  const { page } = await openPage(t);
  await page.goto(`${server.config.issuer}/account/two-factor`);
  await submitPassword(page, person);
  await page.waitForURL((url) => url.pathname === '/login/totp');
  clock.advance(30_000);
  await page.fill('input[name=code]', await code());
  await page.click('button[type=submit]');
  await page.waitForURL((url) => url.pathname === '/account/two-factor');

  // Turning 2FA off six minutes later: confirm first.
  clock.advance(6 * 60_000);
  await page.fill('#disable-password', person.password);
  await page.fill('#disable-code', await code());
  await page.getByRole('button', { name: 'Turn off', exact: true }).click();
  await page.waitForURL((url) => url.pathname === '/account/confirm');
  t.is(new URL(page.url()).searchParams.get('return'), '/account/two-factor');
  t.is(await page.getAttribute('input[name=code]', 'autocomplete'), 'one-time-code');

  await page.fill('input[name=code]', '000000' === (await code()) ? '111111' : '000000');
  await page.getByRole('button', { name: 'Confirm with code' }).click();
  await page.locator('[role=alert]').waitFor();
  t.regex((await page.textContent('[role=alert]')) ?? '', /code is wrong/);
  await page.fill('input[name=code]', await code());
  await page.getByRole('button', { name: 'Confirm with code' }).click();
  await page.waitForURL((url) => url.pathname === '/account/two-factor');
  const audited = await server.services.db.selectFrom('audit_log').select('detail').where('event', '=', 'user.reauthenticated').where('user_id', '=', person.id).executeTakeFirstOrThrow();
  t.like(JSON.parse(audited.detail), { method: 'otp' });

  // Now the change goes through (a later code: each code works once).
  clock.advance(30_000);
  await page.fill('#disable-password', person.password);
  await page.fill('#disable-code', await code());
  await page.getByRole('button', { name: 'Turn off', exact: true }).click();
  await page.waitForURL((url) => url.search === '?done=mfaOff');
  const user = await server.services.db.selectFrom('users').select('mfa_enabled').where('id', '=', person.id).executeTakeFirstOrThrow();
  t.is(user.mfa_enabled, 0);
});
