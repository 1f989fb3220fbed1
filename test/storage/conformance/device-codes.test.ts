// Storage conformance: device authorization requests (device_codes, RFC 8628) on every dialect:
// user codes unique among the kept rows, a decision taken once and only by the bound browser, a
// device code spent once however many polls race, and the cleanup of expired rows.
import test from 'ava';
import type { Insertable } from 'kysely';
import { cleanupExpired } from '../../../src/jobs/cleanup.js';
import {
  bindDeviceCode,
  decideDeviceCode,
  findDeviceCodeByHash,
  findDeviceCodeById,
  findDeviceCodeByUserCode,
  insertDeviceCode,
  purgeExpiredDeviceCodes,
  recordDeviceSession,
  recordPoll,
  spendDeviceCode,
} from '../../../src/storage/repositories/device-codes.js';
import type { DeviceCodeTable } from '../../../src/storage/schema.js';
import { DIALECTS } from '../../helpers/env.js';
import { ManualClock } from '../../helpers/server.js';
import { openTestDatabase, T0 } from '../../helpers/storage.js';

const row = (n: number, fields: Partial<Insertable<DeviceCodeTable>> = {}): Insertable<DeviceCodeTable> => ({
  device_code_hash: `device-${n}`,
  id: `id-${n}`,
  user_code_hash: `user-${n}`,
  client_id: 'cli',
  scope: 'openid email',
  status: 'pending',
  csrf_hash: null,
  user_id: null,
  browser_session_id: null,
  interval_seconds: 5,
  last_polled_at: null,
  created_at: T0,
  expires_at: T0 + 600_000,
  decided_at: null,
  used_at: null,
  issued_session_id: null,
  ...fields,
});

for (const dialect of DIALECTS) {
  test(`${dialect}: a request is stored and found by its device code, user code and id; a taken user code is refused`, async (t) => {
    const { db } = await openTestDatabase(t, dialect);
    t.true(await insertDeviceCode(db, row(1)));
    t.false(await insertDeviceCode(db, row(2, { user_code_hash: 'user-1' })), 'the user code is taken');
    t.true(await insertDeviceCode(db, row(2)));
    t.is((await findDeviceCodeByHash(db, 'device-1'))?.id, 'id-1');
    t.is((await findDeviceCodeByUserCode(db, 'user-2'))?.device_code_hash, 'device-2');
    const found = await findDeviceCodeById(db, 'id-1');
    t.is(found?.scope, 'openid email');
    t.is(Number(found?.interval_seconds), 5);
    t.is(found?.status, 'pending');
    t.is(await findDeviceCodeByHash(db, 'nope'), undefined);
  });

  test(`${dialect}: only the bound browser decides, once, before expiry`, async (t) => {
    const { db } = await openTestDatabase(t, dialect);
    await insertDeviceCode(db, row(1));
    const decision = { status: 'approved' as const, userId: 'u1', browserSessionId: 's1' };
    t.false(await decideDeviceCode(db, 'id-1', 'csrf-a', decision, T0 + 1), 'not bound yet');
    t.true(await bindDeviceCode(db, 'id-1', 'csrf-a', T0 + 1));
    t.false(await decideDeviceCode(db, 'id-1', 'csrf-b', decision, T0 + 2), 'another browser');
    t.false(await decideDeviceCode(db, 'id-1', 'csrf-a', decision, T0 + 600_000), 'expired');
    const racing = await Promise.all(Array.from({ length: 5 }, (_, i) => decideDeviceCode(db, 'id-1', 'csrf-a', { ...decision, status: i % 2 ? 'denied' : 'approved' }, T0 + 3)));
    t.is(racing.filter(Boolean).length, 1);
    t.false(await bindDeviceCode(db, 'id-1', 'csrf-c', T0 + 4), 'a decided request is not bound again');
    const decided = await findDeviceCodeById(db, 'id-1');
    t.is(decided?.csrf_hash, 'csrf-a');
    t.is(Number(decided?.decided_at), T0 + 3);
    t.is(decided?.user_id, 'u1');
  });

  test(`${dialect}: polls are recorded; an approved device code is spent once however many race`, async (t) => {
    const { db } = await openTestDatabase(t, dialect);
    await insertDeviceCode(db, row(1));
    await recordPoll(db, 'device-1', T0 + 10, 10);
    const polled = await findDeviceCodeByHash(db, 'device-1');
    t.is(Number(polled?.last_polled_at), T0 + 10);
    t.is(Number(polled?.interval_seconds), 10);
    t.false(await spendDeviceCode(db, 'device-1', T0 + 11), 'pending: nothing to spend');
    await bindDeviceCode(db, 'id-1', 'c', T0 + 12);
    await decideDeviceCode(db, 'id-1', 'c', { status: 'approved', userId: 'u', browserSessionId: 's' }, T0 + 12);
    const racing = await Promise.all(Array.from({ length: 10 }, () => db.transaction().execute((tx) => spendDeviceCode(tx, 'device-1', T0 + 13))));
    t.is(racing.filter(Boolean).length, 1);
    await recordDeviceSession(db, 'device-1', 'session-1');
    const spent = await findDeviceCodeByHash(db, 'device-1');
    t.is(Number(spent?.used_at), T0 + 13);
    t.is(spent?.issued_session_id, 'session-1');
  });

  test(`${dialect}: the cleanup job deletes requests an hour after they expired, freeing their user codes`, async (t) => {
    const { db } = await openTestDatabase(t, dialect);
    const clock = new ManualClock(T0);
    await insertDeviceCode(db, row(1, { expires_at: T0 + 1000 }));
    await insertDeviceCode(db, row(2, { expires_at: T0 + 3_600_000 }));
    clock.advance(3_601_000);
    await cleanupExpired(db, clock);
    t.deepEqual((await db.selectFrom('device_codes').select('id').execute()).map((r) => r.id), ['id-2']);
    t.true(await insertDeviceCode(db, row(3, { user_code_hash: 'user-1', expires_at: T0 + 7_200_000 })), 'the freed user code may be drawn again');
    t.is(await purgeExpiredDeviceCodes(db, T0 + 3_600_000), 1);
  });
}
