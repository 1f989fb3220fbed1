// The admin API's account routes (docs/accounts.md, The admin API): search by email, create,
// delete and a reset-password mail, each audited with the admin as actor.
import test from 'ava';
import { api, login, newPerson, signedInAdmin, signUp, startAccountServer } from '../helpers/accounts.js';
import { introspect } from '../helpers/http.js';
import { registerClient } from '../helpers/server.js';
import { linkIn, waitForMail } from '../helpers/smtp.js';

test('GET /admin/users?email= finds one account by its exact address, case aside, and nothing for an unknown one', async (t) => {
  const server = await startAccountServer(t);
  const admin = await signedInAdmin(server);
  const person = await signUp(server);
  await signUp(server);

  const found = await api(server, 'GET', `/admin/users?email=${encodeURIComponent(person.email.toUpperCase())}`, { token: admin.token });
  t.is(found.status, 200);
  t.deepEqual(found.body.users.map((u: { id: string }) => u.id), [person.id]);
  t.is(found.body.users[0].email, person.email);
  t.is(found.body.next_cursor, null);
  const none = await api(server, 'GET', '/admin/users?email=nobody%40example.com', { token: admin.token });
  t.deepEqual(none.body, { users: [], next_cursor: null });
  const partial = await api(server, 'GET', `/admin/users?email=${encodeURIComponent(person.email.slice(0, 5))}`, { token: admin.token });
  t.deepEqual(partial.body.users, [], 'exact match only, not a prefix');
});

test('POST /admin/users creates an account (201) with the validation of users create, audited with the admin as actor', async (t) => {
  const server = await startAccountServer(t);
  const admin = await signedInAdmin(server);
  const person = newPerson('Created');

  const created = await api(server, 'POST', '/admin/users', { token: admin.token, body: { email: person.email, password: person.password, name: 'Grace Hopper', role: 'enterprise_admin', email_verified: true } });
  t.is(created.status, 201);
  t.like(created.body, { email: person.email, name: 'Grace Hopper', role: 'enterprise_admin', email_verified: true, disabled: false, mfa_enabled: false });
  for (const key of Object.keys(created.body)) t.notRegex(key, /hash|secret|password/i);
  t.deepEqual((await api(server, 'GET', `/admin/users/${created.body.id}`, { token: admin.token })).body, created.body);
  t.truthy((await login(server, person)).access_token, 'the password works');

  const defaults = newPerson('Plain');
  const plain = await api(server, 'POST', '/admin/users', { token: admin.token, body: { email: defaults.email, password: defaults.password } });
  t.is(plain.status, 201);
  t.like(plain.body, { role: 'user', email_verified: false, name: defaults.email.split('@')[0] });
  t.is((await api(server, 'POST', '/auth/login', { body: defaults })).body.error, 'email_not_verified', 'unverified until --verified/email_verified');

  const refusals: Array<[unknown, number, string]> = [
    [{ email: person.email, password: 'another good passphrase' }, 409, 'conflict'],
    [{ email: person.email.toUpperCase(), password: 'another good passphrase' }, 409, 'conflict'],
    [{ email: 'x@example.com', password: 'password' }, 400, 'invalid_request'],
    [{ email: 'x@example.com', password: 'a fine long passphrase', role: 'root' }, 400, 'invalid_request'],
    [{ email: 'not an address', password: 'a fine long passphrase' }, 400, 'invalid_request'],
    [{ email: 'x@example.com' }, 400, 'invalid_request'],
    [{ password: 'a fine long passphrase' }, 400, 'invalid_request'],
    [{ email: 'x@example.com', password: 'a fine long passphrase', email_verified: 'yes' }, 400, 'invalid_request'],
  ];
  for (const [body, status, error] of refusals) {
    const response = await api(server, 'POST', '/admin/users', { token: admin.token, body });
    t.is(response.status, status, JSON.stringify(body));
    t.is(response.body.error, error, JSON.stringify(body));
  }
  t.is((await server.services.db.selectFrom('users').select('id').execute()).length, 3, 'the admin and the two created, nothing else');

  const events = await api(server, 'GET', `/admin/audit?event=user.created&user_id=${created.body.id}`, { token: admin.token });
  t.is(events.body.events.length, 1);
  t.like(events.body.events[0], { actor_id: admin.id, ip: '127.0.0.1', detail: { role: 'enterprise_admin' } });
  t.false(JSON.stringify(events.body.events[0]).includes(person.password));
});

