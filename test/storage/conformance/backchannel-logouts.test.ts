// Storage conformance: the back-channel logout queue (src/storage/repositories/backchannel-logouts.ts)
// on every dialect here. Every way a session ends queues a notice in the same statement sequence,
// for the sessions that issued ID tokens at clients that listen; claims are leases.
import test from 'ava';
import type { Db } from '../../../src/storage/db.js';
import { claimDueLogouts, deleteLogout, markLogoutFailed, pendingLogouts } from '../../../src/storage/repositories/backchannel-logouts.js';
import { insertClient } from '../../../src/storage/repositories/clients.js';
import { endClientSessions, endSession, endSessionTree, endUserSessions } from '../../../src/storage/repositories/sessions.js';
import { DIALECTS } from '../../helpers/env.js';
import { addSession, addUser, openTestDatabase, T0 } from '../../helpers/storage.js';

async function addClient(db: Db, clientId: string, backchannelLogoutUri: string | null): Promise<void> {
  await insertClient(db, {
    client_id: clientId,
    client_secret_hash: null,
    client_name: clientId,
    grant_types: 'authorization_code',
    redirect_uris: '["https://rp.example/cb"]',
    post_logout_redirect_uris: '[]',
    scope: 'openid',
    token_endpoint_auth_method: 'none',
    access_token_alg: 'ES256',
    id_token_signed_response_alg: 'RS256',
    audience: null,
    first_party: 0,
    created_at: T0,
    updated_at: T0,
    backchannel_logout_uri: backchannelLogoutUri,
  });
}

/** A browser session with app sessions under it: one that listens, one that does not, one without an ID token. */
async function tree(db: Db) {
  const userId = await addUser(db);
  const browser = await addSession(db, userId);
  const listening = await addSession(db, userId, { client_id: 'listens', parent_id: browser, id_token_sid: browser });
  const deaf = await addSession(db, userId, { client_id: 'deaf', parent_id: browser, id_token_sid: browser });
  const noIdToken = await addSession(db, userId, { client_id: 'listens', parent_id: browser, id_token_sid: null });
  return { userId, browser, listening, deaf, noIdToken };
}

for (const dialect of DIALECTS) {
  test(`${dialect}: ending a session tree queues a notice for each session that issued an ID token at a listening client`, async (t) => {
    const { db } = await openTestDatabase(t, dialect);
    await addClient(db, 'listens', 'https://rp.example/logout');
    await addClient(db, 'deaf', null);
    const { userId, browser, listening } = await tree(db);
    t.is(await endSessionTree(db, browser, 'end_session', T0 + 5), 4);
    const pending = await pendingLogouts(db);
    t.is(pending.length, 1);
    t.like(pending[0], { session_id: listening, client_id: 'listens', user_id: userId, sid: browser, attempts: 0, locked_until: null, last_error: null });
    t.is(Number(pending[0]!.next_attempt_at), T0 + 5);
    // A session ends once: ending it again queues nothing more.
    t.false(await endSession(db, listening, 'again', T0 + 6));
    t.is((await pendingLogouts(db)).length, 1);
  });

  test(`${dialect}: logout-all, consent revocation and a single ending queue their notices too; a rolled-back ending queues none`, async (t) => {
    const { db } = await openTestDatabase(t, dialect);
    await addClient(db, 'listens', 'https://rp.example/logout');
    await addClient(db, 'deaf', null);
    const one = await tree(db);
    t.is(await endUserSessions(db, one.userId, 'logout_all', T0), 4);
    t.deepEqual((await pendingLogouts(db)).map((row) => row.session_id), [one.listening]);

    const two = await tree(db);
    t.is(await endClientSessions(db, two.userId, 'listens', 'consent_revoked', T0), 2);
    t.deepEqual(new Set((await pendingLogouts(db)).map((row) => row.session_id)), new Set([one.listening, two.listening]));

    const three = await tree(db);
    await t.throwsAsync(
      db.transaction().execute(async (tx) => {
        await endSession(tx, three.listening, 'logout', T0);
        throw new Error('half-way failure');
      }),
    );
    t.is((await pendingLogouts(db)).length, 2, 'the notice went with the rollback');
    t.true(await endSession(db, three.listening, 'logout', T0));
    t.is((await pendingLogouts(db)).length, 3);
  });

  test(`${dialect}: notices are claimed with a lease, rescheduled on failure, and deleted when done`, async (t) => {
    const { db } = await openTestDatabase(t, dialect);
    await addClient(db, 'listens', 'https://rp.example/logout');
    await addClient(db, 'deaf', null);
    const { browser, listening } = await tree(db);
    await endSessionTree(db, browser, 'end_session', T0);
    t.deepEqual(await claimDueLogouts(db, T0 - 1, 10, 30_000), [], 'not before it is due');
    const [claimed] = await claimDueLogouts(db, T0, 10, 30_000);
    t.is(claimed?.session_id, listening);
    t.is(Number(claimed?.locked_until), T0 + 30_000);
    t.deepEqual(await claimDueLogouts(db, T0 + 29_999, 10, 30_000), [], 'leased: nobody else gets it');
    const [twice] = await Promise.all([claimDueLogouts(db, T0 + 30_000, 10, 30_000), claimDueLogouts(db, T0 + 30_000, 10, 30_000)]);
    t.true((twice?.length ?? 0) <= 1);
    await markLogoutFailed(db, listening, 1, T0 + 100_000, 'connection refused');
    t.like((await pendingLogouts(db))[0], { attempts: 1, locked_until: null, last_error: 'connection refused' });
    t.deepEqual(await claimDueLogouts(db, T0 + 99_999, 10, 30_000), [], 'backing off');
    t.is((await claimDueLogouts(db, T0 + 100_000, 10, 30_000))[0]?.session_id, listening);
    await deleteLogout(db, listening);
    t.deepEqual(await pendingLogouts(db), []);
  });
}
