// Rotating the key-encryption key (docs/keys.md, Rotating the key-encryption key): a server on
// KEK A; restarted on B with A as KEYS_KEK_PREVIOUS; `tessera keys rekey` while it runs; B alone
// afterwards; A alone refused with exit code 2. Secrets sealed before KEK ids existed (format v1)
// keep opening throughout.
import { createCipheriv, randomBytes } from 'node:crypto';
import test, { type ExecutionContext } from 'ava';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { generate } from 'otplib';
import { KekError } from '../../src/crypto/kek.js';
import { kekId, Sealer, sealedKekId, unseal } from '../../src/crypto/sealing.js';
import { openDatabase } from '../../src/storage/db.js';
import { api, login, signUp, startAccountServer, type AccountServer, type Person } from '../helpers/accounts.js';
import { cliEnv, cliJson, runCli } from '../helpers/cli.js';
import { DIALECTS, type DialectName } from '../helpers/env.js';
import { clientCredentialsToken, introspect, type RegisteredClient } from '../helpers/http.js';
import { spawnServer } from '../helpers/process.js';
import { ManualClock, registerClient } from '../helpers/server.js';

const STEP = 30_000;
const code = (secret: string, atMs: number) => generate({ secret, epoch: Math.floor(atMs / 1000) });
const newKek = () => randomBytes(32).toString('base64url');

const loginStep = (server: AccountServer, person: Person) => api(server, 'POST', '/auth/login', { body: { email: person.email, password: person.password } });

/** Password, then a fresh TOTP code: the whole 2FA sign-in, which opens the sealed TOTP secret. */
async function twoFactorSignIn(t: ExecutionContext, server: AccountServer, clock: ManualClock, person: Person, secret: string, label: string) {
  clock.advance(STEP); // each code is accepted once: the next sign-in uses the next step
  const first = await loginStep(server, person);
  t.is(first.status, 200, `${label}: password step`);
  t.true(first.body.mfa_required, `${label}: asks for the code`);
  const done = await api(server, 'POST', '/auth/verify-2fa', { body: { mfa_token: first.body.mfa_token, code: await code(secret, clock.now()) } });
  t.is(done.status, 200, `${label}: the TOTP code is accepted`);
  t.truthy(done.body.access_token, label);
}

/** The token is alive by introspection and its signature verifies against the server's JWKS. */
async function tokenWorks(t: ExecutionContext, server: AccountServer, clock: ManualClock, client: RegisteredClient, token: string, label: string) {
  t.true((await introspect(server.url, client, token)).active as boolean, `${label}: introspects active`);
  const jwks = createLocalJWKSet((await (await fetch(`${server.url}/.well-known/jwks.json`)).json()) as JSONWebKeySet);
  const { payload } = await jwtVerify(token, jwks, { issuer: server.config.issuer, typ: 'at+jwt', currentDate: new Date(clock.now()) });
  t.is(payload.client_id, client.client_id, `${label}: the signature verifies`);
}

/** How the code before KEK ids sealed (sealing.ts, format v1): no KEK id. */
function sealV1(kek: Buffer, plaintext: string, associatedData: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', kek, iv);
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return `v1.${iv.toString('base64url')}.${body.toString('base64url')}`;
}

interface SealedRow {
  where: string;
  sealed: string;
  associatedData: string;
}

async function sealedValues(databaseUrl: string): Promise<SealedRow[]> {
  const { db } = openDatabase(databaseUrl);
  try {
    const keys = await db.selectFrom('signing_keys').select(['kid', 'private_jwk_sealed']).execute();
    const users = await db.selectFrom('users').select(['id', 'totp_secret_sealed', 'totp_pending_sealed']).execute();
    return [
      ...keys.map((k) => ({ where: `key ${k.kid}`, sealed: k.private_jwk_sealed, associatedData: `signing-key:${k.kid}` })),
      ...users.flatMap((u) =>
        (['totp_secret_sealed', 'totp_pending_sealed'] as const)
          .filter((column) => u[column] !== null)
          .map((column) => ({ where: `${column} ${u.id}`, sealed: u[column]!, associatedData: `totp:${u.id}` })),
      ),
    ];
  } finally {
    await db.destroy();
  }
}

