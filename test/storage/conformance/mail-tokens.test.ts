// Storage conformance: src/storage/repositories/mail-tokens.ts on every dialect here: single use,
// voided by a newer token (docs/accounts.md), purged when expired.
import test from 'ava';
import { findMailToken, insertMailToken, purgeExpiredMailTokens, spendMailToken, voidMailTokens } from '../../../src/storage/repositories/mail-tokens.js';
import { DIALECTS } from '../../helpers/env.js';
import { addUser, openTestDatabase, T0 } from '../../helpers/storage.js';

for (const dialect of DIALECTS) {
  test(`${dialect}: a mail token is found by hash and purpose, and spent once`, async (t) => {
    const { db } = await openTestDatabase(t, dialect);
    const user = await addUser(db);
    await insertMailToken(db, { tokenHash: 'th', userId: user, purpose: 'verify_email', email: 'a@example.com', now: T0, expiresAt: T0 + 1000 });
    t.like(await findMailToken(db, 'th', 'verify_email'), { user_id: user, email: 'a@example.com', used_at: null, expires_at: T0 + 1000 });
    t.is(await findMailToken(db, 'th', 'reset_password'), undefined, 'a token is good for its purpose only');
    const results = await Promise.all(Array.from({ length: 5 }, (_, i) => spendMailToken(db, 'th', T0 + i)));
    t.is(results.filter(Boolean).length, 1, 'two clicks racing: one wins');
    t.false(await spendMailToken(db, 'th', T0 + 10));
  });

  test(`${dialect}: voiding spends a user's unused tokens of one purpose`, async (t) => {
    const { db } = await openTestDatabase(t, dialect);
    const user = await addUser(db);
    const other = await addUser(db);
    await insertMailToken(db, { tokenHash: 'r1', userId: user, purpose: 'reset_password', email: 'a@example.com', now: T0, expiresAt: T0 + 1000 });
    await insertMailToken(db, { tokenHash: 'v1', userId: user, purpose: 'verify_email', email: 'a@example.com', now: T0, expiresAt: T0 + 1000 });
    await insertMailToken(db, { tokenHash: 'r2', userId: other, purpose: 'reset_password', email: 'b@example.com', now: T0, expiresAt: T0 + 1000 });
    await voidMailTokens(db, user, 'reset_password', T0 + 5);
    t.is((await findMailToken(db, 'r1', 'reset_password'))?.used_at, T0 + 5);
    t.is((await findMailToken(db, 'v1', 'verify_email'))?.used_at, null);
    t.is((await findMailToken(db, 'r2', 'reset_password'))?.used_at, null);
    t.false(await spendMailToken(db, 'r1', T0 + 6));
  });

  test(`${dialect}: expired tokens are purged`, async (t) => {
    const { db } = await openTestDatabase(t, dialect);
    const user = await addUser(db);
    await insertMailToken(db, { tokenHash: 'old', userId: user, purpose: 'verify_email', email: 'a@example.com', now: T0, expiresAt: T0 + 1000 });
    await insertMailToken(db, { tokenHash: 'new', userId: user, purpose: 'verify_email', email: 'a@example.com', now: T0, expiresAt: T0 + 1001 });
    t.is(await purgeExpiredMailTokens(db, T0 + 1000), 1);
    t.is(await findMailToken(db, 'old', 'verify_email'), undefined);
    t.truthy(await findMailToken(db, 'new', 'verify_email'));
  });
}
