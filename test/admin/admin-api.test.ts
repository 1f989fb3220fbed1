// The admin API (docs/accounts.md, The admin API) over a real server: who may use it (only role `admin`, read from the
// database on every request), users (paging, roles, disable/enable), clients, keys and the audit log.
import test from 'ava';
import { api, login, newPerson, signedInAdmin, signUp, startAccountServer, type AccountServer } from '../helpers/accounts.js';
import { basic, clientCredentialsToken, introspect, postForm } from '../helpers/http.js';
import { registerClient } from '../helpers/server.js';
import { snapshot } from '../helpers/snapshot.js';

const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
const headerOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString()) as Record<string, unknown>;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** A user with the given role, made through the CLI's code path, and signed in. */
async function signedInAs(server: AccountServer, role: string) {
  const person = newPerson(role.replace('_', ''));
  const user = await server.services.users.create({ ...person, role, verified: true }, { id: 'test', meta: { ip: null, userAgent: null } });
  return { id: user.id, person, token: (await login(server, person)).access_token };
}

/** Every /admin route, with ids that exist, so that a refusal can only be about the role. */
async function everyAdminRoute(server: AccountServer, userId: string) {
  const client = await registerClient(server);
  const kid = (await server.services.db.selectFrom('signing_keys').select('kid').where('status', '=', 'active').executeTakeFirstOrThrow()).kid;
  return [
    ['GET', '/admin/users', undefined],
    ['POST', '/admin/users', { email: 'sneaky@example.com', password: 'a sneaky long passphrase', role: 'admin' }],
    ['GET', `/admin/users/${userId}`, undefined],
    ['PATCH', `/admin/users/${userId}`, { role: 'admin' }],
    ['POST', `/admin/users/${userId}/reset-password`, undefined],
    ['DELETE', `/admin/users/${userId}`, undefined],
    ['POST', `/admin/users/${userId}/disable`, undefined],
    ['POST', `/admin/users/${userId}/enable`, undefined],
    ['POST', `/admin/users/${userId}/unlock`, undefined],
    ['DELETE', `/admin/users/${userId}/2fa`, undefined],
    ['GET', '/admin/clients', undefined],
    ['POST', '/admin/clients', { client_name: 'sneaky' }],
    ['GET', `/admin/clients/${client.client_id}`, undefined],
    ['DELETE', `/admin/clients/${client.client_id}`, undefined],
    ['POST', `/admin/clients/${client.client_id}/rotate-secret`, undefined],
    ['GET', '/admin/keys', undefined],
    ['POST', '/admin/keys/rotate', { force: true }],
    ['POST', `/admin/keys/${kid}/revoke`, undefined],
    ['GET', '/admin/audit', undefined],
  ] as Array<[string, string, unknown]>;
}

test('a user and an enterprise_admin get 403 insufficient_role on every /admin route, even about themselves, and nothing changes', async (t) => {
  const server = await startAccountServer(t);
  const user = await signedInAs(server, 'user');
  const enterprise = await signedInAs(server, 'enterprise_admin');
  const routes = await everyAdminRoute(server, user.id);
  t.is(routes.length, 19);
  const before = await snapshot(server.services.db);

  for (const caller of [user, enterprise]) {
    for (const [method, path, body] of routes) {
      const name = `${caller.person.name} ${method} ${path}`;
      const response = await api(server, method, path.replace(user.id, caller.id), { token: caller.token, body });
      t.is(response.status, 403, name);
      t.deepEqual(Object.keys(response.body), ['error', 'error_description'], name);
      t.is(response.body.error, 'insufficient_role', name);
      t.is(response.headers.get('cache-control'), 'no-store', name);
    }
  }
  const after = await snapshot(server.services.db);
  for (const table of ['users', 'clients', 'signing_keys', 'sessions', 'audit_log', 'lockouts', 'mail_tokens', 'outbox', 'account_mails'] as const) {
    t.deepEqual(after[table], before[table], `${table} unchanged`);
  }
  t.is((await api(server, 'GET', '/auth/me', { token: user.token })).body.role, 'user', 'the user did not promote themself');
});