/** Rewrites every sealed value in the v1 format, as a database written before KEK ids holds it. */
async function downgradeToV1(databaseUrl: string, kek: Buffer): Promise<number> {
  const { db } = openDatabase(databaseUrl);
  let count = 0;
  try {
    for (const key of await db.selectFrom('signing_keys').select(['kid', 'private_jwk_sealed']).execute()) {
      const ad = `signing-key:${key.kid}`;
      await db.updateTable('signing_keys').set({ private_jwk_sealed: sealV1(kek, unseal(kek, key.private_jwk_sealed, ad), ad) }).where('kid', '=', key.kid).execute();
      count += 1;
    }
    for (const user of await db.selectFrom('users').select(['id', 'totp_secret_sealed', 'totp_pending_sealed']).execute()) {
      for (const column of ['totp_secret_sealed', 'totp_pending_sealed'] as const) {
        const sealed = user[column];
        if (sealed === null) continue;
        const ad = `totp:${user.id}`;
        await db.updateTable('users').set({ [column]: sealV1(kek, unseal(kek, sealed, ad), ad) }).where('id', '=', user.id).execute();
        count += 1;
      }
    }
  } finally {
    await db.destroy();
  }
  return count;
}

test('sealing: v2 names its KEK; v1 values open with the current or the previous KEK; reseal moves them onto the current one', (t) => {
  const a = randomBytes(32);
  const b = randomBytes(32);
  const legacy = sealV1(a, 'secret', 'totp:u1');
  const fresh = new Sealer(a).seal('secret', 'totp:u1');
  t.is(sealedKekId(fresh), kekId(a));
  t.is(sealedKekId(legacy), undefined);

  const rotating = new Sealer(b, a);
  t.is(rotating.unseal(legacy, 'totp:u1'), 'secret', 'v1 under the previous KEK');
  t.is(rotating.unseal(fresh, 'totp:u1'), 'secret', 'v2 under the previous KEK');
  t.is(new Sealer(a, b).unseal(legacy, 'totp:u1'), 'secret', 'v1 under the current KEK');
  t.throws(() => rotating.unseal(legacy, 'totp:u2'), undefined, 'still bound to its row');
  t.throws(() => new Sealer(b).unseal(fresh, 'totp:u1'), undefined, 'B alone cannot open what A sealed');

  const moved = rotating.reseal(legacy, 'totp:u1')!;
  t.is(sealedKekId(moved), kekId(b));
  t.is(new Sealer(b).unseal(moved, 'totp:u1'), 'secret');
  t.is(rotating.reseal(moved, 'totp:u1'), undefined, 'already under the current KEK');
  t.is(new Sealer(a, b).reseal(sealV1(a, 'x', 'ad'), 'ad'), undefined, 'a v1 value under the current KEK stays as it is');
  t.throws(() => new Sealer(b, randomBytes(32)).reseal(fresh, 'totp:u1'));
});

