// The TOTP step of the hosted sign-in in a real browser: the code field, a wrong code shown on the
// page and counted toward lockout, a right one completing the sign-in with amr "otp".
import { generate } from 'otplib';
import type { Clock } from '../../src/clock.js';
import { lockoutSubject } from '../../src/domain/accounts/lockout.js';
import { api, login, signUp, startAccountServer } from '../helpers/accounts.js';
import { registerClient } from '../helpers/server.js';
import { atApp, authorizationRequest, browserTest, discover, openPage, redeem, startApp, submitPassword } from './chromium.js';

const STEP_MS = 30_000;
const totp = (secret: string, atMs: number) => generate({ secret, epoch: Math.floor(atMs / 1000) });

/** The real time, shifted by hand: 2FA is set up one step in the past so the browser's code is fresh. */
class ShiftedClock implements Clock {
  shift = 0;
  now(): number {
    return Date.now() + this.shift;
  }
}

browserTest('a user with 2FA meets the TOTP step; a wrong code is shown and counts toward lockout; a right one signs in with amr otp', async (t) => {
  const clock = new ShiftedClock();
  const server = await startAccountServer(t, { clock });
  const person = await signUp(server);

  clock.shift = -STEP_MS; // the setup code's time step is spent by setup, so set up a step ago
  const { access_token } = await login(server, person);
  const setup = await api(server, 'POST', '/auth/2fa/setup/initiate', { token: access_token });
  t.is(setup.status, 200);
  const secret = setup.body.secret as string;
  t.is((await api(server, 'POST', '/auth/2fa/setup/verify', { token: access_token, body: { code: await totp(secret, clock.now()) } })).status, 200);
  clock.shift = 0;

  const app = await startApp(t);
  const client = await registerClient(server, { redirectUris: [app.callback], firstParty: true });
  const config = await discover(server, client);
  const request = await authorizationRequest(config, app.callback);
  const { page } = await openPage(t);
  await page.goto(request.url.toString());
  await submitPassword(page, person);

  await page.waitForURL((url) => url.pathname === '/login/totp');
  const code = page.locator('input[name=code]');
  t.is(await code.getAttribute('autocomplete'), 'one-time-code');
  t.is(await page.locator('label[for=code]').count(), 1);
  t.is(await page.locator('[role=alert]').count(), 0);
  t.is(app.requests.length, 0, 'no code before the second factor');

  // A six-digit code that is none of the codes the server accepts now (T-1, T, T+1).
  const valid = new Set(await Promise.all([-1, 0, 1].map((step) => totp(secret, Date.now() + step * STEP_MS))));
  let wrong = 0;
  while (valid.has(String(wrong).padStart(6, '0'))) wrong += 1;
  await code.fill(String(wrong).padStart(6, '0'));
  const wrongPost = page.waitForResponse((response) => response.request().method() === 'POST' && new URL(response.url()).pathname === '/login/totp');
  await page.click('button[type=submit]');
  t.is((await wrongPost).status(), 401);
  await page.locator('[role=alert]').waitFor();
  t.regex((await page.locator('[role=alert]').textContent()) ?? '', /code/i);
  t.is(app.requests.length, 0);

  const failures = await server.services.db.selectFrom('audit_log').selectAll().where('event', '=', 'user.login_failed').where('user_id', '=', person.id).execute();
  t.deepEqual(failures.map((row) => JSON.parse(row.detail).reason), ['wrong_code']);
  const lockout = await server.services.db.selectFrom('lockouts').selectAll().where('subject', '=', lockoutSubject(person.email)).executeTakeFirst();
  t.is(lockout?.failed_attempts, 1, 'the wrong code counts toward lockout');

  await code.fill(await totp(secret, Date.now()));
  await page.click('button[type=submit]');
  await page.waitForURL(atApp(app));
  const tokens = await redeem(config, new URL(page.url()), request);
  const claims = tokens.claims()!;
  t.deepEqual(claims.amr, ['pwd', 'otp']);
  t.is(claims.sub, person.id);
  const after = await server.services.db.selectFrom('lockouts').selectAll().where('subject', '=', lockoutSubject(person.email)).executeTakeFirst();
  t.falsy(after?.failed_attempts, 'a completed sign-in resets the failure count');
});
