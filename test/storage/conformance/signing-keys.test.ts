// Storage conformance: src/storage/repositories/signing-keys.ts on every dialect here, directly and
// through the key lifecycle (one transaction under the keys lock per change: docs/decisions.md).
import test from 'ava';
import { systemClock } from '../../../src/clock.js';
import { openKeys } from '../../../src/crypto/key-bootstrap.js';
import {
  countSigningKeys,
  deleteSigningKey,
  findSigningKey,
  insertSigningKey,
  listSigningKeys,
  listSigningKeysOf,
  resealSigningKey,
  updateSigningKey,
} from '../../../src/storage/repositories/signing-keys.js';
import type { KeyAlg, NewSigningKeyRow } from '../../../src/storage/schema.js';
import { DIALECTS } from '../../helpers/env.js';
import { openTestDatabase, T0 } from '../../helpers/storage.js';

const key = (kid: string, alg: KeyAlg, createdAt: number): NewSigningKeyRow => ({
  kid,
  alg,
  status: 'next',
  public_jwk: '{"kty":"EC"}',
  private_jwk_sealed: 'sealed',
  created_at: createdAt,
  published_at: createdAt + 5000,
  activates_at: null,
  rotation_requested_at: null,
  activated_at: null,
  retired_at: null,
  revoked_at: null,
  expires_at: null,
});

for (const dialect of DIALECTS) {
  test(`${dialect}: key rows are listed by creation then kid, per algorithm, updated and deleted`, async (t) => {
    const { db } = await openTestDatabase(t, dialect);
    t.is(await countSigningKeys(db), 0);
    await insertSigningKey(db, key('k-b', 'ES256', T0));
    await insertSigningKey(db, key('k-a', 'RS256', T0));
    await insertSigningKey(db, key('k-0', 'ES256', T0 + 1));
    t.is(await countSigningKeys(db), 3);
    t.deepEqual((await listSigningKeys(db)).map((r) => r.kid), ['k-a', 'k-b', 'k-0']);
    t.deepEqual((await listSigningKeysOf(db, 'ES256')).map((r) => r.kid), ['k-b', 'k-0']);
    await updateSigningKey(db, 'k-b', { status: 'active', activated_at: T0 + 2, activates_at: T0 + 2 });
    t.like(await findSigningKey(db, 'k-b'), { status: 'active', activated_at: T0 + 2, published_at: T0 + 5000 });
    await deleteSigningKey(db, 'k-b');
    t.is(await findSigningKey(db, 'k-b'), undefined);
    t.is(await countSigningKeys(db), 2);
    await t.throwsAsync(insertSigningKey(db, key('k-a', 'ES256', T0)), { any: true }, 'kids are unique');
    // keys rekey: replaced only while the sealed value is the one it read.
    t.true(await resealSigningKey(db, 'k-a', 'sealed', 'resealed'));
    t.false(await resealSigningKey(db, 'k-a', 'sealed', 'again'));
    t.false(await resealSigningKey(db, 'k-b', 'sealed', 'gone'), 'a deleted key');
    t.is((await findSigningKey(db, 'k-a'))?.private_jwk_sealed, 'resealed');
  });

  test(`${dialect}: first start makes one active and the queued keys per algorithm; a second opener adds none`, async (t) => {
    const { db, config } = await openTestDatabase(t, dialect);
    // Two processes opening the keys at once: the lock lets one create them.
    await Promise.all([openKeys(db, config, systemClock), openKeys(db, config, systemClock)]);
    const rows = await listSigningKeys(db);
    for (const alg of ['ES256', 'RS256']) {
      t.is(rows.filter((r) => r.alg === alg && r.status === 'active').length, 1, alg);
      t.is(rows.filter((r) => r.alg === alg && r.status === 'next').length, 1, alg);
    }
    t.is(rows.length, 4);
  });

  test(`${dialect}: rotate --force and revoke keep one active key per algorithm`, async (t) => {
    const { db, config } = await openTestDatabase(t, dialect);
    const { lifecycle } = await openKeys(db, config, systemClock);
    const before = await listSigningKeys(db);
    const oldActive = before.find((r) => r.alg === 'ES256' && r.status === 'active')!;
    const queued = before.find((r) => r.alg === 'ES256' && r.status === 'next')!;

    const { kids } = await lifecycle.rotate(['ES256'], true);
    t.deepEqual(kids, [queued.kid]);
    let rows = await listSigningKeys(db);
    t.is(rows.find((r) => r.kid === oldActive.kid)!.status, 'retired');
    t.is(rows.find((r) => r.kid === queued.kid)!.status, 'active');
    t.is(rows.filter((r) => r.alg === 'ES256' && r.status === 'next').length, 1, 'the queue is refilled');

    await lifecycle.revoke(queued.kid);
    rows = await listSigningKeys(db);
    t.is(rows.find((r) => r.kid === queued.kid)!.status, 'revoked');
    t.is(rows.filter((r) => r.alg === 'ES256' && r.status === 'active').length, 1);
    t.is(rows.filter((r) => r.alg === 'RS256' && r.status === 'active').length, 1, 'the other algorithm is untouched');
  });
}
