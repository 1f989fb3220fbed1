// No secret is written down (README, Errors, docs/decisions.md): a whole account round at LOG_LEVEL=trace,
// then every log line, every audit row and every outbox row (and, for good measure, every table)
// is searched for the passwords, tokens, token signatures, mail-link tokens, cookies and the client
// secret that went over the wire. Also: control characters in a User-Agent never reach the audit log.
import { connect } from 'node:net';
import test from 'ava';
import { api, newPerson, signedInAdmin, startAccountServer } from '../helpers/accounts.js';
import { introspect, waitFor } from '../helpers/http.js';
import { registerClient } from '../helpers/server.js';
import { snapshot } from '../helpers/snapshot.js';
import { linkIn, waitForMail } from '../helpers/smtp.js';

/** The POST of a page's form, as a browser sends it, without following the redirect. */
const pagePost = (server: { url: string }, path: string, form: Record<string, string>) =>
  fetch(`${server.url}${path}`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() });

test('a full account round at LOG_LEVEL=trace leaves no password, token, signature, mail token or cookie in the logs, the audit log or the outbox', async (t) => {
  t.timeout(120_000);
  const server = await startAccountServer(t, { env: { LOG_LEVEL: 'trace' } });
  const db = server.services.db;
  const resourceServer = await registerClient(server);
  const passwords = { first: 'Quartz-Lantern-7731-Mosaic', second: 'Velvet-Compass-4402-Ember', third: 'Granite-Orchid-9186-Tundra', wrong: 'Wrong-Guess-5519-Harbor' };
  const person = { ...newPerson('Round'), password: passwords.first };
  const secrets: Array<[string, string]> = Object.entries(passwords).map(([name, value]) => [`password ${name}`, value]);
  secrets.push(['client secret', resourceServer.client_secret]);
  const pair = (label: string, body: { access_token: string; refresh_token?: string }) => {
    secrets.push([`${label} access token`, body.access_token], [`${label} access token signature`, body.access_token.split('.')[2]!]);
    if (body.refresh_token) secrets.push([`${label} refresh token`, body.refresh_token]);
  };

  // Register and verify through the page a mail links to.
  t.is((await api(server, 'POST', '/auth/register', { body: person })).status, 202);
  const verifyMail = await waitForMail(server.smtp, person.email, /verify/i);
  const verifyToken = linkIn(verifyMail, `${server.config.issuer}/verify-email?token=`).token;
  secrets.push(['verification token', verifyToken]);
  t.is((await fetch(`${server.url}/verify-email?token=${verifyToken}`)).status, 200);
  const verified = await pagePost(server, '/verify-email', { token: verifyToken });
  t.is(verified.status, 303);

  // Failed and malformed sign-ins carry passwords too.
  t.is((await api(server, 'POST', '/auth/login', { body: { email: person.email, password: passwords.wrong } })).status, 401);
  const malformed = await fetch(`${server.url}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: `{"email":"${person.email}","password":"${passwords.first}",` });
  t.is(malformed.status, 400, 'malformed JSON is a 400');
  t.is((await api(server, 'POST', '/auth/login', { body: { email: person.email, password: passwords.first, client_id: 42 } })).status, 400);

  const first = await api(server, 'POST', '/auth/login', { body: { email: person.email, password: passwords.first } });
  t.is(first.status, 200);
  pair('login', first.body);
  t.true((await introspect(server.url, resourceServer, first.body.access_token)).active as boolean);
  t.true((await introspect(server.url, resourceServer, first.body.refresh_token)).active as boolean);
  t.is((await api(server, 'GET', '/auth/me', { token: first.body.access_token })).status, 200);

  const refreshed = await api(server, 'POST', '/auth/refresh', { body: { refresh_token: first.body.refresh_token } });
  t.is(refreshed.status, 200);
  pair('refreshed', refreshed.body);
  const reuse = await api(server, 'POST', '/auth/refresh', { body: { refresh_token: first.body.refresh_token } });
  t.is(reuse.status, 401, 'reuse is refused (and logged, without the token)');

  const again = await api(server, 'POST', '/auth/login', { body: { email: person.email, password: passwords.first } });
  pair('second login', again.body);
  const changed = await api(server, 'POST', '/auth/change-password', { token: again.body.access_token, body: { current_password: passwords.first, password: passwords.second } });
  t.is(changed.status, 200);
  pair('after change', changed.body);

  // Forgotten password, reset through the page's form POST.
  t.is((await api(server, 'POST', '/auth/forgot-password', { body: { email: person.email } })).status, 202);
  const resetMail = await waitForMail(server.smtp, person.email, /reset/i);
  const resetToken = linkIn(resetMail, `${server.config.issuer}/reset-password?token=`).token;
  secrets.push(['reset token', resetToken]);
  t.is((await fetch(`${server.url}/reset-password?token=${resetToken}`)).status, 200);
  const reset = await pagePost(server, '/reset-password', { token: resetToken, password: passwords.third });
  t.is(reset.status, 303, 'the page answers 303');
  t.regex(reset.headers.get('location') ?? '', /\/reset-password\?status=done$/);
  t.is((await pagePost(server, '/reset-password', { token: resetToken, password: passwords.third })).status, 400, 'spent');

  // Browser mode: the refresh token in a cookie.
  const cookieLogin = await fetch(`${server.url}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: person.email, password: passwords.third, cookie: true }) });
  t.is(cookieLogin.status, 200);
  pair('cookie login', (await cookieLogin.json()) as { access_token: string });
  const cookie = /tessera_refresh=([^;]+)/.exec(cookieLogin.headers.get('set-cookie') ?? '')?.[1];
  t.truthy(cookie);
  secrets.push(['refresh cookie', cookie!]);
  const cookieRefresh = await fetch(`${server.url}/auth/refresh`, { method: 'POST', headers: { cookie: `tessera_refresh=${cookie}`, origin: new URL(server.config.issuer).origin } });
  t.is(cookieRefresh.status, 200);
  pair('cookie refresh', (await cookieRefresh.json()) as { access_token: string });
  const rotatedCookie = /tessera_refresh=([^;]+)/.exec(cookieRefresh.headers.get('set-cookie') ?? '')?.[1];
  secrets.push(['rotated refresh cookie', rotatedCookie!]);

  const last = await api(server, 'POST', '/auth/login', { body: { email: person.email, password: passwords.third } });
  t.is(last.status, 200);
  pair('last login', last.body);
  t.is((await api(server, 'POST', '/auth/logout', { body: { refresh_token: last.body.refresh_token } })).status, 204);
  t.deepEqual(await introspect(server.url, resourceServer, last.body.access_token), { active: false });

  // Every mail is out, so the outbox is as it stays.
  await waitFor(async () => (await db.selectFrom('outbox').select('id').where('sent_at', 'is', null).execute()).length === 0, 15_000);

  const logs = server.logs.join('\n');
  const auditRows = await db.selectFrom('audit_log').selectAll().execute();
  const outboxRows = await db.selectFrom('outbox').selectAll().execute();
  // The search is only worth something if there is something to search.
  t.true(server.logs.length > 30, `${server.logs.length} log lines`);
  t.true(server.logs.some((line) => line.includes('"path":"/auth/login"')));
  t.true(server.logs.some((line) => line.includes('"path":"/reset-password"')));
  for (const event of ['user.registered', 'user.email_verified', 'user.login', 'user.login_failed', 'refresh.reuse_detected', 'user.password_changed', 'user.password_reset_requested', 'user.password_reset', 'user.logout']) {
    t.true(auditRows.some((row) => row.event === event), `audit has ${event}`);
  }
  t.is(outboxRows.length, 4, 'verify, password changed, reset, password changed');
  t.true(outboxRows.every((row) => row.sent_at !== null && row.text_body === '' && row.html_body === ''), 'sent mails keep no body');

  const places: Array<[string, string]> = [
    ['logs', logs],
    ['audit_log', JSON.stringify(auditRows)],
    ['outbox', JSON.stringify(outboxRows)],
    ['database', JSON.stringify(await snapshot(db))],
  ];
  t.true(secrets.length > 20, `${secrets.length} secrets`);
  for (const [name, value] of secrets) {
    t.true(value.length >= 16, `${name} is long enough to search for`);
    for (const [place, text] of places) {
      t.false(text.includes(value), `${name} appears in ${place}`);
      t.false(text.includes(encodeURIComponent(value)), `${name} (URL-encoded) appears in ${place}`);
    }
  }
});

