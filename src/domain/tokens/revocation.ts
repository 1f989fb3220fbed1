// RFC 7009: a client revokes its own tokens. Whatever the token, the answer is the same (200),
// so revocation tells nothing about tokens; another client's token is left alone (docs/decisions.md).
// A refresh token takes its whole family (its session) with it, and so the access tokens issued
// under that session.
import type { Clock } from '../../clock.js';
import { sha256 } from '../../crypto/random.js';
import type { Db } from '../../storage/db.js';
import { addRevokedToken } from '../../storage/repositories/revoked-tokens.js';
import type { Client } from '../clients/client.js';
import { findRefreshTokenByHash, type Sessions } from '../sessions/sessions.js';
import type { AccessTokens } from './access-tokens.js';

export type RevocationOutcome = 'revoked' | 'not_owner' | 'unknown';

export class Revocation {
  constructor(
    private readonly db: Db,
    private readonly accessTokens: AccessTokens,
    private readonly sessions: Sessions,
    private readonly clock: Clock,
  ) {}

  async revoke(token: string, client: Client): Promise<RevocationOutcome> {
    // token_type_hint is only a hint (RFC 7009 §2.1): the token's shape says what it is.
    if (!token.includes('.')) return this.revokeRefreshToken(token, client);
    // An expired or forged token is already inactive: nothing to record.
    const verified = await this.accessTokens.verify(token);
    if (!verified) return 'unknown';
    if (verified.claims.client_id !== client.clientId) return 'not_owner';
    await addRevokedToken(this.db, verified.claims.jti, verified.claims.exp * 1000, this.clock.now());
    return 'revoked';
  }

  private async revokeRefreshToken(token: string, client: Client): Promise<RevocationOutcome> {
    if (token.length > 256) return 'unknown';
    const stored = await findRefreshTokenByHash(this.db, sha256(token));
    if (!stored) return 'unknown';
    if (stored.clientId !== client.clientId) return 'not_owner';
    await this.sessions.end(this.db, stored.sessionId, 'revoked');
    return 'revoked';
  }
}
