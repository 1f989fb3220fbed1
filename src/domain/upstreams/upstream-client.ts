// Tessera as a relying party of an upstream provider, on openid-client (the certified RP library;
// no hand-written OAuth): discovery, the authorization URL with PKCE S256, state and nonce, and the
// code exchange with the ID token's checks (OIDC Core §3.1.3.7: signature with the upstream's JWKS,
// iss, aud, azp, exp, iat, nonce). The `github` preset is OAuth 2.0 without OpenID Connect: the same
// code exchange through openid-client with the endpoints GitHub documents, then its user API.
//
// Every outbound call has a timeout and a size limit (an upstream that hangs is an error page
// within seconds, never a hung request). Discovery is cached per upstream for as long as its
// Cache-Control allows, within bounds; the JWK Set is cached by openid-client (at most five minutes,
// and fetched again at once, at most once a minute, when a token names a key it does not know).
import * as oidc from 'openid-client';
import { OAuthError } from '../../errors/oauth-error.js';
import type { Sealer } from '../../crypto/sealing.js';
import type { Logger } from 'pino';
import { cacheLifetimeMs, readCapped } from '../outbound-responses.js';
import { upstreamSecretData, type Upstream } from './upstream.js';

/** How long one outbound call may take, body included. */
export const UPSTREAM_TIMEOUT_MS = 5_000;
/** The largest answer read from an upstream (discovery, JWKS, token, user API). */
export const MAX_UPSTREAM_RESPONSE_BYTES = 256 * 1024;
/** Bounds on how long discovery is kept, whatever the upstream's Cache-Control says. */
const MIN_DISCOVERY_TTL_MS = 60_000;
const DEFAULT_DISCOVERY_TTL_MS = 3_600_000;
const MAX_DISCOVERY_TTL_MS = 86_400_000;

/** Who the upstream says signed in: only what account linking needs; its tokens are not kept. */
export interface UpstreamPerson {
  subject: string;
  email: string | undefined;
  /** Only a `true` from the upstream counts (a missing claim is not a verified address). */
  emailVerified: boolean;
  name: string | undefined;
}

export interface SentRequest {
  url: string;
  state: string;
  nonce: string;
  codeVerifier: string;
}

interface Cached {
  /** The upstream as it was when cached: a changed secret or client id makes a new configuration. */
  key: string;
  config: Promise<oidc.Configuration>;
  expiresAt: number;
}

const unavailable = (upstream: string, cause: unknown) =>
  new OAuthError('upstream_unavailable', `the upstream ${upstream} could not be reached`, { detail: describe(cause), cause });
const invalidResponse = (upstream: string, cause: unknown) =>
  new OAuthError('upstream_invalid_response', `the answer of the upstream ${upstream} failed its checks`, { detail: describe(cause), cause });

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  const cause = error.cause instanceof Error ? `; ${error.cause.name}: ${error.cause.message}` : '';
  return `${error.name}${typeof code === 'string' ? ` ${code}` : ''}: ${error.message}${cause}`.slice(0, 500);
}

/** Errors that say the upstream did not answer, or not as a server should: not a failed check. */
function isTransport(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (code === 'OAUTH_TIMEOUT' || code === 'OAUTH_ABORT' || code === 'OAUTH_RESPONSE_IS_NOT_JSON' || code === 'OAUTH_RESPONSE_IS_NOT_CONFORM') return true;
  if (error.name === 'TimeoutError' || error.name === 'AbortError' || error instanceof TypeError) return true;
  return error.cause !== undefined && isTransport(error.cause);
}

const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/**
 * The fetch of every call to an upstream: a timeout over the whole exchange (the body too) on top
 * of openid-client's own, and a size limit. `seen` hears each response's headers (for caching).
 */
