// The back-channel logout worker (src/domain/sessions/backchannel-logout.ts) on a real database
// with a clock moved by hand and a receiver that always fails: retried with backoff, and after a
// day given up, logged and audited, and gone from the queue.
import test from 'ava';
import { pino } from 'pino';
import type { Client } from '../../../src/domain/clients/client.js';
import { BackchannelLogoutWorker, GIVE_UP_AFTER_MS, logoutRetryDelayMs } from '../../../src/domain/sessions/backchannel-logout.js';
import type { LogoutTokens } from '../../../src/domain/tokens/logout-tokens.js';
import { pendingLogouts } from '../../../src/storage/repositories/backchannel-logouts.js';
import { insertClient } from '../../../src/storage/repositories/clients.js';
import { endSessionTree } from '../../../src/storage/repositories/sessions.js';
import { ManualClock } from '../../helpers/server.js';
import { addSession, addUser, openTestDatabase, T0 } from '../../helpers/storage.js';

test('backoff doubles from 2 s and stays at an hour', (t) => {
  t.is(logoutRetryDelayMs(1), 2_000);
  t.is(logoutRetryDelayMs(2), 4_000);
  t.is(logoutRetryDelayMs(11), 2_048_000);
  t.is(logoutRetryDelayMs(12), 3_600_000);
  t.is(logoutRetryDelayMs(1_000), 3_600_000);
});

test('a receiver that keeps failing is retried with backoff, then given up after a day, logged and audited', async (t) => {
  const { db } = await openTestDatabase(t, 'sqlite');
  const clock = new ManualClock(T0);
  await insertClient(db, {
    client_id: 'rp', client_secret_hash: null, client_name: 'rp', grant_types: 'authorization_code', redirect_uris: '["https://rp.example/cb"]',
    post_logout_redirect_uris: '[]', scope: 'openid', token_endpoint_auth_method: 'none', access_token_alg: 'ES256', id_token_signed_response_alg: 'RS256',
    audience: null, first_party: 0, created_at: T0, updated_at: T0, backchannel_logout_uri: 'https://rp.example/logout',
  });
  const userId = await addUser(db);
  const browser = await addSession(db, userId);
  await addSession(db, userId, { client_id: 'rp', parent_id: browser, id_token_sid: browser });
  await endSessionTree(db, browser, 'end_session', T0);

  const calls: string[] = [];
  const lines: Array<Record<string, unknown>> = [];
  const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  const client = { clientId: 'rp', idTokenAlg: 'RS256', backchannelLogoutUri: 'https://rp.example/logout' } as Client;
  const tokens = { issue: () => 'a.logout.token' } as unknown as LogoutTokens;
  const failing = (async (url: string | URL | Request, init?: RequestInit) => {
    calls.push(`${String(url)} ${String(init?.body)}`);
    return new Response('nope', { status: 503 });
  }) as typeof fetch;
  const worker = new BackchannelLogoutWorker(db, async (id) => (id === 'rp' ? client : undefined), tokens, clock, log, { fetchImpl: failing });

  t.is(await worker.drain(), 0);
  t.deepEqual(calls, ['https://rp.example/logout logout_token=a.logout.token']);
  t.like((await pendingLogouts(db))[0], { attempts: 1, last_error: 'backchannel_logout_uri answered 503' });
  t.is(Number((await pendingLogouts(db))[0]!.next_attempt_at), T0 + 2_000);
  t.is(await worker.drain(), 0);
  t.is(calls.length, 1, 'not again before the backoff has passed');
  clock.advance(2_000);
  await worker.drain();
  t.is(calls.length, 2);
  t.is((await pendingLogouts(db))[0]!.attempts, 2);

  clock.advance(GIVE_UP_AFTER_MS);
  await worker.drain();
  t.is(calls.length, 3);
  t.deepEqual(await pendingLogouts(db), [], 'given up');
  const [abandoned] = await db.selectFrom('audit_log').selectAll().where('event', '=', 'backchannel_logout.abandoned').execute();
  t.is(abandoned?.user_id, userId);
  t.like(JSON.parse(abandoned!.detail), { client_id: 'rp', attempts: 3 });
  t.true(lines.some((line) => line.level === 50 && line.msg === 'back-channel logout given up'));
});
