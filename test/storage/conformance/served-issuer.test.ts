// Storage conformance: src/storage/repositories/served-issuer.ts on every dialect here: one row,
// the last server start-up wins (docs/keys.md).
import test from 'ava';
import { readServedIssuer, recordServedIssuer } from '../../../src/storage/repositories/served-issuer.js';
import { DIALECTS } from '../../helpers/env.js';
import { openTestDatabase, T0 } from '../../helpers/storage.js';

for (const dialect of DIALECTS) {
  test(`${dialect}: the served issuer is one row that the last start-up overwrites`, async (t) => {
    const { db } = await openTestDatabase(t, dialect);
    t.is(await readServedIssuer(db), undefined);
    await recordServedIssuer(db, 'https://a.example', T0);
    t.is(await readServedIssuer(db), 'https://a.example');
    await Promise.all([recordServedIssuer(db, 'https://b.example', T0 + 1), recordServedIssuer(db, 'https://b.example', T0 + 1)]);
    t.is(await readServedIssuer(db), 'https://b.example');
    t.deepEqual(await db.selectFrom('served_issuer').selectAll().execute(), [{ id: 1, issuer: 'https://b.example', recorded_at: T0 + 1 }]);
    await t.throwsAsync(db.insertInto('served_issuer').values({ id: 2, issuer: 'x', recorded_at: T0 }).execute(), { any: true }, 'a second row is refused');
  });
}
