// Acceptance 1 of the account pages (docs/account.md): a person opens /account, signs in through the
// hosted sign-in and comes back, changes the name and the password (the other sessions end, the old
// password fails, a notice mail arrives), turns TOTP on from the key on the page, gets 10 backup
// codes once, meets the code step at the next sign-in, makes new codes and turns 2FA off.
import { generate } from 'otplib';
import type { Clock } from '../../src/clock.js';
import { api, signUp, startAccountServer, type TokensOrError } from '../helpers/accounts.js';
import { waitForMail } from '../helpers/smtp.js';
import { signInAtAccount, whereIs } from './account.js';
import { browserTest, openPage, submitPassword } from './chromium.js';

const STEP_MS = 30_000;

/** The real time, shifted by hand, so that each TOTP code of the test falls in a later time step than the last. */
class ShiftedClock implements Clock {
  shift = 0;
  now(): number {
    return Date.now() + this.shift;
  }
}

browserTest('a person signs in at /account, changes name and password, turns TOTP on and off, with backup codes shown once', async (t) => {
  const clock = new ShiftedClock();
  const server = await startAccountServer(t, { clock });
  const person = await signUp(server);
  const totp = (secret: string) => generate({ secret, epoch: Math.floor(clock.now() / 1000) });
  const { page } = await openPage(t);

  // Through the hosted sign-in and back.
  await signInAtAccount(page, server, person);
  t.is(await page.textContent('h1'), 'Your account');
  t.regex((await page.textContent('main')) ?? '', new RegExp(`signed in as ${person.name} \\(${person.email.replace(/[.+]/g, '\\$&')}\\)`));
  t.is(await page.getAttribute('nav a[aria-current=page]', 'href'), '/account');

  // The name.
  await page.fill('input[name=name]', 'Ada Lovelace');
  await page.getByRole('button', { name: 'Save name' }).click();
  await page.waitForURL((url) => url.search === '?done=name');
  t.is(await page.inputValue('input[name=name]'), 'Ada Lovelace');
  t.regex((await page.textContent('[role=status]')) ?? '', /name is saved/);

  // The password: another session (an API sign-in) ends, this browser stays, the old password fails.
  const other = await api<TokensOrError>(server, 'POST', '/auth/login', { body: { email: person.email, password: person.password } });
  t.is(other.status, 200);
  await page.click('nav a[href="/account/password"]');
  await page.waitForURL((url) => url.pathname === '/account/password');
  t.is(await page.getAttribute('input[name=password]', 'autocomplete'), 'new-password');
  const newPassword = 'a brand new passphrase 42';
  await page.fill('input[name=current_password]', person.password);
  await page.fill('input[name=password]', newPassword);
  const changed = page.waitForResponse((response) => response.request().method() === 'POST' && new URL(response.url()).pathname === '/account/password');
  await page.getByRole('button', { name: 'Change password' }).click();
  t.is((await changed).status(), 303);
  await page.waitForURL((url) => url.search === '?done=password');
  t.is((await api(server, 'POST', '/auth/refresh', { body: { refresh_token: other.body.refresh_token } })).status, 401, 'the other session ended');
  t.is((await api(server, 'POST', '/auth/login', { body: { email: person.email, password: person.password } })).status, 401, 'the old password fails');
  t.is((await api(server, 'POST', '/auth/login', { body: { email: person.email, password: newPassword } })).status, 200, 'the new one works');
  t.truthy(await waitForMail(server.smtp, person.email, /password/i));
  await page.goto(`${server.config.issuer}/account`);
  t.is(whereIs(page), '/account', 'this browser is still signed in');
  person.password = newPassword;

  // TOTP on: the key read off the page, a code from otplib.
  await page.click('nav a[href="/account/two-factor"]');
  await page.getByRole('button', { name: 'Turn on', exact: true }).click();
  await page.waitForURL((url) => url.pathname === '/account/two-factor');
  const qr = page.locator('main img');
  t.regex((await qr.getAttribute('alt')) ?? '', /QR/);
  t.regex((await qr.getAttribute('src')) ?? '', /^data:image\/png;base64,/);
  const secret = ((await page.textContent('#totp-secret')) ?? '').replace(/\s/g, '');
  t.regex(secret, /^[A-Z2-7]{16,}$/);
  await page.reload();
  t.is(((await page.textContent('#totp-secret')) ?? '').replace(/\s/g, ''), secret, 'a reload shows the same key, not a new one');
  clock.shift = -2 * STEP_MS;
  await page.fill('input[name=code]', await totp(secret));
  await page.getByRole('button', { name: 'Turn on two-factor authentication' }).click();
  await page.waitForURL((url) => url.search === '?done=mfaOn');
  const codes = await page.locator('.code-list code').allTextContents();
  t.is(codes.length, 10);
  t.is(new Set(codes).size, 10);
  const download = page.locator('a[download]');
  t.regex((await download.getAttribute('download')) ?? '', /\.txt$/);
  const href = (await download.getAttribute('href')) ?? '';
  t.true(href.startsWith('data:text/plain;charset=utf-8,'));
  const file = decodeURIComponent(href.slice('data:text/plain;charset=utf-8,'.length));
  t.true(codes.every((code) => file.includes(code)), 'the download holds every code');
  await page.reload();
  t.is(await page.locator('.code-list code').count(), 0, 'the codes are shown once');
  const stored = await server.services.db.selectFrom('users').select(['mfa_enabled']).where('id', '=', person.id).executeTakeFirstOrThrow();
  t.is(stored.mfa_enabled, 1);

  // The next sign-in asks for a code.
  const second = await openPage(t);
  await second.page.goto(`${server.config.issuer}/account`);
  await submitPassword(second.page, person);
  await second.page.waitForURL((url) => url.pathname === '/login/totp');
  clock.shift = -STEP_MS;
  await second.page.fill('input[name=code]', await totp(secret));
  await second.page.click('button[type=submit]');
  await second.page.waitForURL((url) => url.pathname === '/account');

  // New backup codes, for a code; the old ones are gone.
  clock.shift = 0;
  await page.fill('#regenerate-code', await totp(secret));
  await page.getByRole('button', { name: 'Make new backup codes' }).click();
  await page.waitForURL((url) => url.search === '?done=codes');
  const fresh = await page.locator('.code-list code').allTextContents();
  t.is(fresh.length, 10);
  t.false(fresh.some((code) => codes.includes(code)), 'a new set');

  // Off, with the password and a code.
  clock.shift = STEP_MS;
  await page.fill('#disable-password', person.password);
  await page.fill('#disable-code', await totp(secret));
  await page.getByRole('button', { name: 'Turn off', exact: true }).click();
  await page.waitForURL((url) => url.search === '?done=mfaOff');
  t.is(await page.getByRole('button', { name: 'Turn on', exact: true }).count(), 1);
  const after = await server.services.db.selectFrom('users').select(['mfa_enabled']).where('id', '=', person.id).executeTakeFirstOrThrow();
  t.is(after.mfa_enabled, 0);
});
