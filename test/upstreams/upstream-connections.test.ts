// /account/connections and the lifecycle of an upstream, in Chromium: a person links providers
// from their own session and unlinks them, never the last way to sign in; `tessera upstreams
// delete` (the real CLI, on the server's database) removes the button and makes the callback an
// error page, and the local accounts stay. Upstreams: the local stand-in for GitHub and a
// well-behaved provider of the test's own (providers.ts).
import type { Page } from 'playwright-core';
import { signUp, startAccountServer } from '../helpers/accounts.js';
import { cliEnv, cliJson } from '../helpers/cli.js';
import { atApp, browserTest, openPage, redeem, seriousA11yViolations } from '../browser/chromium.js';
import { signInAtAccount } from '../browser/account.js';
import { upstreamRedirectUri } from '../../src/domain/upstreams/upstream.js';
import { ManualClock } from '../helpers/server.js';
import { addUpstream, appSignIn, startGithub, startRogue } from './providers.js';

const OCTOCAT = {
  id: 583231,
  login: 'octocat',
  name: 'The Octocat',
  emails: [{ email: 'octocat@example.com', primary: true, verified: true, visibility: 'public' as const }],
};

const linkedUpstreams = async (server: Awaited<ReturnType<typeof startAccountServer>>, userId: string) =>
  (await server.services.db.selectFrom('upstream_identities').select('upstream').where('user_id', '=', userId).orderBy('upstream').execute()).map((row) => row.upstream);

async function press(page: Page, label: string, path = '/account/connections'): Promise<number> {
  const answered = page.waitForResponse((response) => response.request().method() === 'POST' && new URL(response.url()).pathname === path);
  await page.getByRole('button', { name: label }).click();
  return (await answered).status();
}

browserTest('a person with a password links two providers from their own session and unlinks one', async (t) => {
  const server = await startAccountServer(t);
  const person = await signUp(server);
  const github = await startGithub(t, upstreamRedirectUri(server.config.issuer, 'github'), OCTOCAT);
  await addUpstream(server, { name: 'github', preset: 'github', issuer: github.issuer, clientId: github.clientId });
  const other = await startRogue(t, 'ok', { sub: 'other-1', email: 'someone.else@example.com', name: 'Someone Else' });
  await addUpstream(server, { name: 'work', issuer: other.issuer, clientId: other.clientId, displayName: 'Work ID' });

  for (const colorScheme of ['light', 'dark'] as const) {
    const { page } = await openPage(t, { colorScheme, viewport: colorScheme === 'dark' ? { width: 390, height: 844 } : { width: 1280, height: 900 } });
    await signInAtAccount(page, server, person, '/account/connections');
    t.is(await page.getByRole('button', { name: 'Link GitHub' }).count(), 1);
    t.deepEqual(await seriousA11yViolations(page), [], `connections page, ${colorScheme}`);
  }

  const { page } = await openPage(t);
  await signInAtAccount(page, server, person, '/account/connections');
  await page.getByRole('button', { name: 'Link GitHub' }).click();
  await page.waitForURL((url) => url.pathname === '/account/connections' && url.searchParams.get('done') === 'connectionLinked');
  await page.getByRole('button', { name: 'Link Work ID' }).click();
  await page.waitForURL((url) => url.pathname === '/account/connections' && url.searchParams.get('done') === 'connectionLinked');
  // Linked to this person, whatever the providers' addresses: the link began in their own session.
  t.deepEqual(await linkedUpstreams(server, person.id), ['github', 'work']);
  t.regex((await page.locator('body').textContent()) ?? '', /octocat@example\.com/);
  t.deepEqual(await seriousA11yViolations(page), [], 'connections page with links');
  t.is((await server.services.db.selectFrom('users').select('id').execute()).length, 1, 'no account was made');

  t.is(await press(page, 'Unlink GitHub'), 303);
  await page.waitForURL((url) => url.searchParams.get('done') === 'connectionRemoved');
  t.deepEqual(await linkedUpstreams(server, person.id), ['work']);
  const events = await server.services.db.selectFrom('audit_log').select(['event', 'detail']).where('user_id', '=', person.id).where('event', 'in', ['upstream.linked', 'upstream.unlinked']).orderBy('created_at').execute();
  t.deepEqual(events.map((row) => [row.event, JSON.parse(row.detail).upstream]), [['upstream.linked', 'github'], ['upstream.linked', 'work'], ['upstream.unlinked', 'github']]);
});

