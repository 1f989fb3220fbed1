// JWT access tokens per RFC 9068: issued with the client's algorithm and the active key of it;
// verified with the algorithm pinned to the key's own (RFC 8725 §3.1), no leeway on `exp`.
import { decodeProtectedHeader, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { signCompact } from '../../crypto/jws.js';
import type { Clock } from '../../clock.js';
import type { Keystore } from '../../crypto/keystore.js';
import { randomId } from '../../crypto/random.js';
import type { KeyAlg } from '../../storage/schema.js';

export const ACCESS_TOKEN_TYP = 'at+jwt';
/** Ours are well under 2 kB; anything far larger is not worth parsing. */
const MAX_TOKEN_LENGTH = 16 * 1024;
/** RFC 8725 §3.10: a kid is a lookup key, not input for anything else. */
const MAX_KID_LENGTH = 128;
/** docs/decisions.md: at most 60 s of tolerance on `iat`, none on `exp`. */
const IAT_LEEWAY_SECONDS = 60;

export interface AccessTokenGrant {
  alg: KeyAlg;
  sub: string;
  clientId: string;
  audience: string | readonly string[];
  scopes: readonly string[];
  /** User tokens also carry `role` and `sid` (README, Endpoints). */
  extra?: { role?: string; sid?: string };
  /** RFC 9449 §6.1: binds the token to the DPoP key with this RFC 7638 thumbprint (`cnf.jkt`). */
  dpopJkt?: string;
  /** RFC 8693 §4.1: who acts for the subject (token exchange; docs/delegation.md). */
  act?: ActorClaim;
  /** Seconds since the epoch that `exp` may not pass: an exchanged token never outlives its subject token. */
  notAfter?: number;
}

/** RFC 8693 §4.1: the acting party, and the one that acted before it (nested). */
export interface ActorClaim {
  sub: string;
  act?: ActorClaim;
}

/**
 * The `aud` of an access token issued for a person. With `openid` granted it names the issuer
 * beside the client's API, so the token the sign-in gave the app also works at UserInfo (OIDC Core
 * §5.3.1; RFC 9068 §3 allows several audiences); the API still finds itself in `aud`.
 */
export function userTokenAudience(clientAudience: string | null, issuer: string, scopes: readonly string[]): string | string[] {
  if (clientAudience === null || clientAudience === issuer) return issuer;
  return scopes.includes('openid') ? [clientAudience, issuer] : clientAudience;
}

export interface IssuedAccessToken {
  token: string;
  jti: string;
  kid: string;
  expiresIn: number;
  /** Seconds since the epoch. */
  exp: number;
}

export interface AccessTokenClaims extends JWTPayload {
  iss: string;
  sub: string;
  aud: string | string[];
  client_id: string;
  scope: string;
  iat: number;
  exp: number;
  jti: string;
  role?: string;
  sid?: string;
  /** RFC 9449 §6.1: present on a DPoP-bound token. */
  cnf?: { jkt: string };
  /** RFC 8693 §4.1: present on a token got by token exchange. */
  act?: ActorClaim;
  /** RFC 8693 §4.4: who may act for the subject; Tessera never issues it, but honours it. */
  may_act?: unknown;
}

export interface VerifiedAccessToken {
  claims: AccessTokenClaims;
  kid: string;
  alg: KeyAlg;
}

/**
 * Tokens whose signature has been verified, by their exact text: a signature that verified once
 * verifies again, so a resource server introspecting the same token repeatedly pays for the
 * signature once. Everything that can change is checked on every call all the same: the key
 * still published (not revoked or deleted), `exp` and `iat` against the clock.
 */
const VERIFIED_CACHE_SIZE = 10_000;

export class AccessTokens {
  private readonly verified = new Map<string, VerifiedAccessToken>();

  constructor(
    private readonly issuer: string,
    private readonly ttlSeconds: number,
    private readonly keystore: Keystore,
    private readonly clock: Clock,
  ) {}

  async issue(grant: AccessTokenGrant): Promise<IssuedAccessToken> {
    const key = this.keystore.signingKey(grant.alg);
    const iat = Math.floor(this.clock.now() / 1000);
    const exp = Math.min(iat + this.ttlSeconds, grant.notAfter ?? Number.MAX_SAFE_INTEGER);
    const jti = randomId();
    const payload: AccessTokenClaims = {
      iss: this.issuer,
      sub: grant.sub,
      aud: typeof grant.audience === 'string' ? grant.audience : [...grant.audience],
      client_id: grant.clientId,
      scope: grant.scopes.join(' '),
      iat,
      exp,
      jti,
      ...(grant.extra?.role === undefined ? {} : { role: grant.extra.role }),
      ...(grant.extra?.sid === undefined ? {} : { sid: grant.extra.sid }),
      ...(grant.dpopJkt === undefined ? {} : { cnf: { jkt: grant.dpopJkt } }),
      ...(grant.act === undefined ? {} : { act: grant.act }),
    };
    const token = signCompact(payload, key.key, key.alg, key.kid, ACCESS_TOKEN_TYP);
    return { token, jti, kid: key.kid, expiresIn: exp - iat, exp };
  }

  /**
   * The token's signature, header and time claims, checked without touching the database.
   * Anything wrong yields undefined: the callers answer `active: false` or 401 without saying why.
   */
  async verify(token: string): Promise<VerifiedAccessToken | undefined> {
    const cached = this.verified.get(token);
    if (cached) {
      const now = this.clock.now() / 1000;
      if (this.keystore.verificationKey(cached.kid) && cached.claims.exp > now && cached.claims.iat <= now + IAT_LEEWAY_SECONDS) return cached;
      if (cached.claims.exp <= now || !this.keystore.verificationKey(cached.kid)) this.verified.delete(token);
      return undefined;
    }
    const result = await this.verifySignature(token);
    if (result) {
      if (this.verified.size >= VERIFIED_CACHE_SIZE) this.verified.delete(this.verified.keys().next().value!);
      this.verified.set(token, result);
    }
    return result;
  }

  private async verifySignature(token: string): Promise<VerifiedAccessToken | undefined> {
    if (token.length > MAX_TOKEN_LENGTH || token.split('.').length !== 3) return undefined;
    let kid: unknown;
    try {
      kid = decodeProtectedHeader(token).kid;
    } catch {
      return undefined;
    }
    if (typeof kid !== 'string' || kid.length === 0 || kid.length > MAX_KID_LENGTH) return undefined;
    const key = this.keystore.verificationKey(kid);
    if (!key) return undefined;

    try {
      const now = this.clock.now();
      const { payload } = await jwtVerify<AccessTokenClaims>(token, key.key, {
        algorithms: [key.alg],
        issuer: this.issuer,
        typ: ACCESS_TOKEN_TYP,
        requiredClaims: ['exp', 'iat', 'jti', 'sub', 'client_id'],
        clockTolerance: 0,
        currentDate: new Date(now),
      });
      if (payload.iat > now / 1000 + IAT_LEEWAY_SECONDS) return undefined;
      if (typeof payload.client_id !== 'string' || typeof payload.jti !== 'string') return undefined;
      if (payload.scope !== undefined && typeof payload.scope !== 'string') return undefined;
      if (payload.cnf !== undefined && typeof payload.cnf?.jkt !== 'string') return undefined;
      return { claims: { ...payload, scope: payload.scope ?? '' }, kid, alg: key.alg };
    } catch (error) {
      if (error instanceof joseErrors.JOSEError || error instanceof TypeError) return undefined;
      throw error;
    }
  }
}
