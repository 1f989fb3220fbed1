// Storage conformance: src/storage/repositories/clients.ts on every dialect here, directly and
// through the client service.
import test from 'ava';
import { systemClock } from '../../../src/clock.js';
import { ClientService } from '../../../src/domain/clients/client-service.js';
import { BUILT_IN_CLIENT_ID } from '../../../src/domain/clients/client.js';
import { deleteClient, findClient, insertClient, listClients, updateClient } from '../../../src/storage/repositories/clients.js';
import { readSyncVersions } from '../../../src/storage/repositories/sync-state.js';
import type { NewClientRow } from '../../../src/storage/schema.js';
import { DIALECTS } from '../../helpers/env.js';
import { TEST_ACTOR } from '../../helpers/server.js';
import { openTestDatabase, T0 } from '../../helpers/storage.js';

const row = (clientId: string, createdAt: number): NewClientRow => ({
  client_id: clientId,
  client_secret_hash: 'hash',
  client_name: clientId,
  grant_types: 'client_credentials',
  redirect_uris: '[]',
  post_logout_redirect_uris: '[]',
  scope: '',
  token_endpoint_auth_method: 'client_secret_basic',
  access_token_alg: 'ES256',
  id_token_signed_response_alg: 'RS256',
  audience: null,
  first_party: 0,
  created_at: createdAt,
  updated_at: createdAt,
});

for (const dialect of DIALECTS) {
  test(`${dialect}: client rows are inserted, listed by creation, updated and deleted once`, async (t) => {
    const { db } = await openTestDatabase(t, dialect);
    t.truthy(await findClient(db, BUILT_IN_CLIENT_ID), 'the migration registers the built-in client');
    await insertClient(db, row('z-first', T0));
    await insertClient(db, row('a-second', T0 + 1));
    await insertClient(db, row('b-second', T0 + 1));
    t.deepEqual((await listClients(db)).map((c) => c.client_id).filter((id) => id !== BUILT_IN_CLIENT_ID), ['z-first', 'a-second', 'b-second']);
    await t.throwsAsync(insertClient(db, row('z-first', T0)), { any: true }, 'client ids are unique');
    t.true(await updateClient(db, 'z-first', { client_name: 'renamed', updated_at: T0 + 5 }));
    t.false(await updateClient(db, 'nope', { client_name: 'x' }));
    t.like(await findClient(db, 'z-first'), { client_name: 'renamed', updated_at: T0 + 5, created_at: T0, first_party: 0, audience: null });
    t.true(await deleteClient(db, 'z-first'));
    t.false(await deleteClient(db, 'z-first'));
    t.is(await findClient(db, 'z-first'), undefined);
  });

  test(`${dialect}: millisecond timestamps and flags round-trip as numbers`, async (t) => {
    const { db } = await openTestDatabase(t, dialect);
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
}
