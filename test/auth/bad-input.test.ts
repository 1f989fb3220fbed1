// Hostile and malformed input on every /auth route that takes a body (README, Errors): the answer is
// 400/413/415 with exactly `{error, error_description}` and `Cache-Control: no-store`, and the
// database is left as it was. Also: no prototype pollution through JSON bodies, and what happens to
// a registration when the SMTP server dies under it.
import { request } from 'node:http';
import test from 'ava';
import { api, login, newPerson, signUp, startAccountServer } from '../helpers/accounts.js';
import { waitFor } from '../helpers/http.js';
import { linkIn, startSmtpServer, waitForMail, type ParsedMail } from '../helpers/smtp.js';
import type { Db } from '../../src/storage/db.js';

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Sends exactly these bytes, so that the body and headers are what a hostile client would send. */
function raw(server: { url: string }, method: string, path: string, body: Buffer | string, headers: Record<string, string>): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, server.url), { method, headers: { 'content-length': String(Buffer.byteLength(body)), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const JSON_TYPE = { 'content-type': 'application/json' };

/** The tables a refused request must not touch (lockouts and rate_limits may count a well-formed login). */
const KEPT = ['users', 'sessions', 'refresh_tokens', 'mail_tokens', 'outbox', 'consents', 'password_history', 'audit_log', 'backup_codes', 'mfa_challenges'] as const;
async function keptTables(db: Db) {
  const dump: Record<string, unknown[]> = {};
  for (const table of KEPT) dump[table] = await db.selectFrom(table).selectAll().execute();
  return dump;
}

/** Waits until the worker has sent (and blanked) every queued mail, so the outbox stands still. */
const outboxSettled = (db: Db) =>
  waitFor(async () => (await db.selectFrom('outbox').select('id').where('sent_at', 'is', null).execute()).length === 0, 10_000);

interface Route {
  method: string;
  path: string;
  /** A body that would be accepted; each case breaks one thing in it. */
  valid: Record<string, unknown>;
  required: string[];
  strings: string[];
  emails: string[];
  /** Sent with the user's access token. */
  bearer?: boolean;
}

const TEN_KB_EMAIL = `${'a'.repeat(10_240)}@example.com`;
const INVALID_EMAILS = ['not-an-email', 'a@b', 'a b@example.com', '<a@example.com>', 'a@example.com\r\nBcc: x@example.com', '@example.com', 'a@', 'a@@example.com', ' '];
const WRONG_TYPES: unknown[] = [42, 0, true, [], ['x'], {}, { a: 'b' }];

test('every /auth route with a body refuses missing fields, wrong types, bad emails and bad bodies with the contract error, and changes nothing', async (t) => {
  t.timeout(180_000);
  const server = await startAccountServer(t);
  const person = await signUp(server);
  const tokens = await login(server, person);
  await outboxSettled(server.services.db);
  const before = await keptTables(server.services.db);
  const strong = 'a perfectly fine new passphrase';

  const routes: Route[] = [
    { method: 'POST', path: '/auth/register', valid: { email: 'new.person@example.com', password: strong, name: 'New' }, required: ['email', 'password', 'name'], strings: ['email', 'password', 'name'], emails: ['email'] },
    { method: 'POST', path: '/auth/verify-email', valid: { token: 'x'.repeat(43) }, required: ['token'], strings: ['token'], emails: [] },
    { method: 'POST', path: '/auth/resend-verification', valid: { email: person.email }, required: ['email'], strings: ['email'], emails: ['email'] },
    { method: 'POST', path: '/auth/login', valid: { email: person.email, password: person.password }, required: ['email', 'password'], strings: ['email', 'password', 'client_id'], emails: ['email'] },
    { method: 'POST', path: '/auth/refresh', valid: { refresh_token: tokens.refresh_token }, required: [], strings: ['refresh_token', 'client_id'], emails: [] },
    { method: 'POST', path: '/auth/logout', valid: { refresh_token: tokens.refresh_token }, required: [], strings: ['refresh_token'], emails: [] },
    { method: 'POST', path: '/auth/forgot-password', valid: { email: person.email }, required: ['email'], strings: ['email'], emails: ['email'] },
    { method: 'POST', path: '/auth/reset-password', valid: { token: 'x'.repeat(43), password: strong }, required: ['token', 'password'], strings: ['token', 'password'], emails: [] },
    { method: 'PATCH', path: '/auth/me', valid: { name: 'Renamed' }, required: [], strings: ['name', 'email', 'current_password'], emails: ['email'], bearer: true },
    { method: 'DELETE', path: '/auth/me', valid: { password: person.password }, required: ['password'], strings: ['password'], emails: [], bearer: true },
    { method: 'POST', path: '/auth/change-password', valid: { current_password: person.password, password: strong }, required: ['current_password', 'password'], strings: ['current_password', 'password'], emails: [], bearer: true },
    // The 2FA routes take bodies too.
    { method: 'POST', path: '/auth/verify-2fa', valid: { mfa_token: 'm'.repeat(43), code: '123456' }, required: ['mfa_token', 'code'], strings: ['mfa_token', 'code'], emails: [] },
    { method: 'POST', path: '/auth/2fa/setup/verify', valid: { code: '123456' }, required: ['code'], strings: ['code'], emails: [], bearer: true },
    { method: 'POST', path: '/auth/2fa/disable', valid: { password: person.password, code: '123456' }, required: ['password', 'code'], strings: ['password', 'code'], emails: [], bearer: true },
    { method: 'POST', path: '/auth/2fa/backup-codes', valid: { code: '123456' }, required: ['code'], strings: ['code'], emails: [], bearer: true },
  ];

  let checked = 0;
  const expect = async (route: Route, name: string, body: Buffer | string, headers: Record<string, string>, status: number, error = 'invalid_request') => {
    const label = `${route.method} ${route.path}: ${name}`;
    const response = await raw(server, route.method, route.path, body, { ...headers, ...(route.bearer ? { authorization: `Bearer ${tokens.access_token}` } : {}) });
    t.is(response.status, status, label);
    t.regex(String(response.headers['content-type']), /^application\/json/, label);
    t.is(response.headers['cache-control'], 'no-store', label);
    let parsed: Record<string, unknown> = {};
    try {
      parsed = JSON.parse(response.body) as Record<string, unknown>;
    } catch {
      t.fail(`${label}: the body is not JSON: ${response.body.slice(0, 200)}`);
    }
    t.deepEqual(Object.keys(parsed), ['error', 'error_description'], label);
    t.is(parsed.error, error, label);
    t.is(typeof parsed.error_description, 'string', label);
    t.notRegex(response.body, /\bat \S+:\d+|Error:|<html/i, `${label}: no stack trace or HTML`);
    checked += 1;
  };
  const json = (route: Route, name: string, body: unknown, status = 400, error = 'invalid_request') => expect(route, name, JSON.stringify(body), JSON_TYPE, status, error);

  for (const route of routes) {
    // Missing fields: each required one left out, then an empty object.
    for (const field of route.required) {
      const { [field]: _left, ...rest } = route.valid;
      await json(route, `missing ${field}`, rest);
      await json(route, `empty ${field}`, { ...route.valid, [field]: '' });
      await json(route, `null ${field}`, { ...route.valid, [field]: null });
    }
    if (route.required.length > 0) await json(route, 'empty object', {});
    // Wrong types where a string is needed.
    for (const field of route.strings) {
      for (const value of WRONG_TYPES) await json(route, `${field} = ${JSON.stringify(value)}`, { ...route.valid, [field]: value });
    }
    for (const field of route.emails) {
      await json(route, `10 kB ${field}`, { ...route.valid, [field]: TEN_KB_EMAIL });
      for (const bad of INVALID_EMAILS) await json(route, `${field} = ${JSON.stringify(bad)}`, { ...route.valid, [field]: bad, ...(route.path === '/auth/me' ? { current_password: person.password } : {}) });
    }
    // Bodies that are not a JSON object.
    await expect(route, 'malformed JSON', '{"email": "a@example.com",', JSON_TYPE, 400);
    await expect(route, 'truncated JSON', '{"email', JSON_TYPE, 400);
    await expect(route, 'JSON array', JSON.stringify([route.valid]), JSON_TYPE, 400);
    await expect(route, 'JSON string', '"hello"', JSON_TYPE, 400);
    await expect(route, 'JSON number', '42', JSON_TYPE, 400);
    await expect(route, 'JSON null', 'null', JSON_TYPE, 400);
    await expect(route, 'text/plain', JSON.stringify(route.valid), { 'content-type': 'text/plain' }, 415);
    await expect(route, 'form-encoded', new URLSearchParams(route.valid as Record<string, string>).toString(), { 'content-type': 'application/x-www-form-urlencoded' }, 415);
    await expect(route, 'no content type', JSON.stringify(route.valid), {}, 415);
    await expect(route, '1 MB body', JSON.stringify({ ...route.valid, pad: 'a'.repeat(1024 * 1024) }), JSON_TYPE, 413);
    const invalidUtf8 = Buffer.concat([Buffer.from('{"email":"a'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('@example.com","name":"x"}')]);
    await expect(route, 'invalid UTF-8 bytes', invalidUtf8, JSON_TYPE, 400);
  }

  // Route-specific shapes.
  const [register, , , loginRoute, refresh, , , , patchMe] = routes as [Route, Route, Route, Route, Route, Route, Route, Route, Route];
  for (const consents of ['yes', true, ['terms'], { Terms: true }, { terms: 'yes' }, { 'no spaces': true }, Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`c${i}`, true]))]) {
    await json(register, `consents = ${JSON.stringify(consents).slice(0, 40)}`, { ...register.valid, consents });
    await json(patchMe, `consents = ${JSON.stringify(consents).slice(0, 40)}`, { consents });
  }
  await json(register, 'a weak password', { ...register.valid, password: 'password1' });
  await json(register, 'a 129-character password', { ...register.valid, password: 'x'.repeat(129) });
  await json(register, 'a name of control characters', { ...register.valid, name: '\u0000\u0007' });
  await json(register, 'a 10 kB name', { ...register.valid, name: 'n'.repeat(10_240) });
  await json(loginRoute, 'cookie is not a boolean', { ...loginRoute.valid, cookie: 'yes' });
  await json(loginRoute, 'a third-party or unknown client_id', { ...loginRoute.valid, client_id: 'no-such-client' });
  await json(loginRoute, 'a 10 kB password', { ...loginRoute.valid, password: 'p'.repeat(10_240) });
  await json(patchMe, 'an email change without current_password', { email: 'changed@example.com' });
  await json(patchMe, 'an empty name', { name: '   ' });
  // A refresh without a token is the contract's 401 invalid_grant (§4), not a 400.
  await json(refresh, 'no refresh_token', {}, 401, 'invalid_grant');
  await json(refresh, 'an unknown refresh_token', { refresh_token: 'r'.repeat(43) }, 401, 'invalid_grant');

  t.log(`${checked} refused requests checked`);
  t.true(checked > 350, 'the cases above all ran');
  t.deepEqual(await keptTables(server.services.db), before, 'nothing in the database changed');
  // The user's tokens still work: nothing above touched the session.
  t.is((await api(server, 'GET', '/auth/me', { token: tokens.access_token })).status, 200);
  t.is((await api(server, 'POST', '/auth/refresh', { body: { refresh_token: tokens.refresh_token } })).status, 200);
});

