// The hosted sign-in pages as a browser without JavaScript reads them: the language (ui_locales of
// the authorization request, then Accept-Language, then English) with its `<html lang>`, the brand,
// the title of an account sign-in, the second-factor field that takes backup codes, and "Not you?"
// on the consent page, which ends the browser session and returns the same sign-in to its login step.
import test from 'ava';
import { generate } from 'otplib';
import { api, login, newPerson, signUp, startAccountServer } from '../../helpers/accounts.js';
import { CookieJar } from '../../helpers/browserless.js';
import { authorizeUrl, codeClient, formFields, heading, htmlLang, request, startSignIn } from './pages.js';

test('Accept-Language picks the language of the sign-in page; ui_locales of the authorization request wins over it', async (t) => {
  const server = await startAccountServer(t);
  const { config } = await codeClient(server);

  const german = await startSignIn(server, new CookieJar(), (await authorizeUrl(config)).url, 'de-DE,de;q=0.9,en;q=0.5');
  t.is(htmlLang(german.html), 'de');
  t.is(german.response.headers.get('content-language'), 'de');
  t.is(heading(german.html), 'Anmelden, um mit my-app fortzufahren');
  t.regex(german.html, /<label for="password">Passwort<\/label>/);
  t.regex(german.html, />Passwort vergessen\?<\/a>/);

  const english = await startSignIn(server, new CookieJar(), (await authorizeUrl(config, { ui_locales: 'en' })).url, 'de');
  t.is(htmlLang(english.html), 'en', 'ui_locales=en overrides Accept-Language: de');
  t.is(heading(english.html), 'Sign in to continue to my-app');

  const uiGerman = await startSignIn(server, new CookieJar(), (await authorizeUrl(config, { ui_locales: 'fr-CA de-AT' })).url, 'en-US,en');
  t.is(htmlLang(uiGerman.html), 'de', 'the first supported tag of ui_locales, over Accept-Language: en');
  t.is(heading(uiGerman.html), 'Anmelden, um mit my-app fortzufahren');

  const fallback = await startSignIn(server, new CookieJar(), (await authorizeUrl(config)).url, 'fr, es;q=0.8');
  t.is(htmlLang(fallback.html), 'en', 'no supported language: English');

  // A refused form answers in the sign-in's language too.
  const jar = new CookieJar();
  const refused = await startSignIn(server, jar, (await authorizeUrl(config, { ui_locales: 'de' })).url);
  const wrong = await request(jar, `${server.url}/login`, { form: { ...formFields(refused.html), email: 'nobody@example.com', password: 'not the password' } });
  t.is(wrong.status, 401);
  const wrongHtml = await wrong.text();
  t.is(htmlLang(wrongHtml), 'de');
  t.regex(wrongHtml, /role="alert">E-Mail-Adresse oder Passwort ist falsch\.</);
});

test('BRAND_NAME names the product on the sign-in page; an account sign-in is titled for the account, not an app', async (t) => {
  const server = await startAccountServer(t, { env: { BRAND_NAME: 'Acme' } });
  const { config } = await codeClient(server);
  const jar = new CookieJar();
  const { html } = await startSignIn(server, jar, (await authorizeUrl(config)).url);
  t.regex(html, /<title>Sign in to continue to my-app · Acme<\/title>/);
  t.regex(html, /<span class="brand-name">Acme<\/span>/);
  t.notRegex(html, /Tessera/);

  // The sign-in the account pages start (AuthorizationFlow.beginAccountSignIn), in this browser.
  const csrf = jar.get('tessera_csrf')!;
  const next = await server.services.authorization.beginAccountSignIn('/account', csrf);
  if (next.kind !== 'page') return t.fail(`expected a page, got ${next.kind}`);
  const accountPage = await (await request(jar, `${server.url}/login?interaction=${next.interactionId}`)).text();
  t.is(heading(accountPage), 'Sign in to your Acme account');
  t.regex(accountPage, /<title>Sign in to your Acme account · Acme<\/title>/);
});

test('the second-factor field takes backup codes on a phone keyboard: no numeric inputmode, no autocapitalisation', async (t) => {
  const server = await startAccountServer(t);
  const person = await signUp(server, newPerson('Tess'));
  const { access_token } = await login(server, person);
  const { secret } = (await api(server, 'POST', '/auth/2fa/setup/initiate', { token: access_token })).body as { secret: string };
  t.is((await api(server, 'POST', '/auth/2fa/setup/verify', { token: access_token, body: { code: await generate({ secret, epoch: Math.floor(Date.now() / 1000) }) } })).status, 200);
  const { config } = await codeClient(server);
  const jar = new CookieJar();
  const signIn = await startSignIn(server, jar, (await authorizeUrl(config)).url);
  const posted = await request(jar, `${server.url}/login`, { form: { ...formFields(signIn.html), email: person.email, password: person.password } });
  t.is(posted.status, 303);
  const totpPage = await (await request(jar, new URL(posted.headers.get('location')!, server.url).toString())).text();
  const field = /<input id="code"[^>]*>/.exec(totpPage)?.[0] ?? '';
  t.regex(field, /name="code"/);
  t.regex(field, /autocomplete="one-time-code"/);
  t.regex(field, /autocapitalize="off"/);
  t.regex(field, /spellcheck="false"/);
  t.notRegex(field, /inputmode/, 'backup codes have letters');
  t.notRegex(field, /pattern=/);
});