browserTest('unlinking the only way to sign in is refused; after linking a second provider it is allowed', async (t) => {
  const server = await startAccountServer(t);
  const work = await startRogue(t, 'ok', { sub: 'only-1', email: 'only.upstream@example.com', name: 'Only Upstream' });
  await addUpstream(server, { name: 'work', issuer: work.issuer, clientId: work.clientId, displayName: 'Work ID' });
  const github = await startGithub(t, upstreamRedirectUri(server.config.issuer, 'github'), OCTOCAT);
  await addUpstream(server, { name: 'github', preset: 'github', issuer: github.issuer, clientId: github.clientId });

  // An account made by the upstream: no password, one identity.
  const { page } = await openPage(t);
  await page.goto(`${server.config.issuer}/account/connections`);
  await page.waitForURL((url) => url.pathname === '/login');
  await page.getByRole('button', { name: 'Continue with Work ID' }).click();
  await page.waitForURL((url) => url.pathname === '/account/connections');
  const user = await server.services.db.selectFrom('users').selectAll().where('email', '=', 'only.upstream@example.com').executeTakeFirstOrThrow();
  t.is(user.password_hash, '');

  t.is(await press(page, 'Unlink Work ID'), 409);
  t.regex((await page.locator('[role=alert]').textContent()) ?? '', /only way you can sign in/);
  t.deepEqual(await linkedUpstreams(server, user.id), ['work'], 'still linked');

  await page.getByRole('button', { name: 'Link GitHub' }).click();
  await page.waitForURL((url) => url.searchParams.get('done') === 'connectionLinked');
  t.is(await press(page, 'Unlink Work ID'), 303);
  t.deepEqual(await linkedUpstreams(server, user.id), ['github']);
  t.is(await press(page, 'Unlink GitHub'), 409, 'now GitHub is the last way');
});

browserTest('upstreams delete (the CLI) removes the button and the callback answers an error page; the accounts stay', async (t) => {
  const server = await startAccountServer(t);
  const work = await startRogue(t, 'ok', { sub: 'kept-1', email: 'kept.account@example.com', name: 'Kept' });
  await addUpstream(server, { name: 'work', issuer: work.issuer, clientId: work.clientId, displayName: 'Work ID' });
  const { app, config, request } = await appSignIn(t, server);
  const { page } = await openPage(t);
  await page.goto(request.url.toString());
  await page.getByRole('button', { name: 'Continue with Work ID' }).click();
  await page.waitForURL(atApp(app));
  const sub = (await redeem(config, new URL(page.url()), request)).claims()!.sub;

  // A second sign-in that has gone to the upstream and not yet come back when the upstream goes.
  const again = await appSignIn(t, server);
  const { page: other } = await openPage(t);
  work.state.hold = true;
  await other.goto(again.request.url.toString());
  await other.getByRole('button', { name: 'Continue with Work ID' }).click();
  await other.waitForURL((url) => url.origin === work.issuer);
  const callback = (await other.locator('#back').getAttribute('href'))!;
  t.regex(callback, /\/upstream\/work\/callback\?code=/);

  const deleted = await cliJson(['upstreams', 'delete', 'work'], cliEnv(server));
  t.like(deleted, { name: 'work', display_name: 'Work ID' });
  t.false('client_secret' in deleted);

  const answered = other.waitForResponse((response) => new URL(response.url()).pathname === '/upstream/work/callback');
  await other.goto(callback);
  t.is((await answered).status(), 404);
  t.regex((await other.locator('[role=alert]').textContent()) ?? '', /not offered any more/);
  t.is(again.app.requests.length, 0, 'nobody signed in');

  await other.goto(again.request.url.toString());
  await other.waitForURL((url) => url.pathname === '/login');
  t.is(await other.getByRole('button', { name: 'Continue with Work ID' }).count(), 0, 'the button is gone');
  const kept = await server.services.db.selectFrom('users').select('id').where('id', '=', sub).executeTakeFirst();
  t.truthy(kept, 'the local account stays');
  t.deepEqual(await server.services.db.selectFrom('upstream_identities').selectAll().execute(), [], 'its identities went with the upstream');
});

