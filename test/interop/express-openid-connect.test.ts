// An express app that signs people in with express-openid-connect (Auth0's middleware, on
// openid-client v6), configured as its README shows and otherwise left at its defaults: RS256
// ID tokens, client_secret_basic, PKCE S256 for response_type=code, the state and nonce checks.
// Tessera needs no special setting here; what is not a default is commented.
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import express from 'express';
import openidConnect from 'express-openid-connect';
import { signUp, startAccountServer } from '../helpers/accounts.js';
import { registerClient } from '../helpers/server.js';
import { browserTest, openPage, submitPassword } from '../browser/chromium.js';

// A CommonJS package whose `...spread` exports Node's ESM loader cannot see by name.
const { auth, requiresAuth } = openidConnect;

browserTest('express-openid-connect with its default settings signs a person in through Tessera and reads UserInfo', async (t) => {
  const server = await startAccountServer(t);
  const person = await signUp(server);

  // The app listens first: its origin is the baseURL and the redirect URI to register.
  const http = createServer();
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => (http.closeAllConnections(), http.close(() => resolve()))));
  const baseURL = `http://127.0.0.1:${(http.address() as { port: number }).port}`;
  // `${baseURL}/callback` is the middleware's default callback route.
  const client = await registerClient(server, { name: 'express app', redirectUris: [`${baseURL}/callback`], firstParty: true });

  const app = express();
  app.use(
    auth({
      issuerBaseURL: server.config.issuer, // discovery; plain http is allowed by the library for development
      baseURL, // http, so its session cookies go without `Secure` (it picks that itself)
      clientID: client.client_id,
      clientSecret: client.client_secret,
      secret: randomBytes(32).toString('base64url'), // encrypts the app's session cookie
      authRequired: false, // only the routes with requiresAuth() sign in
      // Not the default (an implicit-flow id_token with form_post): the code flow, which Tessera
      // alone supports, and with it the library's PKCE S256. UserInfo needs the two scopes.
      authorizationParams: { response_type: 'code', scope: 'openid email profile' },
    }),
  );
  app.get('/me', requiresAuth(), async (req, res) => {
    // req.oidc.user is the ID token's claims; Tessera puts email and name only in UserInfo.
    res.json({ user: req.oidc.user, userinfo: await req.oidc.fetchUserInfo() });
  });
  // Say why a callback failed (the default handler prints only "invalid response encountered").
  app.use((error: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res.status(500).type('text/plain').send(`${error.message}: ${(error.cause as Error | undefined)?.message ?? ''}`);
  });
  http.on('request', app);

  const { page } = await openPage(t);
  await page.goto(`${baseURL}/me`);
  await page.waitForURL((url) => url.origin === new URL(server.config.issuer).origin && url.pathname === '/login');
  await submitPassword(page, person);
  // Back at the app: /me, or the callback's error page when the middleware refused the response.
  await page.waitForURL((url) => url.origin === baseURL); // redirects are followed before a URL commits
  t.is(new URL(page.url()).pathname, '/me', (await page.textContent('body')) ?? '');
  const seen = JSON.parse((await page.textContent('body')) ?? '{}') as { user?: Record<string, unknown>; userinfo?: Record<string, unknown> };
  // The middleware leaves iss, aud, nonce and the like out of req.oidc.user (identityClaimFilter).
  t.like(seen.user, { sub: person.id, amr: ['pwd'] });
  t.deepEqual(seen.userinfo, { sub: person.id, email: person.email, email_verified: true, name: person.name });
});
