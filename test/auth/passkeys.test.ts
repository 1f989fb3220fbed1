// Passkeys through the first-party JSON API (docs/accounts.md, Passkeys), answered by a software
// authenticator (test/helpers/soft-authenticator.ts), so that the answers a browser would never
// send can be sent: another origin or RP id, a challenge of another ceremony or an expired one, a
// replay, a sign count that goes backwards, an authenticator registered already.
import test, { type ExecutionContext } from 'ava';
import { generateKeyPairSync } from 'node:crypto';
import { api, login, signedInAdmin, signUp, startAccountServer, type AccountServer } from '../helpers/accounts.js';
import { ManualClock, TEST_ACTOR } from '../helpers/server.js';
import { waitForMail } from '../helpers/smtp.js';
import { SoftAuthenticator, type Ceremony } from '../helpers/soft-authenticator.js';

interface Options {
  ceremony_id: string;
  options: { challenge: string; rpId?: string; rp?: { id: string }; user?: { id: string }; excludeCredentials?: Array<{ id: string }>; allowCredentials?: unknown };
}

async function setUp(t: ExecutionContext, env: Record<string, string> = {}, clock?: ManualClock) {
  const server = await startAccountServer(t, { env, ...(clock ? { clock } : {}) });
  const person = await signUp(server);
  const { access_token: token } = await login(server, person);
  const origin = new URL(server.config.issuer).origin;
  const rpId = server.config.webauthnRpId;
  return { server, person, token, origin, rpId };
}

/** Registers `soft` for the holder of `token`; returns the user handle the server gave. */
async function register(server: AccountServer, token: string, soft: SoftAuthenticator, at: { origin: string; rpId: string }, name = 'Laptop') {
  const options = await api<Options>(server, 'POST', '/auth/passkeys/register/options', { token });
  if (options.status !== 200) throw new Error(`register options: ${options.status}`);
  const credential = soft.registration({ challenge: options.body.options.challenge, ...at });
  const verified = await api(server, 'POST', '/auth/passkeys/register/verify', { token, body: { ceremony_id: options.body.ceremony_id, credential, name } });
  return { verified, userHandle: options.body.options.user!.id, options: options.body };
}

const signInOptions = async (server: AccountServer) => (await api<Options>(server, 'POST', '/auth/passkeys/sign-in/options', { body: {} })).body;
const signInVerify = (server: AccountServer, ceremonyId: string, credential: unknown) => api(server, 'POST', '/auth/passkeys/sign-in/verify', { body: { ceremony_id: ceremonyId, credential } });
const events = (server: AccountServer, event: string) => server.services.db.selectFrom('audit_log').selectAll().where('event', '=', event).execute();

test('a first-party app adds a passkey with its Bearer token and signs in with it: tokens, amr, audit events and mails', async (t) => {
  const { server, person, token, origin, rpId } = await setUp(t);
  const soft = SoftAuthenticator.create();
  const { verified, userHandle, options } = await register(server, token, soft, { origin, rpId });
  t.is(verified.status, 201, JSON.stringify(verified.body));
  t.like(verified.body, { name: 'Laptop', synced: false, last_used_at: null });
  t.is(options.options.rp?.id, 'localhost');
  t.not(userHandle, Buffer.from(person.id).toString('base64url'), 'the user handle is random, not the user id');
  await waitForMail(server.smtp, person.email, /passkey was added/i);

  const ceremony = await signInOptions(server);
  t.is(ceremony.options.allowCredentials, undefined, 'a discoverable sign-in names no credentials');
  const signedIn = await signInVerify(server, ceremony.ceremony_id, soft.assertion({ challenge: ceremony.options.challenge, origin, rpId }, { userHandle }));
  t.is(signedIn.status, 200, JSON.stringify(signedIn.body));
  t.truthy(signedIn.body.access_token);
  t.truthy(signedIn.body.refresh_token);
  const me = await api(server, 'GET', '/auth/me', { token: signedIn.body.access_token });
  t.is(me.body.id, person.id);
  const logins = await events(server, 'user.login');
  t.is(JSON.parse(logins.at(-1)!.detail).amr, 'hwk mfa');
  t.is((await events(server, 'passkey.used')).length, 1);

  const listed = await api(server, 'GET', '/auth/passkeys', { token });
  t.is(listed.body.passkeys.length, 1);
  const id = listed.body.passkeys[0].id as string;
  t.truthy(listed.body.passkeys[0].last_used_at);
  t.like((await api(server, 'PATCH', `/auth/passkeys/${id}`, { token, body: { name: 'Work laptop' } })).body, { name: 'Work laptop' });
  t.is((await api(server, 'DELETE', `/auth/passkeys/${id}`, { token, body: { password: 'wrong password' } })).status, 401, 'removal needs the current password');
  t.is((await api(server, 'DELETE', `/auth/passkeys/${id}`, { token, body: { password: person.password } })).status, 204);
  await waitForMail(server.smtp, person.email, /passkey was removed/i);
  t.deepEqual((await events(server, 'passkey.added')).map((row) => row.user_id), [person.id]);
  t.deepEqual((await events(server, 'passkey.removed')).map((row) => row.user_id), [person.id]);

  const after = await signInOptions(server);
  const removed = await signInVerify(server, after.ceremony_id, soft.assertion({ challenge: after.options.challenge, origin, rpId }, { userHandle }));
  t.is(removed.status, 401, 'a removed passkey signs nobody in');
  t.is(removed.body.error, 'invalid_passkey');
});

