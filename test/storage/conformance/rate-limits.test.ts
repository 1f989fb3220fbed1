// Storage conformance: src/storage/repositories/rate-limits.ts on every dialect here: fixed-window
// counters shared by every instance (docs/decisions.md: limits hold across instances).
import test from 'ava';
import { hitWindow, purgeOldWindows } from '../../../src/storage/repositories/rate-limits.js';
import { DIALECTS } from '../../helpers/env.js';
import { openTestDatabase, T0 } from '../../helpers/storage.js';

for (const dialect of DIALECTS) {
  test(`${dialect}: hitWindow counts within a window and starts over in the next`, async (t) => {
    const { db } = await openTestDatabase(t, dialect);
    t.is(await hitWindow(db, 'ip:1', T0), 1);
    t.is(await hitWindow(db, 'ip:1', T0), 2);
    t.is(await hitWindow(db, 'ip:1', T0), 3);
    t.is(await hitWindow(db, 'ip:2', T0), 1, 'keys count separately');
    t.is(await hitWindow(db, 'ip:1', T0 + 60_000), 1, 'a new window resets the count');
    t.is(await hitWindow(db, 'ip:1', T0 + 60_000), 2);
    const row = await db.selectFrom('rate_limits').selectAll().where('key', '=', 'ip:1').executeTakeFirstOrThrow();
    t.deepEqual(row, { key: 'ip:1', window_start: T0 + 60_000, count: 2 });
  });

  test(`${dialect}: parallel hits are each counted once`, async (t) => {
    const { db } = await openTestDatabase(t, dialect);
    const counts = await Promise.all(Array.from({ length: 12 }, () => hitWindow(db, 'account:x', T0)));
    t.deepEqual([...counts].sort((a, b) => a - b), Array.from({ length: 12 }, (_, i) => i + 1));
  });

  test(`${dialect}: old windows are purged`, async (t) => {
    const { db } = await openTestDatabase(t, dialect);
    await hitWindow(db, 'old', T0);
    await hitWindow(db, 'current', T0 + 60_000);
    await purgeOldWindows(db, T0 + 60_000);
    t.deepEqual((await db.selectFrom('rate_limits').select('key').execute()).map((r) => r.key), ['current']);
  });
}
