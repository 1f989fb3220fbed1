// Every hosted page around the sign-in leads somewhere (docs/account.md): "Create an account" and
// "Forgot your password?" keep the sign-in in progress and lead back to it, each confirmation has
// its own words, the pages mail links open lead to a new link or to the account pages, and no link
// in a mail points at a page that is not there.
import test from 'ava';
import { api, newPerson, signUp, startAccountServer, type AccountServer } from '../../helpers/accounts.js';
import { CookieJar } from '../../helpers/browserless.js';
import { linkIn, textOf, waitForMail } from '../../helpers/smtp.js';
import { alertOf, authorizeUrl, codeClient, formFields, heading, htmlLang, linksOf, linkTo, request, startSignIn } from './pages.js';

/** Follows a page's link, as a browser would, from the server's origin. */
const follow = (server: AccountServer, jar: CookieJar, href: string, language?: string) => request(jar, new URL(href, server.url).toString(), { language });

test('"Create an account" keeps the sign-in: register, its own confirmation, and "Back to sign in" returns to the same login page', async (t) => {
  const server = await startAccountServer(t);
  const { config } = await codeClient(server);
  const jar = new CookieJar();
  const signIn = await startSignIn(server, jar, (await authorizeUrl(config, { ui_locales: 'de' })).url);
  const registerHref = linkTo(signIn.html, 'Konto erstellen');
  t.is(registerHref, `/register?interaction=${signIn.interaction}`);

  const registerPage = await (await follow(server, jar, registerHref)).text();
  t.is(htmlLang(registerPage), 'de', 'the sign-in’s ui_locales carry over');
  t.is(formFields(registerPage).interaction, signIn.interaction);
  t.is(linkTo(registerPage, 'Anmelden'), `/login?interaction=${signIn.interaction}`);

  const person = newPerson('Rita');
  const posted = await request(jar, `${server.url}/register`, { form: { ...formFields(registerPage), name: person.name, email: person.email, password: person.password } });
  t.is(posted.status, 303);
  t.is(posted.headers.get('location'), `/register?status=sent&interaction=${signIn.interaction}`);
  const sent = await (await follow(server, jar, posted.headers.get('location')!)).text();
  t.is(heading(sent), 'Sehen Sie in Ihr Postfach');
  t.regex(sent, /Erstellung Ihres Kontos abzuschließen/, 'the register page has its own confirmation text');
  t.is(linkTo(sent, 'Link erneut senden'), `/resend-verification?interaction=${signIn.interaction}`);
  const back = linkTo(sent, 'Zurück zur Anmeldung');
  t.is(back, `/login?interaction=${signIn.interaction}`);

  const login = await follow(server, jar, back);
  t.is(login.status, 200);
  const loginHtml = await login.text();
  t.is(formFields(loginHtml).interaction, signIn.interaction, 'the same sign-in');
  t.is(heading(loginHtml), 'Anmelden, um mit my-app fortzufahren');

  // The verification mail arrives; after verifying, the same sign-in completes.
  const mail = await waitForMail(server.smtp, person.email, /./);
  const { token } = linkIn(mail, `${server.config.issuer}/verify-email?token=`);
  t.is((await request(jar, `${server.url}/verify-email`, { form: { token } })).status, 303);
  const done = await request(jar, `${server.url}/login`, { form: { ...formFields(loginHtml), email: person.email, password: person.password } });
  t.is(done.status, 303);
  t.truthy(new URL(done.headers.get('location')!).searchParams.get('code'));
});

test('"Forgot your password?" keeps the sign-in and leads back to it; its confirmation is not the register one', async (t) => {
  const server = await startAccountServer(t);
  const person = await signUp(server);
  const { config } = await codeClient(server);
  const jar = new CookieJar();
  const signIn = await startSignIn(server, jar, (await authorizeUrl(config)).url);
  const forgotHref = linkTo(signIn.html, 'Forgot your password?');
  t.is(forgotHref, `/forgot-password?interaction=${signIn.interaction}`);
  const forgotPage = await (await follow(server, jar, forgotHref)).text();
  t.is(linkTo(forgotPage, 'Back to sign in'), `/login?interaction=${signIn.interaction}`, 'a way back before sending, too');

  const posted = await request(jar, `${server.url}/forgot-password`, { form: { ...formFields(forgotPage), email: person.email } });
  t.is(posted.status, 303);
  t.is(posted.headers.get('location'), `/forgot-password?status=sent&interaction=${signIn.interaction}`);
  const sent = await (await follow(server, jar, posted.headers.get('location')!)).text();
  t.is(heading(sent), 'Check your email');
  t.regex(sent, /a link to choose a new password/);
  t.notRegex(sent, /finish creating your account/);
  const login = await follow(server, jar, linkTo(sent, 'Back to sign in'));
  t.is(formFields(await login.text()).interaction, signIn.interaction);
  await waitForMail(server.smtp, person.email, /reset|password/i);

  // An unknown address gets the same answer.
  const unknown = await request(jar, `${server.url}/forgot-password`, { form: { ...formFields(forgotPage), email: 'nobody@example.com' } });
  t.is(unknown.headers.get('location'), posted.headers.get('location'));
});

