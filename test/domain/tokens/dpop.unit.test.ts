// DPoP proof checks of RFC 9449 §4.3, one by one, on the domain checker with an in-memory replay
// store and a fixed clock (the server tests drive the same checks through real clients).
import { createHash, randomUUID } from 'node:crypto';
import test from 'ava';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { DpopProofs, normalizedHtu, bindingProblem, type ProofRequest } from '../../../src/domain/tokens/dpop.js';
import { isOAuthError } from '../../../src/errors/oauth-error.js';

const URL_ = 'https://id.example.com/token';
const NOW = Date.UTC(2026, 10, 24, 12, 0, 0);
const clock = { now: () => NOW };

class MemoryGuard {
  readonly used = new Map<string, number>();
  async useOnce(namespace: string, jti: string, expiresAt: number): Promise<boolean> {
    const key = `${namespace} ${jti}`;
    if (this.used.has(key)) return false;
    this.used.set(key, expiresAt);
    return true;
  }
}

interface Signer {
  alg: string;
  privateKey: CryptoKey;
  jwk: JWK;
}

async function signer(alg = 'ES256'): Promise<Signer> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { alg, privateKey, jwk: await exportJWK(publicKey) };
}

async function proof(key: Signer, claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT({ htm: 'POST', htu: URL_, iat: Math.floor(NOW / 1000), jti: randomUUID(), ...claims })
    .setProtectedHeader({ alg: key.alg, typ: 'dpop+jwt', jwk: key.jwk, ...header })
    .sign(key.privateKey);
}

const request = (dpop: string | string[], extra: Partial<ProofRequest> = {}): ProofRequest => ({
  headers: Array.isArray(dpop) ? dpop : [dpop],
  method: 'POST',
  url: URL_,
  ...extra,
});

async function refusal(t: import('ava').ExecutionContext, checker: DpopProofs, input: ProofRequest, message: RegExp) {
  const error = await t.throwsAsync(checker.verify(input));
  t.true(isOAuthError(error), String(error));
  if (isOAuthError(error)) {
    t.is(error.code, 'invalid_dpop_proof');
    t.regex(error.description, message);
  }
}

test('a valid proof yields the RFC 7638 thumbprint of its key, for every allowed algorithm', async (t) => {
  const checker = new DpopProofs(new MemoryGuard(), clock);
  for (const alg of ['ES256', 'ES384', 'RS256', 'PS256', 'EdDSA', 'Ed25519']) {
    const key = await signer(alg);
    const result = await checker.verify(request(await proof(key)));
    t.is(result.jkt, await calculateJwkThumbprint(key.jwk), alg);
  }
});

test('exactly one DPoP header', async (t) => {
  const checker = new DpopProofs(new MemoryGuard(), clock);
  const key = await signer();
  await refusal(t, checker, request([await proof(key), await proof(key)]), /exactly one/);
  await refusal(t, checker, request([]), /exactly one/);
  await refusal(t, checker, request(''), /not a JWT/);
});

