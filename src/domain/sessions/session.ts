// Sessions as the domain sees them: camelCase, numbers for times (PostgreSQL hands BIGINT columns
// back as strings), booleans for flags and a list for the authentication methods (RFC 8176). Rows
// are mapped here, once, so that nothing above the domain depends on the table's spelling.
import type { Insertable } from 'kysely';
import type { SessionRow, SessionTable } from '../../storage/schema.js';
import type { Role } from '../accounts/user.js';

/** One session: a sign-in of a user at a client, or a browser (single-sign-on) session. */
export interface Session {
  /** The `sid` of its tokens. */
  id: string;
  userId: string;
  clientId: string;
  /** The user's token generation when the session began. */
  tokenGeneration: number;
  /** Authentication methods (RFC 8176 values: `pwd`, `otp`). */
  amr: string[];
  authTime: number;
  createdAt: number;
  lastUsedAt: number;
  /** Absolute limit (SESSION_MAX_TTL). */
  expiresAt: number;
  endedAt: number | null;
  endReason: string | null;
  ip: string | null;
  userAgent: string | null;
  /** For a session started by a code redemption: the browser session it came from. */
  parentId: string | null;
  /**
   * The `sid` of the ID tokens its client got in it (the browser session's id), which the logout
   * token names when it ends (Back-Channel Logout 1.0 §2.4); null when it issued no ID token.
   */
  idTokenSid?: string | null;
}

/** What decides whether a session's tokens are alive: the session, its user and its parent. */
export interface SessionState {
  sessionId: string;
  userId: string;
  clientId: string;
  sessionGeneration: number;
  userGeneration: number;
  expiresAt: number;
  endedAt: number | null;
  userDisabled: boolean;
  role: Role;
  amr: string[];
  authTime: number;
  parentId: string | null;
  parentEndedAt: number | null;
  parentExpiresAt: number | null;
}

/** The row of findSessionWithUser (storage/repositories/sessions.ts). */
export interface SessionStateRow {
  session_id: string;
  user_id: string;
  client_id: string;
  session_generation: number;
  user_generation: number;
  expires_at: number;
  ended_at: number | null;
  disabled: number;
  role: Role;
  amr: string;
  auth_time: number;
  parent_id: string | null;
  parent_ended_at: number | null;
  parent_expires_at: number | null;
}

const numberOrNull = (value: number | null): number | null => (value === null ? null : Number(value));

/** The stored space-separated amr as a list (an empty string is no method at all). */
export const amrList = (text: string): string[] => text.split(' ').filter(Boolean);

export function sessionFromRow(row: SessionRow): Session {
  return {
    id: row.id,
    userId: row.user_id,
    clientId: row.client_id,
    tokenGeneration: Number(row.token_generation),
    amr: amrList(row.amr),
    authTime: Number(row.auth_time),
    createdAt: Number(row.created_at),
    lastUsedAt: Number(row.last_used_at),
    expiresAt: Number(row.expires_at),
    endedAt: numberOrNull(row.ended_at),
    endReason: row.end_reason,
    ip: row.ip,
    userAgent: row.user_agent,
    parentId: row.parent_id,
    idTokenSid: row.id_token_sid,
  };
}

/**
 * The row of a new session; `browserSecretHash` only for a browser (single-sign-on) session, whose
 * cookie secret is stored as a hash and nowhere else.
 */
export function sessionToRow(session: Session, browserSecretHash: string | null = null): Insertable<SessionTable> {
  return {
    id: session.id,
    user_id: session.userId,
    client_id: session.clientId,
    token_generation: session.tokenGeneration,
    amr: session.amr.join(' '),
    auth_time: session.authTime,
    created_at: session.createdAt,
    last_used_at: session.lastUsedAt,
    expires_at: session.expiresAt,
    ended_at: session.endedAt,
    end_reason: session.endReason,
    ip: session.ip,
    user_agent: session.userAgent,
    parent_id: session.parentId,
    browser_secret_hash: browserSecretHash,
    id_token_sid: session.idTokenSid ?? null,
  };
}

export function sessionStateFromRow(row: SessionStateRow): SessionState {
  return {
    sessionId: row.session_id,
    userId: row.user_id,
    clientId: row.client_id,
    sessionGeneration: Number(row.session_generation),
    userGeneration: Number(row.user_generation),
    expiresAt: Number(row.expires_at),
    endedAt: numberOrNull(row.ended_at),
    userDisabled: Number(row.disabled) !== 0,
    role: row.role,
    amr: amrList(row.amr),
    authTime: Number(row.auth_time),
    parentId: row.parent_id,
    parentEndedAt: numberOrNull(row.parent_ended_at),
    parentExpiresAt: numberOrNull(row.parent_expires_at),
  };
}
