// DPoP (RFC 9449): the proof of possession a client sends in the `DPoP` header, checked as §4.3
// lists, and the binding of an access token to the proof's key (`cnf.jkt`, §6). No Koa here: the
// HTTP layer hands over the header values, the method and the URL the issuer names the endpoint by.
import { calculateJwkThumbprint, decodeProtectedHeader, EmbeddedJWK, errors as joseErrors, jwtVerify, type JWK } from 'jose';
import type { Clock } from '../../clock.js';
import { sha256 } from '../../crypto/random.js';
import { OAuthError } from '../../errors/oauth-error.js';
import type { ReplayGuard } from './replay-guard.js';

/**
 * RFC 9449 §4.3 (5): asymmetric algorithms only, never `none` or a MAC. `Ed25519` is the fully
 * specified name of EdDSA over Ed25519 (RFC 9864), which oauth4webapi and openid-client send.
 */
export const DPOP_ALGS = ['ES256', 'ES384', 'PS256', 'RS256', 'EdDSA', 'Ed25519'] as const;
/** The `algs` parameter of a DPoP challenge (RFC 9449 §7.1). */
export const DPOP_ALGS_PARAMETER = DPOP_ALGS.join(' ');

const DPOP_TYP = 'dpop+jwt';
/** A proof is a few hundred bytes (RSA keys in the header: under 2 kB). */
const MAX_PROOF_LENGTH = 8 * 1024;
/** How old a proof may be (RFC 9449 §11.1: a short window, since there are no server nonces). */
export const PROOF_MAX_AGE_SECONDS = 60;
/** How far ahead of our clock a client's clock may be. */
const PROOF_MAX_FUTURE_SECONDS = 5;
/** RFC 9449 §4.2: jti is a random identifier; 16 bytes base64url is 22 characters. */
const MAX_JTI_LENGTH = 256;
/** RFC 7517 private members: a proof's `jwk` must carry none of them (RFC 9449 §4.3 (7)). */
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

/** What a request brings to be checked. */
export interface ProofRequest {
  /** Every `DPoP` header of the request, as sent: exactly one is allowed (RFC 9449 §4.3 (1)). */
  headers: readonly string[];
  /** The request's method (`htm`). */
  method: string;
  /** The endpoint's URL as the issuer names it, without query or fragment (`htu`). */
  url: string;
  /** At a resource: the access token the proof must name by its hash (`ath`, RFC 9449 §4.3 (12)). */
  accessToken?: string;
}

/** A proof that passed every check. */
export interface DpopProof {
  /** The RFC 7638 SHA-256 thumbprint of the proof's public key: what `cnf.jkt` binds a token to. */
  jkt: string;
}

/** RFC 9449 §6.1: the confirmation claim of a bound access token. */
export interface DpopConfirmation {
  jkt: string;
}

const invalidProof = (description: string, detail?: string) => new OAuthError('invalid_dpop_proof', description, detail === undefined ? {} : { detail });

/** `ath` (RFC 9449 §4.2): the base64url SHA-256 of the access token's ASCII text. */
export const accessTokenHash = (accessToken: string): string => sha256(accessToken);

/**
 * The URL as RFC 9449 §4.3 (9) compares it: scheme and host in lower case, no default port (RFC
 * 3986 §6.2.2 and §6.2.3, which the WHATWG URL parser applies), the path as is, no query or
 * fragment. Undefined for anything that is not an absolute http(s) URL.
 */
export function normalizedHtu(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  if (url.username !== '' || url.password !== '') return undefined;
  return `${url.protocol}//${url.host}${url.pathname}`;
}

export class DpopProofs {
  constructor(
    private readonly replayGuard: Pick<ReplayGuard, 'useOnce'>,
    private readonly clock: Clock,
  ) {}