test('/admin without a token is 401 with WWW-Authenticate; a bad or third-party token is 401 invalid_token', async (t) => {
  const server = await startAccountServer(t);
  const admin = await signedInAdmin(server);
  const routes = await everyAdminRoute(server, admin.id);
  const thirdParty = await registerClient(server);
  const serviceToken = await clientCredentialsToken(server.url, thirdParty);

  for (const [method, path, body] of routes) {
    const anonymous = await api(server, method, path, { body });
    t.is(anonymous.status, 401, `${method} ${path}`);
    t.is(anonymous.body.error, 'invalid_token', `${method} ${path}`);
    t.deepEqual(Object.keys(anonymous.body), ['error', 'error_description']);
    t.regex(anonymous.headers.get('www-authenticate') ?? '', /^Bearer realm="tessera"/, `${method} ${path}`);
  }
  for (const token of [`${admin.token}x`, 'not-a-jwt', serviceToken]) {
    const response = await api(server, 'GET', '/admin/users', { token });
    t.is(response.status, 401);
    t.is(response.body.error, 'invalid_token');
    t.regex(response.headers.get('www-authenticate') ?? '', /^Bearer realm="tessera", error="invalid_token"/);
  }
  t.is((await api(server, 'GET', '/admin/users', { token: admin.token })).status, 200, 'the admin token itself works');
});

