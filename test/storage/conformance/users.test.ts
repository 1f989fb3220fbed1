// Storage conformance: src/storage/repositories/users.ts on every dialect here.
import test from 'ava';
import {
  bumpTokenGeneration,
  deleteUser,
  findUserByEmail,
  findUserById,
  listUsers,
  lockUser,
  pushPasswordHistory,
  recentPasswordHashes,
  updateUser,
} from '../../../src/storage/repositories/users.js';
import { DIALECTS } from '../../helpers/env.js';
import { addSession, addUser, openTestDatabase, T0 } from '../../helpers/storage.js';

for (const dialect of DIALECTS) {
  test(`${dialect}: users are found by id and email, updated, and emails are unique`, async (t) => {
    const { db } = await openTestDatabase(t, dialect);
    const id = await addUser(db, { email: 'ada@example.com' });
    t.like(await findUserById(db, id), { email: 'ada@example.com', role: 'user', token_generation: 0, mfa_enabled: 0, totp_last_step: null });
    t.is((await findUserByEmail(db, 'ada@example.com'))?.id, id);
    t.is(await findUserByEmail(db, 'ADA@example.com'), undefined, 'the repository compares exactly; the domain lower-cases');
    t.true(await updateUser(db, id, { name: 'Ada L.', updated_at: T0 + 1 }));
    t.false(await updateUser(db, 'nope', { name: 'x' }));
    t.like(await findUserById(db, id), { name: 'Ada L.', updated_at: T0 + 1 });
    await t.throwsAsync(addUser(db, { email: 'ada@example.com' }), { any: true }, 'a second account with the address is refused');
  });

  test(`${dialect}: the token generation only goes up; lockUser writes nothing`, async (t) => {
    const { db } = await openTestDatabase(t, dialect);
    const id = await addUser(db);
    await Promise.all([bumpTokenGeneration(db, id, T0 + 1), bumpTokenGeneration(db, id, T0 + 1), bumpTokenGeneration(db, id, T0 + 1)]);
    const before = await findUserById(db, id);
    t.is(before?.token_generation, 3);
    await db.transaction().execute(async (tx) => {
      await lockUser(tx, id);
    });
    t.deepEqual(await findUserById(db, id), before);
  });

  test(`${dialect}: deleting a user deletes what hangs off it`, async (t) => {
    const { db } = await openTestDatabase(t, dialect);
    const id = await addUser(db);
    const session = await addSession(db, id);
    await pushPasswordHistory(db, { id: 'ph-1', userId: id, hash: 'h1', now: T0 }, 5);
    await deleteUser(db, id);
    t.is(await findUserById(db, id), undefined);
    t.is(await db.selectFrom('sessions').select('id').where('id', '=', session).executeTakeFirst(), undefined);
    t.deepEqual(await recentPasswordHashes(db, id, 5), []);
  });

  test(`${dialect}: listUsers pages by creation time then id, and filters by role and email`, async (t) => {
    const { db } = await openTestDatabase(t, dialect);
    const ids = [
      await addUser(db, { id: 'b', created_at: T0 }),
      await addUser(db, { id: 'a', created_at: T0 + 1 }),
      await addUser(db, { id: 'c', created_at: T0 + 1, role: 'admin', email: 'c@example.com' }),
      await addUser(db, { id: 'd', created_at: T0 + 2 }),
    ];
    t.deepEqual(ids, ['b', 'a', 'c', 'd']);
    const first = await listUsers(db, { limit: 2 });
    t.deepEqual(first.map((u) => u.id), ['b', 'a']);
    const last = first.at(-1)!;
    t.deepEqual((await listUsers(db, { limit: 2, after: { createdAt: last.created_at, id: last.id } })).map((u) => u.id), ['c', 'd']);
    t.deepEqual((await listUsers(db, { limit: 10, role: 'admin' })).map((u) => u.id), ['c']);
    t.deepEqual((await listUsers(db, { limit: 10, email: 'c@example.com' })).map((u) => u.id), ['c']);
  });

  test(`${dialect}: the password history keeps the newest few`, async (t) => {
    const { db } = await openTestDatabase(t, dialect);
    const id = await addUser(db);
    for (let n = 1; n <= 5; n += 1) await pushPasswordHistory(db, { id: `ph-${n}`, userId: id, hash: `h${n}`, now: T0 + n }, 3);
    t.deepEqual(await recentPasswordHashes(db, id, 10), ['h5', 'h4', 'h3']);
    t.deepEqual(await recentPasswordHashes(db, id, 2), ['h5', 'h4']);
  });
}
