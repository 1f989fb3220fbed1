// A full dump of every Tessera table, to show that a refused request changed nothing.
import type { Db } from '../../src/storage/db.js';

const TABLES = [
  'signing_keys', 'clients', 'revoked_tokens', 'sync_state', 'users', 'password_history', 'sessions', 'refresh_tokens',
  'mail_tokens', 'outbox', 'lockouts', 'rate_limits', 'consents', 'audit_log',
] as const;

export async function snapshot(db: Db): Promise<Record<string, unknown[]>> {
  const dump: Record<string, unknown[]> = {};
  for (const table of TABLES) dump[table] = await db.selectFrom(table).selectAll().execute();
  return dump;
}