test('__proto__ and constructor in JSON bodies pollute no prototype and smuggle in no field', async (t) => {
  const server = await startAccountServer(t);
  const person = newPerson('Proto');
  const fields = `"email":${JSON.stringify(person.email)},"password":${JSON.stringify(person.password)},"name":"Proto"`;
  const check = (response: RawResponse, label: string) => {
    t.is(response.status, 400, label);
    t.deepEqual(Object.keys(JSON.parse(response.body)), ['error', 'error_description'], label);
    t.is(JSON.parse(response.body).error, 'invalid_request', label);
  };

  // The JSON parser refuses a __proto__ key anywhere in the body: a 400, not a 500, and no account.
  check(await raw(server, 'POST', '/auth/register', `{${fields},"__proto__":{"role":"admin","email_verified":1,"polluted":"yes"}}`, JSON_TYPE), 'top-level __proto__');
  check(await raw(server, 'POST', '/auth/register', `{${fields},"consents":{"__proto__":{"terms":true}}}`, JSON_TYPE), 'nested __proto__');
  t.is(await server.services.db.selectFrom('users').select('id').where('email', '=', person.email).executeTakeFirst(), undefined);
  // Fields are never read from a prototype.
  check(await raw(server, 'POST', '/auth/login', `{"__proto__":{"email":${JSON.stringify(person.email)},"password":"x"}}`, JSON_TYPE), 'login fields via __proto__');

  // `constructor` is an ordinary unknown field: ignored, and nothing reaches a prototype.
  const registered = await raw(server, 'POST', '/auth/register', `{${fields},"role":"admin","constructor":{"prototype":{"polluted2":"yes","role":"admin"}}}`, JSON_TYPE);
  t.is(registered.status, 202);
  const row = await server.services.db.selectFrom('users').selectAll().where('email', '=', person.email).executeTakeFirstOrThrow();
  t.is(row.role, 'user', 'no role from the body');
  t.is(row.email_verified, 0);

  const victim = await signUp(server, newPerson('Victim'));
  const tokens = await login(server, victim);
  const auth = { ...JSON_TYPE, authorization: `Bearer ${tokens.access_token}` };
  check(await raw(server, 'PATCH', '/auth/me', '{"__proto__":{"name":"Hacked","role":"admin"}}', auth), 'PATCH /auth/me with __proto__');
  const patched = await raw(server, 'PATCH', '/auth/me', '{"constructor":{"prototype":{"name":"Hacked"}},"toString":"x","hasOwnProperty":"y"}', auth);
  t.is(patched.status, 200);
  t.like(JSON.parse(patched.body), { name: 'Victim', role: 'user' });
  t.is((await api(server, 'GET', '/auth/me', { token: tokens.access_token })).status, 200, 'the server still works');

  // The server runs in this process: its Object.prototype is ours.
  const probe = {} as Record<string, unknown>;
  for (const key of ['polluted', 'polluted2', 'role', 'email_verified', 'name', 'email', 'password', 'terms']) t.is(probe[key], undefined, `Object.prototype.${key}`);
  t.false(Object.hasOwn(Object.prototype, 'polluted'));
  t.is(typeof probe.toString, 'function');
});

