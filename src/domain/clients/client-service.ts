// Registering and managing clients: the one code path behind `tessera clients …` and /admin/clients.
// Secrets are 256-bit random, shown once, stored as SHA-256 (docs/decisions.md, Tokens).
import type { Clock } from '../../clock.js';
import { randomId, randomSecret, sha256 } from '../../crypto/random.js';
import { OAuthError } from '../../errors/oauth-error.js';
import { audit, type Actor, type AuditEvent } from '../../audit/audit-log.js';
import type { Db, DbOrTx } from '../../storage/db.js';
import { deleteClient, findClient, insertClient, listClients, updateClient } from '../../storage/repositories/clients.js';
import { bumpSyncVersion } from '../../storage/repositories/sync-state.js';
import type { KeyAlg } from '../../storage/schema.js';
import {
  BUILT_IN_CLIENT_ID,
  AUTH_METHODS,
  clientChanges,
  clientFromRow,
  clientToRow,
  DEVICE_CODE_GRANT,
  GRANT_TYPES,
  SIGNING_ALGS,
  TOKEN_EXCHANGE_GRANT,
  type AuthMethod,
  type Client,
  type GrantType,
} from './client.js';
import { checkClientJwks, checkJwksUri } from './client-jwks.js';
import { checkBackchannelLogoutUri, checkExchangeAudiences } from './exchange-and-logout.js';
import { parseScope } from './scope.js';

/** What `update` writes: everything but the client id, the secret and the registration time. */
const UPDATED_FIELDS = [
  'name',
  'grantTypes',
  'redirectUris',
  'postLogoutRedirectUris',
  'scopes',
  'authMethod',
  'accessTokenAlg',
  'idTokenAlg',
  'audience',
  'firstParty',
  'jwks',
  'jwksUri',
  'dpopBoundAccessTokens',
  'requirePushedAuthorizationRequests',
  'exchangeAudiences',
  'backchannelLogoutUri',
  'updatedAt',
] as const satisfies readonly Exclude<keyof Client, 'clientId' | 'secretHash' | 'createdAt'>[];

export interface NewClient {
  name: string;
  grantTypes?: string[];
  redirectUris?: string[];
  postLogoutRedirectUris?: string[];
  scope?: string;
  public?: boolean;
  authMethod?: string;
  accessTokenAlg?: string;
  idTokenAlg?: string;
  audience?: string;
  firstParty?: boolean;
  /** private_key_jwt: a public JWK Set (RFC 7517 §5), parsed JSON. */
  jwks?: unknown;
  /** private_key_jwt: where the client publishes its JWK Set. */
  jwksUri?: string;
  /** RFC 9449 §5.2 `dpop_bound_access_tokens`. */
  dpopBound?: boolean;
  /** RFC 9126 §6 `require_pushed_authorization_requests`. */
  requirePar?: boolean;
  /** RFC 8693: the audiences it may ask for with token exchange. */
  exchangeAudiences?: string[];
  /** OIDC Back-Channel Logout 1.0 §2.2; empty clears it. */
  backchannelLogoutUri?: string;
}

/** `clients update` and `PATCH /admin/clients/:id`: any field of a new client, changed alone. */
export type ClientChanges = Partial<NewClient>;

export interface ClientWithSecret {
  client: Client;
  /** Present for confidential clients, once. */
  secret: string | undefined;
}

const invalid = (description: string) => new OAuthError('invalid_request', description);

/**
 * Every change is audited with its actor in the transaction that makes it, so the CLI and the
 * admin API leave the same trail; `onChange` runs after the commit (the server empties its client
 * cache at once instead of at its next poll).
 */
