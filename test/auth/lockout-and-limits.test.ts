// Account lockout (docs/decisions.md, People: 5 consecutive failures lock for 15 minutes) and the per-IP and
// per-account rate limits, over a real server; both are kept in the database, so they hold across
// instances. Rate-limit windows are per minute, so these tests use a ManualClock where a minute
// boundary falling mid-test would otherwise change the counts.
//
// `tessera users unlock` runs the compiled CLI from dist/: `npm run build` first (npm test does).
import test, { type ExecutionContext } from 'ava';
import { api, login, newPerson, signedInAdmin, signUp, startAccountServer } from '../helpers/accounts.js';
import { cliEnv, cliJson } from '../helpers/cli.js';
import { ManualClock, startTestServer } from '../helpers/server.js';
import { textOf, waitForMail } from '../helpers/smtp.js';

const attempt = (server: { url: string }, email: string, password: string, headers?: Record<string, string>) =>
  api(server, 'POST', '/auth/login', { body: { email, password }, ...(headers ? { headers } : {}) });
const WRONG = 'this is not the password';

function retryAfter(t: ExecutionContext, header: string | null, max: number): number {
  t.regex(header ?? '', /^\d+$/, 'Retry-After is a number of seconds');
  const seconds = Number(header);
  t.true(seconds >= 1 && seconds <= max, `Retry-After ${seconds} within 1..${max}`);
  return seconds;
}

