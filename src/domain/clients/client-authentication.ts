// Client authentication at the token, introspection, revocation and PAR endpoints (RFC 6749
// §2.3.1, RFC 7523 §2.2). A client authenticates only with the method it registered (OIDC
// Registration §2, token_endpoint_auth_method): a secret registered for the Basic header is refused
// in the body and the other way round, so a secret copied into a form by mistake is not quietly
// accepted; a private_key_jwt client has no secret, and a secret client's assertion is refused.
// Public clients identify themselves with client_id only.
import type { RequestMeta } from '../../audit/audit-log.js';
import { hashesEqual, sha256 } from '../../crypto/random.js';
import { OAuthError } from '../../errors/oauth-error.js';
import type { RateLimiter } from '../accounts/rate-limiter.js';
import { isPublicClient, type Client } from './client.js';
import { claimedClientId, type ClientAssertions } from './client-assertion.js';
import type { ClientRegistry } from './client-registry.js';

export type ClientCredentials = SecretCredentials | AssertionCredentials;

export interface SecretCredentials {
  /** How the credentials arrived. */
  method: 'client_secret_basic' | 'client_secret_post' | 'none';
  clientId: string;
  secret: string | undefined;
}

/** RFC 7523 §2.2: `client_assertion` with the jwt-bearer `client_assertion_type`. */
export interface AssertionCredentials {
  method: 'private_key_jwt';
  /** The form's `client_id`, when sent (RFC 7521 §4.2: optional, and then it must match `sub`). */
  clientId: string | undefined;
  assertion: string;
  /** The path of the endpoint called, under the issuer: its URL is an `aud` the assertion may name. */
  endpointPath: string;
}

/** SHA-256 of nothing in particular: compared against when the client is unknown, for even timing. */
const DUMMY_HASH = sha256('tessera-unknown-client');

export const invalidClient = (detail: string) =>
  new OAuthError('invalid_client', 'client authentication failed', {
    detail,
    // RFC 6749 §5.2: a 401 names the scheme the client may use.
    headers: { 'WWW-Authenticate': 'Basic realm="tessera", charset="UTF-8"' },
  });

/**
 * Who is calling the token, introspection, revocation or PAR endpoint. A failure, whatever its cause
 * (unknown client, wrong secret or method, malformed credentials), counts against the caller's
 * IP; past the limit the answer is 429 rather than 401 (README, Errors).
 */
export class ClientAuthenticator {
  constructor(
    private readonly registry: ClientRegistry,
    private readonly limiter: RateLimiter,
    private readonly assertions: ClientAssertions,
  ) {}

  /** `meta` is read only on failure: the success path stays as lean as before. */
  async authenticate(credentials: () => ClientCredentials, meta: () => RequestMeta): Promise<Client> {
    try {
      const given = credentials();
      if (given.method === 'private_key_jwt') return await this.authenticateAssertion(given);
      return await authenticateClient(this.registry, given);
    } catch (error) {
      if (error instanceof OAuthError && error.code === 'invalid_client') await this.limiter.countFailure(meta());
      throw error;
    }
  }

  private async authenticateAssertion(credentials: AssertionCredentials): Promise<Client> {
    const claimed = claimedClientId(credentials.assertion);
    if (credentials.clientId !== undefined && credentials.clientId !== claimed) throw invalidClient('client_id differs from the assertion\'s sub');
    const client = await this.registry.find(claimed);
    if (!client) throw invalidClient('unknown client');
    if (client.authMethod !== 'private_key_jwt') throw invalidClient(`registered for ${client.authMethod}, authenticated with private_key_jwt`);
    await this.assertions.verify(client, credentials.assertion, credentials.endpointPath);
    return client;
  }
}

export async function authenticateClient(registry: ClientRegistry, credentials: SecretCredentials): Promise<Client> {
  const client = await registry.find(credentials.clientId);
  if (credentials.method === 'none') {
    if (!client || !isPublicClient(client)) throw invalidClient(client ? 'confidential client sent no secret' : 'unknown client');
    return client;
  }
  const presented = sha256(credentials.secret ?? '');
  const matches = hashesEqual(presented, client?.secretHash ?? DUMMY_HASH);
  if (!client || !client.secretHash || !matches) throw invalidClient(client ? 'wrong secret' : 'unknown client');
  if (client.authMethod !== credentials.method) throw invalidClient(`registered for ${client.authMethod}, authenticated with ${credentials.method}`);
  return client;
}