export function boundedFetch(timeoutMs = UPSTREAM_TIMEOUT_MS, seen?: (url: string, headers: Headers) => void): oidc.CustomFetch {
  return async (url, options) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    const response = await fetch(url, { ...options, signal } as RequestInit);
    const body = await readCapped(response, MAX_UPSTREAM_RESPONSE_BYTES);
    seen?.(url, response.headers);
    return new Response(NULL_BODY_STATUSES.has(response.status) ? null : body, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}

/** How long a discovery document may be kept by its Cache-Control (outbound-responses.ts). */
export const cacheLifetime = (headers: Headers | undefined): number =>
  cacheLifetimeMs(headers?.get('cache-control'), { fallbackMs: DEFAULT_DISCOVERY_TTL_MS, minMs: MIN_DISCOVERY_TTL_MS, maxMs: MAX_DISCOVERY_TTL_MS });

const isLoopbackHttp = (issuer: string) => issuer.startsWith('http:');

/**
 * GitHub's documented endpoints: github.com's, or a GitHub Enterprise Server's at its own host
 * (https://docs.github.com/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps, and the
 * REST API at https://HOST/api/v3 for Enterprise Server).
 */
export function githubEndpoints(issuer: string): { authorization: string; token: string; api: string } {
  const base = issuer.replace(/\/$/, '');
  return {
    authorization: `${base}/login/oauth/authorize`,
    token: `${base}/login/oauth/access_token`,
    api: base === 'https://github.com' ? 'https://api.github.com' : `${base}/api/v3`,
  };
}

export class UpstreamClients {
  private readonly cache = new Map<string, Cached>();

  constructor(
    private readonly sealer: Sealer,
    private readonly now: () => number,
    private readonly log?: Logger,
    private readonly timeoutMs = UPSTREAM_TIMEOUT_MS,
  ) {}

  /** Forgets what is cached about an upstream (changed or deleted). */
  forget(name: string): void {
    this.cache.delete(name);
  }

  /** The authorization request to send the browser to (RFC 6749 §4.1.1, RFC 7636 §4.3, OIDC Core §3.1.2.1). */
  async authorizationRequest(upstream: Upstream, redirectUri: string): Promise<SentRequest> {
    const config = await this.configuration(upstream);
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const parameters: Record<string, string> = {
      redirect_uri: redirectUri,
      scope: upstream.scopes.join(' '),
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
    };
    // GitHub ignores a nonce; every OpenID provider must echo it in the ID token.
    if (upstream.preset !== 'github') parameters.nonce = nonce;
    // Google shows its account chooser rather than signing in whoever used the browser last.
    if (upstream.preset === 'google' || upstream.preset === 'microsoft') parameters.prompt = 'select_account';
    return { url: oidc.buildAuthorizationUrl(config, parameters).href, state, nonce, codeVerifier };
  }

  /**
   * Redeems the code of a callback and returns who signed in. `callbackUrl` is the URL the browser
   * brought (our redirect URI with the upstream's query); `sent` is what we stored when sending it.
   * The upstream's tokens end here: sign-in does not need them kept.
   */
  async redeem(upstream: Upstream, callbackUrl: URL, sent: { state: string; nonce: string; codeVerifier: string }): Promise<UpstreamPerson> {
    const config = await this.configuration(upstream);
    const github = upstream.preset === 'github';
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      tokens = await oidc.authorizationCodeGrant(
        config,
        callbackUrl,
        github
          ? { pkceCodeVerifier: sent.codeVerifier, expectedState: sent.state }
          : { pkceCodeVerifier: sent.codeVerifier, expectedState: sent.state, expectedNonce: sent.nonce, idTokenExpected: true },
      );
    } catch (error) {
      if (error instanceof oidc.AuthorizationResponseError) throw new OAuthError('upstream_error', `the upstream ${upstream.name} answered ${error.error}`, { detail: describe(error) });
      throw isTransport(error) ? unavailable(upstream.name, error) : invalidResponse(upstream.name, error);
    }
    return github ? this.githubPerson(upstream, tokens.access_token) : this.oidcPerson(upstream, config, tokens);
  }

  private async oidcPerson(upstream: Upstream, config: oidc.Configuration, tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>): Promise<UpstreamPerson> {
    const claims = tokens.claims();
    if (!claims) throw invalidResponse(upstream.name, new Error('no ID token'));
    // OIDC Core §3.1.3.7 item 5: an azp must be our client id, one audience or many (openid-client
    // checks it only when there are several).
    if (claims.azp !== undefined && claims.azp !== upstream.clientId) throw invalidResponse(upstream.name, new Error(`azp ${String(claims.azp)} is not our client id`));
    let source: Record<string, unknown> = claims;
    // The email may come only from UserInfo (OIDC Core §5.4 lets a provider put it either place);
    // openid-client checks that UserInfo speaks of the ID token's `sub` (§5.3.2).
    if (typeof claims.email !== 'string' && config.serverMetadata().userinfo_endpoint) {
      try {
        source = { ...(await oidc.fetchUserInfo(config, tokens.access_token, claims.sub)), sub: claims.sub };
      } catch (error) {
        throw isTransport(error) ? unavailable(upstream.name, error) : invalidResponse(upstream.name, error);
      }
    }
    return {
      subject: claims.sub,
      email: typeof source.email === 'string' ? source.email : undefined,
      emailVerified: verifiedEmail(upstream, source),
      name: typeof source.name === 'string' ? source.name : undefined,
    };
  }

  /**
   * GitHub's user API: the numeric account id is the subject (a login can be renamed), and only
   * the primary, verified address counts (https://docs.github.com/rest/users/emails).
   */
  private async githubPerson(upstream: Upstream, accessToken: string): Promise<UpstreamPerson> {
    const { api } = githubEndpoints(upstream.issuer);
    const call = async (path: string): Promise<unknown> => {
      let response: Response;
      try {
        response = await boundedFetch(this.timeoutMs)(`${api}${path}`, {
          method: 'GET',
          redirect: 'manual',
          body: undefined,
          headers: { accept: 'application/vnd.github+json', authorization: `Bearer ${accessToken}`, 'x-github-api-version': '2022-11-28', 'user-agent': 'Tessera' },
        });
      } catch (error) {
        throw unavailable(upstream.name, error);
      }
      if (!response.ok) throw invalidResponse(upstream.name, new Error(`GET ${path} answered ${response.status}`));
      try {
        return (await response.json()) as unknown;
      } catch (error) {
        throw invalidResponse(upstream.name, error);
      }
    };
    const user = (await call('/user')) as { id?: unknown; name?: unknown; login?: unknown };
    if (typeof user.id !== 'number' && typeof user.id !== 'string') throw invalidResponse(upstream.name, new Error('GET /user has no id'));
    const emails = await call('/user/emails');
    const primary = Array.isArray(emails)
      ? (emails as Array<{ email?: unknown; primary?: unknown; verified?: unknown }>).find((entry) => entry.primary === true && typeof entry.email === 'string')
      : undefined;
    return {
      subject: String(user.id),
      email: primary?.email as string | undefined,
      emailVerified: primary?.verified === true,
      name: typeof user.name === 'string' && user.name.trim() ? user.name : typeof user.login === 'string' ? user.login : undefined,
    };
  }

  /** The openid-client configuration of an upstream: from cache while its discovery is fresh. */
  private async configuration(upstream: Upstream): Promise<oidc.Configuration> {
    const key = `${upstream.issuer} ${upstream.clientId} ${upstream.clientSecretSealed} ${upstream.preset ?? ''}`;
    const now = this.now();
    const cached = this.cache.get(upstream.name);
    if (cached && cached.key === key && cached.expiresAt > now) return cached.config;
    const entry: Cached = { key, config: Promise.resolve(undefined as never), expiresAt: now + MIN_DISCOVERY_TTL_MS };
    entry.config = this.configure(upstream, (ttl) => (entry.expiresAt = this.now() + ttl));
    // A failed discovery is not cached: the next sign-in tries again.
    entry.config.catch(() => {
      if (this.cache.get(upstream.name) === entry) this.cache.delete(upstream.name);
    });
    this.cache.set(upstream.name, entry);
    return entry.config;
  }

  private async configure(upstream: Upstream, lifetime: (ttl: number) => void): Promise<oidc.Configuration> {
    const secret = this.sealer.unseal(upstream.clientSecretSealed, upstreamSecretData(upstream.name));
    const insecure = isLoopbackHttp(upstream.issuer);
    const timeoutSeconds = Math.ceil(this.timeoutMs / 1000);
    let config: oidc.Configuration;
    if (upstream.preset === 'github') {
      const endpoints = githubEndpoints(upstream.issuer);
      // GitHub publishes no discovery document: its documented endpoints, and the client
      // authentication it documents (client_id and client_secret in the form).
      config = new oidc.Configuration(
        { issuer: upstream.issuer, authorization_endpoint: endpoints.authorization, token_endpoint: endpoints.token },
        upstream.clientId,
        { client_secret: secret },
        oidc.ClientSecretPost(secret),
      );
      config[oidc.customFetch] = boundedFetch(this.timeoutMs);
      config.timeout = timeoutSeconds;
      if (insecure) oidc.allowInsecureRequests(config);
      lifetime(MAX_DISCOVERY_TTL_MS);
      return config;
    }
    let discoveryHeaders: Headers | undefined;
    try {
      config = await oidc.discovery(new URL(upstream.issuer), upstream.clientId, { client_secret: secret }, oidc.ClientSecretBasic(secret), {
        timeout: timeoutSeconds,
        [oidc.customFetch]: boundedFetch(this.timeoutMs, (url, headers) => {
          if (url.includes('/.well-known/')) discoveryHeaders = headers;
        }),
        execute: insecure ? [oidc.allowInsecureRequests] : [],
      });
    } catch (error) {
      this.log?.warn({ upstream: upstream.name, err: describe(error) }, 'upstream discovery failed');
      throw unavailable(upstream.name, error);
    }
    // Later calls (token, JWKS, UserInfo) get the same limits.
    config[oidc.customFetch] = boundedFetch(this.timeoutMs);
    // The ID token's signature is checked with the upstream's JWK Set, not only trusted for
    // having come over TLS (OIDC Core §3.1.3.7 item 6 allows either; we take the stronger).
    oidc.enableNonRepudiationChecks(config);
    lifetime(cacheLifetime(discoveryHeaders));
    return config;
  }
}

/**
 * Whether the upstream vouches for the address. OIDC Core §5.1 `email_verified`, `true` only;
 * Microsoft Entra ID sends no `email_verified`, and its `email` is whatever a tenant admin typed,
 * so it counts only with the optional claim `xms_edov` (email domain owner verified) set to true.
 */
function verifiedEmail(upstream: Upstream, claims: Record<string, unknown>): boolean {
  if (typeof claims.email !== 'string') return false;
  if (claims.email_verified === true) return true;
  return upstream.preset === 'microsoft' && (claims.xms_edov === true || claims.xms_edov === 1 || claims.xms_edov === '1' || claims.xms_edov === 'true');
}
