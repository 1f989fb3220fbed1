// Storage conformance: src/storage/repositories/upstreams.ts on every dialect here. A request sent
// to an upstream is taken once (a replayed or racing callback finds nothing), an identity is one
// pair (upstream, sub) and one per account and upstream, and deleting an upstream takes its
// identities and pending requests with it, never the accounts.
import test from 'ava';
import {
  countOtherSignInMethods,
  deleteUpstream,
  findConfirmRequest,
  findIdentity,
  insertIdentity,
  insertUpstream,
  insertUpstreamRequest,
  listSealedUpstreamSecrets,
  purgeExpiredUpstreamRequests,
  resealUpstreamSecret,
  takeSentRequest,
} from '../../../src/storage/repositories/upstreams.js';
import { findUserById } from '../../../src/storage/repositories/users.js';
import type { Db } from '../../../src/storage/db.js';
import { DIALECTS } from '../../helpers/env.js';
import { addUser, openTestDatabase, T0 } from '../../helpers/storage.js';

const upstream = (db: Db, name: string) =>
  insertUpstream(db, { name, display_name: name, issuer: `https://${name}.example`, client_id: 'c', client_secret_sealed: `sealed-${name}`, scope: 'openid email', preset: null, created_at: T0, updated_at: T0 });

const request = (fields: { id: string; state_hash: string; step?: 'sent' | 'confirm'; interaction_id?: string; expires_at?: number }) => ({
  upstream: 'acme',
  purpose: 'sign_in' as const,
  step: 'sent' as const,
  interaction_id: null,
  user_id: null,
  browser_hash: 'b',
  code_verifier: 'v',
  nonce: 'n',
  subject: null,
  email: null,
  name: null,
  created_at: T0,
  expires_at: T0 + 600_000,
  ...fields,
});

for (const dialect of DIALECTS) {
  test(`${dialect}: a sent request is taken once, and not after it expires`, async (t) => {
    const { db } = await openTestDatabase(t, dialect);
    await upstream(db, 'acme');
    await insertUpstreamRequest(db, request({ id: 'r1', state_hash: 'h1' }));
    await insertUpstreamRequest(db, request({ id: 'r2', state_hash: 'h2', expires_at: T0 + 10 }));
    await insertUpstreamRequest(db, request({ id: 'r3', state_hash: 'h3', step: 'confirm', interaction_id: 'i1' }));
    const [first, second] = await Promise.all([takeSentRequest(db, 'h1', T0 + 1), takeSentRequest(db, 'h1', T0 + 1)]);
    t.is([first, second].filter(Boolean).length, 1, 'two callbacks racing: one wins');
    t.is((first ?? second)!.id, 'r1');
    t.is(await takeSentRequest(db, 'h2', T0 + 10), undefined, 'expired');
    t.is(await takeSentRequest(db, 'h3', T0 + 1), undefined, 'a link step is never taken by a state');
    t.is((await findConfirmRequest(db, 'i1', T0 + 1))?.id, 'r3');
    t.is(await purgeExpiredUpstreamRequests(db, T0 + 600_000), 2);
  });

  test(`${dialect}: identities are unique per (upstream, sub) and per (account, upstream); deleting an upstream keeps the accounts`, async (t) => {
    const { db } = await openTestDatabase(t, dialect);
    await upstream(db, 'acme');
    await upstream(db, 'other');
    const ada = await addUser(db);
    const bob = await addUser(db);
    await insertIdentity(db, { upstream: 'acme', subject: 's1', user_id: ada, email: 'a@example.com', created_at: T0 });
    await t.throwsAsync(insertIdentity(db, { upstream: 'acme', subject: 's1', user_id: bob, email: null, created_at: T0 }), { any: true });
    await t.throwsAsync(insertIdentity(db, { upstream: 'acme', subject: 's2', user_id: ada, email: null, created_at: T0 }), { any: true });
    await insertIdentity(db, { upstream: 'other', subject: 's1', user_id: bob, email: null, created_at: T0 });
    t.is((await findIdentity(db, 'acme', 's1'))?.user_id, ada);
    t.is(await countOtherSignInMethods(db, ada), 1);

    t.true(await deleteUpstream(db, 'acme'));
    t.is(await findIdentity(db, 'acme', 's1'), undefined);
    t.truthy(await findUserById(db, ada), 'the account stays');
    t.is((await findIdentity(db, 'other', 's1'))?.user_id, bob);
    t.false(await deleteUpstream(db, 'acme'));
  });

  test(`${dialect}: sealed client secrets are listed and replaced only while unchanged (keys rekey)`, async (t) => {
    const { db } = await openTestDatabase(t, dialect);
    await upstream(db, 'acme');
    t.deepEqual(await listSealedUpstreamSecrets(db), [{ name: 'acme', client_secret_sealed: 'sealed-acme' }]);
    t.true(await resealUpstreamSecret(db, 'acme', 'sealed-acme', 'resealed'));
    t.false(await resealUpstreamSecret(db, 'acme', 'sealed-acme', 'again'), 'changed meanwhile: left alone');
  });
}