/** Every row of the account's registration, to show it was written whole or not at all. */
async function accountRows(db: Db, email: string) {
  const user = await db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
  if (!user) return { user, history: [], tokens: [], mails: await db.selectFrom('outbox').selectAll().where('to_address', '=', email).execute() };
  return {
    user,
    history: await db.selectFrom('password_history').selectAll().where('user_id', '=', user.id).execute(),
    tokens: await db.selectFrom('mail_tokens').selectAll().where('user_id', '=', user.id).where('purpose', '=', 'verify_email').execute(),
    mails: await db.selectFrom('outbox').selectAll().where('to_address', '=', email).execute(),
  };
}

// The design is the outbox (docs/decisions.md, Storage and background work; src/mail/outbox.ts): register writes the user, the
// password history, the verification token and the mail itself into the outbox in ONE transaction,
// and answers; a worker delivers the mail afterwards, retrying with backoff (2 s, 4 s, …). So a
// failing SMTP server loses no mail and leaves no half-done account (everything is committed
// together, or nothing is), and the answer never waits for or depends on the mail server, so its
// status and timing reveal nothing about the mail (or about whether the address was already taken).
test('SMTP down during register: 202 anyway, the whole account and its mail wait in the outbox, and the retrying worker delivers once SMTP is back', async (t) => {
  t.timeout(60_000);
  const server = await startAccountServer(t);
  const port = server.smtp.port;
  await server.smtp.close();
  const person = newPerson('Patient');

  const registered = await api(server, 'POST', '/auth/register', { body: person });
  t.is(registered.status, 202);
  t.deepEqual(registered.body, { status: 'accepted' });

  const rows = await accountRows(server.services.db, person.email);
  t.truthy(rows.user, 'the user row exists');
  t.is(rows.history.length, 1, 'with its password history');
  t.is(rows.tokens.length, 1, 'and its verification token');
  t.is(rows.mails.length, 1, 'and its mail, queued');
  t.is(rows.mails[0]!.sent_at, null);

  // The worker tries, fails, and tries again later: attempts go up, the mail stays queued.
  await waitFor(async () => (await accountRows(server.services.db, person.email)).mails[0]!.attempts >= 2, 15_000);
  const waiting = (await accountRows(server.services.db, person.email)).mails[0]!;
  t.is(waiting.sent_at, null);
  t.truthy(waiting.last_error, 'the SMTP failure is recorded');
  t.true(Number(waiting.next_attempt_at) > Date.now() - 1000, 'the next attempt is scheduled');

  const early = await api(server, 'POST', '/auth/login', { body: { email: person.email, password: person.password } });
  t.is(early.status, 403, 'the account is whole: the password is right, only the address is unverified');
  t.is(early.body.error, 'email_not_verified');

  const smtp = await startSmtpServer(t, port);
  const mail = await waitForMail(smtp, person.email, /verify/i, 20_000);
  const { token } = linkIn(mail, `${server.config.issuer}/verify-email?token=`);
  t.is((await api(server, 'POST', '/auth/verify-email', { body: { token } })).status, 200);
  t.truthy(await login(server, person));

  await waitFor(async () => (await accountRows(server.services.db, person.email)).mails[0]!.sent_at !== null, 5_000);
  const sent = (await accountRows(server.services.db, person.email)).mails[0]!;
  t.true(sent.attempts >= 3, `delivered on attempt ${sent.attempts}`);
  t.is(sent.text_body, '', 'the body with its token is blanked once sent');
  t.is(sent.html_body, '');
  t.is(smtp.received.filter((m) => (m.headers.get('to') ?? '').includes(person.email)).length, 1, 'exactly one mail');
});

