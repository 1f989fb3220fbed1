// The JWTs a client makes itself, for the DPoP and private_key_jwt rows: a DPoP proof (RFC 9449
// §4.2) and a client assertion (RFC 7523 §3), one fresh per request with its own `jti` and the
// current `iat`, since both servers refuse a replayed one. They are built in the load generator
// inside autocannon's per-request hook, so they must be cheap and cost the same whichever server
// is measured: node:crypto's synchronous ES256 signature (~40 µs on this machine's cores) and a
// counter for the `jti`, with the JOSE header encoded once.
import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';

const b64url = (value) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** An ES256 key pair: the private KeyObject and the public JWK (kty, crv, x, y), with `kid` if given. */
export function es256Key(kid) {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const { kty, crv, x, y } = publicKey.export({ format: 'jwk' });
  return { privateKey, publicJwk: { kty, crv, x, y, ...(kid ? { kid } : {}) } };
}

/** A compact JWS over an already encoded header and the payload, signed with ES256 (JWS form: r‖s). */
function es256(encodedHeader, payload, privateKey) {
  const input = `${encodedHeader}.${b64url(payload)}`;
  const signature = sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

/** Unique ids for one load generator process: a random prefix (so two runs never collide) and a counter. */
function jtiSource() {
  const prefix = randomBytes(9).toString('base64url');
  let n = 0;
  return () => `${prefix}.${(n++).toString(36)}`;
}

const nowS = () => Math.floor(Date.now() / 1000);

/** `() => proof`: DPoP proofs for `htm` `htu`, signed with `key` (its public JWK in the header). */
export function dpopProofs(key, htm, htu) {
  const header = b64url({ typ: 'dpop+jwt', alg: 'ES256', jwk: key.publicJwk });
  const jti = jtiSource();
  return () => es256(header, { jti: jti(), htm, htu, iat: nowS() }, key.privateKey);
}

/** `() => assertion`: client assertions of `clientId` for `audience` (the issuer), 60 s lifetime. */
export function clientAssertions(key, clientId, audience) {
  const header = b64url({ alg: 'ES256', kid: key.publicJwk.kid });
  const jti = jtiSource();
  return () => {
    const iat = nowS();
    return es256(header, { iss: clientId, sub: clientId, aud: audience, jti: jti(), iat, exp: iat + 60 }, key.privateKey);
  };
}

/** RFC 7638 thumbprint of an EC public JWK: what a DPoP-bound token's `cnf.jkt` must be. */
export function jwkThumbprint(jwk) {
  return createHash('sha256').update(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y })).digest('base64url');
}

/**
 * The body check of a DPoP-bound token answer: `token_type` DPoP, and an access token (a JWT)
 * whose `cnf.jkt` is the proof key's thumbprint. Decoding the payload costs the load generator a
 * few µs per answer, the same for both servers.
 */
export function dpopTokenCheck(jkt) {
  const needle = `"jkt":"${jkt}"`;
  return (body) => {
    if (!body.includes('"token_type":"DPoP"')) return false;
    const match = /"access_token":"(ey[^".]*)\.([^".]*)\./.exec(body);
    return match !== null && Buffer.from(match[2], 'base64url').toString().includes(needle);
  };
}
