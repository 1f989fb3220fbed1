// RFC 7662: whether a token is active right now, and what a resource server may know about it.
// Every call reads the revocation list, so a token revoked by any instance is inactive on the next
// call (design.md, Tokens); key and client state come from caches with a bounded staleness.
import type { Db } from '../../storage/db.js';
import { isRevoked } from '../../storage/repositories/revoked-tokens.js';
import type { ClientRegistry } from '../clients/client-registry.js';
import type { AccessTokens } from './access-tokens.js';

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
      token_type: 'Bearer' | 'refresh_token';
    };

export const INACTIVE: IntrospectionResponse = Object.freeze({ active: false });

export class Introspection {
  constructor(
    private readonly db: Db,
    private readonly accessTokens: AccessTokens,
    private readonly clients: ClientRegistry,
  ) {}

  async introspect(token: string): Promise<IntrospectionResponse> {
    const verified = await this.accessTokens.verify(token);
    if (!verified) return INACTIVE;
    const { claims } = verified;
    if (await isRevoked(this.db, claims.jti)) return INACTIVE;
    // A deleted client's tokens die with it (design.md, Tokens).
    if (!(await this.clients.find(claims.client_id))) return INACTIVE;
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
      token_type: 'Bearer',
    };
  }
}
