// Storage conformance (Dex storage/conformance style): src/storage/repositories/sessions.ts on every
// dialect here, SQLite always and PostgreSQL when TEST_DATABASE_URL is set.
import test from 'ava';
import {
  endSession,
  endSessionTree,
  endUserSessions,
  findBrowserSession,
  findRefreshToken,
  findSession,
  findSessionWithUser,
  insertRefreshToken,
  listLiveSessions,
  markRefreshTokenUsed,
  purgeExpiredSessions,
  touchSession,
  updateSessionAuthTime,
} from '../../../src/storage/repositories/sessions.js';
import { bumpTokenGeneration } from '../../../src/storage/repositories/users.js';
import type { Db } from '../../../src/storage/db.js';
import { DIALECTS } from '../../helpers/env.js';
import { addSession, addUser, openTestDatabase, T0 } from '../../helpers/storage.js';

async function addRefreshToken(db: Db, sessionId: string, tokenHash: string, expiresAt = T0 + 3_600_000) {
  await insertRefreshToken(db, { token_hash: tokenHash, id: `${tokenHash}-id`, session_id: sessionId, client_id: 'tessera', scope: 'openid', created_at: T0, expires_at: expiresAt, used_at: null });
}

for (const dialect of DIALECTS) {
  test(`${dialect}: sessions are found, touched and listed while live`, async (t) => {
    const { db } = await openTestDatabase(t, dialect);
    const user = await addUser(db);
    const older = await addSession(db, user, { created_at: T0 });
    const newer = await addSession(db, user, { created_at: T0 + 1 });
    const expired = await addSession(db, user, { expires_at: T0 + 10 });
    const row = await findSession(db, older);
    t.is(row?.user_id, user);
    t.is(row?.expires_at, T0 + 86_400_000, 'millisecond timestamps come back as numbers');
    t.is(await findSession(db, 'nope'), undefined);
    await touchSession(db, older, T0 + 500);
    t.is((await findSession(db, older))?.last_used_at, T0 + 500);
    t.deepEqual((await listLiveSessions(db, user, T0 + 10)).map((s) => s.id), [newer, older], 'newest first, the expired one left out');
    t.true((await listLiveSessions(db, user, T0)).some((s) => s.id === expired));
  });

  test(`${dialect}: findSessionWithUser joins the user and the parent session`, async (t) => {
    const { db } = await openTestDatabase(t, dialect);
    const user = await addUser(db, { role: 'admin' });
    const parent = await addSession(db, user, { browser_secret_hash: 'secret-hash' });
    const child = await addSession(db, user, { parent_id: parent, client_id: 'rp', amr: 'pwd otp' });
    await bumpTokenGeneration(db, user, T0 + 1);
    const joined = await findSessionWithUser(db, child);
    t.like(joined, { session_id: child, user_id: user, client_id: 'rp', parent_id: parent, parent_ended_at: null, parent_expires_at: T0 + 86_400_000, session_generation: 0, user_generation: 1, disabled: 0, role: 'admin', amr: 'pwd otp' });
    t.like(await findSessionWithUser(db, parent), { parent_id: null, parent_ended_at: null, parent_expires_at: null });
    t.is(await findSessionWithUser(db, 'nope'), undefined);
    t.is((await findBrowserSession(db, 'secret-hash'))?.id, parent);
    t.is(await findBrowserSession(db, 'other'), undefined);
  });

  test(`${dialect}: ending a session happens once; a tree ends with its browser session; a user's all end`, async (t) => {
    const { db } = await openTestDatabase(t, dialect);
    const user = await addUser(db);
    const other = await addUser(db);
    const single = await addSession(db, user);
    t.true(await endSession(db, single, 'logout', T0 + 1));
    t.false(await endSession(db, single, 'logout', T0 + 2), 'already ended');
    t.like(await findSession(db, single), { ended_at: T0 + 1, end_reason: 'logout' });

    const browser = await addSession(db, user);
    await addSession(db, user, { parent_id: browser });
    await addSession(db, user, { parent_id: browser });
    t.is(await endSessionTree(db, browser, 'end_session', T0 + 3), 3);
    t.is(await endSessionTree(db, browser, 'end_session', T0 + 4), 0);

    await addSession(db, user);
    await addSession(db, user);
    const untouched = await addSession(db, other);
    t.is(await endUserSessions(db, user, 'logout_all', T0 + 5), 2);
    t.is((await findSession(db, untouched))?.ended_at, null, 'another user\'s session is untouched');
  });

  test(`${dialect}: a re-authentication moves a live session's auth_time, never an ended one's`, async (t) => {
    const { db } = await openTestDatabase(t, dialect);
    const user = await addUser(db);
    const live = await addSession(db, user, { auth_time: T0 });
    const ended = await addSession(db, user, { auth_time: T0, ended_at: T0 + 1 });
    t.true(await updateSessionAuthTime(db, live, T0 + 600_000));
    t.like(await findSession(db, live), { auth_time: T0 + 600_000, last_used_at: T0 + 600_000 });
    t.false(await updateSessionAuthTime(db, ended, T0 + 600_000));
    t.is((await findSession(db, ended))?.auth_time, T0);
    t.false(await updateSessionAuthTime(db, 'nope', T0));
  });

  test(`${dialect}: refresh-token rotation: markRefreshTokenUsed succeeds once only`, async (t) => {
    const { db } = await openTestDatabase(t, dialect);
    const session = await addSession(db, await addUser(db));
    await addRefreshToken(db, session, 'rt-1');
    t.like(await findRefreshToken(db, 'rt-1'), { session_id: session, used_at: null, scope: 'openid' });
    t.is(await findRefreshToken(db, 'nope'), undefined);
    // Ten parallel refreshes of one token: exactly one wins (on PostgreSQL really in parallel).
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => markRefreshTokenUsed(db, 'rt-1', T0 + i)));
    t.is(results.filter(Boolean).length, 1);
    t.false(await markRefreshTokenUsed(db, 'rt-1', T0 + 100), 'a later replay loses too');
    t.false(await markRefreshTokenUsed(db, 'nope', T0), 'an unknown token is not marked');
    t.not((await findRefreshToken(db, 'rt-1'))?.used_at, null);
  });

  test(`${dialect}: the purge deletes expired sessions, sessions ended over a day ago, and expired refresh tokens`, async (t) => {
    const { db } = await openTestDatabase(t, dialect);
    const user = await addUser(db);
    const now = T0 + 10 * 86_400_000;
    const live = await addSession(db, user, { expires_at: now + 1 });
    const expired = await addSession(db, user, { expires_at: now });
    const endedLongAgo = await addSession(db, user, { expires_at: now + 1, ended_at: now - 86_400_000 });
    const endedRecently = await addSession(db, user, { expires_at: now + 1, ended_at: now - 86_399_999 });
    await addRefreshToken(db, live, 'live-rt', now + 1);
    await addRefreshToken(db, live, 'idle-rt', now);
    await addRefreshToken(db, expired, 'cascaded-rt', now + 1);
    t.is(await purgeExpiredSessions(db, now), 2);
    t.truthy(await findSession(db, live));
    t.truthy(await findSession(db, endedRecently));
    t.is(await findSession(db, expired), undefined);
    t.is(await findSession(db, endedLongAgo), undefined);
    t.truthy(await findRefreshToken(db, 'live-rt'));
    t.is(await findRefreshToken(db, 'idle-rt'), undefined);
    t.is(await findRefreshToken(db, 'cascaded-rt'), undefined, 'refresh tokens go with their session');
  });
}