browserTest('a person without a password confirms it is them through a linked provider before linking another, 6 minutes after signing in', async (t) => {
  const clock = new ManualClock();
  const server = await startAccountServer(t, { clock });
  const work = await startRogue(t, 'ok', { sub: 'fresh-1', email: 'fresh.upstream@example.com', name: 'Fresh Upstream' });
  await addUpstream(server, { name: 'work', issuer: work.issuer, clientId: work.clientId, displayName: 'Work ID' });
  const stranger = await startRogue(t, 'ok', { sub: 'stranger-1', email: 'stranger@example.com', name: 'Stranger' });
  await addUpstream(server, { name: 'other', issuer: stranger.issuer, clientId: stranger.clientId, displayName: 'Other ID' });

  const { page } = await openPage(t);
  await page.goto(`${server.config.issuer}/account/connections`);
  await page.waitForURL((url) => url.pathname === '/login');
  await page.getByRole('button', { name: 'Continue with Work ID' }).click();
  await page.waitForURL((url) => url.pathname === '/account/connections');
  const user = await server.services.db.selectFrom('users').selectAll().where('email', '=', 'fresh.upstream@example.com').executeTakeFirstOrThrow();

  clock.advance(6 * 60_000);
  await page.getByRole('button', { name: 'Link Other ID' }).click();
  await page.waitForURL((url) => url.pathname === '/account/confirm');
  t.deepEqual(await linkedUpstreams(server, user.id), ['work'], 'nothing linked before the confirmation');
  // Only a provider linked to this account can vouch for it.
  t.is(await page.getByRole('button', { name: 'Confirm with Other ID' }).count(), 0);
  t.deepEqual(await seriousA11yViolations(page), [], 'confirm page with a provider');

  await page.getByRole('button', { name: 'Confirm with Work ID' }).click();
  await page.waitForURL((url) => url.pathname === '/account/connections');
  const session = await server.services.db.selectFrom('sessions').select(['id', 'auth_time']).where('user_id', '=', user.id).where('browser_secret_hash', 'is not', null).executeTakeFirstOrThrow();
  t.is(Number(session.auth_time), clock.now(), 'the browser session counts as signed in now');
  const audited = await server.services.db.selectFrom('audit_log').select('detail').where('user_id', '=', user.id).where('event', '=', 'user.reauthenticated').execute();
  t.deepEqual(audited.map((row) => JSON.parse(row.detail).method), ['fed']);

  await page.getByRole('button', { name: 'Link Other ID' }).click();
  await page.waitForURL((url) => url.searchParams.get('done') === 'connectionLinked');
  t.deepEqual(await linkedUpstreams(server, user.id), ['other', 'work']);

  // A crafted form naming a provider the person has not linked is refused, and nothing changes.
  clock.advance(6 * 60_000);
  const csrf = await page.locator('input[name=csrf]').first().inputValue();
  const refused = await page.request.post(`${server.config.issuer}/account/confirm`, { form: { csrf, return: '/account/connections', upstream: 'nobody' }, maxRedirects: 0 });
  t.not(refused.status(), 303);
  t.is((await server.services.db.selectFrom('audit_log').select('id').where('user_id', '=', user.id).where('event', '=', 'user.reauthenticated').execute()).length, 1);
});