test('an admin lists users page by page with limit and next_cursor, filters by role, and shows one', async (t) => {
  const server = await startAccountServer(t);
  const admin = await signedInAdmin(server);
  for (let i = 0; i < 6; i += 1) {
    await server.services.users.create({ ...newPerson(`Paged${i}`), verified: i % 2 === 0 }, { id: 'test', meta: { ip: null, userAgent: null } });
  }
  const all = await server.services.db.selectFrom('users').select(['id', 'email']).execute();
  t.is(all.length, 7);

  const seen: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page: { status: number; body: { users: Array<Record<string, unknown>>; next_cursor: string | null } } = await api(
      server,
      'GET',
      `/admin/users?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      { token: admin.token },
    );
    t.is(page.status, 200);
    t.true(page.body.users.length <= 3);
    for (const user of page.body.users) {
      for (const key of ['id', 'email', 'email_verified', 'name', 'role', 'disabled', 'created_at']) t.true(key in user, `users[].${key}`);
      for (const key of Object.keys(user)) t.notRegex(key, /hash|secret|password|totp|token/i, `no secret field (${key})`);
      t.regex(String(user.created_at), ISO_UTC);
      seen.push(String(user.id));
    }
    cursor = page.body.next_cursor;
    pages += 1;
  } while (cursor && pages < 10);
  t.is(pages, 3, '7 users in pages of 3');
  t.is(new Set(seen).size, 7, 'no user twice');
  t.deepEqual([...seen].sort(), all.map((u) => u.id).sort(), 'every user once');

  const admins = await api(server, 'GET', '/admin/users?role=admin', { token: admin.token });
  t.deepEqual(admins.body.users.map((u: { id: string }) => u.id), [admin.id]);
  t.is(admins.body.next_cursor, null);

  const one = await api(server, 'GET', `/admin/users/${admin.id}`, { token: admin.token });
  t.is(one.status, 200);
  t.like(one.body, { id: admin.id, role: 'admin', disabled: false, email_verified: true });

  const unknown = await api(server, 'GET', '/admin/users/no-such-user', { token: admin.token });
  t.is(unknown.status, 404);
  t.deepEqual(Object.keys(unknown.body), ['error', 'error_description']);
  t.is(unknown.body.error, 'not_found');
  t.is((await api(server, 'GET', '/admin/users?limit=abc', { token: admin.token })).body.error, 'invalid_request');
  t.is((await api(server, 'GET', '/admin/users?cursor=%%%', { token: admin.token })).status, 400);
  t.is((await api(server, 'GET', '/admin/users?role=superuser', { token: admin.token })).status, 400);
});

test('a role change shows in the next access token after refresh; a promoted user uses /admin at once with their old token', async (t) => {
  const server = await startAccountServer(t);
  const admin = await signedInAdmin(server);
  const person = await signUp(server);
  const tokens = await login(server, person);
  t.is(claimsOf(tokens.access_token).role, 'user');
  t.is((await api(server, 'GET', '/admin/users', { token: tokens.access_token })).status, 403);

  const promoted = await api(server, 'PATCH', `/admin/users/${person.id}`, { token: admin.token, body: { role: 'admin' } });
  t.is(promoted.status, 200);
  t.like(promoted.body, { id: person.id, role: 'admin' });
  t.is(promoted.headers.get('cache-control'), 'no-store');

  // The role is read from the database on every request, not from the token's claim.
  const withOldToken = await api(server, 'GET', '/admin/users', { token: tokens.access_token });
  t.is(withOldToken.status, 200, 'the existing token opens /admin at once');
  t.is(claimsOf(tokens.access_token).role, 'user', 'although it still says user');

  const refreshed = await api(server, 'POST', '/auth/refresh', { body: { refresh_token: tokens.refresh_token } });
  t.is(refreshed.status, 200);
  t.is(claimsOf(refreshed.body.access_token).role, 'admin', 'the next access token carries the new role');

  // And the other way: a token that claims admin opens nothing once the role is gone.
  const demoted = await api(server, 'PATCH', `/admin/users/${person.id}`, { token: admin.token, body: { role: 'enterprise_admin' } });
  t.is(demoted.body.role, 'enterprise_admin');
  const stale = await api(server, 'GET', '/admin/users', { token: refreshed.body.access_token });
  t.is(stale.status, 403);
  t.is(stale.body.error, 'insufficient_role');
  const again = await api(server, 'POST', '/auth/refresh', { body: { refresh_token: refreshed.body.refresh_token } });
  t.is(claimsOf(again.body.access_token).role, 'enterprise_admin');

  const bad = await api(server, 'PATCH', `/admin/users/${person.id}`, { token: admin.token, body: { role: 'root' } });
  t.is(bad.status, 400);
  t.is(bad.body.error, 'invalid_request');
  const empty = await api(server, 'PATCH', `/admin/users/${person.id}`, { token: admin.token, body: {} });
  t.is(empty.status, 400);
  t.is((await api(server, 'PATCH', '/admin/users/nobody', { token: admin.token, body: { role: 'user' } })).status, 404);

  const changes = await api(server, 'GET', `/admin/audit?user_id=${person.id}&event=user.role_changed`, { token: admin.token });
  t.deepEqual(
    changes.body.events.map((e: { detail: unknown; actor_id: string }) => [e.actor_id, e.detail]),
    [
      [admin.id, { from: 'admin', to: 'enterprise_admin' }],
      [admin.id, { from: 'user', to: 'admin' }],
    ],
    'both changes, newest first, with who made them',
  );
});

test('disabling a user makes their access and refresh tokens inactive and stops login; enabling lets them back in', async (t) => {
  const server = await startAccountServer(t);
  const admin = await signedInAdmin(server);
  const resourceServer = await registerClient(server);
  const person = await signUp(server);
  const tokens = await login(server, person);
  t.true((await introspect(server.url, resourceServer, tokens.access_token)).active as boolean);
  t.true((await introspect(server.url, resourceServer, tokens.refresh_token)).active as boolean);

  const disabled = await api(server, 'POST', `/admin/users/${person.id}/disable`, { token: admin.token });
  t.is(disabled.status, 200);
  t.like(disabled.body, { id: person.id, disabled: true });

  t.deepEqual(await introspect(server.url, resourceServer, tokens.access_token), { active: false });
  t.deepEqual(await introspect(server.url, resourceServer, tokens.refresh_token), { active: false });
  const me = await api(server, 'GET', '/auth/me', { token: tokens.access_token });
  t.is(me.status, 401);
  t.is(me.body.error, 'invalid_token');
  const refresh = await api(server, 'POST', '/auth/refresh', { body: { refresh_token: tokens.refresh_token } });
  t.is(refresh.status, 401);
  t.is(refresh.body.error, 'invalid_grant');
  const refused = await api(server, 'POST', '/auth/login', { body: { email: person.email, password: person.password } });
  t.is(refused.status, 403);
  t.is(refused.body.error, 'access_denied');
  const wrong = await api(server, 'POST', '/auth/login', { body: { email: person.email, password: 'not the password at all' } });
  t.is(wrong.status, 401, 'a wrong password on a disabled account says nothing about the account');

  const enabled = await api(server, 'POST', `/admin/users/${person.id}/enable`, { token: admin.token });
  t.is(enabled.status, 200);
  t.like(enabled.body, { id: person.id, disabled: false });
  const fresh = await login(server, person);
  t.true((await introspect(server.url, resourceServer, fresh.access_token)).active as boolean);
  t.deepEqual(await introspect(server.url, resourceServer, tokens.access_token), { active: false }, 'tokens from before the disable stay dead');
  t.deepEqual(await introspect(server.url, resourceServer, tokens.refresh_token), { active: false });

  // PATCH with `disabled` is the same operation.
  const patched = await api(server, 'PATCH', `/admin/users/${person.id}`, { token: admin.token, body: { disabled: true } });
  t.like(patched.body, { disabled: true });
  t.deepEqual(await introspect(server.url, resourceServer, fresh.access_token), { active: false });
  t.is((await api(server, 'PATCH', `/admin/users/${person.id}`, { token: admin.token, body: { disabled: 'yes' } })).status, 400);
});

test('the audit log, filtered by user and by event, holds logins, the role change and the disable with ip, user agent and UTC times', async (t) => {
  const server = await startAccountServer(t);
  const started = Date.now();
  const admin = await signedInAdmin(server);
  const person = await signUp(server);
  const other = await signUp(server, newPerson('Other'));
  const agent = 'AuditCheck/1.0 (tessera tests)';
  const adminAgent = 'AdminConsole/2.0';
  t.is((await api(server, 'POST', '/auth/login', { body: { email: person.email, password: 'definitely wrong password' }, headers: { 'user-agent': agent } })).status, 401);
  t.is((await api(server, 'POST', '/auth/login', { body: { email: person.email, password: person.password }, headers: { 'user-agent': agent } })).status, 200);
  await login(server, other);
  t.is((await api(server, 'PATCH', `/admin/users/${person.id}`, { token: admin.token, body: { role: 'enterprise_admin' }, headers: { 'user-agent': adminAgent } })).status, 200);
  t.is((await api(server, 'POST', `/admin/users/${person.id}/disable`, { token: admin.token, headers: { 'user-agent': adminAgent } })).status, 200);

  type Event = { id: string; event: string; user_id: string | null; actor_id: string | null; ip: string | null; user_agent: string | null; detail: Record<string, unknown>; created_at: string };
  const byUser = await api<{ events: Event[]; next_cursor: string | null }>(server, 'GET', `/admin/audit?user_id=${person.id}`, { token: admin.token });
  t.is(byUser.status, 200);
  t.is(byUser.headers.get('cache-control'), 'no-store');
  const events = byUser.body.events;
  t.true(events.every((e) => e.user_id === person.id), 'only that user');
  t.deepEqual(
    events.map((e) => e.event),
    ['user.disabled', 'user.role_changed', 'user.login', 'user.login_failed', 'user.email_verified', 'user.registered'],
    'every event of the user, newest first',
  );
  for (const e of events) {
    t.deepEqual(Object.keys(e).sort(), ['actor_id', 'created_at', 'detail', 'event', 'id', 'ip', 'user_agent', 'user_id']);
    t.regex(e.created_at, ISO_UTC, `${e.event}: ISO 8601 in UTC`);
    const at = Date.parse(e.created_at);
    t.true(at >= started - 1000 && at <= Date.now() + 1000, `${e.event}: a plausible time`);
    t.regex(e.ip ?? '', /^(::ffff:)?127\.0\.0\.1$/, `${e.event}: the client IP`);
  }
  const find = (name: string) => events.find((e) => e.event === name)!;
  t.like(find('user.login'), { user_agent: agent, actor_id: null });
  t.like(find('user.login').detail, { client_id: 'tessera' });
  t.like(find('user.login_failed'), { user_agent: agent, detail: { reason: 'wrong_password' } });
  t.like(find('user.role_changed'), { actor_id: admin.id, user_agent: adminAgent, detail: { from: 'user', to: 'enterprise_admin' } });
  t.like(find('user.disabled'), { actor_id: admin.id, user_agent: adminAgent });
  t.false(JSON.stringify(events).includes(person.password), 'no password in the log');

  const logins = await api<{ events: Event[] }>(server, 'GET', '/admin/audit?event=user.login', { token: admin.token });
  t.true(logins.body.events.every((e) => e.event === 'user.login'));
  t.deepEqual([...new Set(logins.body.events.map((e) => e.user_id))].sort(), [admin.id, person.id, other.id].sort());
  const both = await api<{ events: Event[] }>(server, 'GET', `/admin/audit?event=user.disabled&user_id=${person.id}`, { token: admin.token });
  t.is(both.body.events.length, 1);
  t.is((await api<{ events: Event[] }>(server, 'GET', `/admin/audit?event=user.disabled&user_id=${other.id}`, { token: admin.token })).body.events.length, 0);

  // Paging: pages of 2 walk the whole filtered log once, newest first.
  const walked: string[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 10; i += 1) {
    const page: { body: { events: Event[]; next_cursor: string | null } } = await api(server, 'GET', `/admin/audit?user_id=${person.id}&limit=2${cursor ? `&cursor=${cursor}` : ''}`, { token: admin.token });
    t.true(page.body.events.length <= 2);
    walked.push(...page.body.events.map((e) => e.id));
    cursor = page.body.next_cursor;
    if (!cursor) break;
  }
  t.deepEqual(walked, events.map((e) => e.id));
  t.is((await api(server, 'GET', '/admin/audit?cursor=bm9wZQ', { token: admin.token })).status, 400, 'a forged cursor is 400');
});

test('admin client CRUD: create shows the secret once (201), it works, rotation replaces it, delete is 204 and kills its tokens', async (t) => {
  const server = await startAccountServer(t);
  const admin = await signedInAdmin(server);
  const resourceServer = await registerClient(server);

  const created = await api(server, 'POST', '/admin/clients', { token: admin.token, body: { client_name: 'Reporting service', grant_types: ['client_credentials'], scope: 'reports.read' } });
  t.is(created.status, 201);
  t.is(created.headers.get('cache-control'), 'no-store');
  t.like(created.body, { client_name: 'Reporting service', grant_types: ['client_credentials'], scope: 'reports.read', token_endpoint_auth_method: 'client_secret_basic' });
  t.regex(created.body.client_id, /^[A-Za-z0-9_-]+$/);
  t.regex(created.body.client_secret, /^[A-Za-z0-9_-]{43,}$/);
  const client = { client_id: created.body.client_id as string, client_secret: created.body.client_secret as string };
  const token = await clientCredentialsToken(server.url, client, 'reports.read');
  t.true((await introspect(server.url, resourceServer, token)).active as boolean);

  const listed = await api(server, 'GET', '/admin/clients', { token: admin.token });
  t.is(listed.status, 200);
  const entry = listed.body.clients.find((c: { client_id: string }) => c.client_id === client.client_id);
  t.like(entry, { client_name: 'Reporting service' });
  t.false('client_secret' in entry, 'the secret is shown only once');
  const shown = await api(server, 'GET', `/admin/clients/${client.client_id}`, { token: admin.token });
  t.is(shown.status, 200);
  t.false('client_secret' in shown.body);
  const stored = await server.services.db.selectFrom('clients').selectAll().where('client_id', '=', client.client_id).executeTakeFirstOrThrow();
  t.not(stored.client_secret_hash, client.client_secret, 'stored hashed');

  const rotated = await api(server, 'POST', `/admin/clients/${client.client_id}/rotate-secret`, { token: admin.token });
  t.is(rotated.status, 200);
  t.not(rotated.body.client_secret, client.client_secret);
  const oldSecret = await postForm(`${server.url}/token`, { grant_type: 'client_credentials' }, { authorization: basic(client.client_id, client.client_secret) });
  t.is(oldSecret.status, 401, 'the old secret no longer works');
  await clientCredentialsToken(server.url, { client_id: client.client_id, client_secret: rotated.body.client_secret }, 'reports.read');

  const deleted = await api(server, 'DELETE', `/admin/clients/${client.client_id}`, { token: admin.token });
  t.is(deleted.status, 204);
  t.is((await api(server, 'GET', `/admin/clients/${client.client_id}`, { token: admin.token })).status, 404);
  t.is((await api(server, 'DELETE', `/admin/clients/${client.client_id}`, { token: admin.token })).status, 404);
  t.deepEqual(await introspect(server.url, resourceServer, token), { active: false }, "a deleted client's tokens are inactive");

  const invalid = await api(server, 'POST', '/admin/clients', { token: admin.token, body: { grant_types: ['client_credentials'] } });
  t.is(invalid.status, 400);
  t.deepEqual(Object.keys(invalid.body), ['error', 'error_description']);
  t.is((await api(server, 'POST', '/admin/clients', { token: admin.token, body: { client_name: 'x', redirect_uris: 'https://a.example/cb' } })).status, 400);

  const audit = await api(server, 'GET', '/admin/audit', { token: admin.token });
  // The resource server registered above through the domain is audited too (actor `test`).
  const clientEvents = audit.body.events.filter((e: { event: string; actor_id: string }) => e.event.startsWith('client.') && e.actor_id !== 'test');
  t.deepEqual(clientEvents.map((e: { event: string }) => e.event), ['client.deleted', 'client.secret_rotated', 'client.created']);
  for (const e of clientEvents) t.like(e, { actor_id: admin.id, detail: { client_id: client.client_id } });
});

test('POST /admin/keys/rotate {force:true} changes the kid of new tokens and is audited; revoking the old key kills its tokens', async (t) => {
  const server = await startAccountServer(t);
  const admin = await signedInAdmin(server);
  const person = await signUp(server);
  const before = await login(server, person);
  const oldKid = headerOf(before.access_token).kid as string;

  const keys = await api(server, 'GET', '/admin/keys', { token: admin.token });
  t.is(keys.status, 200);
  t.true(keys.body.keys.some((k: { kid: string; status: string }) => k.kid === oldKid && k.status === 'active'));
  t.false(JSON.stringify(keys.body).includes('"d"'), 'no private key material');

  const rotated = await api(server, 'POST', '/admin/keys/rotate', { token: admin.token, body: { force: true } });
  t.is(rotated.status, 200);
  const newKids = rotated.body.keys.map((k: { kid: string }) => k.kid) as string[];
  t.true(newKids.length >= 1);
  t.false(newKids.includes(oldKid));
  t.true(rotated.body.keys.every((k: { status: string }) => k.status === 'active'));

  const after = await login(server, person);
  const newKid = headerOf(after.access_token).kid as string;
  t.not(newKid, oldKid, 'new tokens are signed with the new key');
  t.true(newKids.includes(newKid));
  t.is((await api(server, 'GET', '/auth/me', { token: before.access_token })).status, 200, 'tokens of the retired key stay valid');

  const audit = await api(server, 'GET', '/admin/audit?event=key.rotated', { token: admin.token });
  t.is(audit.body.events.length, 1);
  t.like(audit.body.events[0], { actor_id: admin.id, detail: { force: true } });
  for (const kid of newKids) t.true(String(audit.body.events[0].detail.kids).includes(kid));

  t.is((await api(server, 'POST', '/admin/keys/rotate', { token: admin.token, body: { alg: 'HS256' } })).status, 400);
  t.is((await api(server, 'POST', '/admin/keys/no-such-kid/revoke', { token: admin.token })).status, 404);
  const revoked = await api(server, 'POST', `/admin/keys/${oldKid}/revoke`, { token: admin.token });
  t.is(revoked.status, 200);
  t.like(revoked.body, { kid: oldKid, status: 'revoked' });
  t.is((await api(server, 'GET', '/auth/me', { token: before.access_token })).status, 401, "a revoked key's tokens are dead");
  t.is((await api(server, 'GET', '/auth/me', { token: after.access_token })).status, 200);
  const jwks = (await (await fetch(`${server.url}/.well-known/jwks.json`)).json()) as { keys: Array<{ kid: string }> };
  t.false(jwks.keys.some((k) => k.kid === oldKid), 'the revoked key left the JWKS');
});