test('typ, alg none, a MAC, and a private key in the header are refused', async (t) => {
  const checker = new DpopProofs(new MemoryGuard(), clock);
  const key = await signer();
  await refusal(t, checker, request(await proof(key, {}, { typ: 'JWT' })), /typ/);

  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${b64({ alg: 'none', typ: 'dpop+jwt', jwk: key.jwk })}.${b64({ htm: 'POST', htu: URL_, iat: NOW / 1000, jti: 'x' })}.`;
  await refusal(t, checker, request(unsigned), /alg/);

  const secret = new Uint8Array(32);
  const mac = await new SignJWT({ htm: 'POST', htu: URL_, iat: NOW / 1000, jti: 'y' }).setProtectedHeader({ alg: 'HS256', typ: 'dpop+jwt', jwk: key.jwk }).sign(secret);
  await refusal(t, checker, request(mac), /alg/);

  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const privateJwk = await exportJWK(privateKey);
  t.truthy(privateJwk.d);
  await refusal(t, checker, request(await proof({ ...key, jwk: privateJwk })), /public key/);
  await refusal(t, checker, request(await proof(key, {}, { jwk: undefined })), /jwk/);
});

test('a proof signed by another key than its jwk is refused', async (t) => {
  const checker = new DpopProofs(new MemoryGuard(), clock);
  const key = await signer();
  const other = await signer();
  await refusal(t, checker, request(await proof({ ...key, jwk: other.jwk })), /signature/);
});

test('htm and htu must name this request; htu without query or fragment, compared normalised', async (t) => {
  const checker = new DpopProofs(new MemoryGuard(), clock);
  const key = await signer();
  await refusal(t, checker, request(await proof(key, { htm: 'GET' })), /htm/);
  await refusal(t, checker, request(await proof(key, { htm: 'post' })), /htm/);
  await refusal(t, checker, request(await proof(key, { htu: 'https://id.example.com/introspect' })), /htu/);
  await refusal(t, checker, request(await proof(key, { htu: 'https://evil.example.com/token' })), /htu/);
  await refusal(t, checker, request(await proof(key, { htu: 'http://id.example.com/token' })), /htu/);
  await refusal(t, checker, request(await proof(key, { htu: `${URL_}?a=b` })), /htu/);
  await refusal(t, checker, request(await proof(key, { htu: `${URL_}#f` })), /htu/);
  await refusal(t, checker, request(await proof(key, { htu: 42 })), /htu/);
  // RFC 3986 §6.2.2/§6.2.3: scheme and host case, the default port.
  t.truthy(await checker.verify(request(await proof(key, { htu: 'HTTPS://ID.Example.COM:443/token' }))));
  t.is(normalizedHtu('HTTPS://ID.Example.COM:443/token'), URL_);
  t.is(normalizedHtu('http://127.0.0.1:80/userinfo'), 'http://127.0.0.1/userinfo');
  t.is(normalizedHtu('ftp://id.example.com/token'), undefined);
  t.is(normalizedHtu('/token'), undefined);
});

test('iat: at most 60 seconds old, at most 5 seconds ahead', async (t) => {
  const checker = new DpopProofs(new MemoryGuard(), clock);
  const key = await signer();
  const now = NOW / 1000;
  await refusal(t, checker, request(await proof(key, { iat: now - 61 })), /too old/);
  await refusal(t, checker, request(await proof(key, { iat: now + 6 })), /future/);
  await refusal(t, checker, request(await proof(key, { iat: undefined })), /iat/);
  t.truthy(await checker.verify(request(await proof(key, { iat: now - 59 }))));
  t.truthy(await checker.verify(request(await proof(key, { iat: now + 4 }))));
});

test('a jti is accepted once per key, remembered while the proof could still be accepted', async (t) => {
  const guard = new MemoryGuard();
  const checker = new DpopProofs(guard, clock);
  const key = await signer();
  const once = await proof(key, { jti: 'same' });
  const { jkt } = await checker.verify(request(once));
  await refusal(t, checker, request(once), /used before/);
  t.is(guard.used.get(`dpop:${jkt} same`), (Math.floor(NOW / 1000) + 61) * 1000);
  // Another key may use the same jti: the namespace is the key's.
  t.truthy(await checker.verify(request(await proof(await signer(), { jti: 'same' }))));
  await refusal(t, checker, request(await proof(key, { jti: '' })), /jti/);
  // A refused proof spends nothing.
  const size = guard.used.size;
  await refusal(t, checker, request(await proof(key, { htm: 'GET', jti: 'fresh' })), /htm/);
  t.is(guard.used.size, size);
});

test('at a resource, ath must be the hash of the access token', async (t) => {
  const checker = new DpopProofs(new MemoryGuard(), clock);
  const key = await signer();
  const token = 'eyJ.an.access-token';
  const ath = createHash('sha256').update(token, 'ascii').digest('base64url');
  const at = { method: 'GET', url: 'https://id.example.com/userinfo', accessToken: token };
  const claims = { htm: 'GET', htu: 'https://id.example.com/userinfo' };
  t.truthy(await checker.verify(request(await proof(key, { ...claims, ath }), at)));
  await refusal(t, checker, request(await proof(key, claims), at), /ath/);
  await refusal(t, checker, request(await proof(key, { ...claims, ath: createHash('sha256').update('other').digest('base64url') }), at), /ath/);
});

test('binding: a bound token only with its key, an unbound one only as Bearer', (t) => {
  t.is(bindingProblem(undefined, undefined), undefined);
  t.is(bindingProblem({ jkt: 'a' }, 'a'), undefined);
  t.regex(bindingProblem({ jkt: 'a' }, undefined) ?? '', /DPoP-bound/);
  t.regex(bindingProblem({ jkt: 'a' }, 'b') ?? '', /another key/);
  t.regex(bindingProblem(undefined, 'a') ?? '', /not DPoP-bound/);
});
