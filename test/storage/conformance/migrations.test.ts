// Storage conformance: the migrations and transactions on every dialect here.
import test from 'ava';
import { sql } from 'kysely';
import { Migrator } from 'kysely';
import { systemClock } from '../../../src/clock.js';
import { ClientService } from '../../../src/domain/clients/client-service.js';
import { migrateToLatest } from '../../../src/storage/migrate.js';
import { addRevokedToken, RevocationList } from '../../../src/storage/repositories/revoked-tokens.js';
import { bumpSyncVersion, readSyncVersions } from '../../../src/storage/repositories/sync-state.js';
import { migrations } from '../../../migrations/index.js';
import { DIALECTS } from '../../helpers/env.js';
import { TEST_ACTOR } from '../../helpers/server.js';
import { tableNames } from '../../helpers/snapshot.js';
import { openTestDatabase } from '../../helpers/storage.js';

for (const dialect of DIALECTS) {
  test(`${dialect}: migrations apply once and are idempotent`, async (t) => {
    const { db } = await openTestDatabase(t, dialect, { migrate: false });
    t.true(Object.keys(migrations).length >= 4);
    t.deepEqual(await migrateToLatest(db), Object.keys(migrations));
    t.deepEqual(await migrateToLatest(db), []);
    t.deepEqual(await readSyncVersions(db), { keys: 0, clients: 0 });
  });

  test(`${dialect}: the migrated schema has the tables the typed schema names`, async (t) => {
    const { db } = await openTestDatabase(t, dialect);
    t.deepEqual(await tableNames(db), [
      'account_mails', 'audit_log', 'authorization_codes', 'backchannel_logouts', 'backup_codes', 'client_consents', 'clients', 'consents', 'device_codes', 'interactions', 'lockouts',
      'mail_tokens', 'mfa_challenges', 'outbox', 'passkey_ceremonies', 'passkeys', 'password_history', 'pushed_requests', 'rate_limits', 'refresh_tokens', 'revoked_tokens', 'served_issuer', 'sessions',
      'signing_keys', 'sync_state', 'upstream_identities', 'upstream_requests', 'upstreams', 'used_jtis', 'users', 'webauthn_user_handles',
    ]);
  });

  test(`${dialect}: clients registered before ID tokens had their own algorithm keep signing them as before`, async (t) => {
    const { db } = await openTestDatabase(t, dialect, { migrate: false });
    const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
    t.falsy((await migrator.migrateTo('2026-11-21-004-browser-sign-in')).error);
    // The schema of that time, which the typed schema no longer describes: plain SQL.
    for (const [clientId, alg] of [['old-es', 'ES256'], ['old-rs', 'RS256']]) {
      await sql`insert into clients (client_id, client_secret_hash, client_name, grant_types, redirect_uris, post_logout_redirect_uris, scope, token_endpoint_auth_method, audience, first_party, created_at, updated_at, access_token_alg)
        values (${clientId}, ${null}, ${'old'}, ${'authorization_code'}, ${'["https://a.example/cb"]'}, ${'[]'}, ${'openid'}, ${'none'}, ${null}, ${0}, ${1}, ${1}, ${alg})`.execute(db);
    }
    await migrateToLatest(db);
    const service = new ClientService(db, systemClock);
    t.is((await service.get('old-es')).idTokenAlg, 'ES256');
    t.is((await service.get('old-rs')).idTokenAlg, 'RS256');
    t.is((await service.create({ name: 'new', redirectUris: ['https://a.example/cb'] }, TEST_ACTOR)).client.idTokenAlg, 'RS256', 'new clients default to RS256');
  });

  test(`${dialect}: a failed transaction leaves no trace`, async (t) => {
    const { db } = await openTestDatabase(t, dialect);
    await t.throwsAsync(
      db.transaction().execute(async (tx) => {
        await bumpSyncVersion(tx, 'clients');
        await addRevokedToken(tx, 'x', Date.now() + 1000, Date.now());
        throw new Error('half-way failure');
      }),
    );
    t.false(await new RevocationList(db).isRevoked('x'));
    t.is((await readSyncVersions(db)).clients, 0);
  });
}