test('DELETE /admin/users/:id is 204, ends every session and token of the user, and keeps user.deleted without personal data', async (t) => {
  const server = await startAccountServer(t);
  const admin = await signedInAdmin(server);
  const person = await signUp(server);
  const resourceServer = await registerClient(server);
  const tokens = await login(server, person);
  const second = await login(server, person);
  t.true((await introspect(server.url, resourceServer, tokens.access_token)).active);

  const deleted = await api(server, 'DELETE', `/admin/users/${person.id}`, { token: admin.token });
  t.is(deleted.status, 204);
  t.is(deleted.body, undefined);
  for (const token of [tokens.access_token, tokens.refresh_token, second.access_token, second.refresh_token]) {
    t.deepEqual(await introspect(server.url, resourceServer, token), { active: false });
  }
  t.is((await api(server, 'POST', '/auth/login', { body: person })).status, 401);
  t.is((await api(server, 'GET', `/admin/users/${person.id}`, { token: admin.token })).status, 404);
  t.is((await server.services.db.selectFrom('sessions').selectAll().where('user_id', '=', person.id).execute()).length, 0);

  const rows = await server.services.db.selectFrom('audit_log').selectAll().where('user_id', '=', person.id).execute();
  const event = rows.find((row) => row.event === 'user.deleted');
  t.like(event, { actor_id: admin.id, ip: null, user_agent: null });
  t.true(rows.some((row) => row.event === 'user.registered'), 'earlier events are kept');
  for (const row of rows) {
    t.is(row.ip, null);
    t.is(row.user_agent, null);
    t.false(JSON.stringify(row).includes(person.email));
  }

  const again = await api(server, 'DELETE', `/admin/users/${person.id}`, { token: admin.token });
  t.is(again.status, 404);
  t.is(again.body.error, 'not_found');
  t.is(rows.filter((row) => row.event === 'user.deleted').length, 1);
});

test('POST /admin/users/:id/reset-password mails a working reset link (202), audited, within the hourly mail quota', async (t) => {
  const server = await startAccountServer(t, { env: { MAIL_LIMIT_PER_ACCOUNT: '2' } });
  const admin = await signedInAdmin(server);
  const person = await signUp(server); // the verification mail is the first of the quota's two
  const before = await login(server, person);
  const resourceServer = await registerClient(server);

  const sent = await api(server, 'POST', `/admin/users/${person.id}/reset-password`, { token: admin.token });
  t.is(sent.status, 202);
  t.deepEqual(sent.body, { status: 'accepted' });
  t.is(sent.headers.get('cache-control'), 'no-store');
  const { token } = linkIn(await waitForMail(server.smtp, person.email, /reset/i), `${server.config.issuer}/reset-password?token=`);
  t.true((await introspect(server.url, resourceServer, before.access_token)).active, 'sending the link changes nothing yet');
  t.is((await api(server, 'POST', '/auth/reset-password', { body: { token, password: 'set by the reset link' } })).status, 200);
  t.deepEqual(await introspect(server.url, resourceServer, before.access_token), { active: false });
  t.truthy(await login(server, { email: person.email, password: 'set by the reset link' }));

  const events = await api(server, 'GET', `/admin/audit?event=user.password_reset_requested&user_id=${person.id}`, { token: admin.token });
  t.is(events.body.events.length, 1);
  t.like(events.body.events[0], { actor_id: admin.id, ip: '127.0.0.1' });

  // The verification mail and this reset took the hour's two mails: the next is refused, and says so.
  const over = await api(server, 'POST', `/admin/users/${person.id}/reset-password`, { token: admin.token });
  t.is(over.status, 429);
  t.is(over.body.error, 'rate_limited');
  t.is(over.headers.get('retry-after'), '3600');
  t.is((await server.services.db.selectFrom('mail_tokens').selectAll().where('user_id', '=', person.id).where('purpose', '=', 'reset_password').execute()).length, 1, 'no new link');

  t.is((await api(server, 'POST', '/admin/users/no-such-user/reset-password', { token: admin.token })).status, 404);
  const disabled = await signUp(server);
  t.is((await api(server, 'POST', `/admin/users/${disabled.id}/disable`, { token: admin.token })).status, 200);
  const refused = await api(server, 'POST', `/admin/users/${disabled.id}/reset-password`, { token: admin.token });
  t.is(refused.status, 400);
  t.is(refused.body.error, 'invalid_request');
});
