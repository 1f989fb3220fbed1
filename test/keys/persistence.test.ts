import { readFileSync, rmSync, statSync } from 'node:fs';
import test from 'ava';
import { KekError } from '../../src/crypto/kek.js';
import { unseal } from '../../src/crypto/sealing.js';
import { openDatabase } from '../../src/storage/db.js';
import { clientCredentialsToken, introspect } from '../helpers/http.js';
import { registerClient, startTestServer } from '../helpers/server.js';

const publishedKids = async (url: string) =>
  ((await (await fetch(`${url}/.well-known/jwks.json`)).json()) as { keys: Array<{ kid: string }> }).keys.map((k) => k.kid).sort();

test('a restart keeps clients and keys: the same kids are published and old tokens stay valid', async (t) => {
  const first = await startTestServer(t);
  const client = await registerClient(first);
  const token = await clientCredentialsToken(first.url, client);
  const kids = await publishedKids(first.url);
  await first.close();

  const second = await startTestServer(t, { dir: first.dir, databaseUrl: first.config.databaseUrl, env: { ISSUER: first.config.issuer } });
  t.deepEqual(await publishedKids(second.url), kids);
  t.true((await introspect(second.url, client, token)).active as boolean);
  t.truthy(await clientCredentialsToken(second.url, client), 'the client secret still works');
});

test('private keys in the database are unreadable without the KEK, which is a 0600 file', async (t) => {
  const server = await startTestServer(t);
  const kekFile = `${server.config.keysDir}/kek`;
  t.is(statSync(kekFile).mode & 0o777, 0o600);
  const kek = Buffer.from(readFileSync(kekFile, 'utf8').trim(), 'base64url');
  t.is(kek.length, 32);

  const rows = await server.services.db.selectFrom('signing_keys').selectAll().execute();
  t.true(rows.length >= 4);
  for (const row of rows) {
    t.false(row.private_jwk_sealed.includes('"d"'), 'no plaintext JWK');
    const sealedBytes = Buffer.from(row.private_jwk_sealed.split('.').at(-1)!, 'base64url').toString('latin1');
    t.false(sealedBytes.includes('"kty"'), 'ciphertext, not encoding');
    t.false(JSON.parse(row.public_jwk).d !== undefined, 'public JWK has no private part');
    // With the KEK it opens, bound to its own kid; with another key or another row's kid it does not.
    t.is((JSON.parse(unseal(kek, row.private_jwk_sealed, `signing-key:${row.kid}`)) as { kid: string }).kid, row.kid);
    t.throws(() => unseal(Buffer.alloc(32, 7), row.private_jwk_sealed, `signing-key:${row.kid}`));
    t.throws(() => unseal(kek, row.private_jwk_sealed, 'signing-key:another'));
  }
});

test('a wrong or missing KEK stops start-up instead of making new keys', async (t) => {
  const first = await startTestServer(t);
  await first.close();
  const keysBefore = await (async () => {
    const again = await startTestServer(t, { dir: first.dir, databaseUrl: first.config.databaseUrl });
    const kids = await publishedKids(again.url);
    await again.close();
    return kids;
  })();

  const wrong = await t.throwsAsync(
    startTestServer(t, { dir: first.dir, databaseUrl: first.config.databaseUrl, env: { KEYS_KEK: Buffer.alloc(32, 1).toString('base64url') } }),
  );
  t.true(wrong instanceof KekError);
  t.regex(wrong!.message, /cannot be decrypted/);

  rmSync(`${first.config.keysDir}/kek`);
  const missing = await t.throwsAsync(startTestServer(t, { dir: first.dir, databaseUrl: first.config.databaseUrl }));
  t.true(missing instanceof KekError);
  t.regex(missing!.message, /no key-encryption key/);

  const { db } = openDatabase(first.config.databaseUrl);
  const rows = await db.selectFrom('signing_keys').select('kid').execute();
  await db.destroy();
  t.deepEqual(rows.map((r) => r.kid).sort(), keysBefore, 'no key was added or lost');
});
