// Registering and managing clients: the one code path behind `tessera clients …` and /admin/clients.
// Secrets are 256-bit random, shown once, stored as SHA-256 (design.md, Tokens).
import type { Clock } from '../../clock.js';
import { randomId, randomSecret, sha256 } from '../../crypto/random.js';
import { OAuthError } from '../../errors/oauth-error.js';
import type { Db } from '../../storage/db.js';
import { deleteClient, findClient, insertClient, listClients, updateClient } from '../../storage/repositories/clients.js';
import { bumpSyncVersion } from '../../storage/repositories/sync-state.js';
import type { KeyAlg } from '../../storage/schema.js';
import {
  ACCESS_TOKEN_ALGS,
  BUILT_IN_CLIENT_ID,
  AUTH_METHODS,
  clientFromRow,
  GRANT_TYPES,
  type AuthMethod,
  type Client,
  type GrantType,
} from './client.js';
import { parseScope } from './scope.js';

export interface NewClient {
  name: string;
  grantTypes?: string[];
  redirectUris?: string[];
  postLogoutRedirectUris?: string[];
  scope?: string;
  public?: boolean;
  authMethod?: string;
  accessTokenAlg?: string;
  audience?: string;
  firstParty?: boolean;
}

export interface ClientWithSecret {
  client: Client;
  /** Present for confidential clients, once. */
  secret: string | undefined;
}

const invalid = (description: string) => new OAuthError('invalid_request', description);

