// Authorization requests that must not send the browser anywhere (docs/decisions.md, "Authorization
// endpoint"): every near-miss of a registered redirect_uri gets the provider's error page, and the
// browser stays on the provider. A request whose redirect_uri is good but that lacks PKCE goes back
// to the client with the error, its state and iss (RFC 9207).
import { startAccountServer } from '../helpers/accounts.js';
import { registerClient } from '../helpers/server.js';
import { browserTest, openPage, recordNavigations, startApp } from './chromium.js';

const HTTPS_CALLBACK = 'https://app.example.com/callback';

const authorizeUrl = (issuer: string, params: Record<string, string>) => `${issuer}/authorize?${new URLSearchParams(params)}`;

browserTest('every redirect_uri that is not an exact match gets the error page and no redirect', async (t) => {
  const server = await startAccountServer(t);
  const app = await startApp(t);
  const client = await registerClient(server, { redirectUris: [app.callback, HTTPS_CALLBACK], firstParty: true });
  const { port } = new URL(app.origin);
  const base = { response_type: 'code', client_id: client.client_id, scope: 'openid', state: 'st-123', code_challenge: 'a'.repeat(43), code_challenge_method: 'S256' };
  const variants: Array<[string, string]> = [
    ['trailing /', `${app.callback}/`],
    ['case of the path', `${app.origin}/Callback`],
    ['case of the host', 'https://APP.example.com/callback'],
    ['extra query', `${app.callback}?next=/admin`],
    ['other port', `http://127.0.0.1:${Number(port) === 65535 ? 65534 : Number(port) + 1}/callback`],
    ['other port (https)', 'https://app.example.com:8443/callback'],
    ['@evil', `http://127.0.0.1:${port}@evil.example/callback`],
    ['@evil (https)', 'https://app.example.com@evil.com/callback'],
    ['.evil.com', 'https://app.example.com.evil.com/callback'],
    ['.evil.com (loopback)', `http://127.0.0.1.evil.com:${port}/callback`],
    ['http for https', 'http://app.example.com/callback'],
    ['another host', 'https://evil.com/callback'],
  ];

  const { page } = await openPage(t);
  const navigations = recordNavigations(page);
  for (const [what, redirectUri] of variants) {
    navigations.length = 0;
    const url = authorizeUrl(server.config.issuer, { ...base, redirect_uri: redirectUri });
    const response = await page.goto(url);
    t.is(response?.status(), 400, what);
    t.is(page.url(), url, `${what}: the browser stays on the provider`);
    t.deepEqual(navigations.map(String), [url], `${what}: no redirect at all`);
    t.is(await page.textContent('h1'), 'This sign-in request cannot be used', what);
    t.is(await page.locator('[role=alert]').textContent(), 'The application sent a sign-in request that we cannot accept.', what);
    t.regex((await page.locator('details code').textContent()) ?? '', /redirect_uri is not registered/, what);
  }

  for (const [what, params, reason] of [
    ['missing redirect_uri', base, /redirect_uri is missing/],
    ['unknown client', { ...base, client_id: 'no-such-client', redirect_uri: app.callback }, /client is not known/],
  ] as const) {
    const response = await page.goto(authorizeUrl(server.config.issuer, params));
    t.is(response?.status(), 400, what);
    t.regex((await page.locator('details code').textContent()) ?? '', reason, what);
  }
  t.deepEqual(app.requests, [], 'the app never heard from the browser');
});

browserTest('a public client that sends no PKCE challenge gets invalid_request at its redirect_uri, with state and iss', async (t) => {
  const server = await startAccountServer(t);
  const app = await startApp(t);
  const client = await registerClient(server, { redirectUris: [app.callback], public: true });
  const { page } = await openPage(t);

  await page.goto(authorizeUrl(server.config.issuer, { response_type: 'code', client_id: client.client_id, redirect_uri: app.callback, scope: 'openid', state: 'st-456', nonce: 'n-1' }));
  const landed = new URL(page.url());
  t.is(`${landed.origin}${landed.pathname}`, app.callback);
  t.is(landed.searchParams.get('error'), 'invalid_request');
  t.regex(landed.searchParams.get('error_description') ?? '', /code_challenge/);
  t.is(landed.searchParams.get('state'), 'st-456');
  t.is(landed.searchParams.get('iss'), server.config.issuer);
  t.is(landed.searchParams.get('code'), null);
  t.is(await page.textContent('body'), 'ok');

  // method "plain" is no better than none.
  await page.goto(authorizeUrl(server.config.issuer, { response_type: 'code', client_id: client.client_id, redirect_uri: app.callback, scope: 'openid', state: 'st-789', code_challenge: 'a'.repeat(43), code_challenge_method: 'plain' }));
  t.is(new URL(page.url()).searchParams.get('error'), 'invalid_request');
  t.is(new URL(page.url()).searchParams.get('state'), 'st-789');
});
