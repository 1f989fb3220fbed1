// OpenID Connect ID tokens (Core §2, §3.1.3.6): signed with the client's algorithm by the active
// key of it, `at_hash` over the access token, `sid` naming the browser session for logout.
import { createHash } from 'node:crypto';
import { decodeProtectedHeader, errors as joseErrors, jwtVerify } from 'jose';
import { signCompact } from '../../crypto/jws.js';
import type { Clock } from '../../clock.js';
import type { Keystore } from '../../crypto/keystore.js';
import type { KeyAlg } from '../../storage/schema.js';

export interface IdTokenClaims {
  sub: string;
  clientId: string;
  alg: KeyAlg;
  authTime: number;
  sid: string;
  amr: readonly string[];
  nonce?: string | null;
  accessToken?: string;
}

/** Core §3.1.3.6: the left half of the SHA-256 of the access token (both our algs use SHA-256). */
export const atHash = (accessToken: string): string =>
  createHash('sha256').update(accessToken, 'ascii').digest().subarray(0, 16).toString('base64url');

export class IdTokens {
  constructor(
    private readonly issuer: string,
    private readonly ttlSeconds: number,
    private readonly keystore: Keystore,
    private readonly clock: Clock,
  ) {}

  issue(claims: IdTokenClaims): string {
    const key = this.keystore.signingKey(claims.alg);
    const iat = Math.floor(this.clock.now() / 1000);
    const payload = {
      iss: this.issuer,
      sub: claims.sub,
      aud: claims.clientId,
      iat,
      exp: iat + this.ttlSeconds,
      auth_time: Math.floor(claims.authTime / 1000),
      sid: claims.sid,
      amr: [...claims.amr],
      ...(claims.nonce ? { nonce: claims.nonce } : {}),
      ...(claims.accessToken ? { at_hash: atHash(claims.accessToken) } : {}),
    };
    return signCompact(payload, key.key, key.alg, key.kid, 'JWT');
  }

  /**
   * An `id_token_hint` at end-session: our signature and issuer, expired or not (RP-Initiated
   * Logout §2). Returns the claims that matter, or undefined for anything else.
   */
  async verifyHint(token: string): Promise<{ sub: string; aud: string; sid?: string } | undefined> {
    if (token.length > 16 * 1024 || token.split('.').length !== 3) return undefined;
    try {
      const { kid } = decodeProtectedHeader(token);
      if (typeof kid !== 'string' || kid.length > 128) return undefined;
      const key = this.keystore.verificationKey(kid);
      if (!key) return undefined;
      const { payload } = await jwtVerify(token, key.key, {
        algorithms: [key.alg],
        issuer: this.issuer,
        typ: 'JWT',
        // Expired hints are accepted: only the signature and issuer count here.
        currentDate: new Date(0),
        clockTolerance: Number.MAX_SAFE_INTEGER,
      });
      const aud = Array.isArray(payload.aud) ? payload.aud[0] : payload.aud;
      if (typeof payload.sub !== 'string' || typeof aud !== 'string') return undefined;
      return { sub: payload.sub, aud, ...(typeof payload.sid === 'string' ? { sid: payload.sid } : {}) };
    } catch (error) {
      if (error instanceof joseErrors.JOSEError || error instanceof TypeError) return undefined;
      throw error;
    }
  }
}
