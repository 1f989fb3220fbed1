// The numbers of the signing-key schedule (docs/decisions.md, Signing keys) and the lifecycle's decision
// whether a tick has anything to do, without a database.
import test from 'ava';
import { loadConfig } from '../../src/config/config.js';
import { KeyLifecycle } from '../../src/crypto/key-lifecycle.js';
import { KEY_ALGS, keyPolicy, PROPAGATION_MS, withKeyPropagation, type KeyPolicy } from '../../src/crypto/key-policy.js';
import { Sealer } from '../../src/crypto/sealing.js';
import type { KeyAlg, KeyStatus, SigningKeyRow } from '../../src/storage/schema.js';
import { unconnectedDb } from '../helpers/unconnected-db.js';
import { ManualClock } from '../helpers/server.js';

const schedule = (env: Record<string, string>) => keyPolicy(loadConfig(env));

test('the production defaults: 30 days, a 1 h lead, 5 s propagation, one queued key', (t) => {
  t.is(PROPAGATION_MS, 5_000);
  t.deepEqual(schedule({}), {
    rotationIntervalMs: 30 * 86_400_000,
    publishLeadMs: 3_600_000,
    propagationMs: 5_000,
    maxTokenLifetimeMs: 3_600_000, // the longer of the 15 min access and 1 h ID tokens
    queueLength: 1,
    jwksMaxAgeSeconds: 1800,
  });
});

test('the queue is long enough that the key due next was published for the lead', (t) => {
  // ceil((propagation + lead) / interval)
  t.is(schedule({ KEY_ROTATION_INTERVAL: '6s', KEY_PUBLISH_LEAD: '31s' }).queueLength, 6);
  t.is(schedule({ KEY_ROTATION_INTERVAL: '36s', KEY_PUBLISH_LEAD: '31s' }).queueLength, 1, 'exactly one interval');
  t.is(schedule({ KEY_ROTATION_INTERVAL: '35s', KEY_PUBLISH_LEAD: '31s' }).queueLength, 2, 'just over one interval');
  t.is(schedule({ KEY_ROTATION_INTERVAL: '1s', KEY_PUBLISH_LEAD: '1h' }).queueLength, 3605);
});

test('the longest token lifetime and the JWKS max-age follow the configuration', (t) => {
  const policy = schedule({ ACCESS_TOKEN_TTL: '2h', ID_TOKEN_TTL: '5m', KEY_PUBLISH_LEAD: '31s' });
  t.is(policy.maxTokenLifetimeMs, 7_200_000);
  t.is(policy.jwksMaxAgeSeconds, 15, 'at most half the lead, in whole seconds');
});

test('a test may shorten propagation; the queue length follows it', (t) => {
  const config = loadConfig({ KEY_ROTATION_INTERVAL: '2s', KEY_PUBLISH_LEAD: '2s' });
  t.is(keyPolicy(config).queueLength, 4, 'ceil((5 s + 2 s) / 2 s)');
  const fast = withKeyPropagation(config, 250);
  t.is(keyPolicy(fast).propagationMs, 250);
  t.is(keyPolicy(fast).queueLength, 2, 'ceil((0.25 s + 2 s) / 2 s)');
  t.true(Object.isFrozen(fast));
  t.is(fast.keyRotationInterval, 2, 'the rest of the configuration is kept');
  t.is(keyPolicy(config).propagationMs, PROPAGATION_MS, 'the original is untouched');
  for (const bad of [0, -1, 1.5, Number.NaN]) t.throws(() => withKeyPropagation(config, bad), { instanceOf: RangeError }, String(bad));
});

// needsMaintenance: whether a tick must take the lock (docs/decisions.md: a stale answer costs one empty
// transaction at most, a missed one a late rotation).
const T0 = Date.UTC(2026, 0, 1);
let serial = 0;
function row(alg: KeyAlg, status: KeyStatus, fields: Partial<SigningKeyRow> = {}): SigningKeyRow {
  serial += 1;
  return {
    kid: `${alg}-${serial}`,
    alg,
    status,
    public_jwk: '{}',
    private_jwk_sealed: '',
    created_at: T0,
    published_at: T0 + 5_000,
    activates_at: null,
    rotation_requested_at: null,
    activated_at: status === 'active' ? T0 : null,
    retired_at: null,
    revoked_at: null,
    expires_at: null,
    ...fields,
  };
}

function lifecycle(policy: KeyPolicy) {
  const clock = new ManualClock(T0);
  return { clock, lifecycle: new KeyLifecycle(unconnectedDb(), new Sealer(Buffer.alloc(32)), policy, clock) };
}

/** Per algorithm: one active key and a full queue, the first due at T0 + interval. */
function settled(policy: KeyPolicy): SigningKeyRow[] {
  return KEY_ALGS.flatMap((alg) => [
    row(alg, 'active'),
    ...Array.from({ length: policy.queueLength }, (_, i) => row(alg, 'next', { activates_at: T0 + (i + 1) * policy.rotationIntervalMs })),
  ]);
}

test('needsMaintenance: a settled state needs nothing until the first queued key is due', (t) => {
  const policy = schedule({ KEY_ROTATION_INTERVAL: '6s', KEY_PUBLISH_LEAD: '31s' });
  const { lifecycle: keys } = lifecycle(policy);
  const rows = settled(policy);
  t.false(keys.needsMaintenance(rows, T0));
  t.false(keys.needsMaintenance(rows, T0 + 5_999));
  t.true(keys.needsMaintenance(rows, T0 + 6_000), 'due at the instant');
  t.false(keys.needsMaintenance(rows), 'now is the clock\'s by default');
});

test('needsMaintenance: a missing active key, a short queue, or an expired key', (t) => {
  const policy = schedule({ KEY_ROTATION_INTERVAL: '6s', KEY_PUBLISH_LEAD: '31s' });
  const { lifecycle: keys } = lifecycle(policy);
  t.true(keys.needsMaintenance([], T0), 'first start');
  const rows = settled(policy);
  t.true(keys.needsMaintenance(rows.filter((r) => !(r.alg === 'RS256' && r.status === 'active')), T0), 'one algorithm without an active key');
  const lastQueued = rows.filter((r) => r.alg === 'ES256' && r.status === 'next').at(-1)!;
  t.true(keys.needsMaintenance(rows.filter((r) => r !== lastQueued), T0), 'a queue one short');
  const retired = row('ES256', 'retired', { expires_at: T0 + 1_000 });
  t.false(keys.needsMaintenance([...rows, retired], T0 + 999), 'a retired key before it expires');
  t.true(keys.needsMaintenance([...rows, retired], T0 + 1_000), 'a retired key once it expires');
  const revoked = row('RS256', 'revoked', { expires_at: T0 + 2_000 });
  t.true(keys.needsMaintenance([...rows, revoked], T0 + 2_000), 'a revoked key once nothing it signed is alive');
});

test('needsMaintenance: a queued key not yet scheduled is not due', (t) => {
  const policy = schedule({});
  const { lifecycle: keys } = lifecycle(policy);
  const rows = KEY_ALGS.flatMap((alg) => [row(alg, 'active'), row(alg, 'next')]);
  t.false(keys.needsMaintenance(rows, T0 + 365 * 86_400_000));
});
