// Storage conformance: src/storage/repositories/passkeys.ts on every dialect here: one user handle
// per account, credential ids unique across accounts, a counter recorded only from the value read,
// a ceremony spent once, and everything of a deleted user gone with it.
import test from 'ava';
import {
  deletePasskey,
  deleteUserPasskeys,
  ensureUserHandle,
  findCeremony,
  findPasskeyByCredentialId,
  findUserIdByHandle,
  insertCeremony,
  insertPasskey,
  listPasskeys,
  purgeExpiredCeremonies,
  recordPasskeyUse,
  renamePasskey,
  spendCeremony,
} from '../../../src/storage/repositories/passkeys.js';
import { deleteUser } from '../../../src/storage/repositories/users.js';
import { DIALECTS } from '../../helpers/env.js';
import { addUser, openTestDatabase, T0 } from '../../helpers/storage.js';

const passkey = (id: string, userId: string, credentialId: string) => ({
  id,
  user_id: userId,
  credential_id: credentialId,
  public_key: 'pk',
  sign_count: 0,
  transports: 'internal hybrid',
  name: id,
  device_type: 'singleDevice',
  backed_up: 0,
  created_at: T0,
  last_used_at: null,
});

for (const dialect of DIALECTS) {
  test(`${dialect}: a user keeps one handle; credential ids are unique; a use is recorded from the counter read`, async (t) => {
    const { db } = await openTestDatabase(t, dialect);
    const user = await addUser(db);
    const other = await addUser(db);
    t.is(await ensureUserHandle(db, user, 'h1', T0), 'h1');
    t.is(await ensureUserHandle(db, user, 'h2', T0), 'h1', 'the first handle stays');
    t.is(await findUserIdByHandle(db, 'h1'), user);
    await t.throwsAsync(ensureUserHandle(db, other, 'h1', T0), { any: true }, 'a handle belongs to one account');

    await insertPasskey(db, passkey('p1', user, 'cred-1'));
    await insertPasskey(db, passkey('p2', user, 'cred-2'));
    await t.throwsAsync(insertPasskey(db, passkey('p3', other, 'cred-1')), { any: true }, 'a credential id is registered once');
    t.deepEqual((await listPasskeys(db, user)).map((row) => row.id), ['p1', 'p2']);
    t.true(await renamePasskey(db, user, 'p1', 'Laptop'));
    t.false(await renamePasskey(db, other, 'p1', 'Mine'), 'not another person’s');

    const uses = await Promise.all([
      recordPasskeyUse(db, 'p1', 0, { signCount: 5, backedUp: true, deviceType: 'multiDevice', now: T0 + 1 }),
      recordPasskeyUse(db, 'p1', 0, { signCount: 5, backedUp: true, deviceType: 'multiDevice', now: T0 + 1 }),
    ]);
    t.is(uses.filter(Boolean).length, 1, 'two assertions with the same counter: one wins');
    t.like(await findPasskeyByCredentialId(db, 'cred-1'), { name: 'Laptop', backed_up: 1, device_type: 'multiDevice', last_used_at: T0 + 1 });
    t.is(Number((await findPasskeyByCredentialId(db, 'cred-1'))!.sign_count), 5);

    t.false(await deletePasskey(db, other, 'p1'));
    t.true(await deletePasskey(db, user, 'p1'));
    t.is(await deleteUserPasskeys(db, user), 1);
    await insertPasskey(db, passkey('p4', user, 'cred-4'));
    await deleteUser(db, user);
    t.is(await findPasskeyByCredentialId(db, 'cred-4'), undefined, 'gone with the account');
    t.is(await findUserIdByHandle(db, 'h1'), undefined);
  });

  test(`${dialect}: a ceremony is spent once and purged after it expires`, async (t) => {
    const { db } = await openTestDatabase(t, dialect);
    const user = await addUser(db);
    await insertCeremony(db, { id: 'c1', purpose: 'register', challenge_hash: 'h', binding: 'browser:s', user_id: user, created_at: T0, expires_at: T0 + 300_000, used_at: null });
    await insertCeremony(db, { id: 'c2', purpose: 'sign_in', challenge_hash: 'h', binding: 'api:tessera', user_id: null, created_at: T0, expires_at: T0 + 1, used_at: null });
    const spends = await Promise.all([spendCeremony(db, 'c1', T0 + 1), spendCeremony(db, 'c1', T0 + 1)]);
    t.is(spends.filter(Boolean).length, 1);
    t.like(await findCeremony(db, 'c1'), { purpose: 'register', binding: 'browser:s', user_id: user });
    t.is(await purgeExpiredCeremonies(db, T0 + 1), 1);
    t.is(await findCeremony(db, 'c2'), undefined);
  });
}
