// A signing key as the crypto code sees it, and its one mapping to and from the `signing_keys` row
// (docs/architecture.md: rows stay in storage). Nothing else in the crypto code or the domain reads
// a column name. The JWKs stay as the JSON text that is stored: parsing is left to the keystore,
// which does it once per new key (RFC 7517), and the sealed private JWK is opened only there.
import type { KeyAlg, KeyStatus, NewSigningKeyRow, SigningKeyRow, SigningKeyTable, SigningKeyUpdate } from '../storage/schema.js';

export interface SigningKey {
  /** The RFC 7638 thumbprint of the public key (keygen.ts). */
  kid: string;
  alg: KeyAlg;
  status: KeyStatus;
  /** The public JWK, JSON text. */
  publicJwk: string;
  /** The private JWK, JSON text sealed under the key-encryption key (sealing.ts). */
  privateJwkSealed: string;
  /** Times in ms since the epoch; the lifecycle's meaning of each is in docs/decisions.md, Signing keys. */
  createdAt: number;
  /** When every instance serves it in its JWKS: createdAt plus the propagation delay. */
  publishedAt: number;
  /** When a `next` key is due to take over. */
  activatesAt: number | null;
  /** Set by `keys rotate`: the operator asked for the next key as soon as the lead allows. */
  rotationRequestedAt: number | null;
  activatedAt: number | null;
  retiredAt: number | null;
  revokedAt: number | null;
  /** When the last token it signed has expired and the key may be deleted. */
  expiresAt: number | null;
}

/** The associated data that binds a sealed private JWK to its own row (sealing.ts). */
export const privateJwkAssociatedData = (kid: string): string => `signing-key:${kid}`;

/** What the lifecycle changes on a stored key; the key material and its birth times never change. */
export type SigningKeyChanges = Partial<Pick<SigningKey, 'status' | 'activatesAt' | 'rotationRequestedAt' | 'activatedAt' | 'retiredAt' | 'revokedAt' | 'expiresAt'>>;

const COLUMNS = {
  kid: 'kid',
  alg: 'alg',
  status: 'status',
  publicJwk: 'public_jwk',
  privateJwkSealed: 'private_jwk_sealed',
  createdAt: 'created_at',
  publishedAt: 'published_at',
  activatesAt: 'activates_at',
  rotationRequestedAt: 'rotation_requested_at',
  activatedAt: 'activated_at',
  retiredAt: 'retired_at',
  revokedAt: 'revoked_at',
  expiresAt: 'expires_at',
} as const satisfies Record<keyof SigningKey, keyof SigningKeyTable>;

export function signingKeyFromRow(row: SigningKeyRow): SigningKey {
  return {
    kid: row.kid,
    alg: row.alg,
    status: row.status,
    publicJwk: row.public_jwk,
    privateJwkSealed: row.private_jwk_sealed,
    createdAt: row.created_at,
    publishedAt: row.published_at,
    activatesAt: row.activates_at,
    rotationRequestedAt: row.rotation_requested_at,
    activatedAt: row.activated_at,
    retiredAt: row.retired_at,
    revokedAt: row.revoked_at,
    expiresAt: row.expires_at,
  };
}

/** The row of a new key, every column given. */
export function signingKeyToRow(key: SigningKey): NewSigningKeyRow {
  return {
    kid: key.kid,
    alg: key.alg,
    status: key.status,
    public_jwk: key.publicJwk,
    private_jwk_sealed: key.privateJwkSealed,
    created_at: key.createdAt,
    published_at: key.publishedAt,
    activates_at: key.activatesAt,
    rotation_requested_at: key.rotationRequestedAt,
    activated_at: key.activatedAt,
    retired_at: key.retiredAt,
    revoked_at: key.revokedAt,
    expires_at: key.expiresAt,
  };
}

/** The row update for some fields of a key: only the fields given, a null included (it clears the column). */
export function signingKeyChanges(changes: SigningKeyChanges): SigningKeyUpdate {
  const row: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(changes)) {
    if (value !== undefined) row[COLUMNS[field as keyof SigningKeyChanges]] = value;
  }
  return row as SigningKeyUpdate;
}
