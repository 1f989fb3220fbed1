import test, { type ExecutionContext } from 'ava';
import { api, login, newPerson, signUp, startAccountServer, type AccountServer, type Tokens, type TokensOrError } from '../helpers/accounts.js';
import { introspect } from '../helpers/http.js';
import { ManualClock, registerClient } from '../helpers/server.js';
import { linkIn, waitForMail } from '../helpers/smtp.js';

async function setUp(t: ExecutionContext, options: Parameters<typeof startAccountServer>[1] = {}) {
  const server = await startAccountServer(t, options);
  const person = await signUp(server);
  const resourceServer = await registerClient(server);
  const active = async (token: string) => (await introspect(server.url, resourceServer, token)).active === true;
  return { server, person, resourceServer, active };
}

const refresh = (server: AccountServer, refreshToken: string) => api<TokensOrError>(server, 'POST', '/auth/refresh', { body: { refresh_token: refreshToken } });

test('each refresh returns a new pair; replaying a used refresh token is invalid_grant and kills the newest one too', async (t) => {
  const { server, person, active, resourceServer } = await setUp(t);
  const first = await login(server, person);
  t.like(await introspect(server.url, resourceServer, first.refresh_token), { active: true, token_type: 'refresh_token', client_id: 'tessera', sub: person.id, scope: 'openid profile email' });

  const second = await refresh(server, first.refresh_token);
  t.is(second.status, 200);
  t.not(second.body.refresh_token, first.refresh_token);
  t.not(second.body.access_token, first.access_token);
  t.false(await active(first.refresh_token), 'a used refresh token is inactive');
  const third = await refresh(server, second.body.refresh_token);
  t.is(third.status, 200);

  const replay = await refresh(server, first.refresh_token);
  t.is(replay.status, 401);
  t.deepEqual(Object.keys(replay.body), ['error', 'error_description']);
  t.is(replay.body.error, 'invalid_grant');
  // The whole family is gone: the newest refresh token and the access tokens of the session.
  t.is((await refresh(server, third.body.refresh_token)).status, 401);
  t.false(await active(third.body.refresh_token));
  t.false(await active(third.body.access_token));
  t.false(await active(first.access_token));
  const audit = await server.services.db.selectFrom('audit_log').select('event').where('event', '=', 'refresh.reuse_detected').execute();
  t.is(audit.length, 1);
});

test('parallel refreshes of one token: at most one succeeds', async (t) => {
  const { server, person } = await setUp(t);
  const { refresh_token } = await login(server, person);
  const results = await Promise.all(Array.from({ length: 10 }, () => refresh(server, refresh_token)));
  t.true(results.filter((r) => r.status === 200).length <= 1);
  t.true(results.every((r) => r.status === 200 || r.body.error === 'invalid_grant'));
});

test('refresh tokens expire when idle (REFRESH_TOKEN_TTL) and at the session limit (SESSION_MAX_TTL)', async (t) => {
  const clock = new ManualClock();
  const { server, person, active } = await setUp(t, { clock, env: { REFRESH_TOKEN_TTL: '1h', SESSION_MAX_TTL: '3h' } });
  let tokens = await login(server, person);
  clock.advance(3_600_000);
  t.is((await refresh(server, tokens.refresh_token)).status, 401, 'idle for the whole TTL');

  tokens = await login(server, person);
  for (let hour = 0; hour < 2; hour += 1) {
    clock.advance(3_000_000);
    const next = await refresh(server, tokens.refresh_token);
    t.is(next.status, 200, 'each rotation restarts the idle limit');
    tokens = next.body;
  }
  clock.advance(3_000_000); // 2.5 h after sign-in: inside the idle limit, but…
  t.true(await active(tokens.refresh_token));
  clock.advance(1_800_000 + 1); // …past 3 h the session itself is over.
  t.false(await active(tokens.refresh_token));
  t.is((await refresh(server, tokens.refresh_token)).status, 401);
});

test('a refresh token is bound to its client', async (t) => {
  const { server, person } = await setUp(t);
  const other = await registerClient(server, { firstParty: true, redirectUris: ['https://app.example.com/cb'] });
  const { refresh_token } = await login(server, person);
  const wrong = await api(server, 'POST', '/auth/refresh', { body: { refresh_token, client_id: other.client_id } });
  t.is(wrong.status, 401);
  t.is(wrong.body.error, 'invalid_grant');
});

