// A key retired or revoked by a rotation stays published until the longest token lifetime after
// other instances can learn of it, counted from the end of the rotation's work, not its start:
// making the replacement keys inside the transaction can take a second under load, and other
// instances go on signing with the old key until they see the commit (docs/decisions.md).
import test from 'ava';
import { loadConfig } from '../../src/config/config.js';
import { openKeys } from '../../src/crypto/key-bootstrap.js';
import { signingKeyFromRow } from '../../src/crypto/signing-key.js';
import { openDatabase } from '../../src/storage/db.js';
import { migrateToLatest } from '../../src/storage/migrate.js';
import { listSigningKeys } from '../../src/storage/repositories/signing-keys.js';
import { tempDir } from '../helpers/env.js';

/** A clock that moves `stepMs` on every reading, as time passes while a rotation makes keys. */
class SlowClock {
  constructor(
    private current: number,
    private readonly stepMs: number,
  ) {}
  now(): number {
    this.current += this.stepMs;
    return this.current;
  }
}

test('the expiry of a retired key counts from the end of the rotation that retired it', async (t) => {
  const dir = tempDir(t);
  const { db } = openDatabase(`sqlite:${dir}/tessera.db`);
  t.teardown(() => db.destroy());
  await migrateToLatest(db);
  const config = loadConfig({ DATABASE_URL: `sqlite:${dir}/tessera.db`, KEYS_DIR: `${dir}/keys` });
  const keys = await openKeys(db, config, new SlowClock(Date.UTC(2026, 0, 1), 250));
  const before = (await listSigningKeys(db)).map(signingKeyFromRow).find((key) => key.alg === 'ES256' && key.status === 'active')!;

  await keys.lifecycle.rotate(['ES256'], true);
  const retired = (await listSigningKeys(db)).map(signingKeyFromRow).find((key) => key.kid === before.kid)!;
  t.is(retired.status, 'retired');
  const lifetime = keys.policy.propagationMs + keys.policy.maxTokenLifetimeMs;
  // The clock moved on every reading during the rotation (a new next key was made after the
  // promotion), so the expiry is later than retirement + lifetime by at least one step.
  t.true(retired.expiresAt! >= retired.retiredAt! + lifetime + 250, `expires ${retired.expiresAt! - retired.retiredAt! - lifetime} ms after retirement + lifetime`);
});
