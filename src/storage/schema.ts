// The database as Kysely sees it: one interface per table. Times are integer milliseconds since
// the epoch (BIGINT on PostgreSQL), flags are 0/1 integers, lists are JSON text: the same rows on
// every dialect. Migrations in migrations/ are the source of truth; keep this file in step.
import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

export type KeyAlg = 'ES256' | 'RS256';
export type KeyStatus = 'next' | 'active' | 'retired' | 'revoked';

export interface SigningKeyTable {
  kid: string;
  alg: KeyAlg;
  status: KeyStatus;
  /** Public JWK, JSON. */
  public_jwk: string;
  /** Private JWK, JSON, sealed with AES-256-GCM under the key-encryption key. */
  private_jwk_sealed: string;
  created_at: number;
  /** When every instance is serving it in its JWKS: created_at plus the propagation delay. */
  published_at: number;
  /** When a `next` key is due to take over. */
  activates_at: number | null;
  /** Set by `keys rotate`: the operator asked for the next key as soon as the lead allows. */
  rotation_requested_at: number | null;
  activated_at: number | null;
  retired_at: number | null;
  revoked_at: number | null;
  /** When the last token it signed has expired and the key may be deleted. */
  expires_at: number | null;
}

export interface ClientTable {
  client_id: string;
  /** SHA-256 of the secret, base64url; null for public clients. */
  client_secret_hash: string | null;
  client_name: string;
  /** Space-separated. */
  grant_types: string;
  /** JSON array. */
  redirect_uris: string;
  /** JSON array. */
  post_logout_redirect_uris: string;
  /** Space-separated. */
  scope: string;
  token_endpoint_auth_method: 'client_secret_basic' | 'client_secret_post' | 'none';
  access_token_alg: KeyAlg;
  audience: string | null;
  first_party: number;
  created_at: number;
  updated_at: number;
}

export interface RevokedTokenTable {
  jti: string;
  /** The token's own expiry: the entry is useless after it and is purged. */
  expires_at: number;
  revoked_at: number;
}

/** Counters that instances poll to learn that a cached table changed elsewhere; rows double as locks. */
export interface SyncStateTable {
  name: string;
  version: number;
}

export interface Database {
  signing_keys: SigningKeyTable;
  clients: ClientTable;
  revoked_tokens: RevokedTokenTable;
  sync_state: SyncStateTable;
}

export type SigningKeyRow = Selectable<SigningKeyTable>;
export type NewSigningKeyRow = Insertable<SigningKeyTable>;
export type SigningKeyUpdate = Updateable<SigningKeyTable>;
export type ClientRow = Selectable<ClientTable>;
export type NewClientRow = Insertable<ClientTable>;
export type ClientUpdate = Updateable<ClientTable>;

// Re-exported so repositories need one import for column helpers.
export type { Generated };
