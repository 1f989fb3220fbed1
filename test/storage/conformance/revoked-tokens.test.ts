// Storage conformance: src/storage/repositories/revoked-tokens.ts on every dialect here.
import test from 'ava';
import { addRevokedToken, RevocationList, purgeExpiredRevocations } from '../../../src/storage/repositories/revoked-tokens.js';
import { DIALECTS } from '../../helpers/env.js';
import { openTestDatabase } from '../../helpers/storage.js';

for (const dialect of DIALECTS) {
  test(`${dialect}: the revocation list is idempotent and purges expired entries`, async (t) => {
    const { db } = await openTestDatabase(t, dialect);
    const now = Date.now();
    await addRevokedToken(db, 'a', now + 60_000, now);
    await addRevokedToken(db, 'a', now + 60_000, now);
    await addRevokedToken(db, 'b', now - 1, now);
    t.true(await new RevocationList(db).isRevoked('a'));
    t.is(await purgeExpiredRevocations(db, now), 1);
    t.false(await new RevocationList(db).isRevoked('b'));
    t.true(await new RevocationList(db).isRevoked('a'));
  });

  test(`${dialect}: revoking twice at once is not an error (RFC 7009 §2.2)`, async (t) => {
    const { db } = await openTestDatabase(t, dialect);
    const now = Date.now();
    await Promise.all(Array.from({ length: 5 }, () => addRevokedToken(db, 'jti', now + 1000, now)));
    t.true(await new RevocationList(db).isRevoked('jti'));
    t.false(await new RevocationList(db).isRevoked('other'));
    t.is(await purgeExpiredRevocations(db, now), 0);
  });
}
