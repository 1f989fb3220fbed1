// An audit event as stored, read back for /admin/audit: the one place the audit log's columns are
// spelled outside storage (docs/architecture.md, "Rows stay in storage").
import type { Insertable } from 'kysely';
import type { AuditLogTable, AuditRow } from '../storage/schema.js';

export interface AuditRecord {
  id: string;
  event: string;
  userId: string | null;
  actorId: string | null;
  ip: string | null;
  userAgent: string | null;
  /** The event's detail object; never a secret. */
  detail: unknown;
  createdAt: number;
}

export function auditRecordFromRow(row: AuditRow): AuditRecord {
  return {
    id: row.id,
    event: row.event,
    userId: row.user_id,
    actorId: row.actor_id,
    ip: row.ip,
    userAgent: row.user_agent,
    detail: JSON.parse(row.detail) as unknown,
    createdAt: Number(row.created_at),
  };
}

/** The row of a new event; `detail` is already cleaned by `audit`. */
export function auditRecordToRow(record: AuditRecord): Insertable<AuditLogTable> {
  return {
    id: record.id,
    event: record.event,
    user_id: record.userId,
    actor_id: record.actorId,
    ip: record.ip,
    user_agent: record.userAgent,
    detail: JSON.stringify(record.detail),
    created_at: record.createdAt,
  };
}
