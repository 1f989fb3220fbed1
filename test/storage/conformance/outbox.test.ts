// Storage conformance: src/storage/repositories/outbox.ts on every dialect here: claims are leases
// that two workers never share, and that expire when a worker dies (docs/decisions.md, Storage and background work).
import test from 'ava';
import { claimDueMessages, insertOutboxMessage, markFailed, markSent } from '../../../src/storage/repositories/outbox.js';
import type { Db } from '../../../src/storage/db.js';
import { DIALECTS } from '../../helpers/env.js';
import { openTestDatabase, T0 } from '../../helpers/storage.js';

const message = (n: number) => ({ to: `to${n}@example.com`, subject: `Subject ${n}`, text: `token-${n}`, html: `<p>token-${n}</p>` });
const outbox = (db: Db) => db.selectFrom('outbox').selectAll().orderBy('created_at').execute();

for (const dialect of DIALECTS) {
  test(`${dialect}: a message is inserted due at once, and claimed with a lease`, async (t) => {
    const { db } = await openTestDatabase(t, dialect);
    const id = await insertOutboxMessage(db, message(1), T0);
    t.like((await outbox(db))[0], { id, to_address: 'to1@example.com', subject: 'Subject 1', text_body: 'token-1', attempts: 0, next_attempt_at: T0, locked_until: null, sent_at: null });
    t.deepEqual(await claimDueMessages(db, T0 - 1, 10, 30_000), [], 'not before it is due');
    const [claimed] = await claimDueMessages(db, T0, 10, 30_000);
    t.is(claimed?.id, id);
    t.is(claimed?.locked_until, T0 + 30_000);
    t.deepEqual(await claimDueMessages(db, T0 + 29_999, 10, 30_000), [], 'leased: nobody else gets it');
    t.is((await claimDueMessages(db, T0 + 30_000, 10, 30_000))[0]?.id, id, 'the lease expired: the worker died; another takes it');
  });

  test(`${dialect}: two claimers never get the same message`, async (t) => {
    const { db } = await openTestDatabase(t, dialect);
    for (let n = 0; n < 20; n += 1) await insertOutboxMessage(db, message(n), T0 + n);
    const [a, b, c] = await Promise.all([claimDueMessages(db, T0 + 100, 20, 30_000), claimDueMessages(db, T0 + 100, 20, 30_000), claimDueMessages(db, T0 + 100, 20, 30_000)]);
    const ids = [...a!, ...b!, ...c!].map((row) => row.id);
    t.is(ids.length, 20, 'every message claimed');
    t.is(new Set(ids).size, 20, 'none claimed twice');
  });

  test(`${dialect}: claims come oldest due first, up to the limit`, async (t) => {
    const { db } = await openTestDatabase(t, dialect);
    const late = await insertOutboxMessage(db, message(1), T0 + 10);
    const early = await insertOutboxMessage(db, message(2), T0);
    await insertOutboxMessage(db, message(3), T0 + 20);
    t.deepEqual((await claimDueMessages(db, T0 + 100, 2, 1000)).map((row) => row.id), [early, late]);
  });

  test(`${dialect}: sent messages are never claimed again and lose their bodies`, async (t) => {
    const { db } = await openTestDatabase(t, dialect);
    const id = await insertOutboxMessage(db, message(1), T0);
    await claimDueMessages(db, T0, 10, 1000);
    await markSent(db, id, T0 + 5);
    t.like((await outbox(db))[0], { sent_at: T0 + 5, attempts: 1, locked_until: null, last_error: null, text_body: '', html_body: '' });
    t.deepEqual(await claimDueMessages(db, T0 + 10_000, 10, 1000), []);
  });

  test(`${dialect}: a failure reschedules, releases the lease, and keeps a bounded error`, async (t) => {
    const { db } = await openTestDatabase(t, dialect);
    const id = await insertOutboxMessage(db, message(1), T0);
    await claimDueMessages(db, T0, 10, 60_000);
    await markFailed(db, id, 1, T0 + 5_000, `550 ${'x'.repeat(1000)}`);
    const row = (await outbox(db))[0]!;
    t.like(row, { attempts: 1, next_attempt_at: T0 + 5_000, locked_until: null, sent_at: null });
    t.is(row.last_error?.length, 500, 'cut to the column width (PostgreSQL would refuse more)');
    t.deepEqual(await claimDueMessages(db, T0 + 4_999, 10, 1000), []);
    t.is((await claimDueMessages(db, T0 + 5_000, 10, 1000))[0]?.id, id);
  });
}
