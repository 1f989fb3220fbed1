// The operator series of /metrics (README, Operations): sign-in outcomes on the JSON API and the
// hosted pages, mail through the outbox, refresh-token reuse, and the outbox's backlog gauge,
// each driven over HTTP on a real server and read back with its exact count.
//
// The clock is a ManualClock: rate-limit windows are per clock minute, TOTP codes per 30 s step,
// and the outbox retries a failed mail after 2 s of clock time, so nothing moves unless the test
// moves it. TRUST_PROXY is on and every request carries its own X-Forwarded-For address, so that
// RATE_LIMIT_PER_IP=1 limits only the two requests that share one on purpose.
import { createHash, randomBytes } from 'node:crypto';
import test, { type ExecutionContext } from 'ava';
import { generate } from 'otplib';
import { api, newPerson, startAccountServer, type AccountServer, type Person } from '../helpers/accounts.js';
import { CookieJar, hiddenFields } from '../helpers/browserless.js';
import { ManualClock, registerClient, startTestServer } from '../helpers/server.js';
import { linkIn, waitForMail } from '../helpers/smtp.js';

const STEP = 30_000;
const REDIRECT = 'https://app.example.com/callback';

let addresses = 0;
/** An address of TEST-NET-2 (RFC 5737) that no other request of this file uses. */
const freshIp = () => `198.51.100.${(addresses += 1)}`;

const call = (server: AccountServer, method: string, path: string, options: { token?: string; body?: unknown; ip?: string } = {}) =>
  api(server, method, path, { ...(options.token ? { token: options.token } : {}), body: options.body, headers: { 'x-forwarded-for': options.ip ?? freshIp() } });

const totp = (secret: string, atMs: number) => generate({ secret, epoch: Math.floor(atMs / 1000) });

/** A six-digit code that is wrong whatever the step: none of the codes of the steps around now. */
async function wrongCode(secret: string, now: number): Promise<string> {
  const valid = new Set(await Promise.all([-1, 0, 1].map((step) => totp(secret, now + step * STEP))));
  return ['000000', '111111', '222222'].find((candidate) => !valid.has(candidate))!;
}

