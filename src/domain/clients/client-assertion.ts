// private_key_jwt (RFC 7523 §2.2 and §3; OIDC Core §9): a client proves who it is with a JWT signed
// by one of its registered keys. Every failure is invalid_client (RFC 7521 §4.2.1); the detail,
// logged and never sent, says which check failed.
import { decodeJwt, errors, jwtVerify } from 'jose';
import type { Clock } from '../../clock.js';
import { toSeconds } from '../../clock.js';
import { OAuthError } from '../../errors/oauth-error.js';
import type { ReplayGuard } from '../tokens/replay-guard.js';
import { CLIENT_ASSERTION_ALGS, type Client } from './client.js';
import type { ClientKeySets } from './client-key-sets.js';

/** RFC 7523 §2.2. */
export const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** An assertion lives at most this long (counted from now, whatever its `iat` says). */
export const MAX_ASSERTION_LIFETIME_S = 300;
/** Clocks of clients and server differ a little: this much on `exp`, `nbf` and `iat`. */
export const ASSERTION_CLOCK_SKEW_S = 30;
/** Real assertions are under 1 kB; a longer one is not parsed at all. */
const MAX_ASSERTION_LENGTH = 8 * 1024;
const MAX_JTI_LENGTH = 512;

const invalidAssertion = (detail: string) =>
  new OAuthError('invalid_client', 'client authentication failed', {
    detail,
    headers: { 'WWW-Authenticate': 'Basic realm="tessera", charset="UTF-8"' },
  });

/** The client an assertion claims to come from (its `sub`, RFC 7523 §3), read before any check. */
export function claimedClientId(assertion: string): string {
  if (assertion.length > MAX_ASSERTION_LENGTH) throw invalidAssertion('client assertion too long');
  let sub: unknown;
  try {
    sub = decodeJwt(assertion).sub;
  } catch {
    throw invalidAssertion('client assertion is not a JWT');
  }
  if (typeof sub !== 'string' || sub.length === 0) throw invalidAssertion('client assertion has no sub');
  return sub;
}

export class ClientAssertions {
  constructor(
    private readonly issuer: string,
    /** The token endpoint's URL: RFC 7523 §3 names it as an `aud` every endpoint may accept. */
    private readonly tokenEndpoint: string,
    private readonly keySets: ClientKeySets,
    private readonly replayGuard: ReplayGuard,
    private readonly clock: Clock,
  ) {}

  /**
   * Checks `assertion` for `client` at the endpoint at `endpointPath` (the issuer's `/token`,
   * `/introspect`, …): signature by a registered key with an allowed algorithm (pinned, RFC 8725
   * §3.1: never `none` or HMAC), `iss` = `sub` = client id, `aud` the issuer, the token endpoint
   * or this endpoint (alone or in an array), `exp` present and at most 5 minutes ahead, `iat`
   * not in the future, and a `jti` never seen before for this client (until the assertion expires).
   */
  async verify(client: Client, assertion: string, endpointPath: string): Promise<void> {
    if (assertion.length > MAX_ASSERTION_LENGTH) throw invalidAssertion('client assertion too long');
    const now = this.clock.now();
    let payload;
    try {
      ({ payload } = await jwtVerify(assertion, this.keySets.keysOf(client), {
        algorithms: [...CLIENT_ASSERTION_ALGS],
        issuer: client.clientId,
        subject: client.clientId,
        audience: [this.issuer, this.tokenEndpoint, `${this.issuer}${endpointPath}`],
        requiredClaims: ['exp', 'jti'],
        clockTolerance: ASSERTION_CLOCK_SKEW_S,
        currentDate: new Date(now),
      }));
    } catch (error) {
      if (error instanceof OAuthError) throw error;
      const code = error instanceof errors.JOSEError ? error.code : 'unexpected';
      throw invalidAssertion(`client assertion refused: ${code}: ${(error as Error).message}`);
    }
    const nowS = toSeconds(now);
    const exp = payload.exp!;
    if (exp > nowS + MAX_ASSERTION_LIFETIME_S + ASSERTION_CLOCK_SKEW_S) throw invalidAssertion('client assertion exp is more than 5 minutes ahead');
    if (payload.iat !== undefined && payload.iat > nowS + ASSERTION_CLOCK_SKEW_S) throw invalidAssertion('client assertion iat is in the future');
    const { jti } = payload;
    if (typeof jti !== 'string' || jti.length === 0 || jti.length > MAX_JTI_LENGTH) throw invalidAssertion('client assertion jti missing or malformed');
    // RFC 7523 §3 item 7: a jti is used once. Kept until exp (plus the skew that still accepts it).
    const fresh = await this.replayGuard.useOnce(`client_assertion:${client.clientId}`, jti, (exp + ASSERTION_CLOCK_SKEW_S) * 1000);
    if (!fresh) throw invalidAssertion('client assertion replayed (jti already used)');
  }
}
