// A device authorization request as the domain sees it (RFC 8628 §3.1–3.5): its device code and
// user code kept only as hashes, the scopes, where the person's decision stands, and the polling
// state. Rows are mapped here, once (docs/architecture.md, "Rows stay in storage").
import type { Insertable, Selectable } from 'kysely';
import type { DeviceCodeTable } from '../../storage/schema.js';

export type DeviceCodeStatus = DeviceCodeTable['status'];

export interface DeviceCode {
  deviceCodeHash: string;
  /** Names the request on the verification pages. */
  id: string;
  userCodeHash: string;
  clientId: string;
  scopes: string[];
  status: DeviceCodeStatus;
  /** The browser that entered the user code (SHA-256 of its CSRF secret); null before. */
  csrfHash: string | null;
  userId: string | null;
  /** The browser session of the approval: the tokens' sessions end with it. */
  browserSessionId: string | null;
  intervalSeconds: number;
  lastPolledAt: number | null;
  createdAt: number;
  expiresAt: number;
  decidedAt: number | null;
  usedAt: number | null;
  issuedSessionId: string | null;
}

export function deviceCodeFromRow(row: Selectable<DeviceCodeTable>): DeviceCode {
  return {
    deviceCodeHash: row.device_code_hash,
    id: row.id,
    userCodeHash: row.user_code_hash,
    clientId: row.client_id,
    scopes: row.scope.split(' ').filter(Boolean),
    status: row.status,
    csrfHash: row.csrf_hash,
    userId: row.user_id,
    browserSessionId: row.browser_session_id,
    intervalSeconds: Number(row.interval_seconds),
    lastPolledAt: row.last_polled_at === null ? null : Number(row.last_polled_at),
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
    decidedAt: row.decided_at === null ? null : Number(row.decided_at),
    usedAt: row.used_at === null ? null : Number(row.used_at),
    issuedSessionId: row.issued_session_id,
  };
}

export function deviceCodeToRow(code: DeviceCode): Insertable<DeviceCodeTable> {
  return {
    device_code_hash: code.deviceCodeHash,
    id: code.id,
    user_code_hash: code.userCodeHash,
    client_id: code.clientId,
    scope: code.scopes.join(' '),
    status: code.status,
    csrf_hash: code.csrfHash,
    user_id: code.userId,
    browser_session_id: code.browserSessionId,
    interval_seconds: code.intervalSeconds,
    last_polled_at: code.lastPolledAt,
    created_at: code.createdAt,
    expires_at: code.expiresAt,
    decided_at: code.decidedAt,
    used_at: code.usedAt,
    issued_session_id: code.issuedSessionId,
  };
}
