// Reading the audit log (`GET /admin/audit`, docs/accounts.md, The admin API): newest first, filtered by user and
// event, paged by an opaque cursor over (created_at, id) so that pages never skip or repeat rows.
import { decodeCursor, encodeCursor } from '../domain/paging-cursor.js';
import type { Db } from '../storage/db.js';
import { listAudit } from '../storage/repositories/audit.js';
import { auditRecordFromRow, type AuditRecord } from './audit-record.js';

export const DEFAULT_AUDIT_PAGE = 100;
export const MAX_AUDIT_PAGE = 500;

export interface AuditFilter {
  userId?: string;
  event?: string;
  /** Clamped to 1…500; 100 when absent. */
  limit?: number;
  cursor?: string;
}

export interface AuditEventView {
  id: string;
  event: string;
  user_id: string | null;
  actor_id: string | null;
  ip: string | null;
  user_agent: string | null;
  detail: unknown;
  created_at: string;
}

export interface AuditPage {
  events: AuditEventView[];
  next_cursor: string | null;
}

/** The JSON of an event at /admin/audit (docs/accounts.md, The admin API): its names are the API's. */
export const auditEventView = (record: AuditRecord): AuditEventView => ({
  id: record.id,
  event: record.event,
  user_id: record.userId,
  actor_id: record.actorId,
  ip: record.ip,
  user_agent: record.userAgent,
  detail: record.detail,
  created_at: new Date(record.createdAt).toISOString(),
});

export class AuditQuery {
  constructor(private readonly db: Db) {}

  async list(filter: AuditFilter): Promise<AuditPage> {
    const limit = Math.min(Math.max(filter.limit ?? DEFAULT_AUDIT_PAGE, 1), MAX_AUDIT_PAGE);
    const before = filter.cursor ? decodeCursor(filter.cursor) : undefined;
    // One row more than the page: whether there is a next page, without counting.
    const rows = await listAudit(this.db, { userId: filter.userId, event: filter.event, limit: limit + 1, ...(before ? { before } : {}) });
    const page = rows.slice(0, limit).map(auditRecordFromRow);
    const last = page.at(-1);
    return {
      events: page.map(auditEventView),
      next_cursor: rows.length > limit && last ? encodeCursor(last) : null,
    };
  }
}
