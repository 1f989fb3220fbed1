// A registered OAuth client as the domain sees it, and its RFC 7591 representation.
import type { JSONWebKeySet } from 'jose';
import type { ClientRow, ClientTable, ClientUpdate, KeyAlg, NewClientRow } from '../../storage/schema.js';

/** The first-party client the migrations create; /auth/login uses it when no client_id is given. */
export const BUILT_IN_CLIENT_ID = 'tessera';

export type GrantType = 'authorization_code' | 'refresh_token' | 'client_credentials' | typeof DEVICE_CODE_GRANT | typeof TOKEN_EXCHANGE_GRANT;
export type AuthMethod = 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'none';

/** RFC 8628 §3.4: the device authorization grant, for devices without a browser or keyboard. */
export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
/** RFC 8693 §2.1: token exchange, a service acting for a person at the next service (docs/delegation.md). */
export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';

export const GRANT_TYPES: readonly GrantType[] = ['authorization_code', 'refresh_token', 'client_credentials', DEVICE_CODE_GRANT, TOKEN_EXCHANGE_GRANT];
export const AUTH_METHODS: readonly AuthMethod[] = ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'];
/**
 * What a private_key_jwt client may sign its assertions with (RFC 7523 §3; RFC 8725 §3.1: pinned).
 * `Ed25519` is RFC 9864's fully-specified name for EdDSA with Ed25519, which openid-client and
 * oauth4webapi put in the header of an Ed25519 key's assertions.
 */
export const CLIENT_ASSERTION_ALGS = ['ES256', 'RS256', 'EdDSA', 'Ed25519'] as const;
/** The algorithms Tessera signs with: access tokens, ID tokens and logout tokens alike. */
export const SIGNING_ALGS: readonly KeyAlg[] = ['ES256', 'RS256'];

export interface Client {
  clientId: string;
  /** SHA-256 of the secret (base64url); null for a public client. */
  secretHash: string | null;
  name: string;
  grantTypes: readonly GrantType[];
  redirectUris: readonly string[];
  postLogoutRedirectUris: readonly string[];
  scopes: readonly string[];
  authMethod: AuthMethod;
  accessTokenAlg: KeyAlg;
  /** Signs its ID tokens (OIDC Registration §2: RS256 unless registered otherwise). */
  idTokenAlg: KeyAlg;
  /** The `aud` of its access tokens; null means the issuer. */
  audience: string | null;
  firstParty: boolean;
  createdAt: number;
  updatedAt: number;
  /** private_key_jwt: the registered public keys (RFC 7591 §2 `jwks`); null when none. */
  jwks: JSONWebKeySet | null;
  /** private_key_jwt: where its public keys are published (RFC 7591 §2 `jwks_uri`); null when none. */
  jwksUri: string | null;
  /** RFC 9449 §5.2: gets no access token without a DPoP proof. */
  dpopBoundAccessTokens: boolean;
  /** RFC 9126 §6: /authorize only through a pushed authorization request. */
  requirePushedAuthorizationRequests: boolean;
  /** RFC 8693: the audiences it may ask for with token exchange (docs/delegation.md). */
  exchangeAudiences: readonly string[];
  /** OIDC Back-Channel Logout 1.0 §2.2: where it hears that a session ended; null when it does not. */
  backchannelLogoutUri: string | null;
}

export const isPublicClient = (client: Client): boolean => client.authMethod === 'none';

export function clientFromRow(row: ClientRow): Client {
  return {
    clientId: row.client_id,
    secretHash: row.client_secret_hash,
    name: row.client_name,
    grantTypes: row.grant_types.split(' ').filter(Boolean) as GrantType[],
    redirectUris: JSON.parse(row.redirect_uris) as string[],
    postLogoutRedirectUris: JSON.parse(row.post_logout_redirect_uris) as string[],
    scopes: row.scope.split(' ').filter(Boolean),
    authMethod: row.token_endpoint_auth_method,
    accessTokenAlg: row.access_token_alg,
    idTokenAlg: row.id_token_signed_response_alg,
    audience: row.audience,
    firstParty: row.first_party === 1,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    jwks: row.jwks === null ? null : (JSON.parse(row.jwks) as JSONWebKeySet),
    jwksUri: row.jwks_uri,
    dpopBoundAccessTokens: row.dpop_bound_access_tokens === 1,
    requirePushedAuthorizationRequests: row.require_pushed_authorization_requests === 1,
    exchangeAudiences: JSON.parse(row.exchange_audiences) as string[],
    backchannelLogoutUri: row.backchannel_logout_uri,
  };
}

