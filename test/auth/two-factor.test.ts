import test, { type ExecutionContext } from 'ava';
import jsQR from 'jsqr';
import { generate } from 'otplib';
import { PNG } from 'pngjs';
import { unseal } from '../../src/crypto/sealing.js';
import { api, login, signUp, startAccountServer, type AccountServer, type Person } from '../helpers/accounts.js';
import { introspect } from '../helpers/http.js';
import { ManualClock, registerClient } from '../helpers/server.js';
import { waitForMail } from '../helpers/smtp.js';

const STEP = 30_000;
const code = (secret: string, atMs: number) => generate({ secret, epoch: Math.floor(atMs / 1000) });

/** A signed-up user with 2FA turned on, on a server whose clock the test moves. */
async function withTwoFactor(t: ExecutionContext, env: Record<string, string> = {}) {
  // Start in the middle of a time step, so ±1 step is unambiguous.
  const clock = new ManualClock(Math.floor(Date.now() / STEP) * STEP + 10_000);
  const server = await startAccountServer(t, { clock, env: { LOG_LEVEL: 'trace', ...env } });
  const person = await signUp(server);
  const { access_token } = await login(server, person);
  const setup = await api(server, 'POST', '/auth/2fa/setup/initiate', { token: access_token });
  t.is(setup.status, 200);
  const { secret } = setup.body as { secret: string };
  const verified = await api(server, 'POST', '/auth/2fa/setup/verify', { token: access_token, body: { code: await code(secret, clock.now()) } });
  t.is(verified.status, 200);
  clock.advance(STEP); // the setup code's step is spent
  return { server, clock, person, secret, accessToken: access_token, backupCodes: verified.body.backup_codes as string[], setup: setup.body };
}

const loginStep = (server: AccountServer, person: Person) => api(server, 'POST', '/auth/login', { body: { email: person.email, password: person.password } });
const verify2fa = (server: AccountServer, mfaToken: string, value: string) => api(server, 'POST', '/auth/verify-2fa', { body: { mfa_token: mfaToken, code: value } });

test('setup: a QR code that decodes to the otpauth URL, a wrong code keeps 2FA off, a right one returns 10 backup codes', async (t) => {
  const clock = new ManualClock(Math.floor(Date.now() / STEP) * STEP + 10_000);
  const server = await startAccountServer(t, { clock, env: { TOTP_ISSUER: 'Tessera' } });
  const person = await signUp(server);
  const { access_token } = await login(server, person);
  const setup = await api(server, 'POST', '/auth/2fa/setup/initiate', { token: access_token });
  t.is(setup.status, 200);
  const { secret, otpauth_url, qr_code } = setup.body as Record<string, string>;
  t.regex(secret!, /^[A-Z2-7]{32}$/);
  t.is(otpauth_url, `otpauth://totp/Tessera:${encodeURIComponent(person.email)}?secret=${secret}&issuer=Tessera`);
  t.true(qr_code!.startsWith('data:image/png;base64,'));
  const png = PNG.sync.read(Buffer.from(qr_code!.split(',')[1]!, 'base64'));
  // jsqr is CommonJS: under NodeNext the default import is module.exports, whose `default` is the function.
  t.is(jsQR.default(new Uint8ClampedArray(png.data), png.width, png.height)?.data, otpauth_url, 'the QR code encodes the otpauth URL');

  const wrong = await api(server, 'POST', '/auth/2fa/setup/verify', { token: access_token, body: { code: '000000' } });
  t.is(wrong.status, 401);
  t.is(wrong.body.error, 'invalid_code');
  t.false((await api(server, 'GET', '/auth/me', { token: access_token })).body.mfa_enabled);

  const right = await api(server, 'POST', '/auth/2fa/setup/verify', { token: access_token, body: { code: await code(secret!, clock.now()) } });
  t.is(right.status, 200);
  const codes = right.body.backup_codes as string[];
  t.is(codes.length, 10);
  t.is(new Set(codes).size, 10);
  for (const backup of codes) t.regex(backup, /^[A-Z2-7]{5}(-[A-Z2-7]{5}){4}$/, '125 bits in groups of five');
  t.true((await api(server, 'GET', '/auth/me', { token: access_token })).body.mfa_enabled);
  await waitForMail(server.smtp, person.email, /two-factor/i);
  const again = await api(server, 'POST', '/auth/2fa/setup/initiate', { token: access_token });
  t.is(again.status, 409);
  t.is(again.body.error, 'mfa_already_enabled');
});