test('"Not you?" on the consent page ends the browser session and sends the same sign-in back to its login step', async (t) => {
  const server = await startAccountServer(t);
  const ada = await signUp(server, newPerson('Ada'));
  const bob = await signUp(server, newPerson('Bob'));
  const { config } = await codeClient(server, { name: 'Photo Printer', firstParty: false });
  const jar = new CookieJar();
  const { url, state } = await authorizeUrl(config);
  const signIn = await startSignIn(server, jar, url);
  const afterPassword = await request(jar, `${server.url}/login`, { form: { ...formFields(signIn.html), email: ada.email, password: ada.password } });
  const consentPath = afterPassword.headers.get('location')!;
  t.regex(consentPath, new RegExp(`^/consent\\?interaction=${signIn.interaction}$`));
  const adaSession = jar.get('tessera_session');
  t.truthy(adaSession);

  const consentPage = await (await request(jar, `${server.url}${consentPath}`)).text();
  t.is(heading(consentPage), 'Photo Printer wants to access your account');
  t.regex(consentPage, new RegExp(`Signed in as ${ada.email.replace(/\./g, '\\.')}`));
  t.regex(consentPage, /<button type="submit" name="decision" value="deny" class="secondary">Deny<\/button>/, 'Deny is the secondary button');
  t.regex(consentPage, /<button type="submit" name="decision" value="approve">Allow<\/button>/);

  // Without the form's CSRF secret nothing happens.
  const forged = await request(jar, `${server.url}/consent`, { form: { interaction: signIn.interaction, decision: 'switch_account' } });
  t.is(forged.status, 403);
  t.is(jar.get('tessera_session'), adaSession, 'the session cookie stays');

  const switched = await request(jar, `${server.url}/consent`, { form: { ...formFields(consentPage), decision: 'switch_account' } });
  t.is(switched.status, 303);
  t.is(switched.headers.get('location'), `/login?interaction=${signIn.interaction}`, 'the same sign-in, at its login step');
  t.true(switched.headers.getSetCookie().some((cookie) => /^tessera_session=;.*Max-Age=0/.test(cookie)), 'the session cookie is cleared');
  t.is(jar.get('tessera_session'), undefined);
  const ended = await server.services.db.selectFrom('sessions').select(['ended_at', 'end_reason']).where('user_id', '=', ada.id).execute();
  t.is(ended.length, 1);
  t.not(ended[0]!.ended_at, null, "Ada's browser session has ended");
  t.is(ended[0]!.end_reason, 'switch_account');
  const logouts = await server.services.db.selectFrom('audit_log').select(['event', 'user_id', 'detail']).where('event', '=', 'user.logout').execute();
  t.is(logouts.length, 1);
  t.is(logouts[0]!.user_id, ada.id);
  t.is(JSON.parse(logouts[0]!.detail).via, 'switch_account');

  // Bob signs in to the same sign-in; the application gets its answer, with its state.
  const loginAgain = await (await request(jar, `${server.url}/login?interaction=${signIn.interaction}`)).text();
  t.is(heading(loginAgain), 'Sign in to continue to Photo Printer');
  const bobIn = await request(jar, `${server.url}/login`, { form: { ...formFields(loginAgain), email: bob.email, password: bob.password } });
  t.is(bobIn.headers.get('location'), `/consent?interaction=${signIn.interaction}`);
  const bobConsent = await (await request(jar, `${server.url}/consent?interaction=${signIn.interaction}`)).text();
  t.regex(bobConsent, new RegExp(`Signed in as ${bob.email.replace(/\./g, '\\.')}`));
  const approved = await request(jar, `${server.url}/consent`, { form: { ...formFields(bobConsent, '/consent'), decision: 'approve' } });
  t.is(approved.status, 303);
  const callback = new URL(approved.headers.get('location')!);
  t.is(callback.searchParams.get('state'), state);
  t.truthy(callback.searchParams.get('code'));
  const consent = await server.services.db.selectFrom('client_consents').select('user_id').execute();
  t.deepEqual(consent.map((row) => row.user_id), [bob.id], 'the consent is Bob’s, not Ada’s');

  // A spent sign-in cannot be switched again.
  const late = await request(jar, `${server.url}/consent`, { form: { ...formFields(bobConsent), decision: 'switch_account' } });
  t.is(late.status, 400);
  t.is(htmlLang(await late.text()), 'en');
});
