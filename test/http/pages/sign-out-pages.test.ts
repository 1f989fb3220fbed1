// The pages of RP-Initiated Logout 1.0 lead on: the signed-out page offers the way back to the
// application when it is known (the id_token_hint's audience, or client_id) and registered a
// post_logout_redirect_uri, and a new sign-in through the account pages; the confirmation form
// refused for its CSRF secret is shown again rather than a dead end.
import test from 'ava';
import * as oidc from 'openid-client';
import { signUp, startAccountServer } from '../../helpers/accounts.js';
import { CookieJar, signInThroughPages } from '../../helpers/browserless.js';
import { alertOf, authorizeUrl, codeClient, formFields, heading, linkTo, request } from './pages.js';

const BYE = 'https://app.example.com/bye';

test('the signed-out page links back to the application and to a new sign-in', async (t) => {
  const server = await startAccountServer(t);
  const person = await signUp(server);
  const { client, config } = await codeClient(server, { postLogoutRedirectUris: [BYE] });

  // With an id_token_hint and no post_logout_redirect_uri: signed out at once, on our page.
  const jar = new CookieJar();
  const started = await authorizeUrl(config);
  const callback = await signInThroughPages(jar, server.url, started.url, person);
  const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: started.verifier, expectedState: started.state });
  const hinted = await request(jar, `${server.url}/end-session?${new URLSearchParams({ id_token_hint: tokens.id_token! })}`);
  t.is(hinted.status, 200);
  const hintedPage = await hinted.text();
  t.is(heading(hintedPage), 'You are signed out');
  t.is(linkTo(hintedPage, 'Back to my-app'), BYE, 'a link, not a redirect: the application did not ask for one');
  t.is(linkTo(hintedPage, 'Sign in again'), '/account');

  // Without a hint but with client_id: the confirmation carries it to the signed-out page.
  const again = new CookieJar();
  await signInThroughPages(again, server.url, (await authorizeUrl(config)).url, person);
  const confirmPage = await (await request(again, `${server.url}/end-session?client_id=${encodeURIComponent(client.client_id)}`)).text();
  t.is(heading(confirmPage), 'Sign out?');
  t.is(linkTo(confirmPage, 'Cancel'), '/account');
  const fields = formFields(confirmPage);
  t.is(fields.client_id, client.client_id);

  const forged = await request(again, `${server.url}/end-session/confirm`, { form: { client_id: client.client_id } });
  t.is(forged.status, 403);
  const forgedPage = await forged.text();
  t.is(alertOf(forgedPage), 'The form expired. Please try again.');
  t.truthy(formFields(forgedPage).csrf, 'the form again, with a secret that works');
  t.truthy(again.get('tessera_session'), 'still signed in');

  const confirmed = await request(again, `${server.url}/end-session/confirm`, { form: fields });
  t.is(confirmed.status, 303);
  t.is(confirmed.headers.get('location'), `/end-session/done?client_id=${encodeURIComponent(client.client_id)}`);
  t.is(again.get('tessera_session'), undefined);
  const donePage = await (await request(again, `${server.url}${confirmed.headers.get('location')}`)).text();
  t.is(linkTo(donePage, 'Back to my-app'), BYE);

  // An unknown client_id, or none: only the way to a new sign-in.
  for (const path of ['/end-session/done', '/end-session/done?client_id=no-such-client']) {
    const page = await (await request(again, `${server.url}${path}`)).text();
    t.is(linkTo(page, 'Sign in again'), '/account', path);
    t.throws(() => linkTo(page, 'Back to my-app'), undefined, path);
  }
});