test('SMTP killed while registrations are in flight: every answer is 202, no account is half-written, and resend-verification works once SMTP is back', async (t) => {
  t.timeout(60_000);
  const server = await startAccountServer(t);
  const port = server.smtp.port;
  const people = Array.from({ length: 6 }, (_, i) => newPerson(`Flight${i}`));

  // Six argon2 hashes at once can exceed the hasher's admission budget on a loaded machine; a 503
  // with Retry-After is then the documented overload answer, and a client sends the request again.
  const register = async (person: (typeof people)[number]) => {
    for (;;) {
      const response = await api(server, 'POST', '/auth/register', { body: person });
      if (response.status !== 503) return response;
      await new Promise((resolve) => setTimeout(resolve, Number(response.headers.get('retry-after') ?? '1') * 1000));
    }
  };
  const answers = Promise.all(people.map(register));
  const killed = server.smtp.close();
  const responses = await answers;
  await killed;
  t.deepEqual(responses.map((r) => r.status), people.map(() => 202));

  for (const person of people) {
    const rows = await accountRows(server.services.db, person.email);
    t.truthy(rows.user, `${person.name}: user row`);
    t.is(rows.history.length, 1, `${person.name}: password history`);
    t.is(rows.tokens.length, 1, `${person.name}: verification token`);
    t.is(rows.mails.length, 1, `${person.name}: verification mail in the outbox`);
  }
  const orphans = await server.services.db
    .selectFrom('password_history')
    .leftJoin('users', 'users.id', 'password_history.user_id')
    .select('password_history.id')
    .where('users.id', 'is', null)
    .execute();
  t.is(orphans.length, 0, 'no password history without its user');

  const smtp = await startSmtpServer(t, port);
  const target = people[0]!;
  const resent = await api(server, 'POST', '/auth/resend-verification', { body: { email: target.email } });
  t.is(resent.status, 202);
  // Every address ends up with a verification mail (on the old server before it died, or the new one).
  const received = (): ParsedMail[] => [...server.smtp.received, ...smtp.received];
  for (const person of people) {
    await waitFor(() => received().some((m) => (m.headers.get('to') ?? '').includes(person.email)), 20_000);
  }
  // The resent link works (it replaced the first one, which is void now).
  await waitFor(() => smtp.received.filter((m) => (m.headers.get('to') ?? '').includes(target.email)).length >= 1, 20_000);
  await waitFor(async () => (await accountRows(server.services.db, target.email)).mails.every((m) => m.sent_at !== null), 20_000);
  const links = received()
    .filter((m) => (m.headers.get('to') ?? '').includes(target.email))
    .map((m) => linkIn(m, `${server.config.issuer}/verify-email?token=`).token);
  const outcomes = [];
  for (const token of new Set(links)) outcomes.push((await api(server, 'POST', '/auth/verify-email', { body: { token } })).status);
  t.deepEqual(outcomes.filter((s) => s === 200).length, 1, `exactly one live link among ${outcomes.length}: ${outcomes.join(', ')}`);
  t.truthy(await login(server, target));
});
