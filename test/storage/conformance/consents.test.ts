// Storage conformance: src/storage/repositories/consents.ts on every dialect here: one row per
// consent name, the latest answer.
import test from 'ava';
import { listConsents, recordConsents } from '../../../src/storage/repositories/consents.js';
import { DIALECTS } from '../../helpers/env.js';
import { addUser, openTestDatabase, T0 } from '../../helpers/storage.js';

for (const dialect of DIALECTS) {
  test(`${dialect}: consents are recorded and the latest answer wins`, async (t) => {
    const { db } = await openTestDatabase(t, dialect);
    const user = await addUser(db);
    const other = await addUser(db);
    await recordConsents(db, user, { terms: true, marketing: true }, { version: '1', ip: '192.0.2.1', now: T0 });
    await recordConsents(db, user, { marketing: false }, { version: '2', ip: null, now: T0 + 1 });
    await recordConsents(db, other, { terms: true }, { version: '1', ip: null, now: T0 });
    t.deepEqual(await listConsents(db, user), [
      { name: 'marketing', granted: 0, version: '2', recorded_at: T0 + 1 },
      { name: 'terms', granted: 1, version: '1', recorded_at: T0 },
    ]);
    const row = await db.selectFrom('consents').select('ip').where('user_id', '=', user).where('name', '=', 'marketing').executeTakeFirstOrThrow();
    t.is(row.ip, null, 'the ip of the latest answer');
  });

  test(`${dialect}: nothing to record is a no-op, and a deleted user takes the consents along`, async (t) => {
    const { db } = await openTestDatabase(t, dialect);
    const user = await addUser(db);
    await recordConsents(db, user, {}, { version: '1', ip: null, now: T0 });
    t.deepEqual(await listConsents(db, user), []);
    await recordConsents(db, user, { terms: true }, { version: '1', ip: null, now: T0 });
    await db.deleteFrom('users').where('id', '=', user).execute();
    t.deepEqual(await listConsents(db, user), []);
  });
}
