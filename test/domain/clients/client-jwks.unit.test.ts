// The checks of a registered JWK Set and jwks_uri (src/domain/clients/client-jwks.ts): what each
// refusal says, and what a fetched set keeps.
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import test from 'ava';
import type { JWK } from 'jose';
import { checkClientJwks, checkJwksUri, usableFetchedKeys } from '../../../src/domain/clients/client-jwks.js';
import { OAuthError } from '../../../src/errors/oauth-error.js';

const jwkOf = (type: 'ec' | 'rsa' | 'ed25519' | 'x25519', options: Record<string, unknown> = {}) => {
  const { publicKey, privateKey } = (generateKeyPairSync as (type: string, options: object) => { publicKey: KeyObject; privateKey: KeyObject })(type, { namedCurve: 'P-256', modulusLength: 2048, ...options });
  return { public: publicKey.export({ format: 'jwk' }) as JWK, private: privateKey.export({ format: 'jwk' }) as JWK };
};
const ec = jwkOf('ec');
const rsa = jwkOf('rsa');
const ed = jwkOf('ed25519');

const refusal = (input: unknown): string => {
  try {
    checkClientJwks(input);
  } catch (error) {
    if (error instanceof OAuthError && error.code === 'invalid_request') return error.description;
    throw error;
  }
  throw new Error('accepted');
};

test('public EC P-256, RSA 2048 and Ed25519 keys are accepted, stripped to their public members', (t) => {
  const set = checkClientJwks({ keys: [{ ...ec.public, kid: 'e', alg: 'ES256', use: 'sig', x5c: ['...'], extra: 1 }, { ...rsa.public, kid: 'r' }, { ...ed.public, kid: 'd', alg: 'EdDSA' }] });
  t.deepEqual(set.keys.map((key) => key.kid), ['e', 'r', 'd']);
  t.deepEqual(Object.keys(set.keys[0]!).sort(), ['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
});

test('each refusal says what is wrong', (t) => {
  t.regex(refusal({ keys: [{ ...ec.private, kid: 'p' }] }), /private member "d"/);
  t.regex(refusal({ keys: [{ ...rsa.private, kid: 'p' }] }), /private member/);
  t.regex(refusal({ keys: [{ kty: 'oct', k: 'c2VjcmV0', kid: 's' }] }), /private member "k"/);
  t.regex(refusal({ keys: [{ ...jwkOf('rsa', { modulusLength: 1024 }).public, kid: 'w' }] }), /at least 2048 bits/);
  t.regex(refusal({ keys: [{ ...jwkOf('ec', { namedCurve: 'P-384' }).public, kid: 'p' }] }), /P-256/);
  t.regex(refusal({ keys: [{ ...jwkOf('x25519').public, kid: 'x' }] }), /Ed25519/);
  t.regex(refusal({ keys: [ec.public] }), /needs a kid/);
  t.regex(refusal({ keys: [{ ...ec.public, kid: 'a' }, { ...rsa.public, kid: 'a' }] }), /kid "a" twice/);
  t.regex(refusal({ keys: [{ ...ec.public, kid: 'a', y: ec.public.x }] }), /not a valid EC public key/);
  t.regex(refusal({ keys: [{ ...ec.public, kid: 'a', alg: 'ES384' }] }), /signs with ES256/);
  t.regex(refusal({ keys: [{ ...rsa.public, kid: 'a', alg: 'PS256' }] }), /signs with RS256/);
  t.regex(refusal({ keys: [{ ...ec.public, kid: 'a', use: 'enc' }] }), /"sig"/);
  t.regex(refusal({ keys: [] }), /non-empty/);
  t.regex(refusal([ec.public]), /JSON object/);
  t.regex(refusal({ keys: Array.from({ length: 11 }, (_, i) => ({ ...ec.public, kid: `k${i}` })) }), /more than 10/);
});

test('a fetched set keeps the usable keys and drops the rest', (t) => {
  const set = usableFetchedKeys({ keys: [{ ...ec.private, kid: 'private' }, { ...ec.public, kid: 'good' }, { ...ec.public, kid: 'enc', use: 'enc' }, 'junk', { ...rsa.public, kid: 'rsa' }] });
  t.deepEqual(set.keys.map((key) => key.kid), ['good', 'rsa']);
  t.deepEqual(usableFetchedKeys('<html>'), { keys: [] });
});

test('a jwks_uri is https, or http on loopback', (t) => {
  t.is(checkJwksUri(' https://10.0.0.5/keys '), 'https://10.0.0.5/keys', 'private addresses are allowed (admins register clients)');
  t.is(checkJwksUri('http://localhost:8080/jwks'), 'http://localhost:8080/jwks');
  t.is(checkJwksUri('http://[::1]/jwks'), 'http://[::1]/jwks');
  for (const bad of ['http://keys.example.com/jwks', 'ftp://keys.example.com/jwks', 'https://u:p@keys.example.com/', 'https://keys.example.com/#x', '/jwks', `https://k.example/${'a'.repeat(2048)}`]) {
    t.throws(() => checkJwksUri(bad), { instanceOf: OAuthError }, bad);
  }
});
