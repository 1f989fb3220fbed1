// Compact JWS signing with node:crypto directly, for the tokens we issue. Measured on this
// machine (bench/results): ES256 17,000 signatures/s on one core against jose's 8,400 (jose 6
// signs through WebCrypto, which hops to the thread pool per signature), RS256 2,200 against
// 1,700. The header segment is encoded once per key. Verification stays on jose.
import { sign, type KeyObject } from 'node:crypto';
import type { KeyAlg } from '../storage/schema.js';

const headerCache = new Map<string, string>();

function headerSegment(alg: KeyAlg, kid: string, typ: string): string {
  const cacheKey = `${alg}.${kid}.${typ}`;
  let segment = headerCache.get(cacheKey);
  if (segment === undefined) {
    if (headerCache.size > 256) headerCache.clear();
    segment = Buffer.from(JSON.stringify({ alg, kid, typ })).toString('base64url');
    headerCache.set(cacheKey, segment);
  }
  return segment;
}

/** RFC 7515 compact serialisation of `payload` under `key` (ES256: raw r||s signature, RFC 7518 §3.4). */
export function signCompact(payload: object, key: KeyObject, alg: KeyAlg, kid: string, typ: string): string {
  const input = `${headerSegment(alg, kid, typ)}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  const signature = alg === 'ES256' ? sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }) : sign('sha256', Buffer.from(input), key);
  return `${input}.${signature.toString('base64url')}`;
}