export class ClientService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly onChange: () => Promise<void> = async () => {},
  ) {}

  async create(input: NewClient, actor: Actor): Promise<ClientWithSecret> {
    const client = { ...this.validate(input), clientId: randomId() };
    const secret = usesSecret(client.authMethod) ? randomSecret() : undefined;
    const now = this.clock.now();
    const created: Client = { ...client, secretHash: secret === undefined ? null : sha256(secret), createdAt: now, updatedAt: now };
    await this.change(actor, 'client.created', created.clientId, (tx) => insertClient(tx, clientToRow(created)));
    return { client: created, secret };
  }

  async list(): Promise<Client[]> {
    return (await listClients(this.db)).map(clientFromRow);
  }

  async get(clientId: string): Promise<Client> {
    const row = clientId.length <= 128 ? await findClient(this.db, clientId) : undefined;
    if (!row) throw new OAuthError('not_found', `no client ${JSON.stringify(clientId.slice(0, 128))}`);
    return clientFromRow(row);
  }

  /** Changes the given fields; the client id and secret stay (README, The admin CLI, `clients update`). */
  async update(clientId: string, changes: ClientChanges, actor: Actor): Promise<Client> {
    const current = await this.get(clientId);
    const merged: NewClient = { ...newClientOf(current), ...definedOnly(changes) };
    if (changes.public !== undefined && changes.authMethod === undefined) merged.authMethod = changes.public ? 'none' : undefined;
    // New keys replace the old ones, whichever way they were registered: a jwks for a jwks_uri and
    // the other way round. Leaving private_key_jwt drops them.
    if (changes.jwks !== undefined && changes.jwksUri === undefined) merged.jwksUri = undefined;
    if (changes.jwksUri !== undefined && changes.jwks === undefined) merged.jwks = undefined;
    if (merged.authMethod !== 'private_key_jwt' && changes.jwks === undefined && changes.jwksUri === undefined) {
      merged.jwks = undefined;
      merged.jwksUri = undefined;
    }
    // Leaving the token exchange grant drops the audiences that only it uses.
    if (changes.grantTypes !== undefined && !changes.grantTypes.includes(TOKEN_EXCHANGE_GRANT) && changes.exchangeAudiences === undefined) merged.exchangeAudiences = undefined;
    const checked = this.validate(merged);
    // A public client has no secret to authenticate with, and a confidential one cannot drop it
    // here: that is a new registration (a new secret is shown once, at creation).
    if ((checked.authMethod === 'none') !== (current.authMethod === 'none')) {
      throw invalid('a client cannot switch between public and confidential; register a new one');
    }
    // A client moves from a shared secret to keys in place (its secret is dropped then), but not
    // back: it has no secret to go back to, and that is a new registration.
    if (current.authMethod === 'private_key_jwt' && usesSecret(checked.authMethod)) {
      throw invalid('a private_key_jwt client cannot switch to a client secret; register a new one');
    }
    const now = this.clock.now();
    const dropsSecret = checked.authMethod === 'private_key_jwt' && current.secretHash !== null;
    const updated: Client = { ...checked, clientId, secretHash: dropsSecret ? null : current.secretHash, createdAt: current.createdAt, updatedAt: now };
    const fields = dropsSecret ? [...UPDATED_FIELDS, 'secretHash' as const] : UPDATED_FIELDS;
    await this.change(actor, 'client.updated', clientId, (tx) => updateClient(tx, clientId, clientChanges(updated, fields)));
    return updated;
  }

  /** A deleted client can no longer authenticate, and its tokens introspect inactive. */
  async delete(clientId: string, actor: Actor): Promise<Client> {
    // Without it /auth/login stops working and every /auth and /admin token dies, the admin's too.
    if (clientId === BUILT_IN_CLIENT_ID) throw invalid('the built-in first-party client cannot be deleted');
    const client = await this.get(clientId);
    await this.change(actor, 'client.deleted', clientId, (tx) => deleteClient(tx, clientId));
    return client;
  }

  /** A new secret replaces the old one at once (every instance within the cache bound). */
  async rotateSecret(clientId: string, actor: Actor): Promise<ClientWithSecret> {
    const client = await this.get(clientId);
    if (client.authMethod === 'none') throw invalid('a public client has no secret to rotate');
    if (client.authMethod === 'private_key_jwt') throw invalid('a private_key_jwt client authenticates with its keys; change them with update');
    const secret = randomSecret();
    const now = this.clock.now();
    const rotated: Client = { ...client, secretHash: sha256(secret), updatedAt: now };
    await this.change(actor, 'client.secret_rotated', clientId, (tx) => updateClient(tx, clientId, clientChanges(rotated, ['secretHash', 'updatedAt'])));
    return { client: rotated, secret };
  }

  /** One change to the clients table: the write, the change counter and the audit event together. */
  private async change(actor: Actor, event: AuditEvent, clientId: string, write: (tx: DbOrTx) => Promise<unknown>): Promise<void> {
    const now = this.clock.now();
    await this.db.transaction().execute(async (tx) => {
      await write(tx);
      await bumpSyncVersion(tx, 'clients');
      await audit(tx, { event, actorId: actor.id, meta: actor.meta, detail: { client_id: clientId } }, now);
    });
    await this.onChange();
  }

  /** Applies README, The admin CLI's defaults and checks every field. */
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
    // A person signs in through the code flow or on a device (RFC 8628); either may be refreshed.
    if (grantTypes.includes('refresh_token') && !grantTypes.includes('authorization_code') && !grantTypes.includes(DEVICE_CODE_GRANT)) {
      throw invalid('the refresh_token grant comes with authorization_code or the device code grant');
    }

    const authMethod = (input.authMethod ?? (input.public ? 'none' : 'client_secret_basic')) as AuthMethod;
    if (!AUTH_METHODS.includes(authMethod)) throw invalid(`unknown auth method ${JSON.stringify(authMethod)} (one of ${AUTH_METHODS.join(', ')})`);
    if (input.public && authMethod !== 'none') throw invalid('a public client authenticates with "none"');
    if (authMethod === 'none' && grantTypes.includes('client_credentials')) {
      throw invalid('a public client may not use client_credentials');
    }

    const { jwks, jwksUri } = clientKeys(input, authMethod);

    const accessTokenAlg = signingAlg(input.accessTokenAlg ?? 'ES256', 'access token');
    const idTokenAlg = signingAlg(input.idTokenAlg ?? 'RS256', 'ID token');

    const signsPeopleIn = grantTypes.includes('authorization_code') || grantTypes.includes(DEVICE_CODE_GRANT);
    const scopeText = input.scope ?? (signsPeopleIn ? 'openid profile email' : '');
    const scopes = parseScope(scopeText);
    if (!scopes) throw invalid('the scope holds characters RFC 6749 §3.3 does not allow');

    const audience = input.audience?.trim() || null;
    if (audience !== null && audience.length > 2048) throw invalid('the audience is longer than 2048 characters');

    return {
      clientId: '',
      secretHash: null,
      name,
      grantTypes: grantTypes as GrantType[],
      redirectUris,
      postLogoutRedirectUris,
      scopes,
      authMethod,
      accessTokenAlg,
      idTokenAlg,
      audience,
      firstParty: input.firstParty ?? false,
      createdAt: 0,
      updatedAt: 0,
      jwks,
      jwksUri,
      dpopBoundAccessTokens: input.dpopBound ?? false,
      requirePushedAuthorizationRequests: input.requirePar ?? false,
      exchangeAudiences: checkExchangeAudiences(input.exchangeAudiences, grantTypes, authMethod),
      backchannelLogoutUri: checkBackchannelLogoutUri(input.backchannelLogoutUri),
    };
  }
}