export function clientToRow(client: Client): NewClientRow {
  return {
    client_id: client.clientId,
    client_secret_hash: client.secretHash,
    client_name: client.name,
    grant_types: client.grantTypes.join(' '),
    redirect_uris: JSON.stringify(client.redirectUris),
    post_logout_redirect_uris: JSON.stringify(client.postLogoutRedirectUris),
    scope: client.scopes.join(' '),
    token_endpoint_auth_method: client.authMethod,
    access_token_alg: client.accessTokenAlg,
    id_token_signed_response_alg: client.idTokenAlg,
    audience: client.audience,
    first_party: client.firstParty ? 1 : 0,
    created_at: client.createdAt,
    updated_at: client.updatedAt,
    jwks: client.jwks === null ? null : JSON.stringify(client.jwks),
    jwks_uri: client.jwksUri,
    dpop_bound_access_tokens: client.dpopBoundAccessTokens ? 1 : 0,
    require_pushed_authorization_requests: client.requirePushedAuthorizationRequests ? 1 : 0,
    exchange_audiences: JSON.stringify(client.exchangeAudiences),
    backchannel_logout_uri: client.backchannelLogoutUri,
  };
}

/** The column of each field: the one place the domain's names meet the table's. */
const COLUMNS = {
  clientId: 'client_id',
  secretHash: 'client_secret_hash',
  name: 'client_name',
  grantTypes: 'grant_types',
  redirectUris: 'redirect_uris',
  postLogoutRedirectUris: 'post_logout_redirect_uris',
  scopes: 'scope',
  authMethod: 'token_endpoint_auth_method',
  accessTokenAlg: 'access_token_alg',
  idTokenAlg: 'id_token_signed_response_alg',
  audience: 'audience',
  firstParty: 'first_party',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
  jwks: 'jwks',
  jwksUri: 'jwks_uri',
  dpopBoundAccessTokens: 'dpop_bound_access_tokens',
  requirePushedAuthorizationRequests: 'require_pushed_authorization_requests',
  exchangeAudiences: 'exchange_audiences',
  backchannelLogoutUri: 'backchannel_logout_uri',
} as const satisfies Record<keyof Client, keyof ClientTable>;

/** The row update writing `fields` of `client`, encoded as clientToRow encodes them. */
export function clientChanges(client: Client, fields: readonly Exclude<keyof Client, 'clientId'>[]): ClientUpdate {
  const row = clientToRow(client);
  return Object.fromEntries(fields.map((field) => [COLUMNS[field], row[COLUMNS[field]]])) as ClientUpdate;
}

/** RFC 7591 §2 / §3.2.1 metadata names, as the CLI and the admin API print a client. */
export interface ClientMetadata {
  client_id: string;
  client_secret?: string;
  client_name: string;
  grant_types: GrantType[];
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
  scope: string;
  token_endpoint_auth_method: AuthMethod;
  access_token_alg: KeyAlg;
  id_token_signed_response_alg: KeyAlg;
  audience: string;
  first_party: boolean;
  client_id_issued_at: number;
  /** RFC 7591 §2, private_key_jwt clients only: one of the two. */
  jwks?: JSONWebKeySet;
  jwks_uri?: string;
  /** RFC 9449 §5.2. */
  dpop_bound_access_tokens: boolean;
  /** RFC 9126 §6. */
  require_pushed_authorization_requests: boolean;
  /** RFC 8693: the audiences it may ask for with token exchange. */
  exchange_audiences: string[];
  /** OIDC Back-Channel Logout 1.0 §2.2; its logout tokens always carry `sid`. */
  backchannel_logout_uri?: string;
  backchannel_logout_session_required?: true;
}

export function clientMetadata(client: Client, issuer: string, secret?: string): ClientMetadata {
  return {
    client_id: client.clientId,
    ...(secret === undefined ? {} : { client_secret: secret }),
    client_name: client.name,
    grant_types: [...client.grantTypes],
    redirect_uris: [...client.redirectUris],
    post_logout_redirect_uris: [...client.postLogoutRedirectUris],
    scope: client.scopes.join(' '),
    token_endpoint_auth_method: client.authMethod,
    access_token_alg: client.accessTokenAlg,
    id_token_signed_response_alg: client.idTokenAlg,
    audience: client.audience ?? issuer,
    first_party: client.firstParty,
    client_id_issued_at: Math.floor(client.createdAt / 1000),
    ...(client.jwks === null ? {} : { jwks: client.jwks }),
    ...(client.jwksUri === null ? {} : { jwks_uri: client.jwksUri }),
    dpop_bound_access_tokens: client.dpopBoundAccessTokens,
    require_pushed_authorization_requests: client.requirePushedAuthorizationRequests,
    exchange_audiences: [...client.exchangeAudiences],
    ...(client.backchannelLogoutUri === null ? {} : { backchannel_logout_uri: client.backchannelLogoutUri, backchannel_logout_session_required: true as const }),
  };
}