test('without a sign-in in progress (or with one of another browser) the pages lead to the account pages', async (t) => {
  const server = await startAccountServer(t);
  const { config } = await codeClient(server);
  const other = await startSignIn(server, new CookieJar(), (await authorizeUrl(config)).url);
  const jar = new CookieJar();
  for (const path of ['/register?status=sent', '/forgot-password?status=sent', '/resend-verification?status=sent', '/forgot-password', `/forgot-password?interaction=${other.interaction}`]) {
    const html = await (await request(jar, `${server.url}${path}`)).text();
    t.is(linkTo(html, 'Back to sign in'), '/account', path);
    t.false(linksOf(html).some((link) => link.href.includes(other.interaction)), `${path}: another browser's sign-in is not offered`);
  }
  t.is(linkTo(await (await request(jar, `${server.url}/register`)).text(), 'Sign in'), '/account');
});

test('mail-link pages lead on: verified and reset-done to the account, a bad link to a new one, a token-less reset link to the forgot page', async (t) => {
  const server = await startAccountServer(t);
  const jar = new CookieJar();
  const person = newPerson();
  t.is((await api(server, 'POST', '/auth/register', { body: person })).status, 202);
  const { token } = linkIn(await waitForMail(server.smtp, person.email, /./), `${server.config.issuer}/verify-email?token=`);
  const verified = await request(jar, `${server.url}/verify-email`, { form: { token } });
  t.is(verified.headers.get('location'), '/verify-email?status=done');
  const verifiedPage = await (await follow(server, jar, verified.headers.get('location')!)).text();
  t.is(linkTo(verifiedPage, 'Continue to your account'), '/account');

  const reused = await request(jar, `${server.url}/verify-email`, { form: { token } });
  t.is(reused.status, 400);
  const reusedPage = await reused.text();
  t.regex(alertOf(reusedPage), /not valid any more/);
  t.is(linkTo(reusedPage, 'Send a new confirmation link'), '/resend-verification');
  const noToken = await request(jar, `${server.url}/verify-email`);
  t.is(noToken.status, 400);
  t.is(linkTo(await noToken.text(), 'Send a new confirmation link'), '/resend-verification');

  t.is((await api(server, 'POST', '/auth/forgot-password', { body: { email: person.email } })).status, 202);
  const reset = linkIn(await waitForMail(server.smtp, person.email, /reset|password/i), `${server.config.issuer}/reset-password?token=`);
  const resetDone = await request(jar, `${server.url}/reset-password`, { form: { token: reset.token, password: 'a brand new passphrase 2' } });
  t.is(resetDone.headers.get('location'), '/reset-password?status=done');
  t.is(linkTo(await (await follow(server, jar, resetDone.headers.get('location')!)).text(), 'Sign in'), '/account');
  const badReset = await request(jar, `${server.url}/reset-password`, { form: { token: reset.token, password: 'yet another passphrase 3' } });
  t.is(badReset.status, 400);
  t.is(linkTo(await badReset.text(), 'Ask for a new reset link'), '/forgot-password');

  const tokenless = await request(jar, `${server.url}/reset-password`);
  t.is(tokenless.status, 303);
  t.is(tokenless.headers.get('location'), '/forgot-password');
});

test('the "you already have an account" mail links to pages that exist', async (t) => {
  const server = await startAccountServer(t);
  const person = await signUp(server);
  t.is((await api(server, 'POST', '/auth/register', { body: { ...person, password: 'another long passphrase' } })).status, 202);
  const mail = await waitForMail(server.smtp, person.email, /already/i);
  const links = [...textOf(mail).matchAll(/https?:\/\/[^\s>)\]]+/g)].map((match) => match[0]).filter((url) => url.startsWith(server.config.issuer));
  t.true(links.includes(`${server.config.issuer}/account`), `the sign-in link: ${links.join(' ')}`);
  t.true(links.includes(`${server.config.issuer}/forgot-password`), 'the reset link asks for a token first');
  for (const link of links) {
    // Followed as a browser would, cookies included: /account sends a person without a session to the sign-in.
    const jar = new CookieJar();
    let response = await request(jar, link);
    for (let hops = 0; response.status === 303 && hops < 5; hops += 1) response = await follow(server, jar, response.headers.get('location')!);
    t.is(response.status, 200, link);
    t.regex(response.headers.get('content-type') ?? '', /^text\/html/, link);
  }
});

test('pages answer what their handlers do not (a body over BODY_LIMIT, a limit on a mail link) with a page in the reader’s language', async (t) => {
  const server = await startAccountServer(t, { env: { BODY_LIMIT: '1kb', RATE_LIMIT_PER_IP: '2' } });
  const jar = new CookieJar();
  const tooLarge = await request(jar, `${server.url}/forgot-password`, { form: { email: 'a'.repeat(4096) }, language: 'de' });
  t.is(tooLarge.status, 413);
  t.regex(tooLarge.headers.get('content-type') ?? '', /^text\/html/);
  const tooLargeHtml = await tooLarge.text();
  t.is(htmlLang(tooLargeHtml), 'de');
  t.regex(alertOf(tooLargeHtml), /Formular war zu groß/);
  t.regex(tooLarge.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);

  const statuses: number[] = [];
  let limited: Response | undefined;
  for (let i = 0; i < 4 && !limited; i += 1) {
    const response = await request(jar, `${server.url}/reset-password`, { form: { token: `made-up-${i}`, password: 'a long enough password 1' } });
    statuses.push(response.status);
    if (response.status === 429) limited = response;
  }
  if (!limited) return t.fail(`no 429 in ${statuses.join(',')}`);
  t.regex(limited.headers.get('retry-after') ?? '', /^\d+$/, 'Retry-After stays');
  t.regex(limited.headers.get('content-type') ?? '', /^text\/html/);
  const limitedHtml = await limited.text();
  t.is(htmlLang(limitedHtml), 'en');
  t.is(alertOf(limitedHtml), 'Too many attempts. Wait a minute and try again.');
});
