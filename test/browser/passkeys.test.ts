// Passkeys in Chromium (docs/passkeys.md), with its virtual authenticator driven through CDP
// (WebAuthn.addVirtualAuthenticator: CTAP2, internal, resident keys, user verification) against a
// server whose issuer is http://localhost:PORT (an RP id cannot be an IP address).
import { createServer } from 'node:http';
import type { ExecutionContext } from 'ava';
import type { CDPSession, Page } from 'playwright-core';
import { generate } from 'otplib';
import { api, login, signUp, startAccountServer, type AccountServer, type Person } from '../helpers/accounts.js';
import { ManualClock, registerClient, TEST_ACTOR } from '../helpers/server.js';
import { waitForMail } from '../helpers/smtp.js';
import { SoftAuthenticator } from '../helpers/soft-authenticator.js';
import { signInAtAccount } from './account.js';
import { atApp, authorizationRequest, browserTest, discover, openPage, recordNavigations, redeem, seriousA11yViolations, startApp, submitPassword } from './chromium.js';

/** A virtual platform authenticator in this page: a passkey with a fingerprint, always present and verified. */
async function authenticator(page: Page): Promise<{ cdp: CDPSession; authenticatorId: string }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable', { enableUI: false });
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });
  return { cdp, authenticatorId };
}

/**
 * Chromium's virtual authenticator answers passkey autofill (conditional mediation) at once, where
 * a person would pick the passkey from the email field's suggestions. To press the buttons, these
 * tests play a browser without passkey autofill; one test below keeps it.
 */
async function withoutAutofill(page: Page): Promise<void> {
  await page.addInitScript('PublicKeyCredential.isConditionalMediationAvailable = async () => false;');
}

/** Adds a passkey on /account/passkeys (signing in there first when `signIn`). */
async function addPasskey(page: Page, server: AccountServer, person: Person, name: string, signIn = true): Promise<void> {
  if (signIn) await signInAtAccount(page, server, person, '/account/passkeys');
  else await page.goto(`${server.config.issuer}/account/passkeys`);
  await page.fill('#passkey-name', name);
  await page.getByRole('button', { name: 'Add a passkey' }).click();
  await page.waitForURL((url) => url.pathname === '/account/passkeys' && url.searchParams.get('done') === 'passkeyAdded');
}

async function turnOnTotp(server: AccountServer, person: Person): Promise<void> {
  const { access_token } = await login(server, person);
  const setup = await api(server, 'POST', '/auth/2fa/setup/initiate', { token: access_token });
  const code = await generate({ secret: setup.body.secret as string, epoch: Math.floor(Date.now() / 1000) });
  if ((await api(server, 'POST', '/auth/2fa/setup/verify', { token: access_token, body: { code } })).status !== 200) throw new Error('2FA setup failed');
}

async function setUp(t: ExecutionContext, options: { clock?: ManualClock; env?: Record<string, string>; autofill?: boolean } = {}) {
  const { autofill = false, ...serverOptions } = options;
  const server = await startAccountServer(t, serverOptions);
  const person = await signUp(server);
  const app = await startApp(t);
  const client = await registerClient(server, { redirectUris: [app.callback], firstParty: true });
  const config = await discover(server, client);
  const { context, page } = await openPage(t);
  const { cdp, authenticatorId } = await authenticator(page);
  if (!autofill) await withoutAutofill(page);
  return { server, person, app, config, context, page, cdp, authenticatorId };
}

const events = (server: AccountServer, event: string) => server.services.db.selectFrom('audit_log').selectAll().where('event', '=', event).execute();

/** Starts a sign-in at the app and presses "Sign in with a passkey"; resolves with the POST's status. */
async function passkeyButton(page: Page, url: URL | string): Promise<number> {
  await page.goto(url.toString());
  await page.waitForURL((u) => u.pathname === '/login');
  const posted = page.waitForResponse((response) => response.request().method() === 'POST' && new URL(response.url()).pathname === '/login/passkey');
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  return (await posted).status();
}

