// RFC 7662: whether a token is active right now, and what a resource server may know about it.
// Every call reads the revocation list and, for user tokens, the session and the user, so a token
// revoked or logged out by any instance is inactive on the next call (docs/decisions.md, Tokens); key and
// client state come from caches with a bounded staleness.
import type { Clock } from '../../clock.js';
import { sha256 } from '../../crypto/random.js';
import type { Db } from '../../storage/db.js';
import type { RevocationList } from '../../storage/repositories/revoked-tokens.js';
import type { Client } from '../clients/client.js';
import type { ClientRegistry } from '../clients/client-registry.js';
import { findRefreshTokenByHash, sessionAlive, type SessionState, type Sessions } from '../sessions/sessions.js';
import type { AccessTokens, ActorClaim, VerifiedAccessToken } from './access-tokens.js';

export type IntrospectionResponse =
  | { active: false }
  | {
      active: true;
      scope: string;
      client_id: string;
      sub: string;
      aud: string | string[];
      iss: string;
      exp: number;
      iat: number;
      jti: string;
      /** RFC 9449 §6.2: `DPoP` for a DPoP-bound access token. */
      token_type: 'Bearer' | 'DPoP' | 'refresh_token';
      /** RFC 9449 §6.2: the key a bound token is for, so that the resource server can check the proof. */
      cnf?: { jkt: string };
      /** RFC 8693 §4.1: who acts for the subject, on a token got by token exchange. */
      act?: ActorClaim;
    };

export const INACTIVE: IntrospectionResponse = Object.freeze({ active: false });

export interface ActiveAccessToken extends VerifiedAccessToken {
  client: Client;
  /** For user tokens: the live session they belong to. */
  session?: SessionState;
}

/** A compact JWS has three dot-separated parts; our refresh tokens have none. */
const looksLikeJwt = (token: string) => token.includes('.');

export class Introspection {
  constructor(
    private readonly db: Db,
    private readonly issuer: string,
    private readonly accessTokens: AccessTokens,
    private readonly clients: ClientRegistry,
    private readonly sessions: Sessions,
    private readonly clock: Clock,
    private readonly revocations: RevocationList,
  ) {}

  async introspect(token: string): Promise<IntrospectionResponse> {
    return looksLikeJwt(token) ? this.introspectAccessToken(token) : this.introspectRefreshToken(token);
  }

  /**
   * The whole check of docs/decisions.md: signature, exp, iss, key not revoked, jti not revoked, client
   * still registered, and for user tokens an unended session under the user's current generation.
   * Also the gate of the Bearer-protected routes.
   */
  async activeAccessToken(token: string): Promise<ActiveAccessToken | undefined> {
    const verified = await this.accessTokens.verify(token);
    if (!verified) return undefined;
    const { claims } = verified;
    if (await this.revocations.isRevoked(claims.jti)) return undefined;
    // A deleted client's tokens die with it (docs/decisions.md, Tokens).
    const client = await this.clients.find(claims.client_id);
    if (!client) return undefined;
    if (claims.sid === undefined) return { ...verified, client };
    const session = await this.sessions.state(claims.sid);
    if (!sessionAlive(session, this.clock.now()) || session.userId !== claims.sub) return undefined;
    return { ...verified, client, session };
  }

  private async introspectAccessToken(token: string): Promise<IntrospectionResponse> {
    const active = await this.activeAccessToken(token);
    if (!active) return INACTIVE;
    const { claims } = active;
    return {
      active: true,
      scope: claims.scope,
      client_id: claims.client_id,
      sub: claims.sub,
      aud: claims.aud,
      iss: claims.iss,
      exp: claims.exp,
      iat: claims.iat,
      jti: claims.jti,
      ...(claims.cnf === undefined ? { token_type: 'Bearer' as const } : { token_type: 'DPoP' as const, cnf: { jkt: claims.cnf.jkt } }),
      ...(claims.act === undefined ? {} : { act: claims.act }),
    };
  }

  private async introspectRefreshToken(token: string): Promise<IntrospectionResponse> {
    if (token.length > 256) return INACTIVE;
    const now = this.clock.now();
    const stored = await findRefreshTokenByHash(this.db, sha256(token));
    if (!stored || stored.usedAt !== null || stored.expiresAt <= now) return INACTIVE;
    const session = await this.sessions.state(stored.sessionId);
    const client = await this.clients.find(stored.clientId);
    if (!sessionAlive(session, now) || !client) return INACTIVE;
    return {
      active: true,
      scope: stored.scopes.join(' '),
      client_id: stored.clientId,
      sub: session.userId,
      aud: client.audience ?? this.issuer,
      iss: this.issuer,
      exp: Math.floor(stored.expiresAt / 1000),
      iat: Math.floor(stored.createdAt / 1000),
      jti: stored.id,
      token_type: 'refresh_token',
    };
  }
}
