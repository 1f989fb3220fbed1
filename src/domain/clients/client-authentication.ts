// Client authentication at the token, introspection and revocation endpoints (RFC 6749 §2.3.1).
// Either secret method is accepted from any confidential client: both prove the same secret, and
// libraries differ in which they default to. Public clients identify themselves with client_id only.
import { hashesEqual, sha256 } from '../../crypto/random.js';
import { OAuthError } from '../../errors/oauth-error.js';
import { isPublicClient, type Client } from './client.js';
import type { ClientRegistry } from './client-registry.js';

export interface ClientCredentials {
  /** How the credentials arrived. */
  method: 'client_secret_basic' | 'client_secret_post' | 'none';
  clientId: string;
  secret: string | undefined;
}

/** SHA-256 of nothing in particular: compared against when the client is unknown, for even timing. */
const DUMMY_HASH = sha256('tessera-unknown-client');

export const invalidClient = (detail: string) =>
  new OAuthError('invalid_client', 'client authentication failed', {
    detail,
    // RFC 6749 §5.2: a 401 names the scheme the client may use.
    headers: { 'WWW-Authenticate': 'Basic realm="tessera", charset="UTF-8"' },
  });

export async function authenticateClient(registry: ClientRegistry, credentials: ClientCredentials): Promise<Client> {
  const client = await registry.find(credentials.clientId);
  if (credentials.method === 'none') {
    if (!client || !isPublicClient(client)) throw invalidClient(client ? 'confidential client sent no secret' : 'unknown client');
    return client;
  }
  const presented = sha256(credentials.secret ?? '');
  const matches = hashesEqual(presented, client?.secretHash ?? DUMMY_HASH);
  if (!client || !client.secretHash || !matches) throw invalidClient(client ? 'wrong secret' : 'unknown client');
  return client;
}
