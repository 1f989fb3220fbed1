// Logout tokens (OpenID Connect Back-Channel Logout 1.0 §2.4): signed like the client's ID tokens
// (its id_token_signed_response_alg, the active key of it; §2.6), typed `logout+jwt` (§2.4, as
// RFC 8725 §3.11 asks, so that one can never pass for an ID token), and never with a `nonce`.
import type { Clock } from '../../clock.js';
import { signCompact } from '../../crypto/jws.js';
import type { Keystore } from '../../crypto/keystore.js';
import { randomId } from '../../crypto/random.js';
import type { KeyAlg } from '../../storage/schema.js';

export const LOGOUT_TOKEN_TYP = 'logout+jwt';
export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
/**
 * §2.4 asks for a short lifetime. Two minutes: a token is made for each delivery attempt, so it
 * never has to outlive one; the rest is for the receiver's clock.
 */
export const LOGOUT_TOKEN_TTL_SECONDS = 120;

export interface LogoutTokenClaims {
  clientId: string;
  alg: KeyAlg;
  sub: string;
  /** The `sid` of the ID tokens of the ended session. */
  sid: string;
}

export class LogoutTokens {
  constructor(
    private readonly issuer: string,
    private readonly keystore: Keystore,
    private readonly clock: Clock,
  ) {}

  issue(claims: LogoutTokenClaims): string {
    const key = this.keystore.signingKey(claims.alg);
    const iat = Math.floor(this.clock.now() / 1000);
    const payload = {
      iss: this.issuer,
      sub: claims.sub,
      aud: claims.clientId,
      iat,
      exp: iat + LOGOUT_TOKEN_TTL_SECONDS,
      // §2.4: a unique id, so that a receiver can refuse a replay.
      jti: randomId(),
      sid: claims.sid,
      events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
    };
    return signCompact(payload, key.key, key.alg, key.kid, LOGOUT_TOKEN_TYP);
  }
}
