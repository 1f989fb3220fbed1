// Storage conformance: src/storage/repositories/account-mails.ts on every dialect here: the rows
// behind the hourly mail quota per account (docs/accounts.md).
import test from 'ava';
import { countAccountMails, insertAccountMail, purgeAccountMails } from '../../../src/storage/repositories/account-mails.js';
import { DIALECTS } from '../../helpers/env.js';
import { openTestDatabase, T0 } from '../../helpers/storage.js';

for (const dialect of DIALECTS) {
  test(`${dialect}: mails are counted per account after a time, and purged`, async (t) => {
    const { db } = await openTestDatabase(t, dialect);
    t.is(await countAccountMails(db, 'u1', 0), 0);
    await insertAccountMail(db, 'u1', 'verify', T0);
    await insertAccountMail(db, 'u1', 'reset', T0 + 10);
    await insertAccountMail(db, 'u1', 'reset', T0 + 20);
    await insertAccountMail(db, 'u2', 'reset', T0 + 20);
    const count = await countAccountMails(db, 'u1', T0);
    t.is(typeof count, 'number');
    t.is(count, 2, 'strictly after `since`');
    t.is(await countAccountMails(db, 'u1', T0 - 1), 3);
    await purgeAccountMails(db, T0 + 10);
    t.is(await countAccountMails(db, 'u1', 0), 1, 'purged up to and including `before`');
    t.is(await countAccountMails(db, 'u2', 0), 1);
  });
}