test('an authenticator registered already is refused, also for another account', async (t) => {
  const { server, token, origin, rpId } = await setUp(t);
  const soft = SoftAuthenticator.create();
  t.is((await register(server, token, soft, { origin, rpId })).verified.status, 201);
  const again = await register(server, token, soft, { origin, rpId });
  t.deepEqual(again.options.options.excludeCredentials?.map((c) => c.id), [soft.id], 'the authenticator is told to refuse');
  t.is(again.verified.status, 409);
  const other = await signUp(server);
  const otherToken = (await login(server, other)).access_token;
  t.is((await register(server, otherToken, soft, { origin, rpId })).verified.status, 409);
  t.is((await api(server, 'GET', '/auth/passkeys', { token: otherToken })).body.passkeys.length, 0);
});

test('an assertion for another origin or RP id, or with the challenge of another ceremony, signs nobody in', async (t) => {
  const { server, token, origin, rpId } = await setUp(t);
  const soft = SoftAuthenticator.create();
  const { userHandle } = await register(server, token, soft, { origin, rpId });
  const attempt = async (change: (ceremony: Ceremony, other: Options) => Ceremony, ceremonyIdOf: (own: Options, other: Options) => string = (own) => own.ceremony_id) => {
    const own = await signInOptions(server);
    const other = await signInOptions(server);
    const ceremony = change({ challenge: own.options.challenge, origin, rpId }, other);
    return signInVerify(server, ceremonyIdOf(own, other), soft.assertion(ceremony, { userHandle }));
  };
  const phishing = await attempt((c) => ({ ...c, origin: `http://localhost:${Number(new URL(origin).port) + 1}` }));
  t.is(phishing.status, 401, 'another origin');
  const otherRp = await attempt((c) => ({ ...c, rpId: 'evil.example' }));
  t.is(otherRp.status, 401, 'another RP id');
  const swapped = await attempt((c, other) => ({ ...c, challenge: other.options.challenge }));
  t.is(swapped.status, 401, 'the challenge of another ceremony');
  const crossed = await attempt((c) => c, (_own, other) => other.ceremony_id);
  t.is(crossed.status, 401, 'answered under another ceremony id');
  t.is((await events(server, 'passkey.used')).length, 0);
  t.is((await server.services.db.selectFrom('sessions').select('id').where('amr', 'like', '%hwk%').execute()).length, 0, 'no session began');
  const fine = await attempt((c) => c);
  t.is(fine.status, 200, 'the same authenticator, answering properly, signs in');
});

test('a replayed assertion and a challenge older than 5 minutes are refused', async (t) => {
  const clock = new ManualClock();
  const { server, token, origin, rpId } = await setUp(t, {}, clock);
  const soft = SoftAuthenticator.create();
  const { userHandle } = await register(server, token, soft, { origin, rpId });
  const ceremony = await signInOptions(server);
  const assertion = soft.assertion({ challenge: ceremony.options.challenge, origin, rpId }, { userHandle });
  t.is((await signInVerify(server, ceremony.ceremony_id, assertion)).status, 200);
  const replay = await signInVerify(server, ceremony.ceremony_id, assertion);
  t.is(replay.status, 401);
  t.is(replay.body.error, 'invalid_passkey');

  const old = await signInOptions(server);
  clock.advance(5 * 60_000 + 1);
  const late = await signInVerify(server, old.ceremony_id, soft.assertion({ challenge: old.options.challenge, origin, rpId }, { userHandle }));
  t.is(late.status, 401);
});