/** The value of one sample in the text exposition format, undefined when the line is absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const rendered = Object.keys(labels).length === 0 ? '' : `{${Object.entries(labels).map(([label, value]) => `${label}="${value}"`).join(',')}}`;
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name}${rendered} `));
  return line === undefined ? undefined : Number(line.slice(name.length + rendered.length + 1));
}

async function scrape(t: ExecutionContext, server: { url: string }): Promise<string> {
  const response = await fetch(`${server.url}/metrics`);
  t.is(response.status, 200);
  return response.text();
}

/** Scrapes until `done` holds: the outbox worker reports after the SMTP exchange, a moment after the mail arrives. */
async function scrapeUntil(t: ExecutionContext, server: { url: string }, done: (text: string) => boolean): Promise<string> {
  const started = Date.now();
  for (;;) {
    const text = await scrape(t, server);
    if (done(text) || Date.now() - started > 10_000) return text;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const mails = (text: string, state: string) => sample(text, 'tessera_mails_total', { state });
const signIns = (text: string, outcome: string) => sample(text, 'tessera_sign_ins_total', { outcome });

async function register(t: ExecutionContext, server: AccountServer, person: Person): Promise<void> {
  t.is((await call(server, 'POST', '/auth/register', { body: person })).status, 202);
}

function assertRedirect(response: Response): void {
  if (response.status < 300 || response.status > 303) throw new Error(`expected a redirect, got ${response.status}`);
}

/** The hosted pages, with this file's X-Forwarded-For on every request (browserless.ts sends none). */
function hostedBrowser(server: AccountServer) {
  const jar = new CookieJar();
  const send = async (path: string, form?: Record<string, string>) => {
    const response = await fetch(new URL(path, server.url), {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: { cookie: jar.header(), 'x-forwarded-for': freshIp(), ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      ...(form ? { body: new URLSearchParams(form).toString() } : {}),
    });
    jar.store(response);
    return response;
  };
  return {
    send,
    /** Follows a redirect to a page and returns the page's hidden form fields. */
    async fieldsAt(response: Response): Promise<Record<string, string>> {
      assertRedirect(response);
      return hiddenFields(await (await send(response.headers.get('location')!)).text());
    },
  };
}

test('sign-in outcomes, mail states, refresh reuse and the outbox backlog, each counted exactly', async (t) => {
  const clock = new ManualClock(Math.floor(Date.now() / STEP) * STEP + 10_000);
  const server = await startAccountServer(t, {
    clock,
    env: { TRUST_PROXY: 'true', LOCKOUT_THRESHOLD: '2', RATE_LIMIT_PER_IP: '1', RATE_LIMIT_PER_ACCOUNT: '0' },
  });

  // Every series is there from the start, at 0.
  const initial = await scrape(t, server);
  for (const outcome of ['success', 'wrong_password', 'locked', 'rate_limited', 'mfa_failed']) t.is(signIns(initial, outcome), 0, outcome);
  for (const state of ['queued', 'sent', 'failed']) t.is(mails(initial, state), 0, state);
  t.is(sample(initial, 'tessera_refresh_reuse_detected_total'), 0);
  t.is(sample(initial, 'tessera_outbox_oldest_undelivered_seconds'), 0);
  t.regex(initial, /# HELP tessera_sign_ins_total \S/);
  t.regex(initial, /# HELP tessera_mails_total \S/);
  t.regex(initial, /# HELP tessera_refresh_reuse_detected_total \S/);
  t.regex(initial, /# HELP tessera_outbox_oldest_undelivered_seconds \S/);

  // Mail 1 (queued, sent): the verification mail.
  const ada = newPerson('Ada');
  await register(t, server, ada);
  const { token } = linkIn(await waitForMail(server.smtp, ada.email, /verify/i), `${server.config.issuer}/verify-email`);
  t.is((await call(server, 'POST', '/auth/verify-email', { body: { token } })).status, 200);

  // success 1: a password sign-in on the JSON API.
  const first = await call(server, 'POST', '/auth/login', { body: { email: ada.email, password: ada.password } });
  t.is(first.status, 200);
  const { access_token: accessToken, refresh_token: refreshToken } = first.body as { access_token: string; refresh_token: string };

  // Mail 2 (queued, sent): 2FA turned on.
  const setup = await call(server, 'POST', '/auth/2fa/setup/initiate', { token: accessToken });
  const { secret } = setup.body as { secret: string };
  t.is((await call(server, 'POST', '/auth/2fa/setup/verify', { token: accessToken, body: { code: await totp(secret, clock.now()) } })).status, 200);
  await waitForMail(server.smtp, ada.email, /two-factor/i);
  clock.advance(STEP); // the setup code's step is spent

  // The password step passes on to the code step and counts nothing; mfa_failed 1, then success 2.
  const challenge = await call(server, 'POST', '/auth/login', { body: { email: ada.email, password: ada.password } });
  t.is(challenge.body.mfa_required, true);
  const wrongOnApi = await call(server, 'POST', '/auth/verify-2fa', { body: { mfa_token: challenge.body.mfa_token, code: await wrongCode(secret, clock.now()) } });
  t.is(wrongOnApi.body.error, 'invalid_code');
  const passed = await call(server, 'POST', '/auth/verify-2fa', { body: { mfa_token: challenge.body.mfa_token, code: await totp(secret, clock.now()) } });
  t.is(passed.status, 200);

  // The hosted pages: wrong_password 1 (an unknown address), then Ada: mfa_failed 2, success 3.
  const client = await registerClient(server, { redirectUris: [REDIRECT], firstParty: true });
  const verifier = randomBytes(32).toString('base64url');
  const authorize = new URLSearchParams({
    response_type: 'code',
    client_id: client.client_id,
    redirect_uri: REDIRECT,
    scope: 'openid',
    state: 'metrics',
    nonce: 'metrics',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  });
  const browser = hostedBrowser(server);
  const loginForm = await browser.fieldsAt(await browser.send(`/authorize?${authorize}`));
  const ghost = newPerson('Ghost'); // never registered: locks like a real account, and gets no mail
  const wrongOnPage = await browser.send('/login', { ...loginForm, email: ghost.email, password: 'not the password' });
  t.is(wrongOnPage.status, 401, 'the sign-in page again, with the problem');
  const toTotp = await browser.send('/login', { ...loginForm, email: ada.email, password: ada.password });
  const totpForm = await browser.fieldsAt(toTotp);
  t.not((await browser.send('/login/totp', { ...totpForm, code: await wrongCode(secret, clock.now()) })).status, 303);
  clock.advance(STEP); // the API's code spent this step
  const signedIn = await browser.send('/login/totp', { ...totpForm, code: await totp(secret, clock.now()) });
  t.is(signedIn.status, 303);
  t.true(signedIn.headers.get('location')!.startsWith(REDIRECT));

  // wrong_password 2 locks the unknown address (LOCKOUT_THRESHOLD=2); locked 1.
  t.is((await call(server, 'POST', '/auth/login', { body: { email: ghost.email, password: 'still not it' } })).status, 401);
  t.is((await call(server, 'POST', '/auth/login', { body: { email: ghost.email, password: 'still not it' } })).status, 423);

  // rate_limited 1: a second sign-in step from one address in the minute (RATE_LIMIT_PER_IP=1).
  const shared = freshIp();
  t.is((await call(server, 'POST', '/auth/login', { body: { email: ada.email, password: ada.password }, ip: shared })).body.mfa_required, true);
  t.is((await call(server, 'POST', '/auth/login', { body: { email: ada.email, password: ada.password }, ip: shared })).status, 429);

  // Refresh reuse 1: the first login's refresh token, rotated, then presented again.
  t.is((await call(server, 'POST', '/auth/refresh', { body: { refresh_token: refreshToken } })).status, 200);
  t.is((await call(server, 'POST', '/auth/refresh', { body: { refresh_token: refreshToken } })).status, 401);

  const delivered = await scrapeUntil(t, server, (text) => mails(text, 'sent') === 2);
  t.is(mails(delivered, 'sent'), 2);
  t.is(sample(delivered, 'tessera_outbox_oldest_undelivered_seconds'), 0, 'nothing waits');

  // Mail 3 (queued, failed): SMTP is down when Bob registers; the attempt fails and the mail waits.
  await server.smtp.close();
  await register(t, server, newPerson('Bob'));
  await scrapeUntil(t, server, (text) => mails(text, 'failed') === 1);
  // One second of clock later (the retry is due after two): the mail is one second old.
  clock.advance(1_000);
  const metrics = await scrape(t, server);

  t.deepEqual(
    Object.fromEntries(['success', 'wrong_password', 'locked', 'rate_limited', 'mfa_failed'].map((outcome) => [outcome, signIns(metrics, outcome)])),
    { success: 3, wrong_password: 2, locked: 1, rate_limited: 1, mfa_failed: 2 },
  );
  t.deepEqual(Object.fromEntries(['queued', 'sent', 'failed'].map((state) => [state, mails(metrics, state)])), { queued: 3, sent: 2, failed: 1 });
  t.is(sample(metrics, 'tessera_refresh_reuse_detected_total'), 1);
  const backlog = sample(metrics, 'tessera_outbox_oldest_undelivered_seconds');
  t.true(backlog !== undefined && backlog > 0, 'a mail is stuck');
  t.is(backlog, 1);
  t.regex(metrics, /tessera_signing_key_age_seconds\{alg="ES256"\} \d/);
});

test('a database that fails at scrape time leaves /metrics answering, without the outbox gauge', async (t) => {
  const server = await startTestServer(t);
  t.is(sample(await scrape(t, server), 'tessera_outbox_oldest_undelivered_seconds'), 0);
  await server.services.db.destroy();
  const metrics = await scrape(t, server);
  t.is(sample(metrics, 'tessera_outbox_oldest_undelivered_seconds'), undefined, 'no sample rather than a made-up one');
  t.is(sample(metrics, 'tessera_sign_ins_total', { outcome: 'success' }), 0, 'the other series are there');
  t.regex(metrics, /tessera_signing_key_age_seconds\{alg="ES256"\} \d/);
  t.true(server.logs.some((line) => line.includes('metrics: could not read the outbox')), 'the failure is logged');
});