const usesSecret = (method: AuthMethod): boolean => method === 'client_secret_basic' || method === 'client_secret_post';

/** RFC 7591 §2: a private_key_jwt client registers exactly one of `jwks` and `jwks_uri`; others neither. */
function clientKeys(input: NewClient, authMethod: AuthMethod): Pick<Client, 'jwks' | 'jwksUri'> {
  const hasJwks = input.jwks !== undefined && input.jwks !== null;
  const hasUri = input.jwksUri !== undefined && input.jwksUri.trim() !== '';
  if (authMethod !== 'private_key_jwt') {
    if (hasJwks || hasUri) throw invalid('jwks and jwks_uri are for private_key_jwt clients');
    return { jwks: null, jwksUri: null };
  }
  if (hasJwks === hasUri) throw invalid('a private_key_jwt client needs exactly one of jwks and jwks_uri');
  return hasJwks ? { jwks: checkClientJwks(input.jwks), jwksUri: null } : { jwks: null, jwksUri: checkJwksUri(input.jwksUri!) };
}

function signingAlg(value: string, what: string): KeyAlg {
  if (!SIGNING_ALGS.includes(value as KeyAlg)) throw invalid(`the ${what} algorithm must be one of ${SIGNING_ALGS.join(', ')}`);
  return value as KeyAlg;
}

/** A registered client as the input that would register it again (the base of an update). */
function newClientOf(client: Client): NewClient {
  return {
    name: client.name,
    grantTypes: [...client.grantTypes],
    redirectUris: [...client.redirectUris],
    postLogoutRedirectUris: [...client.postLogoutRedirectUris],
    scope: client.scopes.join(' '),
    authMethod: client.authMethod,
    accessTokenAlg: client.accessTokenAlg,
    idTokenAlg: client.idTokenAlg,
    audience: client.audience ?? undefined,
    firstParty: client.firstParty,
    jwks: client.jwks ?? undefined,
    jwksUri: client.jwksUri ?? undefined,
    dpopBound: client.dpopBoundAccessTokens,
    requirePar: client.requirePushedAuthorizationRequests,
    exchangeAudiences: [...client.exchangeAudiences],
    backchannelLogoutUri: client.backchannelLogoutUri ?? undefined,
  };
}

const definedOnly = <T extends object>(changes: T): Partial<T> =>
  Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined)) as Partial<T>;

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
