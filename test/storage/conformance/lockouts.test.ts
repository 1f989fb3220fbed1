// Storage conformance: src/storage/repositories/lockouts.ts on every dialect here.
import test from 'ava';
import { clearLockout, countFailure, findLockout, lock, purgeStaleLockouts } from '../../../src/storage/repositories/lockouts.js';
import { DIALECTS } from '../../helpers/env.js';
import { openTestDatabase, T0 } from '../../helpers/storage.js';

for (const dialect of DIALECTS) {
  test(`${dialect}: countFailure upserts and counts, also in parallel`, async (t) => {
    const { db } = await openTestDatabase(t, dialect);
    t.is(await findLockout(db, 'subject-a'), undefined);
    t.is(await countFailure(db, 'subject-a', T0), 1, 'the first failure inserts');
    t.is(await countFailure(db, 'subject-a', T0 + 1), 2, 'later ones add');
    const counts = await Promise.all(Array.from({ length: 8 }, (_, i) => countFailure(db, 'subject-b', T0 + i)));
    t.deepEqual([...counts].sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7, 8], 'no failure lost or counted twice');
    t.like(await findLockout(db, 'subject-a'), { failed_attempts: 2, locked_until: null, updated_at: T0 + 1 });
  });

  test(`${dialect}: lock resets the count; clear deletes once`, async (t) => {
    const { db } = await openTestDatabase(t, dialect);
    await countFailure(db, 'subject', T0);
    await lock(db, 'subject', T0 + 900_000, T0 + 1);
    t.like(await findLockout(db, 'subject'), { failed_attempts: 0, locked_until: T0 + 900_000, updated_at: T0 + 1 });
    t.is(await countFailure(db, 'subject', T0 + 2), 1, 'counting starts again after a lock');
    t.true(await clearLockout(db, 'subject'));
    t.false(await clearLockout(db, 'subject'));
    t.is(await findLockout(db, 'subject'), undefined);
  });

  test(`${dialect}: the purge keeps fresh counters and running locks`, async (t) => {
    const { db } = await openTestDatabase(t, dialect);
    await countFailure(db, 'stale', T0);
    await countFailure(db, 'fresh', T0 + 1000);
    await countFailure(db, 'stale-but-locked', T0);
    await lock(db, 'stale-but-locked', T0 + 5000, T0);
    await countFailure(db, 'stale-lock-over', T0);
    await lock(db, 'stale-lock-over', T0 + 500, T0);
    await purgeStaleLockouts(db, T0 + 1000);
    t.is(await findLockout(db, 'stale'), undefined);
    t.is(await findLockout(db, 'stale-lock-over'), undefined);
    t.truthy(await findLockout(db, 'fresh'));
    t.truthy(await findLockout(db, 'stale-but-locked'));
  });
}