for (const dialect of DIALECTS as DialectName[]) {
  test(`${dialect}: KEK rotation keeps tokens and 2FA working, rekeys while a server runs, and refuses the old KEK afterwards`, async (t) => {
    const kekA = newKek();
    const kekB = newKek();
    const clock = new ManualClock(Math.floor(Date.now() / STEP) * STEP + 10_000);

    // 1. KEK A: a client with a token, a user with 2FA on, a user half-way through 2FA setup.
    const first = await startAccountServer(t, { dialect, clock, env: { KEYS_KEK: kekA } });
    const { dir } = first;
    const { databaseUrl, issuer } = first.config;
    const client = await registerClient(first);
    const oldToken = await clientCredentialsToken(first.url, client);
    const person = await signUp(first);
    const { access_token } = await login(first, person);
    const { secret } = (await api(first, 'POST', '/auth/2fa/setup/initiate', { token: access_token })).body as { secret: string };
    t.is((await api(first, 'POST', '/auth/2fa/setup/verify', { token: access_token, body: { code: await code(secret, clock.now()) } })).status, 200);
    const pendingPerson = await signUp(first);
    const pending = await api(first, 'POST', '/auth/2fa/setup/initiate', { token: (await login(first, pendingPerson)).access_token });
    const pendingSecret = (pending.body as { secret: string }).secret;
    await first.close();
    // What a database written before KEK ids holds: every secret in the v1 format.
    const underA = await downgradeToV1(databaseUrl, Buffer.from(kekA, 'base64url'));
    t.true(underA >= 6, 'four or more signing keys, a TOTP secret and a pending one');

    // 2. KEK B, with A as the previous KEK: everything old still opens, new seals use B.
    const pair = { ISSUER: issuer, KEYS_KEK: kekB, KEYS_KEK_PREVIOUS: kekA };
    const second = await startAccountServer(t, { dialect, clock, dir, databaseUrl, env: pair });
    await tokenWorks(t, second, clock, client, oldToken, 'old token on the pair');
    await tokenWorks(t, second, clock, client, await clientCredentialsToken(second.url, client), 'new token on the pair');
    await twoFactorSignIn(t, second, clock, person, secret, 'on the pair');
    const lateComer = await signUp(second);
    t.is((await api(second, 'POST', '/auth/2fa/setup/initiate', { token: (await login(second, lateComer)).access_token })).status, 200);
    const lateSealed = (await sealedValues(databaseUrl)).find((row) => row.where === `totp_pending_sealed ${lateComer.id}`)!;
    t.is(sealedKekId(lateSealed.sealed), kekId(Buffer.from(kekB, 'base64url')), 'a new seal names KEK B');

    // 3. `tessera keys rekey` while the server runs: it re-seals exactly what A sealed, once.
    const rekeyed = await cliJson<{ resealed: number }>(['keys', 'rekey'], cliEnv(second, { KEYS_KEK: kekB, KEYS_KEK_PREVIOUS: kekA }));
    t.deepEqual(rekeyed, { resealed: underA });
    t.deepEqual(await cliJson(['keys', 'rekey'], cliEnv(second, { KEYS_KEK: kekB, KEYS_KEK_PREVIOUS: kekA })), { resealed: 0 }, 'a second run finds nothing to do');
    for (const row of await sealedValues(databaseUrl)) {
      t.is(sealedKekId(row.sealed), kekId(Buffer.from(kekB, 'base64url')), `${row.where} is sealed under B`);
      t.notThrows(() => unseal(Buffer.from(kekB, 'base64url'), row.sealed, row.associatedData), row.where);
    }
    const audited = await second.services.db.selectFrom('audit_log').select(['actor_id', 'detail']).where('event', '=', 'key.rekeyed').execute();
    t.deepEqual(audited.map((row) => row.actor_id), ['cli', 'cli']);
    const details = audited.map((row) => JSON.parse(row.detail) as Record<string, unknown>).sort((x, y) => Number(y.resealed) - Number(x.resealed));
    t.like(details[0], { resealed: underA, kek_id: kekId(Buffer.from(kekB, 'base64url')), previous_kek_id: kekId(Buffer.from(kekA, 'base64url')) });
    t.like(details[1], { resealed: 0 });
    // The running server noticed nothing: same tokens, same 2FA.
    await tokenWorks(t, second, clock, client, oldToken, 'old token after the rekey');
    await tokenWorks(t, second, clock, client, await clientCredentialsToken(second.url, client), 'new token after the rekey');
    await twoFactorSignIn(t, second, clock, person, secret, 'after the rekey');
    await second.close();

    // 4. KEK B alone: starts, and everything A sealed is now B's.
    const third = await startAccountServer(t, { dialect, clock, dir, databaseUrl, env: { ISSUER: issuer, KEYS_KEK: kekB } });
    await tokenWorks(t, third, clock, client, oldToken, 'old token on B alone');
    await tokenWorks(t, third, clock, client, await clientCredentialsToken(third.url, client), 'new token on B alone');
    await twoFactorSignIn(t, third, clock, person, secret, 'on B alone');
    const resumed = await login(third, pendingPerson);
    const confirmed = await api(third, 'POST', '/auth/2fa/setup/verify', { token: resumed.access_token, body: { code: await code(pendingSecret, clock.now()) } });
    t.is(confirmed.status, 200, 'the pending secret sealed under A was re-sealed too');
    await third.close();

    // 5. KEK A alone, or A with a wrong previous KEK: the server and the CLI refuse with exit code 2.
    const refused = await t.throwsAsync(startAccountServer(t, { dialect, clock, dir, databaseUrl, env: { ISSUER: issuer, KEYS_KEK: kekA, KEYS_KEK_PREVIOUS: newKek() } }));
    t.true(refused instanceof KekError);
    t.regex(refused!.message, /cannot be decrypted .*KEYS_KEK_PREVIOUS/);
    const cli = await runCli(['keys', 'list'], cliEnv({ config: { databaseUrl, keysDir: `${dir}/keys`, issuer } }, { KEYS_KEK: kekA }));
    t.is(cli.code, 2);
    t.regex(cli.stderr, /stored signing keys cannot be decrypted with the key-encryption key in KEYS_KEK/);
    const exited = await t.throwsAsync(spawnServer({ DATABASE_URL: databaseUrl, KEYS_DIR: `${dir}/keys`, ISSUER: issuer, PORT: '0', KEYS_KEK: kekA }, dir));
    t.regex(exited!.message, /server exited \(2\)/);
    t.regex(exited!.message, /cannot be decrypted/);
  });
}
