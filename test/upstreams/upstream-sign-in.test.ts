// Signing in to an app of Tessera through an upstream provider, in Chromium: through a second
// Tessera, through oidc-provider, and through the `github` preset against a local server that
// serves GitHub's documented endpoints and JSON shapes (GitHub itself cannot be reached from
// here; see providers.ts). Each time the app gets a code and tokens, the ID token's `amr` has
// `fed`, and a local account exists with the upstream's verified email, no password, and the
// identity (upstream, sub) linked to it.
import * as oidc from 'openid-client';
import type { Page } from 'playwright-core';
import { startAccountServer, type AccountServer } from '../helpers/accounts.js';
import { atApp, authorizationRequest, browserTest, openPage, redeem, seriousA11yViolations, submitPassword } from '../browser/chromium.js';
import { upstreamRedirectUri } from '../../src/domain/upstreams/upstream.js';
import { addUpstream, appSignIn, startGithub, startOidcProvider, startTesseraUpstream } from './providers.js';

/** What the Tessera under test holds after the sign-in: the account, its identities, the audit. */
async function accountOf(server: AccountServer, email: string) {
  const { db } = server.services;
  const user = await db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
  const identities = user ? await db.selectFrom('upstream_identities').selectAll().where('user_id', '=', user.id).execute() : [];
  const audit = user ? await db.selectFrom('audit_log').selectAll().where('user_id', '=', user.id).where('event', '=', 'upstream.authenticated').execute() : [];
  return { user, identities, audit: audit.map((row) => JSON.parse(row.detail) as Record<string, unknown>) };
}

async function continueWith(page: Page, displayName: string): Promise<void> {
  await page.getByRole('button', { name: `Continue with ${displayName}` }).click();
}

browserTest('through a second Tessera: the app gets tokens with amr fed, and a local account is made from the verified email', async (t) => {
  const server = await startAccountServer(t);
  const upstream = await startTesseraUpstream(t, server, 'partner');
  await addUpstream(server, { name: 'partner', issuer: upstream.server.config.issuer, clientId: upstream.clientId, clientSecret: upstream.clientSecret, displayName: 'Partner SSO' });
  const { app, config, request } = await appSignIn(t, server);
  const { page } = await openPage(t);
  await page.goto(request.url.toString());
  await page.waitForURL((url) => url.pathname === '/login');
  t.deepEqual(await seriousA11yViolations(page), [], 'the sign-in page with its provider buttons');

  await continueWith(page, 'Partner SSO');
  const upstreamOrigin = new URL(upstream.server.config.issuer).origin;
  await page.waitForURL((url) => url.origin === upstreamOrigin && url.pathname === '/login');
  await submitPassword(page, upstream.person);
  await page.waitForURL(atApp(app));

  const tokens = await redeem(config, new URL(page.url()), request);
  const claims = tokens.claims()!;
  t.deepEqual(claims.amr, ['fed']);
  const { user, identities, audit } = await accountOf(server, upstream.person.email);
  t.truthy(user, 'a local account with the upstream email');
  t.is(claims.sub, user!.id);
  t.is(user!.email_verified, 1);
  t.is(user!.name, upstream.person.name);
  t.is(user!.password_hash, '', 'no password');
  t.deepEqual(identities.map((row) => [row.upstream, row.subject]), [['partner', upstream.person.id]], 'the identity is the upstream and its sub');
  t.like(audit.at(-1), { upstream: 'partner', sub: upstream.person.id });
  const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
  t.is(userinfo.email, upstream.person.email);

  // The next sign-in through the same upstream is the same account.
  const again = await authorizationRequest(config, app.callback, { prompt: 'login' });
  await page.goto(again.url.toString());
  await page.waitForURL((url) => url.pathname === '/login');
  await continueWith(page, 'Partner SSO');
  await page.waitForURL(atApp(app)); // the upstream Tessera's own session: no password asked there
  t.is((await redeem(config, new URL(page.url()), again)).claims()!.sub, user!.id);
});

browserTest('through oidc-provider: its login and consent, then tokens with amr fed and an account with its email', async (t) => {
  const server = await startAccountServer(t);
  const op = await startOidcProvider(t, upstreamRedirectUri(server.config.issuer, 'op'), {
    'alice-7f3a': { sub: 'alice-7f3a', email: 'alice.op@example.com', email_verified: true, name: 'Alice Op' },
  });
  await addUpstream(server, { name: 'op', issuer: op.issuer, clientId: op.clientId, displayName: 'Example ID' });
  const { app, config, request } = await appSignIn(t, server);
  const { page } = await openPage(t);
  await page.goto(request.url.toString());
  await continueWith(page, 'Example ID');
  await page.waitForURL((url) => url.origin === op.issuer && url.pathname.startsWith('/interaction/'));
  await page.fill('input[name=login]', 'alice-7f3a');
  await page.fill('input[name=password]', 'anything');
  await page.click('button.login-submit');
  await page.waitForURL((url) => url.origin === op.issuer && url.pathname.startsWith('/interaction/'));
  await page.click('button[autofocus]'); // oidc-provider's consent: "Continue"
  await page.waitForURL(atApp(app));

  const claims = (await redeem(config, new URL(page.url()), request)).claims()!;
  t.deepEqual(claims.amr, ['fed']);
  const { user, identities } = await accountOf(server, 'alice.op@example.com');
  t.is(claims.sub, user!.id);
  t.is(user!.name, 'Alice Op');
  t.deepEqual(identities.map((row) => [row.upstream, row.subject]), [['op', 'alice-7f3a']]);
});

browserTest('through the github preset (a local stand-in for GitHub): the primary verified email makes the account', async (t) => {
  const server = await startAccountServer(t);
  const github = await startGithub(t, upstreamRedirectUri(server.config.issuer, 'github'), {
    id: 583231,
    login: 'octocat',
    name: 'The Octocat',
    emails: [
      { email: 'octocat.old@example.com', primary: false, verified: true, visibility: null },
      { email: 'octocat@example.com', primary: true, verified: true, visibility: 'public' },
    ],
  });
  const registered = await addUpstream(server, { name: 'github', preset: 'github', issuer: github.issuer, clientId: github.clientId });
  t.is(registered.displayName, 'GitHub', 'the preset names the button');
  t.deepEqual(registered.scopes, ['read:user', 'user:email']);
  const { app, config, request } = await appSignIn(t, server);
  const { page } = await openPage(t);
  await page.goto(request.url.toString());
  await continueWith(page, 'GitHub');
  await page.waitForURL(atApp(app));

  const claims = (await redeem(config, new URL(page.url()), request)).claims()!;
  t.deepEqual(claims.amr, ['fed']);
  const { user, identities } = await accountOf(server, 'octocat@example.com');
  t.is(claims.sub, user!.id);
  t.is(user!.name, 'The Octocat');
  t.deepEqual(identities.map((row) => [row.upstream, row.subject]), [['github', '583231']], 'the numeric account id, not the login');
  t.deepEqual(github.calls, ['GET /login/oauth/authorize', 'POST /login/oauth/access_token', 'GET /api/v3/user', 'GET /api/v3/user/emails']);
});
