// Storage conformance: the replay store (src/domain/tokens/replay-guard.ts, used_jtis) and pushed
// authorization requests (pushed_requests) on every dialect here, and the replay store shared by
// two connections pools on one PostgreSQL database, as two instances share it.
import test from 'ava';
import { ReplayGuard } from '../../../src/domain/tokens/replay-guard.js';
import { cleanupExpired } from '../../../src/jobs/cleanup.js';
import { openDatabase } from '../../../src/storage/db.js';
import { insertPushedRequest, purgeExpiredPushedRequests, takePushedRequest } from '../../../src/storage/repositories/pushed-requests.js';
import { purgeExpiredJtis } from '../../../src/storage/repositories/used-jtis.js';
import { DIALECTS, POSTGRES_URL } from '../../helpers/env.js';
import { ManualClock } from '../../helpers/server.js';
import { openTestDatabase, T0 } from '../../helpers/storage.js';

for (const dialect of DIALECTS) {
  test(`${dialect}: a jti is accepted once per namespace until it expires`, async (t) => {
    const { db } = await openTestDatabase(t, dialect);
    const clock = new ManualClock(T0);
    const guard = new ReplayGuard(db, clock);
    t.true(await guard.useOnce('client_assertion:a', 'jti-1', T0 + 60_000));
    t.false(await guard.useOnce('client_assertion:a', 'jti-1', T0 + 60_000), 'replay');
    t.false(await guard.useOnce('client_assertion:a', 'jti-1', T0 + 120_000), 'replay with another exp');
    t.true(await guard.useOnce('client_assertion:b', 'jti-1', T0 + 60_000), 'another client may use the same jti');
    t.true(await guard.useOnce('dpop:a', 'jti-1', T0 + 60_000), 'another namespace');
    t.true(await guard.useOnce('client_assertion:a', 'jti-2', T0 + 60_000));

    // After the JWT expired, its row no longer blocks (it could not be accepted again anyway);
    // the same jti on a new JWT takes the row over, and is single use again.
    clock.advance(60_000);
    t.true(await guard.useOnce('client_assertion:a', 'jti-1', T0 + 180_000));
    t.false(await guard.useOnce('client_assertion:a', 'jti-1', T0 + 180_000));
  });

  test(`${dialect}: jtis of any length and content are stored hashed`, async (t) => {
    const { db } = await openTestDatabase(t, dialect);
    const guard = new ReplayGuard(db, new ManualClock(T0));
    const long = `${'x'.repeat(10_000)}'; drop table used_jtis; --`;
    t.true(await guard.useOnce('dpop:k', long, T0 + 1000));
    t.false(await guard.useOnce('dpop:k', long, T0 + 1000));
    const rows = await db.selectFrom('used_jtis').selectAll().execute();
    t.is(rows.length, 1);
    t.is(rows[0]!.jti_hash.length, 43);
    await t.throwsAsync(guard.useOnce('x'.repeat(201), 'j', T0 + 1000));
  });

  test(`${dialect}: many uses of one jti at once: exactly one wins`, async (t) => {
    const { db } = await openTestDatabase(t, dialect);
    const guard = new ReplayGuard(db, new ManualClock(T0));
    const results = await Promise.all(Array.from({ length: 20 }, () => guard.useOnce('client_assertion:a', 'race', T0 + 60_000)));
    t.is(results.filter(Boolean).length, 1);
  });

  test(`${dialect}: the cleanup job purges expired jtis and pushed requests`, async (t) => {
    const { db } = await openTestDatabase(t, dialect);
    const clock = new ManualClock(T0);
    const guard = new ReplayGuard(db, clock);
    await guard.useOnce('n', 'old', T0 + 1000);
    await guard.useOnce('n', 'new', T0 + 10_000);
    await insertPushedRequest(db, { request_uri_hash: 'old', client_id: 'c', params: '{}', created_at: T0, expires_at: T0 + 1000, used_at: null });
    await insertPushedRequest(db, { request_uri_hash: 'new', client_id: 'c', params: '{}', created_at: T0, expires_at: T0 + 10_000, used_at: null });
    clock.advance(1000);
    await cleanupExpired(db, clock);
    t.deepEqual((await db.selectFrom('used_jtis').select('expires_at').execute()).map((row) => Number(row.expires_at)), [T0 + 10_000]);
    t.deepEqual((await db.selectFrom('pushed_requests').select('request_uri_hash').execute()).map((row) => row.request_uri_hash), ['new']);
    t.is(await purgeExpiredJtis(db, T0 + 10_000), 1);
    t.is(await purgeExpiredPushedRequests(db, T0 + 10_000), 1);
  });

  test(`${dialect}: a pushed request is taken once, by its own client, before it expires`, async (t) => {
    const { db } = await openTestDatabase(t, dialect);
    await insertPushedRequest(db, { request_uri_hash: 'h1', client_id: 'c1', params: '{"a":1}', created_at: T0, expires_at: T0 + 60_000, used_at: null });
    await insertPushedRequest(db, { request_uri_hash: 'h2', client_id: 'c1', params: '{"b":2}', created_at: T0, expires_at: T0 + 60_000, used_at: null });
    t.is(await takePushedRequest(db, 'h1', 'c2', T0 + 1), undefined, 'another client');
    t.is(await takePushedRequest(db, 'h1', 'c1', T0 + 1), '{"a":1}');
    t.is(await takePushedRequest(db, 'h1', 'c1', T0 + 2), undefined, 'used');
    t.is(await takePushedRequest(db, 'h2', 'c1', T0 + 60_000), undefined, 'expired');
    t.is(await takePushedRequest(db, 'nope', 'c1', T0 + 1), undefined, 'unknown');
    const racing = await Promise.all(
      Array.from({ length: 10 }, async (_, i) => {
        if (i === 0) await insertPushedRequest(db, { request_uri_hash: 'h3', client_id: 'c1', params: '{}', created_at: T0, expires_at: T0 + 60_000, used_at: null });
        return takePushedRequest(db, 'h3', 'c1', T0 + 1);
      }),
    );
    t.true(racing.filter((params) => params !== undefined).length <= 1);
    t.is(await takePushedRequest(db, 'h3', 'c1', T0 + 1), undefined);
  });
}

const pgTest = POSTGRES_URL ? test : test.skip;

pgTest('postgres: two instances on one database share replay state', async (t) => {
  const { config } = await openTestDatabase(t, 'postgres');
  const clock = new ManualClock(T0);
  // Two pools, as two server processes would hold: only the database connects them.
  const guards = [openDatabase(config.databaseUrl), openDatabase(config.databaseUrl)].map(({ db }) => {
    t.teardown(() => db.destroy());
    return new ReplayGuard(db, clock);
  });
  t.true(await guards[0]!.useOnce('client_assertion:c', 'shared', T0 + 60_000));
  t.false(await guards[1]!.useOnce('client_assertion:c', 'shared', T0 + 60_000));
  t.true(await guards[1]!.useOnce('dpop:k', 'other', T0 + 60_000));
  t.false(await guards[0]!.useOnce('dpop:k', 'other', T0 + 60_000));
  const racing = await Promise.all(Array.from({ length: 20 }, (_, i) => guards[i % 2]!.useOnce('dpop:k', 'race', T0 + 60_000)));
  t.is(racing.filter(Boolean).length, 1);
});
