// The limits that guard mail and mailed tokens (docs/accounts.md): at most MAIL_LIMIT_PER_ACCOUNT
// verification or reset mails per account per hour, with answers that do not change past it; wrong
// tokens at /auth/reset-password, /auth/verify-email and their pages counted per IP, with the
// RateLimit headers of draft-ietf-httpapi-ratelimit-headers. TRUST_PROXY lets one test speak from
// several client IPs through X-Forwarded-For.
import test from 'ava';
import { api, signUp, startAccountServer, type ApiResponse } from '../helpers/accounts.js';
import { waitFor } from '../helpers/http.js';
import { ManualClock } from '../helpers/server.js';

const from = (ip: string) => ({ 'x-forwarded-for': ip });

test('six forgot-password requests in a minute send three mails, and all six answer the same', async (t) => {
  const clock = new ManualClock();
  const server = await startAccountServer(t, { clock });
  const person = await signUp(server);
  // Sign-up spent one mail of this hour's quota on the verification link; start a fresh hour.
  clock.advance(61 * 60_000);
  const before = server.smtp.received.length;

  const answers: ApiResponse[] = [];
  for (let i = 0; i < 6; i += 1) answers.push(await api(server, 'POST', '/auth/forgot-password', { body: { email: person.email } }));
  t.true(answers.every((answer) => answer.status === 202));
  t.true(answers.every((answer) => JSON.stringify(answer.body) === JSON.stringify(answers[0]!.body)), 'the limit changes nothing in the answer');

  const queued = await server.services.db.selectFrom('outbox').select('subject').where('to_address', '=', person.email).where('subject', 'like', 'Reset your%').execute();
  t.is(queued.length, 3, 'three reset mails queued');
  await waitFor(() => server.smtp.received.length >= before + 3, 10_000);
  t.is(server.smtp.received.length, before + 3, 'and three delivered, no more');

  // The hour slides: 59 minutes on, still nothing; past the hour, one more goes.
  clock.advance(59 * 60_000);
  await api(server, 'POST', '/auth/forgot-password', { body: { email: person.email } });
  clock.advance(61_000);
  await api(server, 'POST', '/auth/forgot-password', { body: { email: person.email } });
  const later = await server.services.db.selectFrom('outbox').select('id').where('to_address', '=', person.email).where('subject', 'like', 'Reset your%').execute();
  t.is(later.length, 4);
});

test('resend-verification counts toward the same hourly quota', async (t) => {
  const server = await startAccountServer(t);
  const registered = await api(server, 'POST', '/auth/register', { body: { email: 'quota@example.com', password: 'a long enough passphrase', name: 'Quota' } });
  t.is(registered.status, 202);
  for (let i = 0; i < 4; i += 1) t.is((await api(server, 'POST', '/auth/resend-verification', { body: { email: 'quota@example.com' } })).status, 202);
  const queued = await server.services.db.selectFrom('outbox').select('id').where('to_address', '=', 'quota@example.com').execute();
  t.is(queued.length, 3, 'the sign-up mail and two resends; the other two send nothing');
});

test('wrong reset and verification tokens from one IP get 429 past the limit while another IP is served', async (t) => {
  const server = await startAccountServer(t, { clock: new ManualClock(Date.UTC(2026, 0, 1)), env: { RATE_LIMIT_PER_IP: '5', TRUST_PROXY: 'true' } });
  const guess = (i: number) => `wrong-token-${i}`.padEnd(43, 'x');

  for (let i = 0; i < 5; i += 1) {
    const answer = await api(server, 'POST', '/auth/reset-password', { body: { token: guess(i), password: 'a long enough passphrase' }, headers: from('192.0.2.1') });
    t.is(answer.status, 400);
    t.is(answer.body.error, 'invalid_token');
    t.is(answer.headers.get('ratelimit-policy'), '"ip";q=5;w=60');
    t.regex(answer.headers.get('ratelimit') ?? '', new RegExp(`^"ip";r=${4 - i};t=\\d+$`));
  }
  const limited = await api(server, 'POST', '/auth/verify-email', { body: { token: guess(9) }, headers: from('192.0.2.1') });
  t.is(limited.status, 429, 'the verify route shares the IP bucket');
  t.is(limited.body.error, 'rate_limited');
  t.regex(limited.headers.get('retry-after') ?? '', /^\d+$/);
  t.regex(limited.headers.get('ratelimit') ?? '', /^"ip";r=0;t=\d+$/);

  // The pages the mails link to count too.
  const page = await fetch(`${server.url}/reset-password`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...from('192.0.2.1') },
    body: new URLSearchParams({ token: guess(10), password: 'a long enough passphrase' }),
  });
  t.is(page.status, 429);

  const other = await api(server, 'POST', '/auth/reset-password', { body: { token: guess(11), password: 'a long enough passphrase' }, headers: from('198.51.100.7') });
  t.is(other.status, 400, 'another IP is still served');
  t.is(other.body.error, 'invalid_token');
});
