// Storage conformance: src/storage/repositories/sync-state.ts on every dialect here: change
// counters that only go up, and whose row lock serialises writers (docs/decisions.md).
import test from 'ava';
import { bumpSyncVersion, readSyncVersions } from '../../../src/storage/repositories/sync-state.js';
import { DIALECTS } from '../../helpers/env.js';
import { openTestDatabase } from '../../helpers/storage.js';

for (const dialect of DIALECTS) {
  test(`${dialect}: counters start at 0 and count every bump, also in parallel transactions`, async (t) => {
    const { db } = await openTestDatabase(t, dialect);
    t.deepEqual(await readSyncVersions(db), { keys: 0, clients: 0 });
    await bumpSyncVersion(db, 'keys');
    await Promise.all(Array.from({ length: 5 }, () => db.transaction().execute((tx) => bumpSyncVersion(tx, 'clients'))));
    t.deepEqual(await readSyncVersions(db), { keys: 1, clients: 5 });
  });

  test(`${dialect}: a bump inside a transaction holds the lock: the second transaction runs after the first commits`, async (t) => {
    const { db } = await openTestDatabase(t, dialect);
    const order: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const first = db.transaction().execute(async (tx) => {
      await bumpSyncVersion(tx, 'keys');
      order.push('first locked');
      await held;
      order.push('first commits');
    });
    while (order.length === 0) await new Promise((resolve) => setImmediate(resolve));
    const second = db.transaction().execute(async (tx) => {
      await bumpSyncVersion(tx, 'keys');
      order.push('second locked');
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    release();
    await Promise.all([first, second]);
    t.deepEqual(order, ['first locked', 'first commits', 'second locked']);
    t.is((await readSyncVersions(db)).keys, 2);
  });
}
