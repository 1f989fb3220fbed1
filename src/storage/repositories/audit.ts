// The audit log: append-only rows, read by /admin/audit.
import type { Insertable } from 'kysely';
import type { DbOrTx } from '../db.js';
import type { AuditLogTable, AuditRow } from '../schema.js';

export async function insertAudit(db: DbOrTx, row: Insertable<AuditLogTable>): Promise<void> {
  await db.insertInto('audit_log').values(row).execute();
}

export interface AuditQuery {
  userId?: string;
  event?: string;
  limit: number;
  /** Newest first; the page starts before this row. */
  before?: { createdAt: number; id: string };
}

export async function listAudit(db: DbOrTx, query: AuditQuery): Promise<AuditRow[]> {
  let select = db.selectFrom('audit_log').selectAll();
  if (query.userId) select = select.where('user_id', '=', query.userId);
  if (query.event) select = select.where('event', '=', query.event);
  if (query.before) {
    const { createdAt, id } = query.before;
    select = select.where((eb) => eb.or([eb('created_at', '<', createdAt), eb.and([eb('created_at', '=', createdAt), eb('id', '<', id)])]));
  }
  return select.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(query.limit).execute();
}

/** Account deletion keeps the events but not the person (docs/accounts.md: without personal data). */
export async function anonymiseAudit(db: DbOrTx, userId: string): Promise<void> {
  await db.updateTable('audit_log').set({ ip: null, user_agent: null }).where('user_id', '=', userId).execute();
}