test('login answers mfa_required; the mfa_token opens nothing else; a fresh code returns tokens with amr otp', async (t) => {
  const { server, clock, person, secret } = await withTwoFactor(t);
  const first = await loginStep(server, person);
  t.is(first.status, 200);
  t.deepEqual(Object.keys(first.body).sort(), ['expires_in', 'mfa_required', 'mfa_token']);
  t.like(first.body, { mfa_required: true, expires_in: 300 });
  const mfaToken = first.body.mfa_token as string;

  const asBearer = await api(server, 'GET', '/auth/me', { token: mfaToken });
  t.is(asBearer.status, 401);
  t.is(asBearer.body.error, 'invalid_token');
  const resourceServer = await registerClient(server);
  t.deepEqual(await introspect(server.url, resourceServer, mfaToken), { active: false });
  t.is((await api(server, 'POST', '/auth/refresh', { body: { refresh_token: mfaToken } })).status, 401);

  const done = await verify2fa(server, mfaToken, await code(secret, clock.now()));
  t.is(done.status, 200);
  t.truthy(done.body.access_token && done.body.refresh_token);
  const login = await server.services.db.selectFrom('sessions').select('amr').orderBy('created_at', 'desc').executeTakeFirstOrThrow();
  t.is(login.amr, 'pwd otp');
  t.is((await verify2fa(server, mfaToken, await code(secret, clock.now() + STEP))).status, 401, 'the mfa_token is single use');
});

test('a TOTP code is accepted once; T±1 steps are fine, two steps old is refused', async (t) => {
  const { server, clock, person, secret } = await withTwoFactor(t, { LOCKOUT_THRESHOLD: '0' });
  const now = clock.now();
  const current = await code(secret, now);
  const token1 = (await loginStep(server, person)).body.mfa_token;
  t.is((await verify2fa(server, token1, current)).status, 200);
  const token2 = (await loginStep(server, person)).body.mfa_token;
  const replay = await verify2fa(server, token2, current);
  t.is(replay.status, 401);
  t.is(replay.body.error, 'invalid_code');

  clock.advance(3 * STEP);
  const twoOld = await verify2fa(server, token2, await code(secret, clock.now() - 2 * STEP));
  t.is(twoOld.status, 401, 'two steps old');
  t.is((await verify2fa(server, token2, await code(secret, clock.now() - STEP))).status, 200, 'one step old');
  clock.advance(3 * STEP);
  const token3 = (await loginStep(server, person)).body.mfa_token;
  t.is((await verify2fa(server, token3, await code(secret, clock.now() + STEP))).status, 200, 'one step ahead');
});

test('a backup code works once; regenerating voids the old set', async (t) => {
  const { server, clock, person, secret, backupCodes, accessToken } = await withTwoFactor(t, { LOCKOUT_THRESHOLD: '0' });
  const token1 = (await loginStep(server, person)).body.mfa_token;
  // People type them in lower case, without dashes.
  t.is((await verify2fa(server, token1, backupCodes[0]!.toLowerCase().replace(/-/g, ''))).status, 200);
  const token2 = (await loginStep(server, person)).body.mfa_token;
  t.is((await verify2fa(server, token2, backupCodes[0]!)).status, 401, 'burned');

  const regenerated = await api(server, 'POST', '/auth/2fa/backup-codes', { token: accessToken, body: { code: await code(secret, clock.now()) } });
  t.is(regenerated.status, 200);
  t.is(regenerated.body.backup_codes.length, 10);
  t.is((await verify2fa(server, token2, backupCodes[1]!)).status, 401, 'the old set is void');
  t.is((await verify2fa(server, token2, regenerated.body.backup_codes[0])).status, 200);
  const events = (await server.services.db.selectFrom('audit_log').select('event').execute()).map((r) => r.event);
  t.true(events.includes('mfa.backup_code_used'));
  t.true(events.includes('mfa.backup_codes_regenerated'));
});

test('five wrong codes end an mfa_token; failures lock the account like passwords do', async (t) => {
  const { server, clock, person, secret } = await withTwoFactor(t, { LOCKOUT_THRESHOLD: '5' });
  const mfaToken = (await loginStep(server, person)).body.mfa_token;
  for (let i = 0; i < 5; i += 1) {
    const wrong = await verify2fa(server, mfaToken, '123456' === (await code(secret, clock.now())) ? '654321' : '123456');
    t.is(wrong.status, 401);
    t.is(wrong.body.error, 'invalid_code');
  }
  const sixth = await verify2fa(server, mfaToken, await code(secret, clock.now()));
  t.is(sixth.status, 401);
  t.is(sixth.body.error, 'invalid_token', 'the token is dead after five wrong codes');
  // The five failures locked the account: even the right password is now refused.
  const locked = await loginStep(server, person);
  t.is(locked.status, 423);
  t.regex(locked.headers.get('retry-after') ?? '', /^\d+$/);
  const events = (await server.services.db.selectFrom('audit_log').select('event').execute()).map((r) => r.event);
  t.true(events.includes('mfa.failed'));
  t.true(events.includes('user.locked'));
});

