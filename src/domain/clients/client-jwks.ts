// The public keys a private_key_jwt client registers (RFC 7523 §2.2; RFC 7591 §2 `jwks` and
// `jwks_uri`), checked once at registration so that the token endpoint only ever sees usable keys.
import { createPublicKey, type JsonWebKey } from 'node:crypto';
import type { JWK, JSONWebKeySet } from 'jose';
import { OAuthError } from '../../errors/oauth-error.js';

/** More keys than a client rotates through is a mistake, and each one is tried on a kid miss. */
export const MAX_CLIENT_KEYS = 10;
export const MAX_JWKS_URI_LENGTH = 2048;
const MAX_KID_LENGTH = 200;

/** Members that only a private or symmetric key has (RFC 7518 §6.2.2, §6.3.2, §6.4; RFC 8037 §2). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

/** The members kept of each key: what verification needs, nothing the client added besides. */
const PUBLIC_MEMBERS = ['kty', 'kid', 'use', 'alg', 'crv', 'x', 'y', 'n', 'e'] as const;

const invalid = (description: string) => new OAuthError('invalid_request', description);

/**
 * Checks a registered JWK Set: public keys only (a private member anywhere is refused, never
 * quietly dropped: the client has leaked it and should know), each an EC P-256, RSA of at least
 * 2048 bits or Ed25519 key with a `kid` unique in the set, usable for signatures, and with an
 * `alg`, if it names one, that Tessera accepts for that key type. Returns the set with only the
 * public members of each key.
 */
export function checkClientJwks(input: unknown): JSONWebKeySet {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw invalid('jwks must be a JSON object with a "keys" array (RFC 7517 §5)');
  const keys = (input as { keys?: unknown }).keys;
  if (!Array.isArray(keys) || keys.length === 0) throw invalid('jwks must have a non-empty "keys" array (RFC 7517 §5)');
  if (keys.length > MAX_CLIENT_KEYS) throw invalid(`jwks holds more than ${MAX_CLIENT_KEYS} keys`);
  const kids = new Set<string>();
  const checked = keys.map((key: unknown, index) => {
    const jwk = checkPublicJwk(key, `jwks key ${index + 1}`);
    if (kids.has(jwk.kid!)) throw invalid(`jwks has the kid ${JSON.stringify(jwk.kid)} twice`);
    kids.add(jwk.kid!);
    return jwk;
  });
  return { keys: checked };
}

/**
 * The usable keys of a JWK Set fetched from a client's `jwks_uri`: each checked as a registered
 * one would be; a key that fails (an encryption key, a private key, a key type we do not accept)
 * is left out rather than failing the whole set, as the other keys may be the ones in use.
 */
export function usableFetchedKeys(input: unknown): JSONWebKeySet {
  const keys = typeof input === 'object' && input !== null && Array.isArray((input as { keys?: unknown }).keys) ? ((input as { keys: unknown[] }).keys) : [];
  const usable: JWK[] = [];
  for (const key of keys.slice(0, 10 * MAX_CLIENT_KEYS)) {
    try {
      usable.push(checkPublicJwk(key, 'key'));
    } catch {
      // left out: see above
    }
  }
  return { keys: usable };
}

function checkPublicJwk(key: unknown, what: string): JWK {
  if (typeof key !== 'object' || key === null || Array.isArray(key)) throw invalid(`${what} is not a JSON object`);
  const jwk = key as Record<string, unknown>;
  for (const member of PRIVATE_MEMBERS) {
    if (member in jwk) throw invalid(`${what} has the private member "${member}": register public keys only`);
  }
  const kid = jwk.kid;
  if (typeof kid !== 'string' || kid.length === 0 || kid.length > MAX_KID_LENGTH) throw invalid(`${what} needs a kid (a string of 1 to ${MAX_KID_LENGTH} characters)`);
  if (jwk.use !== undefined && jwk.use !== 'sig') throw invalid(`${what} has use ${JSON.stringify(jwk.use)}; client assertion keys are for "sig"`);
  for (const member of PUBLIC_MEMBERS) {
    if (jwk[member] !== undefined && typeof jwk[member] !== 'string') throw invalid(`${what}: "${member}" must be a string`);
  }

  const alg = jwk.alg as string | undefined;
  if (jwk.kty === 'EC') {
    if (jwk.crv !== 'P-256') throw invalid(`${what}: EC keys must be on P-256 (ES256)`);
    if (alg !== undefined && alg !== 'ES256') throw invalid(`${what}: a P-256 key signs with ES256, not ${JSON.stringify(alg)}`);
  } else if (jwk.kty === 'RSA') {
    if (alg !== undefined && alg !== 'RS256') throw invalid(`${what}: an RSA key signs with RS256, not ${JSON.stringify(alg)}`);
  } else if (jwk.kty === 'OKP') {
    if (jwk.crv !== 'Ed25519') throw invalid(`${what}: OKP keys must be Ed25519 (EdDSA)`);
    if (alg !== undefined && alg !== 'EdDSA' && alg !== 'Ed25519') throw invalid(`${what}: an Ed25519 key signs with EdDSA, not ${JSON.stringify(alg)}`);
  } else {
    throw invalid(`${what} has kty ${JSON.stringify(jwk.kty)}; accepted are EC (P-256), RSA and OKP (Ed25519)`);
  }

  const publicJwk = Object.fromEntries(PUBLIC_MEMBERS.filter((member) => jwk[member] !== undefined).map((member) => [member, jwk[member]])) as JWK;
  // Node parses the key as it will at verification: a point off the curve, a bad modulus or bad
  // base64url is found now, not at the first token request.
  let details;
  try {
    details = createPublicKey({ key: publicJwk as JsonWebKey, format: 'jwk' }).asymmetricKeyDetails;
  } catch {
    throw invalid(`${what} is not a valid ${String(jwk.kty)} public key`);
  }
  if (jwk.kty === 'RSA' && (details?.modulusLength ?? 0) < 2048) throw invalid(`${what}: RSA keys must have at least 2048 bits (RFC 7518 §3.3)`);
  return publicJwk;
}

/**
 * A client's `jwks_uri`: an absolute https URL (its keys decide who the client is, so they must
 * not travel where they can be changed on the way); plain http only to loopback, where nothing is
 * on the way. Private and loopback addresses are allowed: only admins register clients (README,
 * Outbound calls).
 */
export function checkJwksUri(text: string): string {
  const uri = text.trim();
  if (uri.length > MAX_JWKS_URI_LENGTH) throw invalid(`jwks_uri is longer than ${MAX_JWKS_URI_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw invalid(`jwks_uri ${JSON.stringify(uri)} is not an absolute URL`);
  }
  if (url.hash || uri.includes('#')) throw invalid('jwks_uri has a fragment');
  if (url.username || url.password) throw invalid('jwks_uri carries credentials');
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) throw invalid('jwks_uri must use https (plain http only for localhost)');
  return uri;
}
