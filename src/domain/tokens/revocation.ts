// RFC 7009: a client revokes its own tokens. Whatever the token, the answer is the same (200),
// so revocation tells nothing about tokens; another client's token is left alone (security.md).
import type { Clock } from '../../clock.js';
import type { Db } from '../../storage/db.js';
import { addRevokedToken } from '../../storage/repositories/revoked-tokens.js';
import type { Client } from '../clients/client.js';
import type { AccessTokens } from './access-tokens.js';

export type RevocationOutcome = 'revoked' | 'not_owner' | 'unknown';

export class Revocation {
  constructor(
    private readonly db: Db,
    private readonly accessTokens: AccessTokens,
    private readonly clock: Clock,
  ) {}

  async revoke(token: string, client: Client): Promise<RevocationOutcome> {
    // An expired or forged token is already inactive: nothing to record.
    const verified = await this.accessTokens.verify(token);
    if (!verified) return 'unknown';
    if (verified.claims.client_id !== client.clientId) return 'not_owner';
    await addRevokedToken(this.db, verified.claims.jti, verified.claims.exp * 1000, this.clock.now());
    return 'revoked';
  }
}