test('five wrong passwords lock the account: even the right one then gets 423 with Retry-After, a mail goes out, and `tessera users unlock` reopens it', async (t) => {
  const server = await startAccountServer(t);
  const admin = await signedInAdmin(server);
  const person = await signUp(server);

  for (let i = 1; i <= 5; i += 1) {
    const response = await attempt(server, person.email, `${WRONG} ${i}`);
    t.is(response.status, 401, `failure ${i} is an ordinary 401`);
    t.is(response.body.error, 'invalid_credentials');
  }
  const locked = await attempt(server, person.email, person.password);
  t.is(locked.status, 423, 'the right password does not get through a lock');
  t.deepEqual(Object.keys(locked.body), ['error', 'error_description']);
  t.is(locked.body.error, 'account_locked');
  t.is(locked.headers.get('cache-control'), 'no-store');
  t.true(retryAfter(t, locked.headers.get('retry-after'), 900) > 880, 'about 15 minutes');
  t.is((await attempt(server, person.email, WRONG)).status, 423, 'wrong passwords are not even checked while locked');

  const mail = await waitForMail(server.smtp, person.email, /locked/i);
  t.regex(textOf(mail), /\/forgot-password\b/, 'the lockout mail points at a password reset (its link asks for a new reset mail: a lockout mail holds no reset token)');
  t.false(textOf(mail).includes(person.password));

  const unlocked = await cliJson(['users', 'unlock', person.id], cliEnv(server));
  t.like(unlocked, { id: person.id, email: person.email });
  t.truthy(await login(server, person), 'the right password works again');

  const audit = await api(server, 'GET', `/admin/audit?user_id=${person.id}`, { token: admin.token });
  const events = audit.body.events as Array<{ event: string; actor_id: string | null; detail: Record<string, unknown> }>;
  t.is(events.filter((e) => e.event === 'user.login_failed').length, 5);
  const lockEvent = events.find((e) => e.event === 'user.locked');
  t.truthy(lockEvent, 'user.locked is audited');
  t.regex(String(lockEvent!.detail.until), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  t.like(events.find((e) => e.event === 'user.unlocked'), { actor_id: 'cli' }, 'user.unlocked is audited with the CLI as actor');
  t.deepEqual(
    events.map((e) => e.event).filter((e) => ['user.locked', 'user.unlocked', 'user.login'].includes(e)),
    ['user.login', 'user.unlocked', 'user.locked'],
    'locked, then unlocked, then a login (newest first)',
  );
});

test('POST /admin/users/:id/unlock reopens a locked account too', async (t) => {
  const server = await startAccountServer(t);
  const admin = await signedInAdmin(server);
  const person = await signUp(server);
  for (let i = 0; i < 5; i += 1) await attempt(server, person.email, WRONG);
  t.is((await attempt(server, person.email, person.password)).status, 423);
  const unlocked = await api(server, 'POST', `/admin/users/${person.id}/unlock`, { token: admin.token });
  t.is(unlocked.status, 200);
  t.is(unlocked.body.id, person.id);
  t.is((await attempt(server, person.email, person.password)).status, 200);
  const events = (await api(server, 'GET', `/admin/audit?user_id=${person.id}&event=user.unlocked`, { token: admin.token })).body.events;
  t.is(events.length, 1);
  t.is(events[0].actor_id, admin.id);
});

test('with LOCKOUT_DURATION=15m the lock ends by itself 15 minutes later (ManualClock), and a success resets the count', async (t) => {
  const clock = new ManualClock();
  const server = await startAccountServer(t, { clock, env: { LOCKOUT_DURATION: '15m' } });
  const person = await signUp(server);

  // Four failures and a success: the count starts again, so four more do not lock.
  for (let i = 0; i < 4; i += 1) t.is((await attempt(server, person.email, WRONG)).status, 401);
  t.is((await attempt(server, person.email, person.password)).status, 200);
  for (let i = 0; i < 4; i += 1) t.is((await attempt(server, person.email, WRONG)).status, 401);
  t.is((await attempt(server, person.email, person.password)).status, 200, 'not locked: the success reset the count');

  for (let i = 0; i < 5; i += 1) t.is((await attempt(server, person.email, WRONG)).status, 401);
  const locked = await attempt(server, person.email, person.password);
  t.is(locked.status, 423);
  t.is(locked.headers.get('retry-after'), '900', 'exactly 15 minutes on a clock that does not move');

  clock.advance(14 * 60_000);
  const almost = await attempt(server, person.email, person.password);
  t.is(almost.status, 423, 'still locked after 14 minutes');
  t.is(almost.headers.get('retry-after'), '60');

  clock.advance(60_000);
  const open = await attempt(server, person.email, person.password);
  t.is(open.status, 200, 'open again after 15 minutes');

  // After the lock a new count starts: one failure does not lock again.
  t.is((await attempt(server, person.email, WRONG)).status, 401);
  t.is((await attempt(server, person.email, person.password)).status, 200);
});

test('lockout answers a made-up address exactly as it answers a real one', async (t) => {
  const server = await startAccountServer(t);
  const person = await signUp(server);
  const madeUp = newPerson('Ghost').email;

  const answers: Record<string, Array<{ status: number; body: string }>> = { real: [], madeUp: [] };
  for (const [name, email] of [['real', person.email], ['madeUp', madeUp]] as const) {
    for (let i = 0; i < 6; i += 1) {
      const response = await fetch(`${server.url}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: WRONG }) });
      answers[name]!.push({ status: response.status, body: await response.text() });
      if (i === 5) retryAfter(t, response.headers.get('retry-after'), 900);
    }
  }
  t.deepEqual(answers.real!.map((a) => a.status), [401, 401, 401, 401, 401, 423]);
  t.deepEqual(answers.madeUp, answers.real, 'same statuses and byte-identical bodies');
  t.is(JSON.parse(answers.madeUp![5]!.body).error, 'account_locked');
  t.is(server.smtp.received.filter((m) => (m.headers.get('to') ?? '').includes(madeUp)).length, 0, 'nobody to mail for a made-up address');
});

test('RATE_LIMIT_PER_IP=5: the 6th sign-in step in the minute gets 429 with Retry-After whatever the email, and register and forgot-password count', async (t) => {
  const clock = new ManualClock();
  const server = await startAccountServer(t, { clock, env: { RATE_LIMIT_PER_IP: '5', RATE_LIMIT_PER_ACCOUNT: '0' } });
  // Made outside HTTP, so that it spends none of the IP's budget.
  const person = newPerson();
  await server.services.users.create({ ...person, verified: true }, { id: 'test', meta: { ip: null, userAgent: null } });

  // One IP spraying many addresses: five different emails, then a sixth.
  for (let i = 0; i < 5; i += 1) t.is((await attempt(server, `spray${i}@example.com`, WRONG)).status, 401, `attempt ${i + 1}`);
  const limited = await attempt(server, 'spray5@example.com', WRONG);
  t.is(limited.status, 429);
  t.deepEqual(Object.keys(limited.body), ['error', 'error_description']);
  t.is(limited.body.error, 'rate_limited');
  t.is(limited.headers.get('cache-control'), 'no-store');
  retryAfter(t, limited.headers.get('retry-after'), 60);
  t.is((await attempt(server, person.email, person.password)).status, 429, 'even a real account with the right password');
  t.is((await api(server, 'POST', '/auth/register', { body: newPerson() })).status, 429, 'register is limited by the same bucket');
  t.is((await api(server, 'POST', '/auth/forgot-password', { body: { email: person.email } })).status, 429, 'so is forgot-password');
  t.is((await api(server, 'POST', '/auth/resend-verification', { body: { email: person.email } })).status, 429, 'and resend-verification');

  clock.advance(60_000);
  t.is((await attempt(server, person.email, person.password)).status, 200, 'the next minute opens again');

  // Register and forgot-password spend the same budget as logins.
  t.is((await api(server, 'POST', '/auth/register', { body: newPerson('Mix') })).status, 202);
  t.is((await api(server, 'POST', '/auth/forgot-password', { body: { email: person.email } })).status, 202);
  t.is((await api(server, 'POST', '/auth/register', { body: newPerson('Mix') })).status, 202);
  t.is((await api(server, 'POST', '/auth/forgot-password', { body: { email: 'nobody@example.com' } })).status, 202);
  const sixth = await attempt(server, person.email, person.password);
  t.is(sixth.status, 429, 'login after 1 login + 2 registers + 2 resets is the 6th request');
  t.is(sixth.body.error, 'rate_limited');
});

test('RATE_LIMIT_PER_ACCOUNT=3: the 4th try for one email gets 429 while another email still works; register and forgot-password count', async (t) => {
  const clock = new ManualClock();
  const server = await startAccountServer(t, { clock, env: { RATE_LIMIT_PER_IP: '0', RATE_LIMIT_PER_ACCOUNT: '3' } });
  const target = newPerson('Target');
  const other = newPerson('Other');
  for (const p of [target, other]) await server.services.users.create({ ...p, verified: true }, { id: 'test', meta: { ip: null, userAgent: null } });

  for (let i = 0; i < 3; i += 1) t.is((await attempt(server, target.email, WRONG)).status, 401);
  const limited = await attempt(server, target.email, target.password);
  t.is(limited.status, 429, 'the 4th try, even with the right password');
  t.is(limited.body.error, 'rate_limited');
  retryAfter(t, limited.headers.get('retry-after'), 60);
  t.is((await attempt(server, target.email.toUpperCase(), target.password)).status, 429, 'the same account however it is spelled');
  t.is((await attempt(server, other.email, other.password)).status, 200, 'another account is not affected');

  // Made-up addresses are limited alike.
  const ghost = 'ghost@example.com';
  for (let i = 0; i < 3; i += 1) t.is((await attempt(server, ghost, WRONG)).status, 401);
  t.is((await attempt(server, ghost, WRONG)).status, 429);

  clock.advance(60_000);
  t.is((await attempt(server, target.email, target.password)).status, 200, 'a new minute');

  // register + forgot-password + login on one address = 3; the 4th is refused.
  const fresh = newPerson('Fresh');
  t.is((await api(server, 'POST', '/auth/register', { body: fresh })).status, 202);
  t.is((await api(server, 'POST', '/auth/forgot-password', { body: { email: fresh.email } })).status, 202);
  t.is((await attempt(server, fresh.email, fresh.password)).status, 403, 'not verified yet, but counted');
  t.is((await api(server, 'POST', '/auth/forgot-password', { body: { email: fresh.email } })).status, 429);
  t.is((await api(server, 'POST', '/auth/register', { body: fresh })).status, 429);
});

test('rate limits hold across two instances on one database', async (t) => {
  const clock = new ManualClock();
  const env = { RATE_LIMIT_PER_IP: '4', RATE_LIMIT_PER_ACCOUNT: '0' };
  const first = await startAccountServer(t, { clock, env });
  const second = await startTestServer(t, {
    clock,
    dir: first.dir,
    databaseUrl: first.config.databaseUrl,
    env: { ...env, ISSUER: first.config.issuer, SMTP_URL: `smtp://127.0.0.1:${first.smtp.port}` },
  });
  t.not(first.url, second.url);

  t.is((await attempt(first, 'a@example.com', WRONG)).status, 401);
  t.is((await attempt(second, 'b@example.com', WRONG)).status, 401);
  t.is((await attempt(first, 'c@example.com', WRONG)).status, 401);
  t.is((await attempt(second, 'd@example.com', WRONG)).status, 401);
  const onSecond = await attempt(second, 'e@example.com', WRONG);
  t.is(onSecond.status, 429, 'the 5th request is refused although this instance saw only 3');
  t.is(onSecond.body.error, 'rate_limited');
  t.is((await attempt(first, 'f@example.com', WRONG)).status, 429);
});

test('the per-account limit and the lockout count are shared by two instances on one database', async (t) => {
  const clock = new ManualClock();
  const env = { RATE_LIMIT_PER_IP: '0', RATE_LIMIT_PER_ACCOUNT: '3' };
  const first = await startAccountServer(t, { clock, env });
  const second = await startTestServer(t, {
    clock,
    dir: first.dir,
    databaseUrl: first.config.databaseUrl,
    env: { ...env, ISSUER: first.config.issuer, SMTP_URL: `smtp://127.0.0.1:${first.smtp.port}` },
  });
  const person = newPerson();
  await first.services.users.create({ ...person, verified: true }, { id: 'test', meta: { ip: null, userAgent: null } });

  t.is((await attempt(first, person.email, WRONG)).status, 401);
  t.is((await attempt(second, person.email, WRONG)).status, 401);
  t.is((await attempt(first, person.email, WRONG)).status, 401);
  t.is((await attempt(second, person.email, person.password)).status, 429, 'the 4th try, on the other instance');

  // Lockout: three failures counted in the minute above, two more in the next; then locked on both.
  clock.advance(60_000);
  t.is((await attempt(second, person.email, WRONG)).status, 401);
  t.is((await attempt(first, person.email, WRONG)).status, 401, 'the 5th failure in a row, split over two instances');
  clock.advance(60_000);
  const lockedFirst = await attempt(first, person.email, person.password);
  const lockedSecond = await attempt(second, person.email, person.password);
  t.is(lockedFirst.status, 423);
  t.is(lockedSecond.status, 423);
  t.is(lockedSecond.body.error, 'account_locked');
});