test('a sign count that goes backwards is refused, logged and audited, and locks nobody out', async (t) => {
  const { server, person, token, origin, rpId } = await setUp(t, { LOCKOUT_THRESHOLD: '3' });
  const soft = SoftAuthenticator.create();
  const { userHandle } = await register(server, token, soft, { origin, rpId });
  for (let i = 0; i < 2; i += 1) {
    const ceremony = await signInOptions(server);
    t.is((await signInVerify(server, ceremony.ceremony_id, soft.assertion({ challenge: ceremony.options.challenge, origin, rpId }, { userHandle }))).status, 200);
  }
  for (let i = 0; i < 4; i += 1) {
    const ceremony = await signInOptions(server);
    const cloned = await signInVerify(server, ceremony.ceremony_id, soft.assertion({ challenge: ceremony.options.challenge, origin, rpId }, { userHandle, counter: 1 }));
    t.is(cloned.status, 401);
  }
  const suspected = await events(server, 'passkey.clone_suspected');
  t.is(suspected.length, 4);
  t.like(JSON.parse(suspected[0]!.detail), { stored: 2, received: 1 });
  t.true(server.logs.some((line) => line.includes('cloned authenticator')), 'logged');
  const ceremony = await signInOptions(server);
  const next = await signInVerify(server, ceremony.ceremony_id, soft.assertion({ challenge: ceremony.options.challenge, origin, rpId }, { userHandle }));
  t.is(next.status, 200, 'not locked out');
  t.is((await login(server, person)).token_type, 'Bearer');
});

test('failed assertions count toward the lockout like wrong codes; a disabled user’s passkey signs nobody in', async (t) => {
  const { server, person, token, origin, rpId } = await setUp(t, { LOCKOUT_THRESHOLD: '3' });
  const soft = SoftAuthenticator.create();
  const { userHandle } = await register(server, token, soft, { origin, rpId });
  const forged = new SoftAuthenticator(soft.credentialId, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);
  for (let i = 0; i < 3; i += 1) {
    const ceremony = await signInOptions(server);
    t.is((await signInVerify(server, ceremony.ceremony_id, forged.assertion({ challenge: ceremony.options.challenge, origin, rpId }, { userHandle }))).status, 401);
  }
  const ceremony = await signInOptions(server);
  const locked = await signInVerify(server, ceremony.ceremony_id, soft.assertion({ challenge: ceremony.options.challenge, origin, rpId }, { userHandle }));
  t.is(locked.status, 423, 'locked after three failures, the good passkey too');
  t.is((await api(server, 'POST', '/auth/login', { body: { email: person.email, password: person.password } })).status, 423, 'the same lockout as passwords');

  await server.services.users.unlock(person.id, TEST_ACTOR);
  await server.services.users.setDisabled(person.id, true, TEST_ACTOR);
  const again = await signInOptions(server);
  const disabled = await signInVerify(server, again.ceremony_id, soft.assertion({ challenge: again.options.challenge, origin, rpId }, { userHandle }));
  t.is(disabled.status, 403);
  t.is(disabled.body.error, 'access_denied');
});

test('without user verification a passkey is one factor: enough without 2FA, refused for an account with 2FA', async (t) => {
  const { server, person, token, origin, rpId } = await setUp(t);
  const soft = SoftAuthenticator.create();
  const { userHandle } = await register(server, token, soft, { origin, rpId });
  const ceremony = await signInOptions(server);
  t.is((await signInVerify(server, ceremony.ceremony_id, soft.assertion({ challenge: ceremony.options.challenge, origin, rpId }, { userHandle, userVerified: false }))).status, 200);
  t.is(JSON.parse((await events(server, 'user.login')).at(-1)!.detail).amr, 'hwk');
  await server.services.db.updateTable('users').set({ mfa_enabled: 1 }).where('id', '=', person.id).execute();
  const again = await signInOptions(server);
  const refused = await signInVerify(server, again.ceremony_id, soft.assertion({ challenge: again.options.challenge, origin, rpId }, { userHandle, userVerified: false }));
  t.is(refused.status, 401);
});

test('an administrator removes a user’s passkeys: with reset-2fa, or on their own', async (t) => {
  const { server, person, token, origin, rpId } = await setUp(t);
  const admin = await signedInAdmin(server);
  await register(server, token, SoftAuthenticator.create(), { origin, rpId }, 'One');
  await register(server, token, SoftAuthenticator.create(), { origin, rpId }, 'Two');
  const removed = await api(server, 'DELETE', `/admin/users/${person.id}/passkeys`, { token: admin.token });
  t.deepEqual(removed.body, { removed: 2 });
  t.is((await api(server, 'GET', '/auth/passkeys', { token })).body.passkeys.length, 0);
  t.deepEqual((await events(server, 'passkey.removed')).map((row) => row.actor_id), [admin.id, admin.id]);
  await register(server, token, SoftAuthenticator.create(), { origin, rpId }, 'Three');
  t.is((await api(server, 'DELETE', `/admin/users/${person.id}/2fa`, { token: admin.token })).status, 200);
  t.is((await api(server, 'GET', '/auth/passkeys', { token })).body.passkeys.length, 0, 'reset-2fa takes the passkeys too');
});
