// The cleanup job deletes what can no longer matter, and nothing that still can.
import test from 'ava';
import { cleanupExpired } from '../../src/jobs/cleanup.js';
import { api, login, signUp, startAccountServer } from '../helpers/accounts.js';
import { clientCredentialsToken, revoke } from '../helpers/http.js';
import { ManualClock, registerClient } from '../helpers/server.js';

test('expired revocation entries, sessions, mail tokens and counters are deleted; live ones stay', async (t) => {
  const clock = new ManualClock();
  const server = await startAccountServer(t, { clock, env: { ACCESS_TOKEN_TTL: '15m', REFRESH_TOKEN_TTL: '1h', SESSION_MAX_TTL: '2h', RATE_LIMIT_PER_IP: '100' } });
  const { db } = server.services;
  const client = await registerClient(server);
  await revoke(server.url, client, await clientCredentialsToken(server.url, client));
  const person = await signUp(server);
  const ended = await login(server, person);
  await api(server, 'POST', '/auth/logout', { body: { refresh_token: ended.refresh_token } });
  await api(server, 'POST', '/auth/forgot-password', { body: { email: person.email } });
  const count = async (table: 'revoked_tokens' | 'sessions' | 'mail_tokens' | 'rate_limits') => Number((await db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

  t.like(await cleanupExpired(db, clock), { revocations: 0, sessions: 0, mailTokens: 0 }, 'nothing has expired yet');
  clock.advance(25 * 3600_000); // past the 24 h of the verification link too
  const live = await login(server, person);
  const deleted = await cleanupExpired(db, clock);
  t.is(deleted.revocations, 1, 'the revoked token has expired anyway');
  t.is(deleted.sessions, 1, 'the ended session is past its limit');
  t.true(deleted.mailTokens >= 2, 'verification and reset tokens');
  t.is(await count('revoked_tokens'), 0);
  t.is(await count('sessions'), 1, 'the live session stays');
  t.is((await api(server, 'GET', '/auth/me', { token: live.access_token })).status, 200);
  t.is(await count('rate_limits'), 1, 'only the current window is left');
});
