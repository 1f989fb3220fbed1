// A person signing in at a code-flow application through the hosted pages (a scripted browser:
// cookie jar and form posts), the application being openid-client: for the tests that need a
// person's tokens as an app really gets them (token exchange, back-channel logout).
import { decodeJwt } from 'jose';
import * as oidc from 'openid-client';
import type { AccountServer, Person } from './accounts.js';
import { CookieJar, signInThroughPages } from './browserless.js';
import type { RegisteredClient } from './http.js';
import { registerClient } from './server.js';

export const APP_REDIRECT = 'https://app.example.com/callback';
export const APP_LOGGED_OUT = 'https://app.example.com/bye';

export interface AppClient {
  client: RegisteredClient;
  config: oidc.Configuration;
}

/** A confidential first-party code-flow client (no consent step) and its openid-client configuration. */
export async function appClient(server: AccountServer, options: Parameters<typeof registerClient>[1] = {}): Promise<AppClient> {
  const client = await registerClient(server, { name: 'app', redirectUris: [APP_REDIRECT], postLogoutRedirectUris: [APP_LOGGED_OUT], firstParty: true, ...options });
  const config = await oidc.discovery(new URL(server.config.issuer), client.client_id, client.client_secret, oidc.ClientSecretBasic(client.client_secret), { execute: [oidc.allowInsecureRequests] });
  return { client, config };
}

export interface AppSignIn {
  tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers;
  /** The ID token's claims (verified by openid-client). */
  idClaims: Record<string, unknown>;
  /** The browser, holding the single-sign-on cookie. */
  jar: CookieJar;
}

/** Code + PKCE through the hosted sign-in page; `jar` reuses a browser that may be signed in already. */
export async function signInAtApp(server: AccountServer, app: AppClient, person: Pick<Person, 'email' | 'password'>, jar = new CookieJar(), scope = 'openid profile email'): Promise<AppSignIn> {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(app.config, {
    redirect_uri: APP_REDIRECT,
    scope,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  const callback = await signInThroughPages(jar, server.url, url.toString(), person);
  const tokens = await oidc.authorizationCodeGrant(app.config, callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
  return { tokens, idClaims: tokens.id_token === undefined ? {} : (decodeJwt(tokens.id_token) as Record<string, unknown>), jar };
}