test('disable needs the password and a valid code; afterwards login returns tokens directly; admins can reset 2FA', async (t) => {
  const { server, clock, person, secret, accessToken } = await withTwoFactor(t, { LOCKOUT_THRESHOLD: '0' });
  const wrongPassword = await api(server, 'POST', '/auth/2fa/disable', { token: accessToken, body: { password: 'not the password', code: await code(secret, clock.now()) } });
  t.is(wrongPassword.status, 401);
  t.is(wrongPassword.body.error, 'invalid_credentials');
  const wrongCode = await api(server, 'POST', '/auth/2fa/disable', { token: accessToken, body: { password: person.password, code: '000000' } });
  t.is(wrongCode.status, 401);
  t.is(wrongCode.body.error, 'invalid_code');
  t.is((await api(server, 'POST', '/auth/2fa/disable', { token: accessToken, body: { password: person.password, code: await code(secret, clock.now()) } })).status, 204);
  const direct = await loginStep(server, person);
  t.is(direct.status, 200);
  t.truthy(direct.body.access_token);
  await waitForMail(server.smtp, person.email, /two-factor.*off|off/i);

  // On again, then an admin resets it.
  const again = await api(server, 'POST', '/auth/2fa/setup/initiate', { token: direct.body.access_token });
  clock.advance(STEP);
  t.is((await api(server, 'POST', '/auth/2fa/setup/verify', { token: direct.body.access_token, body: { code: await code(again.body.secret, clock.now()) } })).status, 200);
  t.true((await loginStep(server, person)).body.mfa_required);
  const admin = await server.services.users.create({ email: 'root@example.com', password: 'admin passphrase here', role: 'admin', verified: true }, { id: 'test', meta: { ip: null, userAgent: null } });
  const adminToken = (await login(server, { email: 'root@example.com', password: 'admin passphrase here' })).access_token;
  const reset = await api(server, 'DELETE', `/admin/users/${person.id}/2fa`, { token: adminToken });
  t.is(reset.status, 200);
  t.false(reset.body.mfa_enabled);
  t.truthy((await loginStep(server, person)).body.access_token);
  void admin;
});

test('a password reset does not bypass 2FA', async (t) => {
  const { server, person } = await withTwoFactor(t);
  await api(server, 'POST', '/auth/forgot-password', { body: { email: person.email } });
  const { linkIn } = await import('../helpers/smtp.js');
  const { token } = linkIn(await waitForMail(server.smtp, person.email, /reset/i), `${server.config.issuer}/reset-password?token=`);
  t.is((await api(server, 'POST', '/auth/reset-password', { body: { token, password: 'a new passphrase now' } })).status, 200);
  const next = await api(server, 'POST', '/auth/login', { body: { email: person.email, password: 'a new passphrase now' } });
  t.true(next.body.mfa_required);
});

test('the TOTP secret is sealed in the database, and no code or secret reaches the logs', async (t) => {
  const { server, clock, person, secret, backupCodes } = await withTwoFactor(t);
  const codes = [await code(secret, clock.now())];
  const mfaToken = (await loginStep(server, person)).body.mfa_token;
  t.is((await verify2fa(server, mfaToken, codes[0]!)).status, 200);

  const row = await server.services.db.selectFrom('users').selectAll().where('id', '=', person.id).executeTakeFirstOrThrow();
  t.truthy(row.totp_secret_sealed);
  t.false(JSON.stringify(row).includes(secret), 'the secret is not in the row');
  t.throws(() => unseal(Buffer.alloc(32, 9), row.totp_secret_sealed!, `totp:${person.id}`), undefined, 'another key cannot open it');
  const backupRows = await server.services.db.selectFrom('backup_codes').selectAll().execute();
  for (const backup of backupCodes) t.false(JSON.stringify(backupRows).includes(backup.replace(/-/g, '')));

  const logs = server.logs.join('\n');
  const audit = JSON.stringify(await server.services.db.selectFrom('audit_log').selectAll().execute());
  for (const secretValue of [secret, ...codes, ...backupCodes, mfaToken]) {
    t.false(logs.includes(secretValue), 'not in logs');
    t.false(audit.includes(secretValue), 'not in the audit log');
  }
});
