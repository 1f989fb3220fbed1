// Storage conformance: src/storage/repositories/oidc.ts on every dialect here: interactions,
// authorization codes (spent once: RFC 6749 §4.1.2) and the consents users gave to clients.
import test from 'ava';
import {
  deleteClientConsent,
  deleteInteraction,
  findClientConsent,
  findCode,
  findInteraction,
  insertCode,
  insertInteraction,
  listClientConsents,
  purgeExpiredBrowserFlow,
  recordCodeSession,
  saveClientConsent,
  spendCode,
  updateInteraction,
} from '../../../src/storage/repositories/oidc.js';
import type { Db } from '../../../src/storage/db.js';
import { DIALECTS } from '../../helpers/env.js';
import { addUser, openTestDatabase, T0 } from '../../helpers/storage.js';

async function addCode(db: Db, userId: string, codeHash: string, expiresAt = T0 + 60_000) {
  await insertCode(db, { code_hash: codeHash, client_id: 'rp', user_id: userId, browser_session_id: 'browser', redirect_uri: 'https://rp.example/cb', scope: 'openid', nonce: null, code_challenge: 'challenge', created_at: T0, expires_at: expiresAt, used_at: null, issued_session_id: null });
}

async function addInteraction(db: Db, id: string, expiresAt = T0 + 600_000) {
  await insertInteraction(db, { id, csrf_hash: 'csrf', client_id: 'rp', params: '{"scope":"openid"}', user_id: null, step: 'login', attempts: 0, created_at: T0, expires_at: expiresAt });
}

for (const dialect of DIALECTS) {
  test(`${dialect}: interactions are inserted, updated and deleted once`, async (t) => {
    const { db } = await openTestDatabase(t, dialect);
    const user = await addUser(db);
    await addInteraction(db, 'i-1');
    t.like(await findInteraction(db, 'i-1'), { client_id: 'rp', step: 'login', user_id: null, params: '{"scope":"openid"}' });
    await updateInteraction(db, 'i-1', { step: 'consent', user_id: user, attempts: 1 });
    t.like(await findInteraction(db, 'i-1'), { step: 'consent', user_id: user, attempts: 1 });
    t.true(await deleteInteraction(db, 'i-1'));
    t.false(await deleteInteraction(db, 'i-1'));
    t.is(await findInteraction(db, 'i-1'), undefined);
  });

  test(`${dialect}: an authorization code is spent once only, also under parallel redemptions`, async (t) => {
    const { db } = await openTestDatabase(t, dialect);
    const user = await addUser(db);
    await addCode(db, user, 'code-1');
    t.like(await findCode(db, 'code-1'), { client_id: 'rp', user_id: user, used_at: null, issued_session_id: null });
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => spendCode(db, 'code-1', T0 + i)));
    t.is(results.filter(Boolean).length, 1);
    t.false(await spendCode(db, 'code-1', T0 + 100));
    t.false(await spendCode(db, 'unknown', T0));
    await recordCodeSession(db, 'code-1', 'session-1');
    t.is((await findCode(db, 'code-1'))?.issued_session_id, 'session-1', 'a replay can find the session to end');
  });

  test(`${dialect}: client consents upsert per user and client`, async (t) => {
    const { db } = await openTestDatabase(t, dialect);
    const user = await addUser(db);
    const other = await addUser(db);
    await saveClientConsent(db, user, 'rp-a', 'openid', T0);
    await saveClientConsent(db, user, 'rp-b', 'openid email', T0 + 1);
    await saveClientConsent(db, user, 'rp-a', 'openid profile', T0 + 2);
    await saveClientConsent(db, other, 'rp-a', 'openid', T0);
    t.like(await findClientConsent(db, user, 'rp-a'), { scope: 'openid profile', granted_at: T0 + 2 });
    t.deepEqual((await listClientConsents(db, user)).map((c) => c.client_id), ['rp-a', 'rp-b'], 'newest first');
    t.true(await deleteClientConsent(db, user, 'rp-a'));
    t.false(await deleteClientConsent(db, user, 'rp-a'));
    t.is(await findClientConsent(db, user, 'rp-a'), undefined);
    t.truthy(await findClientConsent(db, other, 'rp-a'), 'another user\'s consent stays');
  });

  test(`${dialect}: the purge drops expired interactions, and codes an hour after they expired`, async (t) => {
    const { db } = await openTestDatabase(t, dialect);
    const user = await addUser(db);
    const now = T0 + 10 * 3_600_000;
    await addInteraction(db, 'expired', now);
    await addInteraction(db, 'live', now + 1);
    await addCode(db, user, 'long-gone', now - 3_600_000);
    await addCode(db, user, 'recently-expired', now - 3_599_999);
    await purgeExpiredBrowserFlow(db, now);
    t.is(await findInteraction(db, 'expired'), undefined);
    t.truthy(await findInteraction(db, 'live'));
    t.is(await findCode(db, 'long-gone'), undefined);
    t.truthy(await findCode(db, 'recently-expired'), 'kept so that a late replay is recognised');
  });
}
