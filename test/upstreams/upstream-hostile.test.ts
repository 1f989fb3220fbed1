// What a hostile or broken upstream, or a forged callback, gets, in Chromium: an error page that
// says why, nobody signed in (no session, no code for the app) and no account made. The upstream
// here is a rogue OpenID provider the test controls (providers.ts): a wrong state, nonce, audience,
// azp or signature, an unverified or missing email, and an upstream that does not answer at all;
// then a callback replayed after a good sign-in, and GitHub's user API with no verified primary
// address (the local stand-in for GitHub).
import type { Page, Response } from 'playwright-core';
import { startAccountServer, type AccountServer } from '../helpers/accounts.js';
import { atApp, browserTest, openPage, recordNavigations, redeem, seriousA11yViolations } from '../browser/chromium.js';
import { upstreamRedirectUri } from '../../src/domain/upstreams/upstream.js';
import { addUpstream, appSignIn, startGithub, startRogue, type RogueMode } from './providers.js';

const PERSON = { sub: 'rogue-person-1', email: 'mallory.victim@example.com', name: 'Victim' };

/** Nobody is signed in and no account exists: no user, no session, nothing for the app. */
async function nothingHappened(server: AccountServer) {
  const { db } = server.services;
  return {
    users: (await db.selectFrom('users').select('id').execute()).length,
    sessions: (await db.selectFrom('sessions').select('id').execute()).length,
    identities: (await db.selectFrom('upstream_identities').select('subject').execute()).length,
  };
}

const pageResponse = (page: Page, path: string): Promise<Response> => page.waitForResponse((response) => new URL(response.url()).pathname === path && response.request().isNavigationRequest());

const CASES: Array<{ mode: RogueMode; status: number; says: RegExp; at: 'callback' | 'start' }> = [
  { mode: 'unverified_email', status: 403, says: /verified email address/, at: 'callback' },
  { mode: 'no_email', status: 403, says: /verified email address/, at: 'callback' },
  { mode: 'wrong_state', status: 400, says: /not valid any more/, at: 'callback' },
  { mode: 'wrong_nonce', status: 400, says: /could not be trusted/, at: 'callback' },
  { mode: 'wrong_aud', status: 400, says: /could not be trusted/, at: 'callback' },
  { mode: 'wrong_azp', status: 400, says: /could not be trusted/, at: 'callback' },
  { mode: 'bad_signature', status: 400, says: /could not be trusted/, at: 'callback' },
  { mode: 'hang_token', status: 502, says: /did not answer in time/, at: 'callback' },
  { mode: 'hang_discovery', status: 502, says: /did not answer in time/, at: 'start' },
];

for (const { mode, status, says, at } of CASES) {
  browserTest(`an upstream answering with ${mode.replace(/_/g, ' ')}: an error page (${status}), nobody signed in, no account`, async (t) => {
    const server = await startAccountServer(t);
    const rogue = await startRogue(t, mode, PERSON);
    await addUpstream(server, { name: 'rogue', issuer: rogue.issuer, clientId: rogue.clientId, displayName: 'Rogue ID' });
    const { app, request } = await appSignIn(t, server);
    const { page } = await openPage(t);
    await page.goto(request.url.toString());
    await page.waitForURL((url) => url.pathname === '/login');
    const answered = pageResponse(page, `/upstream/rogue/${at}`);
    await page.getByRole('button', { name: 'Continue with Rogue ID' }).click();
    t.is((await answered).status(), status);
    const alert = page.locator('[role=alert]');
    await alert.waitFor();
    t.regex((await alert.textContent()) ?? '', says);
    t.deepEqual(await nothingHappened(server), { users: 0, sessions: 0, identities: 0 });
    t.is(app.requests.length, 0, 'no code for the app');
    if (mode === 'wrong_state') {
      // A state we never sent names no sign-in: the page cannot lead back to one.
      t.is(await page.getByRole('link', { name: 'Go to your account' }).count(), 1);
      return;
    }
    // The sign-in itself is still alive: the page leads back to it, and a password would still do.
    await page.getByRole('link', { name: 'Back to sign in' }).click();
    await page.waitForURL((url) => url.pathname === '/login');
    if (mode === 'unverified_email') t.deepEqual(await seriousA11yViolations(page), []);
  });
}

browserTest('a callback replayed after a good sign-in is refused: no second sign-in', async (t) => {
  const server = await startAccountServer(t);
  const rogue = await startRogue(t, 'ok', PERSON);
  await addUpstream(server, { name: 'rogue', issuer: rogue.issuer, clientId: rogue.clientId, displayName: 'Rogue ID' });
  const { app, config, request } = await appSignIn(t, server);
  const { page } = await openPage(t);
  const navigations = recordNavigations(page);
  await page.goto(request.url.toString());
  await page.getByRole('button', { name: 'Continue with Rogue ID' }).click();
  await page.waitForURL(atApp(app));
  t.deepEqual((await redeem(config, new URL(page.url()), request)).claims()!.amr, ['fed']);
  const callback = navigations.find((url) => url.pathname === '/upstream/rogue/callback');
  t.truthy(callback);
  const before = await nothingHappened(server);
  const logins = async () => (await server.services.db.selectFrom('audit_log').select('id').where('event', '=', 'user.login').execute()).length;
  const loginsBefore = await logins();

  const replay = pageResponse(page, '/upstream/rogue/callback');
  await page.goto(callback!.href);
  t.is((await replay).status(), 400);
  t.regex((await page.locator('[role=alert]').textContent()) ?? '', /used already/);
  t.deepEqual(await nothingHappened(server), before, 'no new account or session');
  t.is(await logins(), loginsBefore);
  t.is(rogue.state.tokenRequests, 1, 'the code was not even redeemed again');
});

browserTest('github without a verified primary email: an error page, no account', async (t) => {
  const server = await startAccountServer(t);
  const github = await startGithub(t, upstreamRedirectUri(server.config.issuer, 'github'), {
    id: 9,
    login: 'unverified',
    name: null,
    emails: [
      { email: 'unverified@example.com', primary: true, verified: false, visibility: 'private' },
      { email: 'verified-but-not-primary@example.com', primary: false, verified: true, visibility: null },
    ],
  });
  await addUpstream(server, { name: 'github', preset: 'github', issuer: github.issuer, clientId: github.clientId });
  const { app, request } = await appSignIn(t, server);
  const { page } = await openPage(t);
  await page.goto(request.url.toString());
  const answered = pageResponse(page, '/upstream/github/callback');
  await page.getByRole('button', { name: 'Continue with GitHub' }).click();
  t.is((await answered).status(), 403);
  t.deepEqual(await nothingHappened(server), { users: 0, sessions: 0, identities: 0 });
  t.is(app.requests.length, 0);
});
