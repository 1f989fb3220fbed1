import test from 'ava';
import { api, login, signUp, startAccountServer } from '../helpers/accounts.js';
import { introspect } from '../helpers/http.js';
import { registerClient } from '../helpers/server.js';
import { linkIn, waitForMail } from '../helpers/smtp.js';

test('changing the email needs the current password; the old address stays until the new one is verified', async (t) => {
  const server = await startAccountServer(t);
  const person = await signUp(server);
  const { access_token } = await login(server, person);
  const newEmail = `moved.${person.email}`;

  const missing = await api(server, 'PATCH', '/auth/me', { token: access_token, body: { email: newEmail } });
  t.is(missing.status, 400);
  const wrong = await api(server, 'PATCH', '/auth/me', { token: access_token, body: { email: newEmail, current_password: 'not the password' } });
  t.is(wrong.status, 401);
  t.is(wrong.body.error, 'invalid_credentials');

  const pending = await api(server, 'PATCH', '/auth/me', { token: access_token, body: { email: newEmail, current_password: person.password, name: 'Ada L.' } });
  t.is(pending.status, 200);
  t.like(pending.body, { email: person.email, pending_email: newEmail, name: 'Ada L.' });
  await waitForMail(server.smtp, person.email, /chang/i); // the old address hears of it
  const { token } = linkIn(await waitForMail(server.smtp, newEmail, /verify|confirm/i), `${server.config.issuer}/verify-email?token=`);
  t.truthy(await login(server, person), 'the old address still signs in');

  t.is((await api(server, 'POST', '/auth/verify-email', { body: { token } })).status, 200);
  const me = await api(server, 'GET', '/auth/me', { token: access_token });
  t.like(me.body, { email: newEmail, email_verified: true });
  t.false('pending_email' in me.body);
  t.truthy(await login(server, { email: newEmail, password: person.password }));
  t.is((await api(server, 'POST', '/auth/login', { body: { email: person.email, password: person.password } })).status, 401);
});

test('deleting the account needs the password, ends its tokens, and keeps the audit events without personal data', async (t) => {
  const server = await startAccountServer(t);
  const person = await signUp(server);
  const resourceServer = await registerClient(server);
  const tokens = await login(server, person);
  t.is((await api(server, 'DELETE', '/auth/me', { token: tokens.access_token, body: { password: 'wrong one' } })).status, 401);
  t.is((await api(server, 'DELETE', '/auth/me', { token: tokens.access_token, body: { password: person.password } })).status, 204);
  t.deepEqual(await introspect(server.url, resourceServer, tokens.access_token), { active: false });
  t.deepEqual(await introspect(server.url, resourceServer, tokens.refresh_token), { active: false });
  t.is((await api(server, 'POST', '/auth/login', { body: { email: person.email, password: person.password } })).status, 401);

  const rows = await server.services.db.selectFrom('audit_log').selectAll().where('user_id', '=', person.id).execute();
  t.true(rows.some((row) => row.event === 'user.deleted'));
  t.true(rows.some((row) => row.event === 'user.registered'), 'earlier events are kept');
  for (const row of rows) {
    t.is(row.ip, null);
    t.is(row.user_agent, null);
    t.false(JSON.stringify(row).includes(person.email));
  }
  t.is((await server.services.db.selectFrom('sessions').selectAll().where('user_id', '=', person.id).execute()).length, 0);
});

test('/auth responses are never cached, and consents can be updated with the current CONSENT_VERSION', async (t) => {
  const server = await startAccountServer(t, { env: { CONSENT_VERSION: '2026-11' } });
  const person = await signUp(server);
  const { access_token } = await login(server, person);
  const updated = await api(server, 'PATCH', '/auth/me', { token: access_token, body: { consents: { marketing: true } } });
  t.is(updated.status, 200);
  t.is(updated.headers.get('cache-control'), 'no-store');
  t.like(updated.body.consents.marketing, { granted: true, version: '2026-11' });
  const bad = await api(server, 'PATCH', '/auth/me', { token: access_token, body: { consents: { marketing: 'yes' } } });
  t.is(bad.status, 400);
});

test('wrong current passwords on signed-in routes count toward lockout, so a stolen access token buys no guesses', async (t) => {
  const server = await startAccountServer(t, { env: { LOCKOUT_THRESHOLD: '3' } });
  const person = await signUp(server);
  const { access_token } = await login(server, person);
  const guesses = [
    () => api(server, 'POST', '/auth/change-password', { token: access_token, body: { current_password: 'guess one!', password: 'a brand new passphrase' } }),
    () => api(server, 'PATCH', '/auth/me', { token: access_token, body: { email: 'x@example.com', current_password: 'guess two!' } }),
    () => api(server, 'DELETE', '/auth/me', { token: access_token, body: { password: 'guess three' } }),
  ];
  for (const guess of guesses) t.is((await guess()).status, 401);
  const locked = await api(server, 'POST', '/auth/change-password', { token: access_token, body: { current_password: person.password, password: 'a brand new passphrase' } });
  t.is(locked.status, 423, 'even the right password is refused while locked');
  t.is((await api(server, 'POST', '/auth/login', { body: { email: person.email, password: person.password } })).status, 423);
});

test('change-password in browser mode puts the new refresh token in the cookie, not the body', async (t) => {
  const server = await startAccountServer(t);
  const person = await signUp(server);
  const signedIn = await api(server, 'POST', '/auth/login', { body: { email: person.email, password: person.password, cookie: true } });
  const cookie = (signedIn.headers.get('set-cookie') ?? '').split(';')[0]!;
  const changed = await api(server, 'POST', '/auth/change-password', {
    token: signedIn.body.access_token,
    headers: { cookie },
    body: { current_password: person.password, password: 'a brand new passphrase' },
  });
  t.is(changed.status, 200);
  t.false('refresh_token' in changed.body);
  const fresh = (changed.headers.get('set-cookie') ?? '').split(';')[0]!;
  t.not(fresh, cookie);
  const refreshed = await api(server, 'POST', '/auth/refresh', { headers: { cookie: fresh, origin: new URL(server.config.issuer).origin } });
  t.is(refreshed.status, 200);
});
