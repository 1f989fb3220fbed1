// The upstream providers of the upstream sign-in tests, all real servers on loopback:
//
// - a second Tessera (at 127.0.0.1, while the Tessera under test is at localhost, so the two keep
//   their cookies apart: cookies do not tell ports apart), with a person and a client for the
//   first Tessera's callback;
// - oidc-provider (panva's certified OpenID provider) with a static client and its development
//   login and consent pages, and accounts whose claims the test chooses;
// - a small server that stands in for GitHub, which cannot be reached from here: it serves the
//   endpoints and JSON shapes GitHub documents (OAuth app authorization and token exchange,
//   https://docs.github.com/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps; GET /user
//   and GET /user/emails, https://docs.github.com/rest/users), at the paths of a GitHub Enterprise
//   Server (https://HOST/login/oauth/…, https://HOST/api/v3/…);
// - a rogue OpenID provider the test controls, whose token endpoint answers with what an attacker
//   or a broken provider would: a wrong nonce, audience, azp or signature, an unverified email, or
//   nothing at all.
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { ExecutionContext } from 'ava';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
// @ts-expect-error: oidc-provider ships no type declarations (bench/oidc-provider-server.js is JavaScript)
import Provider from 'oidc-provider';
import { signUp, startAccountServer, type AccountServer, newPerson } from '../helpers/accounts.js';
import { freePort } from '../helpers/env.js';
import { registerClient, TEST_ACTOR, type TestServer } from '../helpers/server.js';
import { authorizationRequest, discover, startApp } from '../browser/chromium.js';
import { upstreamRedirectUri } from '../../src/domain/upstreams/upstream.js';

export const CLIENT_SECRET = 'upstream-client-secret-0123456789abcdef';

async function listen(t: ExecutionContext, handler: (request: IncomingMessage, response: ServerResponse) => void, host = '127.0.0.1'): Promise<{ server: Server; origin: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  t.teardown(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { server, origin: `http://${host}:${(server.address() as { port: number }).port}` };
}

async function readForm(request: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

const json = (response: ServerResponse, status: number, body: unknown) => {
  response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  response.end(JSON.stringify(body));
};

const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

/** An app of the Tessera under test (first-party: no consent page), and its authorization request. */
export async function appSignIn(t: ExecutionContext, server: TestServer) {
  const app = await startApp(t);
  const client = await registerClient(server, { redirectUris: [app.callback], firstParty: true });
  const config = await discover(server, client);
  const request = await authorizationRequest(config, app.callback);
  return { app, config, request };
}

/** Registers an upstream on the Tessera under test through the domain service (the CLI has its own test). */
export async function addUpstream(server: TestServer, input: { name: string; issuer: string; clientId: string; clientSecret?: string; displayName?: string; preset?: string; scope?: string }) {
  return server.services.upstreams.add({ clientSecret: CLIENT_SECRET, ...input }, TEST_ACTOR);
}

export interface TesseraUpstream {
  server: AccountServer;
  person: Awaited<ReturnType<typeof signUp>>;
  clientId: string;
  clientSecret: string;
}

/** A second Tessera as the upstream, with a verified person and a first-party client for `downstream`'s callback. */
export async function startTesseraUpstream(t: ExecutionContext, downstream: TestServer, name: string, person = newPerson('Grace')): Promise<TesseraUpstream> {
  const port = await freePort();
  const server = await startAccountServer(t, { env: { PORT: String(port), ISSUER: `http://127.0.0.1:${port}` } });
  const signedUp = await signUp(server, person);
  const client = await registerClient(server, { name: 'the first Tessera', redirectUris: [upstreamRedirectUri(downstream.config.issuer, name)], firstParty: true });
  return { server, person: signedUp, clientId: client.client_id, clientSecret: client.client_secret };
}

export interface OidcAccount {
  sub: string;
  email?: string;
  email_verified?: boolean;
  name?: string;
}

/** oidc-provider with one static confidential client (client_secret_basic) for `redirectUri`. */
export async function startOidcProvider(t: ExecutionContext, redirectUri: string, accounts: Record<string, OidcAccount>): Promise<{ issuer: string; clientId: string }> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const provider = new Provider(issuer, {
    clients: [{ client_id: 'tessera-downstream', client_secret: CLIENT_SECRET, redirect_uris: [redirectUri], grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'client_secret_basic' }],
    jwks: { keys: [{ ...(await exportJWK(privateKey)), alg: 'RS256', use: 'sig', kid: 'op-rsa' }] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    features: { devInteractions: { enabled: true } },
    pkce: { required: () => true },
    findAccount: async (_ctx: unknown, id: string) => {
      const account = accounts[id];
      return account ? { accountId: id, claims: async () => ({ ...account }) } : undefined;
    },
  });
  const server = createServer(provider.callback());
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))));
  return { issuer, clientId: 'tessera-downstream' };
}

export interface GithubUser {
  id: number;
  login: string;
  name: string | null;
  emails: Array<{ email: string; primary: boolean; verified: boolean; visibility: 'public' | 'private' | null }>;
}

/**
 * GitHub's endpoints as documented, for one OAuth app and one person: authorize approves at once
 * (the person is "signed in at GitHub"), the token exchange checks the app's secret, the code and
 * the PKCE verifier, and the user API answers only with the token it issued.
 */
