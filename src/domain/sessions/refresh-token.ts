// A refresh token as the domain sees it: one member of a session's rotation family (RFC 9700
// §4.14), stored as a hash only, with the session and client it is bound to. Rows are mapped here,
// once (docs/architecture.md, "Rows stay in storage").
import type { Insertable } from 'kysely';
import type { RefreshTokenRow, RefreshTokenTable } from '../../storage/schema.js';

export interface RefreshToken {
  /** SHA-256 of the opaque token; the token itself is never stored. */
  tokenHash: string;
  /** A public handle (introspection's `jti`). */
  id: string;
  sessionId: string;
  clientId: string;
  scopes: string[];
  createdAt: number;
  /** Idle limit (REFRESH_TOKEN_TTL), never past the session's own expiry. */
  expiresAt: number;
  /** Set when rotated: presenting it again is reuse. */
  usedAt: number | null;
  /**
   * RFC 9449 §5: the thumbprint (RFC 7638) of the DPoP key a public client's token is bound to;
   * a refresh needs a proof made with that key. Null when unbound (confidential clients' tokens).
   */
  dpopJkt: string | null;
}

export function refreshTokenFromRow(row: RefreshTokenRow): RefreshToken {
  return {
    tokenHash: row.token_hash,
    id: row.id,
    sessionId: row.session_id,
    clientId: row.client_id,
    scopes: row.scope.split(' ').filter(Boolean),
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
    usedAt: row.used_at === null ? null : Number(row.used_at),
    dpopJkt: row.dpop_jkt,
  };
}

export function refreshTokenToRow(token: RefreshToken): Insertable<RefreshTokenTable> {
  return {
    token_hash: token.tokenHash,
    id: token.id,
    session_id: token.sessionId,
    client_id: token.clientId,
    scope: token.scopes.join(' '),
    created_at: token.createdAt,
    expires_at: token.expiresAt,
    used_at: token.usedAt,
    dpop_jkt: token.dpopJkt,
  };
}
