// Parsing and checking an authorization request (RFC 6749 §4.1.1, RFC 7636, OIDC Core §3.1.2.1).
// Two kinds of failure: the client or redirect_uri cannot be trusted (an error page, never a
// redirect: RFC 9700 §4.1.3), or the request is wrong in a way the client should hear about
// (a redirect with error, state and iss: RFC 9207).
import { OAuthError, type ErrorCode } from '../../errors/oauth-error.js';
import type { Client } from '../clients/client.js';
import type { ClientRegistry } from '../clients/client-registry.js';
import { parseScope } from '../clients/scope.js';
import { parseUiLocales } from '../../i18n/locale.js';

export type Prompt = 'none' | 'login' | 'consent';

export interface AuthorizationRequest {
  clientId: string;
  redirectUri: string;
  scopes: string[];
  state?: string;
  nonce?: string;
  codeChallenge: string;
  prompt: Prompt[];
  maxAge?: number;
  loginHint?: string;
  /** `ui_locales` (OIDC Core §3.1.2.1): the languages the pages of this sign-in speak, preferred first. */
  uiLocales?: string[];
  /**
   * Set only for a sign-in to Tessera's own account pages (AuthorizationFlow.beginAccountSignIn):
   * no code is issued; the browser goes back to this path of ours.
   */
  returnTo?: string;
}

/** The request cannot be answered by redirect: show an error page. */
export class UntrustedRequestError extends Error {
  constructor(readonly description: string) {
    super(description);
    this.name = 'UntrustedRequestError';
  }
}

/** The client hears about it at its redirect_uri. */
export class RedirectableError extends Error {
  constructor(
    readonly code: ErrorCode | 'login_required' | 'consent_required' | 'interaction_required',
    readonly description: string,
    readonly redirectUri: string,
    readonly state: string | undefined,
  ) {
    super(description);
    this.name = 'RedirectableError';
  }
}

const PKCE_CHALLENGE = /^[A-Za-z0-9_-]{43}$/; // base64url of a SHA-256: exactly 43 characters
const MAX_PARAM = 2048;

export async function parseAuthorizationRequest(
  params: Record<string, string | string[] | undefined>,
  clients: ClientRegistry,
  /** `pushed`: the parameters came through the PAR endpoint (RFC 9126), not the browser. */
  options: { pushed?: boolean } = {},
): Promise<{ request: AuthorizationRequest; client: Client }> {
  const single = (name: string): string | undefined => {
    const value = params[name];
    if (Array.isArray(value)) throw new DuplicateParameter(name);
    if (value !== undefined && value.length > MAX_PARAM) throw new UntrustedRequestError(`${name} is too long`);
    return value === '' ? undefined : value;
  };

  let clientId: string | undefined;
  let redirectUri: string | undefined;
  try {
    clientId = single('client_id');
    redirectUri = single('redirect_uri');
  } catch (error) {
    if (error instanceof DuplicateParameter) throw new UntrustedRequestError(`${error.parameter} is repeated`);
    throw error;
  }
  if (!clientId) throw new UntrustedRequestError('client_id is missing');
  const client = await clients.find(clientId);
  if (!client) throw new UntrustedRequestError('the client is not known');
  if (!redirectUri) throw new UntrustedRequestError('redirect_uri is missing');
  // Exact string comparison, no normalisation at all (RFC 9700 §4.1.3).
  if (!client.redirectUris.includes(redirectUri)) throw new UntrustedRequestError('redirect_uri is not registered for this client');

  let state: string | undefined;
  const fail = (code: RedirectableError['code'], description: string) => new RedirectableError(code, description, redirectUri, state);
  try {
    state = single('state');
    // RFC 9126 §6: this client's requests must come through the PAR endpoint.
    if (client.requirePushedAuthorizationRequests && !options.pushed) throw fail('invalid_request', 'this client must use a pushed authorization request (RFC 9126)');
    const responseType = single('response_type');
    if (!responseType) throw fail('invalid_request', 'response_type is missing');
    if (responseType !== 'code') throw fail('unsupported_response_type', 'only response_type=code is supported');
    if (!client.grantTypes.includes('authorization_code')) throw fail('unauthorized_client', 'the client may not use the authorization code flow');

    const scopes = parseScope(single('scope') ?? '');
    if (!scopes || scopes.length === 0) throw fail('invalid_scope', 'scope is missing or malformed');
    const unknown = scopes.find((scope) => !client.scopes.includes(scope));
    if (unknown) throw fail('invalid_scope', `the client is not registered for the scope "${unknown.slice(0, 64)}"`);

    // PKCE S256 for every client, as OAuth 2.1 does (README, Endpoints).
    const codeChallenge = single('code_challenge');
    const method = single('code_challenge_method');
    if (!codeChallenge) throw fail('invalid_request', 'code_challenge is required (PKCE with S256)');
    if (method !== 'S256') throw fail('invalid_request', 'code_challenge_method must be S256');
    if (!PKCE_CHALLENGE.test(codeChallenge)) throw fail('invalid_request', 'code_challenge is not a base64url SHA-256');

    const prompt = (single('prompt') ?? '').split(' ').filter(Boolean);
    for (const value of prompt) {
      if (!['none', 'login', 'consent'].includes(value)) throw fail('invalid_request', `prompt=${value.slice(0, 32)} is not supported`);
    }
    if (prompt.includes('none') && prompt.length > 1) throw fail('invalid_request', 'prompt=none cannot be combined');

    const maxAgeText = single('max_age');
    if (maxAgeText !== undefined && !/^\d{1,9}$/.test(maxAgeText)) throw fail('invalid_request', 'max_age must be a whole number of seconds');
    if (single('request') || single('request_uri')) throw fail('invalid_request', 'request objects are not supported');

    const nonce = single('nonce');
    const loginHint = single('login_hint');
    const uiLocales = parseUiLocales(single('ui_locales'));
    return {
      client,
      request: {
        clientId,
        redirectUri,
        scopes,
        codeChallenge,
        prompt: prompt as Prompt[],
        ...(state === undefined ? {} : { state }),
        ...(nonce === undefined ? {} : { nonce }),
        ...(maxAgeText === undefined ? {} : { maxAge: Number(maxAgeText) }),
        ...(loginHint === undefined ? {} : { loginHint: loginHint.slice(0, 320) }),
        ...(uiLocales === undefined ? {} : { uiLocales }),
      },
    };
  } catch (error) {
    if (error instanceof DuplicateParameter) throw fail('invalid_request', `${error.parameter} is repeated`);
    throw error;
  }
}

class DuplicateParameter extends Error {
  constructor(readonly parameter: string) {
    super(`${parameter} is repeated`);
  }
}

/** Where the browser goes with the answer: the redirect_uri with code or error, state and iss. */
export function redirectWith(redirectUri: string, params: Record<string, string | undefined>, issuer: string): string {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries({ ...params, iss: issuer })) if (value !== undefined) url.searchParams.set(name, value);
  return url.toString();
}

export { OAuthError };