export async function startGithub(t: ExecutionContext, redirectUri: string, user: GithubUser): Promise<{ issuer: string; clientId: string; calls: string[] }> {
  const clientId = 'Iv1.0123456789abcdef';
  const codes = new Map<string, { challenge: string }>();
  const tokens = new Set<string>();
  const calls: string[] = [];
  const { origin } = await listen(t, async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://github.test');
    calls.push(`${request.method} ${url.pathname}`);
    if (request.method === 'GET' && url.pathname === '/login/oauth/authorize') {
      if (url.searchParams.get('client_id') !== clientId || url.searchParams.get('redirect_uri') !== redirectUri || url.searchParams.get('code_challenge_method') !== 'S256') {
        return json(response, 400, { error: 'redirect_uri_mismatch' });
      }
      const code = randomBytes(10).toString('hex');
      codes.set(code, { challenge: url.searchParams.get('code_challenge') ?? '' });
      const back = new URL(redirectUri);
      back.searchParams.set('code', code);
      back.searchParams.set('state', url.searchParams.get('state') ?? '');
      response.writeHead(302, { location: back.href });
      return response.end();
    }
    if (request.method === 'POST' && url.pathname === '/login/oauth/access_token') {
      const form = await readForm(request);
      const pending = codes.get(form.get('code') ?? '');
      codes.delete(form.get('code') ?? '');
      // GitHub answers errors of the token exchange with 200 and an error body.
      if (form.get('client_id') !== clientId || form.get('client_secret') !== CLIENT_SECRET) return json(response, 200, { error: 'incorrect_client_credentials' });
      if (!pending || s256(form.get('code_verifier') ?? '') !== pending.challenge) return json(response, 200, { error: 'bad_verification_code' });
      const token = `gho_${randomBytes(18).toString('hex')}`;
      tokens.add(token);
      return json(response, 200, { access_token: token, token_type: 'bearer', scope: 'read:user,user:email' });
    }
    const token = /^(?:Bearer|token) (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (!token || !tokens.has(token)) return json(response, 401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
    if (request.method === 'GET' && url.pathname === '/api/v3/user') {
      return json(response, 200, { login: user.login, id: user.id, node_id: 'MDQ6VXNlcjE=', type: 'User', site_admin: false, name: user.name, email: null });
    }
    if (request.method === 'GET' && url.pathname === '/api/v3/user/emails') return json(response, 200, user.emails);
    json(response, 404, { message: 'Not Found' });
  });
  return { issuer: origin, clientId, calls };
}

export type RogueMode = 'ok' | 'wrong_state' | 'wrong_nonce' | 'wrong_aud' | 'wrong_azp' | 'bad_signature' | 'unverified_email' | 'no_email' | 'hang_token' | 'hang_discovery';

/**
 * An OpenID provider under the test's control: authorize sends the browser straight back with a
 * code; the token endpoint answers with an ID token made as `mode` says.
 */
export async function startRogue(t: ExecutionContext, mode: RogueMode, person: { sub: string; email: string; name: string }) {
  const clientId = 'rogue-client';
  const good = await generateKeyPair('RS256');
  const evil = await generateKeyPair('RS256');
  const publicJwk: JWK = { ...(await exportJWK(good.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  const pending = new Map<string, { nonce: string; challenge: string }>();
  /** `hold`: authorize shows a link back instead of redirecting, so the test can hold the callback. */
  const state = { mode, tokenRequests: 0, hold: false };
  const { origin } = await listen(t, async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://rogue.test');
    if (url.pathname === '/.well-known/openid-configuration') {
      if (state.mode === 'hang_discovery') return; // never answers
      return json(response, 200, {
        issuer: origin,
        authorization_endpoint: `${origin}/authorize`,
        token_endpoint: `${origin}/token`,
        jwks_uri: `${origin}/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        code_challenge_methods_supported: ['S256'],
      });
    }
    if (url.pathname === '/jwks') return json(response, 200, { keys: [publicJwk] });
    if (url.pathname === '/authorize') {
      const code = randomBytes(10).toString('hex');
      pending.set(code, { nonce: url.searchParams.get('nonce') ?? '', challenge: url.searchParams.get('code_challenge') ?? '' });
      const back = new URL(url.searchParams.get('redirect_uri') ?? '');
      back.searchParams.set('code', code);
      back.searchParams.set('state', `${url.searchParams.get('state') ?? ''}${state.mode === 'wrong_state' ? 'x' : ''}`);
      if (state.hold) {
        response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        return response.end(`<!doctype html><title>Rogue</title><a id="back" href="${back.href.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}">back</a>`);
      }
      response.writeHead(302, { location: back.href });
      return response.end();
    }
    if (url.pathname === '/token' && request.method === 'POST') {
      state.tokenRequests += 1;
      if (state.mode === 'hang_token') return; // never answers
      const form = await readForm(request);
      const found = pending.get(form.get('code') ?? '');
      if (!found || s256(form.get('code_verifier') ?? '') !== found.challenge) return json(response, 400, { error: 'invalid_grant' });
      const now = Math.floor(Date.now() / 1000);
      const claims: Record<string, unknown> = {
        nonce: state.mode === 'wrong_nonce' ? 'not-the-nonce' : found.nonce,
        ...(state.mode === 'no_email' ? {} : { email: person.email, email_verified: state.mode !== 'unverified_email' }),
        name: person.name,
        ...(state.mode === 'wrong_azp' ? { azp: 'someone-else' } : {}),
      };
      const idToken = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
        .setIssuer(origin)
        .setSubject(person.sub)
        .setAudience(state.mode === 'wrong_aud' ? 'someone-else' : clientId)
        .setIssuedAt(now)
        .setExpirationTime(now + 300)
        .sign(state.mode === 'bad_signature' ? evil.privateKey : good.privateKey);
      return json(response, 200, { access_token: randomBytes(16).toString('hex'), token_type: 'Bearer', expires_in: 300, id_token: idToken });
    }
    json(response, 404, { error: 'not_found' });
  });
  return { issuer: origin, clientId, state };
}