browserTest('a person adds a passkey, signs out, and signs in to an app with it: no email, no code step, amr says so; audit and mails show added, used, removed', async (t) => {
  const { server, person, app, config, page } = await setUp(t);
  await addPasskey(page, server, person, 'My laptop');
  t.is(await page.locator('.passkey-list li h2').textContent(), 'My laptop');
  t.deepEqual(await seriousA11yViolations(page), [], 'axe: /account/passkeys');
  await waitForMail(server.smtp, person.email, /passkey was added/i);
  await turnOnTotp(server, person);

  await page.goto(`${server.config.issuer}/account`);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL((url) => url.pathname === '/account/signed-out');

  const request = await authorizationRequest(config, app.callback);
  await page.goto(request.url.toString());
  await page.waitForURL((u) => u.pathname === '/login');
  t.is(await page.getAttribute('input[name=email]', 'autocomplete'), 'username webauthn');
  t.deepEqual(await seriousA11yViolations(page), [], 'axe: the login page with its passkey button');
  const navigations = recordNavigations(page);
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await page.waitForURL(atApp(app));
  t.false(navigations.some((url) => url.pathname === '/login/totp'), 'a person with TOTP on meets no code step');
  const tokens = await redeem(config, new URL(page.url()), request);
  const claims = tokens.claims()!;
  t.is(claims.sub, person.id);
  t.deepEqual(claims.amr, ['hwk', 'mfa']);

  // Removing needs a recent sign-in, which the passkey just was.
  await page.goto(`${server.config.issuer}/account/passkeys`);
  await page.getByRole('button', { name: 'Remove the passkey “My laptop”' }).click();
  await page.waitForURL((url) => url.searchParams.get('done') === 'passkeyRemoved');
  t.is(await page.locator('.passkey-list li').count(), 0);
  await waitForMail(server.smtp, person.email, /passkey was removed/i);
  for (const event of ['passkey.added', 'passkey.used', 'passkey.removed']) t.is((await events(server, event)).length, 1, event);

  // The authenticator still holds the credential; the server no longer knows it.
  await page.context().clearCookies();
  app.requests.length = 0;
  t.is(await passkeyButton(page, (await authorizationRequest(config, app.callback)).url), 401);
  t.regex((await page.locator('[role=alert]').textContent()) ?? '', /passkey did not work/i);
  t.is(app.requests.length, 0, 'a removed passkey signs nobody in');
});

browserTest('at the second step of a password sign-in, a person with 2FA uses a passkey instead of a code', async (t) => {
  const { server, person, app, config, context, page } = await setUp(t);
  await addPasskey(page, server, person, 'Phone');
  await turnOnTotp(server, person);
  await context.clearCookies();
  const request = await authorizationRequest(config, app.callback);
  await page.goto(request.url.toString());
  await submitPassword(page, person);
  await page.waitForURL((url) => url.pathname === '/login/totp');
  await page.getByRole('button', { name: 'Use a passkey instead' }).click();
  await page.waitForURL(atApp(app));
  const claims = (await redeem(config, new URL(page.url()), request)).claims()!;
  t.deepEqual(claims.amr, ['pwd', 'hwk', 'mfa']);
});

browserTest('the same authenticator twice, a disabled user, a replayed answer, another origin and an expired challenge all fail on the page, and nothing signs in', async (t) => {
  const clock = new ManualClock();
  const { server, person, app, config, context, page, cdp, authenticatorId } = await setUp(t, { clock });
  await addPasskey(page, server, person, 'Laptop');
  await page.fill('#passkey-name', 'Laptop again');
  await page.getByRole('button', { name: 'Add a passkey' }).click();
  await page.locator('[role=alert]').waitFor();
  t.regex((await page.locator('[role=alert]').textContent()) ?? '', /already added/i);
  t.is(await page.locator('.passkey-list li').count(), 1, 'a second registration of the same authenticator is refused');
  await context.clearCookies();

  // A replay: the answer of one sign-in, sent again in the next.
  let captured: URLSearchParams | undefined;
  await page.route('**/login/passkey', async (route) => {
    captured ??= new URLSearchParams(route.request().postData() ?? '');
    await route.continue();
  });
  t.is(await passkeyButton(page, (await authorizationRequest(config, app.callback)).url), 303);
  await page.waitForURL(atApp(app));
  await page.unroute('**/login/passkey');
  await context.clearCookies();
  app.requests.length = 0;

  /** The next sign-in's POST, changed by `change` on its way. */
  const tampered = async (change: (form: URLSearchParams) => void | Promise<void>): Promise<number> => {
    await page.route('**/login/passkey', async (route) => {
      const form = new URLSearchParams(route.request().postData() ?? '');
      await change(form);
      await route.continue({ postData: form.toString() });
    });
    const status = await passkeyButton(page, (await authorizationRequest(config, app.callback)).url);
    await page.unroute('**/login/passkey');
    await page.locator('[role=alert]').waitFor();
    return status;
  };
  t.is(
    await tampered((form) => {
      form.set('ceremony', captured!.get('ceremony')!);
      form.set('credential', captured!.get('credential')!);
    }),
    401,
    'a replayed answer',
  );

  // Another origin (a phishing page on another port of localhost): the authenticator's own key,
  // signing for the challenge it was given but with the origin the browser would have reported there.
  const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
  const soft = SoftAuthenticator.fromCdp(credentials[0]!);
  const origin = new URL(server.config.issuer);
  t.is(
    await tampered((form) => {
      const sent = JSON.parse(form.get('credential')!);
      const { challenge } = JSON.parse(Buffer.from(sent.response.clientDataJSON, 'base64url').toString('utf8'));
      form.set('credential', JSON.stringify(soft.assertion({ challenge, origin: `http://localhost:${Number(origin.port) + 1}`, rpId: 'localhost' }, { userHandle: sent.response.userHandle })));
    }),
    401,
    'another origin',
  );

  t.is(await tampered(() => clock.advance(5 * 60_000 + 1)), 401, 'a challenge older than 5 minutes');
  t.regex((await page.locator('[role=alert]').textContent()) ?? '', /expired/i);

  await server.services.users.setDisabled(person.id, true, TEST_ACTOR);
  t.is(await passkeyButton(page, (await authorizationRequest(config, app.callback)).url), 403, 'a disabled user');
  t.regex((await page.locator('[role=alert]').textContent()) ?? '', /cannot sign in|disabled/i);
  t.is(app.requests.length, 0, 'nothing signed in');
});

