// Storage conformance: src/storage/repositories/mfa.ts on every dialect here: backup codes burn
// once, challenges are spent once, a TOTP step is accepted once (RFC 6238 §5.2).
import test from 'ava';
import {
  advanceTotpStep,
  burnBackupCode,
  countChallengeFailure,
  deleteBackupCodes,
  findChallenge,
  insertChallenge,
  listSealedTotpSecrets,
  purgeExpiredChallenges,
  replaceBackupCodes,
  resealTotpSecret,
  spendChallenge,
} from '../../../src/storage/repositories/mfa.js';
import { findUserById } from '../../../src/storage/repositories/users.js';
import { DIALECTS } from '../../helpers/env.js';
import { addUser, openTestDatabase, T0 } from '../../helpers/storage.js';

for (const dialect of DIALECTS) {
  test(`${dialect}: sealed TOTP secrets are listed and replaced only while unchanged (keys rekey)`, async (t) => {
    const { db } = await openTestDatabase(t, dialect);
    const on = await addUser(db, { totp_secret_sealed: 's-old' });
    const pending = await addUser(db, { totp_pending_sealed: 'p-old' });
    await addUser(db);
    t.deepEqual(
      (await listSealedTotpSecrets(db)).map((row) => [row.id, row.totp_secret_sealed, row.totp_pending_sealed]).sort(),
      [[on, 's-old', null], [pending, null, 'p-old']].sort(),
    );
    t.true(await resealTotpSecret(db, on, 'totp_secret_sealed', 's-old', 's-new'));
    t.false(await resealTotpSecret(db, on, 'totp_secret_sealed', 's-old', 's-newer'), 'the value changed meanwhile: left alone');
    t.false(await resealTotpSecret(db, pending, 'totp_secret_sealed', 'p-old', 'x'), 'another column');
    t.true(await resealTotpSecret(db, pending, 'totp_pending_sealed', 'p-old', 'p-new'));
    t.like(await findUserById(db, on), { totp_secret_sealed: 's-new', totp_pending_sealed: null });
    t.like(await findUserById(db, pending), { totp_secret_sealed: null, totp_pending_sealed: 'p-new' });
  });

  test(`${dialect}: backup codes are replaced as a set and burn once`, async (t) => {
    const { db } = await openTestDatabase(t, dialect);
    const user = await addUser(db);
    const other = await addUser(db);
    await replaceBackupCodes(db, user, [{ id: 'c1', hash: 'h1' }, { id: 'c2', hash: 'h2' }], T0);
    await replaceBackupCodes(db, other, [{ id: 'o1', hash: 'h1' }], T0);
    const burns = await Promise.all([burnBackupCode(db, user, 'h1', T0 + 1), burnBackupCode(db, user, 'h1', T0 + 1)]);
    t.deepEqual(burns.filter(Boolean).length, 1, 'a code is used once, also when two sign-ins race');
    t.false(await burnBackupCode(db, user, 'h3', T0 + 1));
    t.true(await burnBackupCode(db, other, 'h1', T0 + 1), 'the same hash of another user is another code');
    await replaceBackupCodes(db, user, [{ id: 'c3', hash: 'h3' }], T0 + 2);
    t.false(await burnBackupCode(db, user, 'h2', T0 + 3), 'replaced codes are gone');
    t.true(await burnBackupCode(db, user, 'h3', T0 + 3));
    await replaceBackupCodes(db, user, [], T0 + 4);
    await replaceBackupCodes(db, other, [{ id: 'o2', hash: 'h9' }], T0 + 4);
    await deleteBackupCodes(db, other);
    t.deepEqual(await db.selectFrom('backup_codes').select('id').execute(), []);
  });

  test(`${dialect}: a challenge counts failures and is spent once`, async (t) => {
    const { db } = await openTestDatabase(t, dialect);
    const user = await addUser(db);
    await insertChallenge(db, { tokenHash: 'ch', userId: user, clientId: 'rp', cookie: true, now: T0, expiresAt: T0 + 300_000 });
    t.like(await findChallenge(db, 'ch'), { user_id: user, client_id: 'rp', cookie: 1, attempts: 0, used_at: null });
    await Promise.all([countChallengeFailure(db, 'ch'), countChallengeFailure(db, 'ch')]);
    t.is((await findChallenge(db, 'ch'))?.attempts, 2);
    const spends = await Promise.all([spendChallenge(db, 'ch', T0 + 1), spendChallenge(db, 'ch', T0 + 2)]);
    t.is(spends.filter(Boolean).length, 1);
    t.false(await spendChallenge(db, 'nope', T0));
  });

  test(`${dialect}: expired challenges are purged`, async (t) => {
    const { db } = await openTestDatabase(t, dialect);
    const user = await addUser(db);
    await insertChallenge(db, { tokenHash: 'old', userId: user, clientId: 'rp', cookie: false, now: T0, expiresAt: T0 + 10 });
    await insertChallenge(db, { tokenHash: 'new', userId: user, clientId: 'rp', cookie: false, now: T0, expiresAt: T0 + 11 });
    await purgeExpiredChallenges(db, T0 + 10);
    t.is(await findChallenge(db, 'old'), undefined);
    t.like(await findChallenge(db, 'new'), { cookie: 0 });
  });

  test(`${dialect}: a TOTP step is accepted once, and never an earlier one`, async (t) => {
    const { db } = await openTestDatabase(t, dialect);
    const user = await addUser(db);
    t.true(await advanceTotpStep(db, user, 1000));
    t.false(await advanceTotpStep(db, user, 1000), 'a replay of the same code');
    t.false(await advanceTotpStep(db, user, 999), 'an earlier step');
    const racing = await Promise.all([advanceTotpStep(db, user, 1001), advanceTotpStep(db, user, 1001)]);
    t.is(racing.filter(Boolean).length, 1);
    t.is((await findUserById(db, user))?.totp_last_step, 1001);
    t.false(await advanceTotpStep(db, 'nobody', 5));
  });
}
