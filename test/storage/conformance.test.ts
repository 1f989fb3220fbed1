// One storage suite, run against every dialect available here (Dex storage/conformance style):
// SQLite always, PostgreSQL when TEST_DATABASE_URL is set.
import test from 'ava';
import { systemClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config/config.js';
import { openKeys } from '../../src/crypto/key-bootstrap.js';
import { ClientService } from '../../src/domain/clients/client-service.js';
import { openDatabase } from '../../src/storage/db.js';
import { migrateToLatest } from '../../src/storage/migrate.js';
import { migrations } from '../../migrations/index.js';
import { listSigningKeys } from '../../src/storage/repositories/signing-keys.js';
import { addRevokedToken, isRevoked, purgeExpiredRevocations } from '../../src/storage/repositories/revoked-tokens.js';
import { bumpSyncVersion, readSyncVersions } from '../../src/storage/repositories/sync-state.js';
import { DIALECTS, tempDir, testDatabaseUrl, type DialectName } from '../helpers/env.js';
import { TEST_ACTOR } from '../helpers/server.js';
import { Migrator } from 'kysely';

async function open(t: Parameters<Parameters<typeof test>[1]>[0], dialect: DialectName) {
  const dir = tempDir(t);
  const url = await testDatabaseUrl(t, dir, dialect);
  const { db } = openDatabase(url);
  t.teardown(() => db.destroy());
  const config = loadConfig({ DATABASE_URL: url, KEYS_DIR: `${dir}/keys` });
  return { db, config, dir };
}

for (const dialect of DIALECTS) {
  test(`${dialect}: migrations apply once and are idempotent`, async (t) => {
    const { db } = await open(t, dialect);
    t.true(Object.keys(migrations).length >= 4);
    t.deepEqual(await migrateToLatest(db), Object.keys(migrations));
    t.deepEqual(await migrateToLatest(db), []);
    t.deepEqual(await readSyncVersions(db), { keys: 0, clients: 0 });
  });

  test(`${dialect}: clients registered before ID tokens had their own algorithm keep signing them as before`, async (t) => {
    const { db } = await open(t, dialect);
    const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
    t.falsy((await migrator.migrateTo('2026-11-21-004-browser-sign-in')).error);
    const row = { client_secret_hash: null, client_name: 'old', grant_types: 'authorization_code', redirect_uris: '["https://a.example/cb"]', post_logout_redirect_uris: '[]', scope: 'openid', token_endpoint_auth_method: 'none', audience: null, first_party: 0, created_at: 1, updated_at: 1 };
    await (db as any).insertInto('clients').values([{ ...row, client_id: 'old-es', access_token_alg: 'ES256' }, { ...row, client_id: 'old-rs', access_token_alg: 'RS256' }]).execute();
    await migrateToLatest(db);
    const service = new ClientService(db, systemClock);
    t.is((await service.get('old-es')).idTokenAlg, 'ES256');
    t.is((await service.get('old-rs')).idTokenAlg, 'RS256');
    t.is((await service.create({ name: 'new', redirectUris: ['https://a.example/cb'] }, TEST_ACTOR)).client.idTokenAlg, 'RS256', 'new clients default to RS256');
  });

  test(`${dialect}: millisecond timestamps and flags round-trip as numbers`, async (t) => {
    const { db } = await open(t, dialect);
    await migrateToLatest(db);
    const service = new ClientService(db, systemClock);
    const { client } = await service.create({ name: 'c', firstParty: true, redirectUris: ['https://a.example/cb'] }, TEST_ACTOR);
    const loaded = await service.get(client.clientId);
    t.is(typeof loaded.createdAt, 'number');
    t.is(loaded.createdAt, client.createdAt);
    t.true(loaded.firstParty);
    t.deepEqual(loaded.redirectUris, ['https://a.example/cb']);
    t.deepEqual((await readSyncVersions(db)).clients, 1);
    await service.delete(client.clientId, TEST_ACTOR);
    await t.throwsAsync(service.get(client.clientId), { message: /no client/ });
  });

  test(`${dialect}: the revocation list is idempotent and purges expired entries`, async (t) => {
    const { db } = await open(t, dialect);
    await migrateToLatest(db);
    const now = Date.now();
    await addRevokedToken(db, 'a', now + 60_000, now);
    await addRevokedToken(db, 'a', now + 60_000, now);
    await addRevokedToken(db, 'b', now - 1, now);
    t.true(await isRevoked(db, 'a'));
    t.is(await purgeExpiredRevocations(db, now), 1);
    t.false(await isRevoked(db, 'b'));
    t.true(await isRevoked(db, 'a'));
  });

  test(`${dialect}: first start makes one active and the queued keys per algorithm; a second opener adds none`, async (t) => {
    const { db, config } = await open(t, dialect);
    await migrateToLatest(db);
    // Two processes opening the keys at once: the lock lets one create them.
    await Promise.all([openKeys(db, config, systemClock), openKeys(db, config, systemClock)]);
    const rows = await listSigningKeys(db);
    for (const alg of ['ES256', 'RS256']) {
      t.is(rows.filter((r) => r.alg === alg && r.status === 'active').length, 1, alg);
      t.is(rows.filter((r) => r.alg === alg && r.status === 'next').length, 1, alg);
    }
    t.is(rows.length, 4);
  });

  test(`${dialect}: rotate --force and revoke keep one active key per algorithm`, async (t) => {
    const { db, config } = await open(t, dialect);
    await migrateToLatest(db);
    const { lifecycle } = await openKeys(db, config, systemClock);
    const before = await listSigningKeys(db);
    const oldActive = before.find((r) => r.alg === 'ES256' && r.status === 'active')!;
    const queued = before.find((r) => r.alg === 'ES256' && r.status === 'next')!;

    const { kids } = await lifecycle.rotate(['ES256'], true);
    t.deepEqual(kids, [queued.kid]);
    let rows = await listSigningKeys(db);
    t.is(rows.find((r) => r.kid === oldActive.kid)!.status, 'retired');
    t.is(rows.find((r) => r.kid === queued.kid)!.status, 'active');
    t.is(rows.filter((r) => r.alg === 'ES256' && r.status === 'next').length, 1, 'the queue is refilled');

    await lifecycle.revoke(queued.kid);
    rows = await listSigningKeys(db);
    t.is(rows.find((r) => r.kid === queued.kid)!.status, 'revoked');
    t.is(rows.filter((r) => r.alg === 'ES256' && r.status === 'active').length, 1);
    t.is(rows.filter((r) => r.alg === 'RS256' && r.status === 'active').length, 1, 'the other algorithm is untouched');
  });

  test(`${dialect}: a failed transaction leaves no trace`, async (t) => {
    const { db } = await open(t, dialect);
    await migrateToLatest(db);
    await t.throwsAsync(
      db.transaction().execute(async (tx) => {
        await bumpSyncVersion(tx, 'clients');
        await addRevokedToken(tx, 'x', Date.now() + 1000, Date.now());
        throw new Error('half-way failure');
      }),
    );
    t.false(await isRevoked(db, 'x'));
    t.is((await readSyncVersions(db)).clients, 0);
  });
}
