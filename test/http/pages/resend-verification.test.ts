// The hosted "send the verification mail again" page: the form's CSRF secret is required, a POST
// answers 303 to the same "check your email" page whether the address is unknown, verified or
// waiting (as POST /auth/resend-verification answers 202 to all), only a waiting account gets a
// mail, and the rate limits are those of the JSON API.
import test from 'ava';
import { api, newPerson, signUp, startAccountServer } from '../../helpers/accounts.js';
import { CookieJar } from '../../helpers/browserless.js';
import { linkIn, waitForMail } from '../../helpers/smtp.js';
import { alertOf, formFields, heading, linkTo, request } from './pages.js';

test('resend-verification: CSRF required, the same 303 and page for every address, a new link only for an unverified account', async (t) => {
  const server = await startAccountServer(t);
  const verified = await signUp(server, newPerson('Vera'));
  const waiting = newPerson('Walt');
  t.is((await api(server, 'POST', '/auth/register', { body: waiting })).status, 202);
  const firstLink = linkIn(await waitForMail(server.smtp, waiting.email, /./), `${server.config.issuer}/verify-email?token=`);
  const mailsBefore = server.smtp.received.length;

  const jar = new CookieJar();
  const form = await request(jar, `${server.url}/resend-verification`);
  t.is(form.status, 200);
  const formHtml = await form.text();
  t.is(heading(formHtml), 'Send the confirmation link again');
  t.regex(formHtml, /<label for="email">Email<\/label>/);
  t.regex(formFields(formHtml).csrf ?? '', /^[A-Za-z0-9_-]{43}$/);
  t.is(linkTo(formHtml, 'Back to sign in'), '/account');

  // Without the CSRF field, or with a wrong one: the form again, 403, and no mail.
  for (const fields of [{}, { csrf: 'x'.repeat(43) }] as Array<Record<string, string>>) {
    const refused = await request(jar, `${server.url}/resend-verification`, { form: { ...fields, email: waiting.email } });
    t.is(refused.status, 403);
    t.is(refused.headers.get('location'), null);
    t.is(alertOf(await refused.text()), 'The form expired. Please try again.');
  }

  const answers = [];
  for (const email of ['nobody@example.com', verified.email, waiting.email]) {
    const response = await request(jar, `${server.url}/resend-verification`, { form: { ...formFields(formHtml), email } });
    answers.push({ status: response.status, location: response.headers.get('location') });
  }
  t.deepEqual(answers, Array(3).fill({ status: 303, location: '/resend-verification?status=sent' }), 'nothing tells the addresses apart');
  const sent = await (await request(jar, `${server.url}/resend-verification?status=sent`)).text();
  t.is(heading(sent), 'Check your email');

  // The mails go out in the order they were queued: once Walt's new one is here, any other would be too.
  for (const started = Date.now(); server.smtp.received.length === mailsBefore && Date.now() - started < 10_000; ) await new Promise((resolve) => setTimeout(resolve, 50));
  const fresh = [...server.smtp.received.slice(mailsBefore)];
  t.is(fresh.length, 1, 'one mail: to the unverified account only');
  t.true((fresh[0]!.headers.get('to') ?? '').includes(waiting.email));
  const newLink = linkIn(fresh[0]!, `${server.config.issuer}/verify-email?token=`);
  t.not(newLink.token, firstLink.token);
  t.is((await request(jar, `${server.url}/verify-email`, { form: { token: newLink.token } })).status, 303, 'the new link works');
  t.is((await request(jar, `${server.url}/verify-email`, { form: { token: firstLink.token } })).status, 400, 'the earlier one no longer does');
});

test('resend-verification counts against the same rate limit as the JSON API, and says so on the form', async (t) => {
  const server = await startAccountServer(t, { env: { RATE_LIMIT_PER_IP: '2' } });
  const jar = new CookieJar();
  const formHtml = await (await request(jar, `${server.url}/resend-verification`)).text();
  const statuses: number[] = [];
  let limited: Response | undefined;
  for (let i = 0; i < 4 && !limited; i += 1) {
    const response = await request(jar, `${server.url}/resend-verification`, { form: { ...formFields(formHtml), email: `someone${i}@example.com` } });
    statuses.push(response.status);
    if (response.status === 429) limited = response;
  }
  if (!limited) return t.fail(`no 429 in ${statuses.join(',')}`);
  t.regex(limited.headers.get('retry-after') ?? '', /^\d+$/);
  const html = await limited.text();
  t.is(alertOf(html), 'Too many attempts. Wait a minute and try again.');
  t.regex(html, /value="someone\d@example\.com"/, 'the form keeps what was typed');
  t.is((await api(server, 'POST', '/auth/resend-verification', { body: { email: 'other@example.com' } })).status, 429, 'the JSON API shares the budget');
});