export class ClientService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  async create(input: NewClient): Promise<ClientWithSecret> {
    const client = this.validate(input);
    const secret = client.authMethod === 'none' ? undefined : randomSecret();
    const now = this.clock.now();
    await this.db.transaction().execute(async (tx) => {
      await insertClient(tx, {
        client_id: client.clientId,
        client_secret_hash: secret === undefined ? null : sha256(secret),
        client_name: client.name,
        grant_types: client.grantTypes.join(' '),
        redirect_uris: JSON.stringify(client.redirectUris),
        post_logout_redirect_uris: JSON.stringify(client.postLogoutRedirectUris),
        scope: client.scopes.join(' '),
        token_endpoint_auth_method: client.authMethod,
        access_token_alg: client.accessTokenAlg,
        audience: client.audience,
        first_party: client.firstParty ? 1 : 0,
        created_at: now,
        updated_at: now,
      });
      await bumpSyncVersion(tx, 'clients');
    });
    return { client: { ...client, secretHash: secret === undefined ? null : sha256(secret), createdAt: now, updatedAt: now }, secret };
  }

  async list(): Promise<Client[]> {
    return (await listClients(this.db)).map(clientFromRow);
  }

  async get(clientId: string): Promise<Client> {
    const row = clientId.length <= 128 ? await findClient(this.db, clientId) : undefined;
    if (!row) throw new OAuthError('not_found', `no client ${JSON.stringify(clientId.slice(0, 128))}`);
    return clientFromRow(row);
  }

  /** A deleted client can no longer authenticate, and its tokens introspect inactive. */
  async delete(clientId: string): Promise<Client> {
    // Without it /auth/login stops working and every /auth and /admin token dies, the admin's too.
    if (clientId === BUILT_IN_CLIENT_ID) throw invalid('the built-in first-party client cannot be deleted');
    const client = await this.get(clientId);
    await this.db.transaction().execute(async (tx) => {
      await deleteClient(tx, clientId);
      await bumpSyncVersion(tx, 'clients');
    });
    return client;
  }

  /** A new secret replaces the old one at once (every instance within the cache bound). */
  async rotateSecret(clientId: string): Promise<ClientWithSecret> {
    const client = await this.get(clientId);
    if (client.authMethod === 'none') throw invalid('a public client has no secret to rotate');
    const secret = randomSecret();
    const now = this.clock.now();
    await this.db.transaction().execute(async (tx) => {
      await updateClient(tx, clientId, { client_secret_hash: sha256(secret), updated_at: now });
      await bumpSyncVersion(tx, 'clients');
    });
    return { client: { ...client, secretHash: sha256(secret), updatedAt: now }, secret };
  }

  /** Applies contract §2's defaults and checks every field. */
  private validate(input: NewClient): Client {
    const name = input.name?.trim();
    if (!name) throw invalid('a client needs a name');
    if (name.length > 200) throw invalid('the client name is longer than 200 characters');

    const redirectUris = (input.redirectUris ?? []).map((uri) => checkRedirectUri(uri, 'redirect URI'));
    const postLogoutRedirectUris = (input.postLogoutRedirectUris ?? []).map((uri) =>
      checkRedirectUri(uri, 'post-logout redirect URI'),
    );

    const grantTypes = unique(input.grantTypes?.length ? input.grantTypes : redirectUris.length ? ['authorization_code', 'refresh_token'] : ['client_credentials']);
    for (const grant of grantTypes) {
      if (!GRANT_TYPES.includes(grant as GrantType)) throw invalid(`unknown grant type ${JSON.stringify(grant)} (one of ${GRANT_TYPES.join(', ')})`);
    }
    if (grantTypes.includes('authorization_code') && redirectUris.length === 0) {
      throw invalid('the authorization_code grant needs at least one redirect URI');
    }
    if (grantTypes.includes('refresh_token') && !grantTypes.includes('authorization_code')) {
      throw invalid('the refresh_token grant comes with authorization_code');
    }

    const authMethod = (input.authMethod ?? (input.public ? 'none' : 'client_secret_basic')) as AuthMethod;
    if (!AUTH_METHODS.includes(authMethod)) throw invalid(`unknown auth method ${JSON.stringify(authMethod)} (one of ${AUTH_METHODS.join(', ')})`);
    if (input.public && authMethod !== 'none') throw invalid('a public client authenticates with "none"');
    if (authMethod === 'none' && grantTypes.includes('client_credentials')) {
      throw invalid('a public client may not use client_credentials');
    }

    const accessTokenAlg = (input.accessTokenAlg ?? 'ES256') as KeyAlg;
    if (!ACCESS_TOKEN_ALGS.includes(accessTokenAlg)) throw invalid(`access token algorithm must be one of ${ACCESS_TOKEN_ALGS.join(', ')}`);

    const scopeText = input.scope ?? (grantTypes.includes('authorization_code') ? 'openid profile email' : '');
    const scopes = parseScope(scopeText);
    if (!scopes) throw invalid('the scope holds characters RFC 6749 §3.3 does not allow');

    const audience = input.audience?.trim() || null;
    if (audience !== null && audience.length > 2048) throw invalid('the audience is longer than 2048 characters');

    return {
      clientId: randomId(),
      secretHash: null,
      name,
      grantTypes: grantTypes as GrantType[],
      redirectUris,
      postLogoutRedirectUris,
      scopes,
      authMethod,
      accessTokenAlg,
      audience,
      firstParty: input.firstParty ?? false,
      createdAt: 0,
      updatedAt: 0,
    };
  }
}

const unique = (values: string[]): string[] => [...new Set(values.map((v) => v.trim()).filter(Boolean))];

/**
 * Redirect URIs are compared exactly (RFC 9700 §4.1.3), so they must be absolute and without a
 * fragment; plain http only for loopback (RFC 8252 §7.3), custom schemes for native apps.
 */
function checkRedirectUri(text: string, what: string): string {
  const uri = text.trim();
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw invalid(`${what} ${JSON.stringify(uri)} is not an absolute URL`);
  }
  if (url.hash || uri.includes('#')) throw invalid(`${what} ${JSON.stringify(uri)} has a fragment`);
  if (url.protocol === 'http:' && !['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)) {
    throw invalid(`${what} ${JSON.stringify(uri)} must use https (plain http only for localhost)`);
  }
  if (['javascript:', 'data:', 'file:', 'vbscript:'].includes(url.protocol)) throw invalid(`${what} ${JSON.stringify(uri)} has a forbidden scheme`);
  return uri;
}