browserTest('a first-party app runs the JSON API ceremonies from its own page with the same authenticator', async (t) => {
  const appServer = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end('<!doctype html><html lang="en"><head><title>App</title></head><body><p>App</p></body></html>');
  });
  await new Promise<void>((resolve) => appServer.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => appServer.close(() => resolve())));
  const appOrigin = `http://localhost:${(appServer.address() as { port: number }).port}`;
  const server = await startAccountServer(t, { env: { CORS_ORIGINS: appOrigin } });
  const person = await signUp(server);
  const { page } = await openPage(t);
  await authenticator(page);
  await page.goto(`${appOrigin}/`);
  await page.addScriptTag({ url: `${server.config.issuer}/assets/webauthn.js` });
  // A string, not a function: the test's TypeScript transform would add helpers the page lacks.
  const result = (await page.evaluate(`(async ({ issuer, email, password }) => {
    const swa = globalThis.SimpleWebAuthnBrowser;
    const call = async (path, body, token) => {
      const response = await fetch(issuer + path, { method: 'POST', headers: Object.assign({ 'content-type': 'application/json' }, token ? { authorization: 'Bearer ' + token } : {}), body: JSON.stringify(body) });
      return { status: response.status, body: await response.json() };
    };
    const token = (await call('/auth/login', { email, password })).body.access_token;
    const registration = await call('/auth/passkeys/register/options', {}, token);
    const attestation = await swa.startRegistration({ optionsJSON: registration.body.options });
    const added = await call('/auth/passkeys/register/verify', { ceremony_id: registration.body.ceremony_id, credential: attestation, name: 'App passkey' }, token);
    const signIn = await call('/auth/passkeys/sign-in/options', {});
    const assertion = await swa.startAuthentication({ optionsJSON: signIn.body.options });
    const signedIn = await call('/auth/passkeys/sign-in/verify', { ceremony_id: signIn.body.ceremony_id, credential: assertion });
    const me = await fetch(issuer + '/auth/me', { headers: { authorization: 'Bearer ' + signedIn.body.access_token } }).then((r) => r.json());
    return { added, signedIn: signedIn.status, me };
  })(${JSON.stringify({ issuer: server.config.issuer, email: person.email, password: person.password })})`)) as { added: { status: number; body: Record<string, unknown> }; signedIn: number; me: Record<string, unknown> };
  t.is(result.added.status, 201, JSON.stringify(result.added.body));
  t.is(result.added.body.name, 'App passkey');
  t.is(result.signedIn, 200);
  t.is(result.me.id, person.id);
  t.is(JSON.parse((await events(server, 'user.login')).at(-1)!.detail).amr, 'hwk mfa');
});

browserTest('passkey autofill on the email field signs in without a button (conditional mediation)', async (t) => {
  const { server, person, app, config, context, page } = await setUp(t, { autofill: true });
  await addPasskey(page, server, person, 'Laptop');
  await context.clearCookies();
  const request = await authorizationRequest(config, app.callback);
  // The virtual authenticator picks the passkey from the email field's suggestions by itself.
  await page.goto(request.url.toString());
  await page.waitForURL(atApp(app));
  t.deepEqual((await redeem(config, new URL(page.url()), request)).claims()!.amr, ['hwk', 'mfa']);
});
