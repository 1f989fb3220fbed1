// The browser session as single sign-on: prompt=none without it is login_required, with it a code
// comes back without any page, a second application in the same browser skips the password, and
// prompt=login and max_age=0 ask for the password again with a later auth_time.
import { signUp, startAccountServer } from '../helpers/accounts.js';
import { sleep } from '../helpers/http.js';
import { registerClient } from '../helpers/server.js';
import { atApp, authorizationRequest, browserTest, discover, openPage, recordNavigations, redeem, startApp, submitPassword } from './chromium.js';

browserTest('prompt=none is login_required without a session and silent with one; a second client skips the password; prompt=login and max_age=0 ask again with a later auth_time', async (t) => {
  const server = await startAccountServer(t);
  const person = await signUp(server);
  const app = await startApp(t);
  const first = await registerClient(server, { name: 'first app', redirectUris: [app.callback], firstParty: true });
  const second = await registerClient(server, { name: 'second app', redirectUris: [app.callback], firstParty: true });
  const firstConfig = await discover(server, first);
  const secondConfig = await discover(server, second);
  const { page } = await openPage(t);
  const navigations = recordNavigations(page);
  const providerPages = () => navigations.filter((url) => url.origin !== app.origin && url.pathname !== '/authorize');

  // No session: prompt=none comes straight back with login_required.
  const silentFail = await authorizationRequest(firstConfig, app.callback, { prompt: 'none' });
  await page.goto(silentFail.url.toString());
  t.true(atApp(app)(new URL(page.url())));
  const failure = new URL(page.url()).searchParams;
  t.is(failure.get('error'), 'login_required');
  t.is(failure.get('state'), silentFail.state);
  t.is(failure.get('iss'), server.config.issuer);
  t.deepEqual(providerPages(), [], 'no page of the provider was shown');

  // Sign in once.
  const signIn = await authorizationRequest(firstConfig, app.callback);
  await page.goto(signIn.url.toString());
  await submitPassword(page, person);
  await page.waitForURL(atApp(app));
  const signedIn = (await redeem(firstConfig, new URL(page.url()), signIn)).claims()!;

  // prompt=none now gets a code, with no page in between.
  navigations.length = 0;
  const silent = await authorizationRequest(firstConfig, app.callback, { prompt: 'none' });
  await page.goto(silent.url.toString());
  t.true(atApp(app)(new URL(page.url())));
  t.deepEqual(providerPages(), [], 'no page of the provider was shown');
  t.is(navigations.length, 2, 'authorize, then the callback');
  const silentClaims = (await redeem(firstConfig, new URL(page.url()), silent)).claims()!;
  t.is(silentClaims.auth_time, signedIn.auth_time, 'the same sign-in');
  t.is(silentClaims.sid, signedIn.sid);

  // Another application in the same browser: no password.
  navigations.length = 0;
  const other = await authorizationRequest(secondConfig, app.callback);
  await page.goto(other.url.toString());
  t.true(atApp(app)(new URL(page.url())));
  t.deepEqual(providerPages(), [], 'the second client skips the sign-in page');
  const otherClaims = (await redeem(secondConfig, new URL(page.url()), other)).claims()!;
  t.is(otherClaims.aud, second.client_id);
  t.is(otherClaims.sub, person.id);
  t.is(otherClaims.auth_time, signedIn.auth_time);
  t.is(otherClaims.sid, signedIn.sid, 'one browser session behind both applications');

  // prompt=login, then max_age=0: the sign-in page again, and a later auth_time each time.
  let previous = signedIn.auth_time!;
  for (const [extra, checks] of [
    [{ prompt: 'login' }, {}],
    [{ max_age: '0' }, { maxAge: 0 }],
  ] as const) {
    await sleep(1_100); // auth_time is in seconds
    const request = await authorizationRequest(firstConfig, app.callback, extra);
    await page.goto(request.url.toString());
    t.is(new URL(page.url()).pathname, '/login', `${JSON.stringify(extra)} shows the sign-in page`);
    await submitPassword(page, person);
    await page.waitForURL(atApp(app));
    const claims = (await redeem(firstConfig, new URL(page.url()), request, checks)).claims()!;
    t.true(claims.auth_time! > previous, `${JSON.stringify(extra)}: a later auth_time`);
    previous = claims.auth_time!;
  }
});