/** Writes a request by hand: fetch and node:http refuse CR/LF in header values before sending. */
function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(text));
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

test('CR, LF and other control characters in a User-Agent never reach an audit row', async (t) => {
  const server = await startAccountServer(t);
  const admin = await signedInAdmin(server);
  const person = newPerson('Agent');
  await server.services.users.create({ ...person, verified: true }, { id: 'test', meta: { ip: null, userAgent: null } });
  const port = Number(new URL(server.url).port);
  const countAudit = async () => (await server.services.db.selectFrom('audit_log').select('id').execute()).length;

  // Over HTTP they cannot get in at all: Node's parser refuses such a request with 400 before
  // Tessera sees it, so nothing is audited.
  const before = await countAudit();
  const body = JSON.stringify({ email: person.email, password: 'wrong password here' });
  for (const agent of ['evil\r\n X-Forged: 1', 'evil\rX', 'evil\nuser.login ok', 'evil\u001b[2Jcleared', 'evil\u0000nul']) {
    const answer = await rawRequest(port, `POST /auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: ${agent}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    t.regex(answer, /^HTTP\/1\.1 400 /, JSON.stringify(agent));
  }
  t.is(await countAudit(), before, 'the refused requests wrote nothing');
  // A header folded over two lines is refused the same way.
  t.regex(await rawRequest(port, `GET /healthz HTTP/1.1\r\nHost: x\r\nUser-Agent: a\r\n folded\r\nConnection: close\r\n\r\n`), /^HTTP\/1\.1 400 /);

  // Behind the HTTP parser, the audit writer strips them itself (the CLI and other callers pass
  // their own metadata): a failed sign-in with a forged user agent, through the sign-in service.
  const forged = 'evil\r\nuser.login admin ok\u001b[0m\u0000\u007f\ttab';
  await t.throwsAsync(server.services.signIn.checkPassword(person.email, 'wrong password here', { ip: '203.0.113.7\r\n', userAgent: forged }));
  const row = await server.services.db.selectFrom('audit_log').selectAll().where('event', '=', 'user.login_failed').executeTakeFirstOrThrow();
  t.is(row.user_agent, 'evil  user.login admin ok [0m   tab');
  t.is(row.ip, '203.0.113.7  ');

  // A real request with a plain User-Agent is audited as sent.
  t.is((await api(server, 'POST', '/auth/login', { body: { email: person.email, password: 'wrong password here' }, headers: { 'user-agent': 'Plain/1.0 (x; y)' } })).status, 401);
  const listed = await api(server, 'GET', '/admin/audit?event=user.login_failed', { token: admin.token });
  t.is(listed.body.events[0].user_agent, 'Plain/1.0 (x; y)');

  for (const audit of await server.services.db.selectFrom('audit_log').selectAll().execute()) {
    for (const [column, value] of Object.entries(audit)) {
      if (typeof value === 'string') t.notRegex(value, /[\u0000-\u001f\u007f]/, `audit_log.${column} of ${audit.event}`);
    }
  }
});
