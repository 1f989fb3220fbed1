// An authorization code as the domain sees it (RFC 6749 §4.1.2, RFC 7636 §4.4): stored as a hash,
// bound to its client, redirect URI, PKCE challenge and the browser session it was issued under,
// single use. Rows are mapped here, once (docs/architecture.md, "Rows stay in storage").
import type { Insertable, Selectable } from 'kysely';
import type { AuthorizationCodeTable } from '../../storage/schema.js';

export interface AuthorizationCode {
  /** SHA-256 of the code; the code itself is never stored. */
  codeHash: string;
  clientId: string;
  userId: string;
  /** The browser (single-sign-on) session the code was issued under. */
  browserSessionId: string;
  redirectUri: string;
  scopes: string[];
  nonce: string | null;
  /** The S256 PKCE challenge (RFC 7636 §4.2). */
  codeChallenge: string;
  createdAt: number;
  expiresAt: number;
  usedAt: number | null;
  /** The session its redemption started: a replayed code ends it (RFC 6749 §4.1.2). */
  issuedSessionId: string | null;
}

export function authorizationCodeFromRow(row: Selectable<AuthorizationCodeTable>): AuthorizationCode {
  return {
    codeHash: row.code_hash,
    clientId: row.client_id,
    userId: row.user_id,
    browserSessionId: row.browser_session_id,
    redirectUri: row.redirect_uri,
    scopes: row.scope.split(' ').filter(Boolean),
    nonce: row.nonce,
    codeChallenge: row.code_challenge,
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
    usedAt: row.used_at === null ? null : Number(row.used_at),
    issuedSessionId: row.issued_session_id,
  };
}

export function authorizationCodeToRow(code: AuthorizationCode): Insertable<AuthorizationCodeTable> {
  return {
    code_hash: code.codeHash,
    client_id: code.clientId,
    user_id: code.userId,
    browser_session_id: code.browserSessionId,
    redirect_uri: code.redirectUri,
    scope: code.scopes.join(' '),
    nonce: code.nonce,
    code_challenge: code.codeChallenge,
    created_at: code.createdAt,
    expires_at: code.expiresAt,
    used_at: code.usedAt,
    issued_session_id: code.issuedSessionId,
  };
}