  /** Checks a proof per RFC 9449 §4.3 and spends its `jti`; throws invalid_dpop_proof otherwise. */
  async verify(request: ProofRequest): Promise<DpopProof> {
    if (request.headers.length !== 1) throw invalidProof('exactly one DPoP header is allowed');
    const proof = request.headers[0]!.trim();
    if (proof.length === 0 || proof.length > MAX_PROOF_LENGTH || proof.split('.').length !== 3) throw invalidProof('the DPoP proof is not a JWT');

    const jwk = this.headerKey(proof);
    const payload = await this.verifiedPayload(proof);

    if (payload.htm !== request.method) throw invalidProof('the DPoP proof is for another HTTP method (htm)');
    // RFC 9449 §4.2: htu is the target URI *without* query and fragment; one that has them is malformed.
    if (typeof payload.htu !== 'string' || /[?#]/.test(payload.htu)) throw invalidProof('the DPoP proof has no valid htu');
    const htu = normalizedHtu(payload.htu);
    if (htu === undefined || htu !== normalizedHtu(request.url)) throw invalidProof('the DPoP proof is for another URL (htu)');

    const now = this.clock.now() / 1000;
    if (typeof payload.iat !== 'number' || !Number.isFinite(payload.iat)) throw invalidProof('the DPoP proof has no iat');
    if (payload.iat < now - PROOF_MAX_AGE_SECONDS) throw invalidProof('the DPoP proof is too old (iat)');
    if (payload.iat > now + PROOF_MAX_FUTURE_SECONDS) throw invalidProof('the DPoP proof is issued in the future (iat)');

    if (request.accessToken !== undefined) {
      if (payload.ath !== accessTokenHash(request.accessToken)) throw invalidProof('the DPoP proof is not for this access token (ath)');
    }

    if (typeof payload.jti !== 'string' || payload.jti.length === 0 || payload.jti.length > MAX_JTI_LENGTH) throw invalidProof('the DPoP proof has no valid jti');
    const jkt = await calculateJwkThumbprint(jwk, 'sha256');
    // RFC 9449 §11.1: a jti is accepted once while its proof could still be accepted, on every
    // instance (the guard stores it in the database). Spent last, so refused proofs store nothing.
    const rememberUntil = (Math.ceil(payload.iat) + PROOF_MAX_AGE_SECONDS + 1) * 1000;
    if (!(await this.replayGuard.useOnce(`dpop:${jkt}`, payload.jti, rememberUntil))) throw invalidProof('the DPoP proof was used before (jti)');
    return { jkt };
  }

  /** The protected header's checks that need no signature: typ, alg, a public `jwk`. */
  private headerKey(proof: string): JWK {
    let header: ReturnType<typeof decodeProtectedHeader>;
    try {
      header = decodeProtectedHeader(proof);
    } catch {
      throw invalidProof('the DPoP proof header is malformed');
    }
    if (typeof header.typ !== 'string' || header.typ.toLowerCase() !== DPOP_TYP) throw invalidProof('the DPoP proof typ must be dpop+jwt');
    if (typeof header.alg !== 'string' || !(DPOP_ALGS as readonly string[]).includes(header.alg)) {
      throw invalidProof(`the DPoP proof alg must be one of ${DPOP_ALGS_PARAMETER}`);
    }
    const jwk = header.jwk;
    if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) throw invalidProof('the DPoP proof has no jwk');
    if (PRIVATE_JWK_MEMBERS.some((member) => Object.hasOwn(jwk, member))) throw invalidProof('the DPoP proof jwk must be a public key');
    return jwk;
  }

  /** The signature, with the header's own key and the algorithm pinned to the allowlist. */
  private async verifiedPayload(proof: string) {
    try {
      const { payload } = await jwtVerify(proof, EmbeddedJWK, {
        algorithms: [...DPOP_ALGS],
        typ: DPOP_TYP,
        currentDate: new Date(this.clock.now()),
      });
      return payload;
    } catch (error) {
      if (error instanceof joseErrors.JOSEError || error instanceof TypeError) {
        throw invalidProof('the DPoP proof signature or key is invalid', error instanceof Error ? error.message : undefined);
      }
      throw error;
    }
  }
}

/**
 * RFC 9449 §7.1 at a resource: a bound token only with a proof of its key, an unbound one only as
 * Bearer. `presentedJkt` is the key of the request's verified proof (undefined for Bearer).
 * Returns why the token may not be used, or undefined.
 */
export function bindingProblem(cnf: DpopConfirmation | undefined, presentedJkt: string | undefined): string | undefined {
  if (cnf === undefined) return presentedJkt === undefined ? undefined : 'the access token is not DPoP-bound: send it as a Bearer token';
  if (presentedJkt === undefined) return 'the access token is DPoP-bound: send it with the DPoP scheme and a proof';
  return presentedJkt === cnf.jkt ? undefined : 'the DPoP proof is made with another key than the access token is bound to';
}
