// Races between redemptions of one code, and between refreshes of one refresh token, on every
// dialect. SQLite serialises writers, so only PostgreSQL (a pool of 10 connections, the
// redemptions really in parallel) shows a lost race; the loser must act as a replay and revoke
// what the winner got (RFC 6749 §4.1.2; RFC 9700 §4.14).
//
// Left to timing, most losers arrive after the winner committed and take the plain replay path.
// So on PostgreSQL the test also holds the row's lock from a connection of its own until every
// request has read the row and waits for the lock: then all of them lose at the spend, the path
// that used to answer invalid_grant without revoking anything.
import test, { type ExecutionContext } from 'ava';
import * as oidc from 'openid-client';
import pg from 'pg';
import { signUp, startAccountServer } from '../helpers/accounts.js';
import { CookieJar, signInThroughPages } from '../helpers/browserless.js';
import { DIALECTS } from '../helpers/env.js';
import { basic, introspect, postForm } from '../helpers/http.js';
import { registerClient } from '../helpers/server.js';
import { sha256 } from '../../src/crypto/random.js';

const REDIRECT = 'https://app.example.com/callback';
const PARALLEL = 12;

/**
 * Locks one row from a connection of the test's own and releases it once `waiting` requests of
 * the server are blocked on a lock (pg_stat_activity), so they all read the row before any wins.
 */
async function underRowLock<T>(databaseUrl: string, lockSql: string, value: string, waiting: number, run: () => Promise<T>): Promise<T> {
  const holder = new pg.Client({ connectionString: databaseUrl });
  await holder.connect();
  try {
    await holder.query('BEGIN');
    await holder.query(lockSql, [value]);
    const running = run();
    for (let tries = 0; ; tries += 1) {
      const { rows } = await holder.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'");
      if ((rows[0] as { n: number }).n >= waiting || tries > 200) break;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    await holder.query('COMMIT');
    return await running;
  } finally {
    await holder.end();
  }
}

for (const dialect of DIALECTS) {
  async function setUp(t: ExecutionContext) {
    const server = await startAccountServer(t, { dialect });
    const person = await signUp(server);
    const client = await registerClient(server, { redirectUris: [REDIRECT], firstParty: true });
    const resourceServer = await registerClient(server);
    const auth = { authorization: basic(client.client_id, client.client_secret) };
    const verifier = oidc.randomPKCECodeVerifier();
    const url = new URL(`${server.url}/authorize`);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: client.client_id,
      redirect_uri: REDIRECT,
      scope: 'openid email',
      state: oidc.randomState(),
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    }).toString();
    const callback = await signInThroughPages(new CookieJar(), server.url, url.toString(), person);
    const code = callback.searchParams.get('code')!;
    const active = async (token: string) => (await introspect(server.url, resourceServer, token)).active === true;
    return { server, auth, code, verifier, active };
  }

  test(`${dialect}: parallel redemptions of one code: one wins, and the losers revoke what it got`, async (t) => {
    const { server, auth, code, verifier, active } = await setUp(t);
    const responses = await Promise.all(
      Array.from({ length: PARALLEL }, () => postForm(`${server.url}/token`, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier }, auth)),
    );
    const bodies = (await Promise.all(responses.map((response) => response.json()))) as Array<{ access_token?: string; refresh_token?: string; error?: string }>;
    const winners = bodies.filter((body) => body.access_token);
    t.is(winners.length, 1, `exactly one redemption succeeds: ${JSON.stringify(bodies.slice(0, 2))}`);
    t.true(bodies.every((body) => body.access_token || body.error === 'invalid_grant'));
    t.false(await active(winners[0]!.access_token!), "the winner's access token is revoked");
    t.false(await active(winners[0]!.refresh_token!), "the winner's refresh token is revoked");
  });

  test(`${dialect}: parallel refreshes of one token: at most one wins, and the family ends`, async (t) => {
    const { server, auth, code, verifier, active } = await setUp(t);
    const first = (await (await postForm(`${server.url}/token`, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier }, auth)).json()) as { refresh_token: string };
    const responses = await Promise.all(Array.from({ length: PARALLEL }, () => postForm(`${server.url}/token`, { grant_type: 'refresh_token', refresh_token: first.refresh_token }, auth)));
    const bodies = (await Promise.all(responses.map((response) => response.json()))) as Array<{ access_token?: string; refresh_token?: string; error?: string }>;
    const winners = bodies.filter((body) => body.access_token);
    t.true(winners.length <= 1, 'at most one refresh succeeds');
    t.true(bodies.some((body) => body.error === 'invalid_grant'), 'the others are refused');
    for (const winner of winners) {
      t.false(await active(winner.access_token!), "the winner's access token is revoked");
      t.false(await active(winner.refresh_token!), "the winner's refresh token is revoked");
    }
  });

  if (dialect !== 'postgres') continue;

  test('postgres: redemptions that all read the code before any spends it: the losers revoke the winner', async (t) => {
    const { server, auth, code, verifier, active } = await setUp(t);
    // The pool has 10 connections; every one of these requests must hold one while it waits.
    const parallel = 4;
    const responses = await underRowLock(server.config.databaseUrl, 'SELECT 1 FROM authorization_codes WHERE code_hash = $1 FOR UPDATE', sha256(code), parallel, () =>
      Promise.all(Array.from({ length: parallel }, () => postForm(`${server.url}/token`, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier }, auth))),
    );
    const bodies = (await Promise.all(responses.map((response) => response.json()))) as Array<{ access_token?: string; refresh_token?: string; error?: string }>;
    const winners = bodies.filter((body) => body.access_token);
    t.is(winners.length, 1, 'exactly one redemption succeeds');
    t.false(await active(winners[0]!.access_token!), "the winner's access token is revoked");
    t.false(await active(winners[0]!.refresh_token!), "the winner's refresh token is revoked");
  });

  test('postgres: refreshes that all read the token before any spends it: the family ends', async (t) => {
    const { server, auth, code, verifier, active } = await setUp(t);
    const first = (await (await postForm(`${server.url}/token`, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier }, auth)).json()) as { refresh_token: string };
    const parallel = 4;
    const responses = await underRowLock(server.config.databaseUrl, 'SELECT 1 FROM refresh_tokens WHERE token_hash = $1 FOR UPDATE', sha256(first.refresh_token), parallel, () =>
      Promise.all(Array.from({ length: parallel }, () => postForm(`${server.url}/token`, { grant_type: 'refresh_token', refresh_token: first.refresh_token }, auth))),
    );
    const bodies = (await Promise.all(responses.map((response) => response.json()))) as Array<{ access_token?: string; refresh_token?: string; error?: string }>;
    const winners = bodies.filter((body) => body.access_token);
    t.is(winners.length, 1, 'exactly one refresh succeeds');
    t.false(await active(winners[0]!.access_token!), "the winner's access token is revoked");
    t.false(await active(winners[0]!.refresh_token!), "the winner's refresh token is revoked");
  });
}