test('logout ends that session only; logout-all ends every token of the user', async (t) => {
  const { server, person, active } = await setUp(t);
  const phone = await login(server, person);
  const laptop = await login(server, person);

  t.is((await api(server, 'POST', '/auth/logout', { body: { refresh_token: phone.refresh_token } })).status, 204);
  t.false(await active(phone.access_token), 'the logged-out access token');
  t.false(await active(phone.refresh_token));
  t.true(await active(laptop.access_token), 'the other session lives');

  const tablet = await login(server, person);
  t.is((await api(server, 'POST', '/auth/logout-all', { token: laptop.access_token })).status, 204);
  for (const token of [laptop.access_token, laptop.refresh_token, tablet.access_token, tablet.refresh_token]) t.false(await active(token));
  t.is((await refresh(server, tablet.refresh_token)).status, 401);
  t.is((await api(server, 'GET', '/auth/me', { token: tablet.access_token })).status, 401);
  // A sign-in after the logout-all lives: a counter, not a timestamp.
  const after = await login(server, person);
  t.true(await active(after.access_token));
});

test('a password change ends every earlier token and returns a fresh pair; the old password stops working', async (t) => {
  const { server, person, active } = await setUp(t);
  const a = await login(server, person);
  const b = await login(server, person);
  const wrong = await api(server, 'POST', '/auth/change-password', { token: a.access_token, body: { current_password: 'not it at all', password: 'a brand new passphrase' } });
  t.is(wrong.status, 401);
  t.is(wrong.body.error, 'invalid_credentials');
  const reused = await api(server, 'POST', '/auth/change-password', { token: a.access_token, body: { current_password: person.password, password: person.password } });
  t.is(reused.status, 400, 'the same password again is refused');
  t.regex(reused.body.error_description, /last 5/);

  const changed = await api<Tokens>(server, 'POST', '/auth/change-password', { token: a.access_token, body: { current_password: person.password, password: 'a brand new passphrase' } });
  t.is(changed.status, 200);
  for (const token of [a.access_token, a.refresh_token, b.access_token, b.refresh_token]) t.false(await active(token));
  t.true(await active(changed.body.access_token));
  t.true(await active(changed.body.refresh_token));
  t.is((await api(server, 'POST', '/auth/login', { body: { email: person.email, password: person.password } })).status, 401);
  t.truthy(await login(server, { email: person.email, password: 'a brand new passphrase' }));
  await waitForMail(server.smtp, person.email, /password/i);
});

test('forgot-password answers 202 for any address; the reset token works once, ends every session, and dies after 1 h', async (t) => {
  const clock = new ManualClock();
  const { server, person, active } = await setUp(t, { clock });
  const before = await login(server, person);
  const unknown = await api(server, 'POST', '/auth/forgot-password', { body: { email: 'nobody@example.com' } });
  const known = await api(server, 'POST', '/auth/forgot-password', { body: { email: person.email } });
  t.is(unknown.status, 202);
  t.is(known.status, 202);
  t.deepEqual(unknown.body, known.body);

  const mail = await waitForMail(server.smtp, person.email, /reset/i);
  const { token } = linkIn(mail, `${server.config.issuer}/reset-password?token=`);
  const weak = await api(server, 'POST', '/auth/reset-password', { body: { token, password: 'password' } });
  t.is(weak.status, 400);
  t.is(weak.body.error, 'invalid_request', 'a weak password does not spend the token');
  t.is((await api(server, 'POST', '/auth/reset-password', { body: { token, password: 'reset to something new' } })).status, 200);
  t.false(await active(before.access_token));
  t.false(await active(before.refresh_token));
  const twice = await api(server, 'POST', '/auth/reset-password', { body: { token, password: 'and once more again' } });
  t.is(twice.status, 400);
  t.is(twice.body.error, 'invalid_token');
  t.truthy(await login(server, { email: person.email, password: 'reset to something new' }));

  // A second reset link expires after one hour (on the injected clock: no sleeping).
  server.smtp.received.length = 0;
  await api(server, 'POST', '/auth/forgot-password', { body: { email: person.email } });
  const late = linkIn(await waitForMail(server.smtp, person.email, /reset/i), `${server.config.issuer}/reset-password?token=`);
  clock.advance(3_600_000);
  const expired = await api(server, 'POST', '/auth/reset-password', { body: { token: late.token, password: 'too late for this one' } });
  t.is(expired.status, 400);
  t.is(expired.body.error, 'invalid_token');
});

