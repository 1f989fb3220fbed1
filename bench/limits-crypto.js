// In-process limit: JWT signatures (or verifications) per second on one core, two ways:
// - `jose`: jose's SignJWT / jwtVerify with node:crypto KeyObjects, the way Tessera signs its access
//   tokens (src/domain/tokens/access-tokens.ts). jose 6 runs on WebCrypto, whose sign and verify are
//   jobs on libuv's thread pool;
// - `node`: the same compact JWS made by hand with node:crypto's synchronous sign/verify, for
//   comparison: no thread hop, no promise.
// Run by bench/run.js pinned to the core the servers use, so the number is "what one core can do".
//
//   node bench/limits-crypto.js ALG OP SECONDS ROUNDS CONCURRENCY [IMPL]   (ALG: ES256|RS256, OP: sign|verify, IMPL: jose|node)
//
// Prints one JSON line: {"alg","op","impl","concurrency","rates":[ops/s per round],"cpuSeconds"}.
import { createPrivateKey, createPublicKey, randomBytes, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import { exportJWK, generateKeyPair, jwtVerify, SignJWT } from 'jose';
import { throughput } from './lib/throughput.js';

const [alg, op, seconds, rounds, concurrency, impl = 'jose'] = [process.argv[2], process.argv[3], Number(process.argv[4]), Number(process.argv[5]), Number(process.argv[6]), process.argv[7]];
if (!['ES256', 'RS256'].includes(alg) || !['sign', 'verify'].includes(op) || !(seconds > 0) || !(rounds > 0) || !(concurrency > 0) || !['jose', 'node'].includes(impl)) {
  process.stderr.write('usage: limits-crypto.js ES256|RS256 sign|verify SECONDS ROUNDS CONCURRENCY [jose|node]\n');
  process.exit(64);
}

// Keys as Tessera holds them: KeyObjects made from a JWK.
const pair = await generateKeyPair(alg, { extractable: true, ...(alg === 'RS256' ? { modulusLength: 2048 } : {}) });
const privateKey = createPrivateKey({ key: await exportJWK(pair.privateKey), format: 'jwk' });
const publicKey = createPublicKey({ key: await exportJWK(pair.publicKey), format: 'jwk' });
const issuer = 'http://127.0.0.1:3000';

function payload() {
  const iat = Math.floor(Date.now() / 1000);
  return { iss: issuer, sub: 'client-id-0123456789', aud: issuer, client_id: 'client-id-0123456789', scope: 'api:read', iat, exp: iat + 900, jti: randomBytes(16).toString('base64url') };
}
const joseSign = () => new SignJWT(payload()).setProtectedHeader({ alg, kid: 'bench-kid', typ: 'at+jwt' }).sign(privateKey);
const sample = await joseSign();
const joseVerify = () => jwtVerify(sample, publicKey, { algorithms: [alg], issuer, typ: 'at+jwt', requiredClaims: ['exp', 'iat', 'jti', 'sub', 'client_id'] });

// By hand with node:crypto, synchronous. ES256 signatures are IEEE P1363 (r || s) in JWS.
const signOptions = alg === 'ES256' ? { key: privateKey, dsaEncoding: 'ieee-p1363' } : privateKey;
const verifyOptions = alg === 'ES256' ? { key: publicKey, dsaEncoding: 'ieee-p1363' } : publicKey;
const header = Buffer.from(JSON.stringify({ alg, kid: 'bench-kid', typ: 'at+jwt' })).toString('base64url');
const nodeSignOne = async () => {
  const input = `${header}.${Buffer.from(JSON.stringify(payload())).toString('base64url')}`;
  return `${input}.${nodeSign('sha256', Buffer.from(input), signOptions).toString('base64url')}`;
};
const nodeVerifyOne = async () => {
  const [h, p, sig] = sample.split('.');
  if (!nodeVerify('sha256', Buffer.from(`${h}.${p}`), verifyOptions, Buffer.from(sig, 'base64url'))) throw new Error('node:crypto verify failed');
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
  if (claims.iss !== issuer || JSON.parse(Buffer.from(h, 'base64url').toString()).typ !== 'at+jwt') throw new Error('bad claims');
  return claims;
};
if (!(await joseVerify()) || !(await nodeVerifyOne()) || (await jwtVerify(await nodeSignOne(), publicKey, { algorithms: [alg] })).payload.iss !== issuer) throw new Error('self-check failed');

const work = impl === 'jose' ? (op === 'sign' ? joseSign : joseVerify) : op === 'sign' ? nodeSignOne : nodeVerifyOne;

const measure = (ms) => throughput(work, concurrency, ms);

await measure(Math.min(1000, seconds * 1000)); // warm-up
const rates = [];
for (let i = 0; i < rounds; i += 1) rates.push(await measure(seconds * 1000));
const { user, system } = process.cpuUsage();
process.stdout.write(`${JSON.stringify({ alg, op, impl, concurrency, rates, cpuSeconds: (user + system) / 1e6 })}\n`);
