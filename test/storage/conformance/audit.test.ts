// Storage conformance: src/storage/repositories/audit.ts on every dialect here: appended rows,
// read newest first in pages, anonymised on account deletion (docs/accounts.md).
import test from 'ava';
import { anonymiseAudit, insertAudit, listAudit } from '../../../src/storage/repositories/audit.js';
import type { Db } from '../../../src/storage/db.js';
import { DIALECTS } from '../../helpers/env.js';
import { openTestDatabase, T0 } from '../../helpers/storage.js';

const add = (db: Db, id: string, createdAt: number, fields: { event?: string; userId?: string | null } = {}) =>
  insertAudit(db, { id, event: fields.event ?? 'login.succeeded', user_id: fields.userId === undefined ? 'u1' : fields.userId, actor_id: 'u1', ip: '192.0.2.1', user_agent: 'ua', detail: '{}', created_at: createdAt });

for (const dialect of DIALECTS) {
  test(`${dialect}: the audit log reads newest first, pages by (time, id), and filters`, async (t) => {
    const { db } = await openTestDatabase(t, dialect);
    await add(db, 'a', T0);
    await add(db, 'b', T0 + 1, { event: 'logout' });
    await add(db, 'c', T0 + 1);
    await add(db, 'd', T0 + 2, { userId: 'u2' });
    await add(db, 'e', T0 + 3, { userId: null, event: 'key.created' });
    t.deepEqual((await listAudit(db, { limit: 10 })).map((r) => r.id), ['e', 'd', 'c', 'b', 'a']);
    const page = await listAudit(db, { limit: 2 });
    const last = page.at(-1)!;
    t.deepEqual((await listAudit(db, { limit: 2, before: { createdAt: last.created_at, id: last.id } })).map((r) => r.id), ['c', 'b'], 'ties on time are broken by id');
    t.deepEqual((await listAudit(db, { limit: 10, userId: 'u1' })).map((r) => r.id), ['c', 'b', 'a']);
    t.deepEqual((await listAudit(db, { limit: 10, event: 'logout' })).map((r) => r.id), ['b']);
    t.deepEqual((await listAudit(db, { limit: 10, userId: 'u1', event: 'login.succeeded' })).map((r) => r.id), ['c', 'a']);
    t.like((await listAudit(db, { limit: 1 }))[0], { user_id: null, detail: '{}', created_at: T0 + 3 });
  });

  test(`${dialect}: anonymising keeps a user's events but not the address or browser`, async (t) => {
    const { db } = await openTestDatabase(t, dialect);
    await add(db, 'a', T0);
    await add(db, 'b', T0 + 1, { userId: 'u2' });
    await anonymiseAudit(db, 'u1');
    const rows = await listAudit(db, { limit: 10 });
    t.like(rows.find((r) => r.id === 'a'), { user_id: 'u1', event: 'login.succeeded', ip: null, user_agent: null });
    t.like(rows.find((r) => r.id === 'b'), { ip: '192.0.2.1', user_agent: 'ua' });
  });
}