test('a newer reset link voids the older one, and the reset page works in a browser-like form POST with 303', async (t) => {
  const { server, person } = await setUp(t);
  await api(server, 'POST', '/auth/forgot-password', { body: { email: person.email } });
  const first = linkIn(await waitForMail(server.smtp, person.email, /reset/i), `${server.config.issuer}/reset-password?token=`);
  server.smtp.received.length = 0;
  await api(server, 'POST', '/auth/forgot-password', { body: { email: person.email } });
  const second = linkIn(await waitForMail(server.smtp, person.email, /reset/i), `${server.config.issuer}/reset-password?token=`);
  t.is((await api(server, 'POST', '/auth/reset-password', { body: { token: first.token, password: 'first link new password' } })).status, 400);

  const page = await fetch(second.url);
  t.is(page.status, 200);
  const html = await page.text();
  t.regex(html, /autocomplete="new-password"/);
  t.regex(html, /<html lang="en">/);
  t.regex(page.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
  const posted = await fetch(`${server.url}/reset-password`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token: second.token, password: 'second link new password' }).toString(),
  });
  t.is(posted.status, 303);
  t.is(posted.headers.get('location'), '/reset-password?status=done');
  t.truthy(await login(server, { email: person.email, password: 'second link new password' }));
});

test('sessions: the user lists their live sessions and ends one; another user cannot see or end it', async (t) => {
  const { server, person, active } = await setUp(t);
  const mine = await login(server, person);
  const other = await login(server, person);
  const listed = await api(server, 'GET', '/auth/sessions', { token: mine.access_token, headers: { 'user-agent': 'tessera-test/1.0' } });
  t.is(listed.status, 200);
  t.is(listed.body.sessions.length, 2);
  const current = listed.body.sessions.find((s: { current: boolean }) => s.current);
  const otherSession = listed.body.sessions.find((s: { current: boolean }) => !s.current);
  t.truthy(current.created_at && current.last_used_at && current.ip);

  const stranger = await signUp(server, newPerson('Eve'));
  const strangerTokens = await login(server, stranger);
  const denied = await api(server, 'DELETE', `/auth/sessions/${otherSession.id}`, { token: strangerTokens.access_token });
  t.is(denied.status, 404);
  t.is(denied.body.error, 'not_found');
  t.true(await active(other.access_token));

  t.is((await api(server, 'DELETE', `/auth/sessions/${otherSession.id}`, { token: mine.access_token })).status, 204);
  t.false(await active(other.access_token));
  t.false(await active(other.refresh_token));
  t.true(await active(mine.access_token));
  t.is((await api(server, 'GET', '/auth/sessions', { token: mine.access_token })).body.sessions.length, 1);
});

test('browser mode: the refresh token travels only in an HttpOnly SameSite=Strict cookie, and needs an allowed Origin', async (t) => {
  const { server, person } = await setUp(t, { env: { CORS_ORIGINS: 'https://app.example.com' } });
  const response = await api(server, 'POST', '/auth/login', { body: { email: person.email, password: person.password, cookie: true } });
  t.is(response.status, 200);
  t.false('refresh_token' in response.body, 'not in the body');
  const setCookie = response.headers.get('set-cookie') ?? '';
  t.regex(setCookie, /^tessera_refresh=[A-Za-z0-9_-]{43}; Path=\/auth; Max-Age=\d+; HttpOnly; SameSite=Strict$/);
  const cookie = setCookie.split(';')[0]!;

  const noOrigin = await api(server, 'POST', '/auth/refresh', { headers: { cookie } });
  t.is(noOrigin.status, 403);
  t.is(noOrigin.body.error, 'invalid_origin');
  const evil = await api(server, 'POST', '/auth/refresh', { headers: { cookie, origin: 'https://evil.example.com' } });
  t.is(evil.status, 403);

  const refreshed = await api(server, 'POST', '/auth/refresh', { headers: { cookie, origin: 'https://app.example.com' } });
  t.is(refreshed.status, 200);
  t.false('refresh_token' in refreshed.body);
  const rotated = (refreshed.headers.get('set-cookie') ?? '').split(';')[0]!;
  t.not(rotated, cookie);

  const out = await api(server, 'POST', '/auth/logout', { headers: { cookie: rotated, origin: new URL(server.config.issuer).origin } });
  t.is(out.status, 204);
  t.regex(out.headers.get('set-cookie') ?? '', /Max-Age=0/);
  t.is((await api(server, 'POST', '/auth/refresh', { headers: { cookie: rotated, origin: 'https://app.example.com' } })).status, 401);
});
