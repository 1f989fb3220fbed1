// Single use of JWTs that the client makes itself: client assertions (RFC 7523 §3, "the JWT MAY
// contain a jti … the authorization server … ensure that JWTs are not replayed") and DPoP proofs
// (RFC 9449 §11.1). The used `jti`s live in the database, not in memory, so that an assertion or a
// proof accepted by one instance is refused by every other one (docs/clients.md).
import type { Clock } from '../../clock.js';
import { sha256 } from '../../crypto/random.js';
import { OAuthError } from '../../errors/oauth-error.js';
import type { Db } from '../../storage/db.js';
import { insertUsedJti } from '../../storage/repositories/used-jtis.js';

/** The longest namespace stored (`client_assertion:` + a 128-character client id fits). */
export const MAX_NAMESPACE_LENGTH = 200;

export class ReplayGuard {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  /**
   * Marks `jti` as used in `namespace` (`client_assertion:<client_id>`, `dpop:<jkt>`) until
   * `expiresAt` (ms since the epoch: the JWT's own expiry, after which it is refused anyway and
   * the row is purged by the cleanup job). True the first time, false on every later call before
   * then, on any instance. The `jti` is stored hashed: fixed length, whatever the client sent.
   */
  async useOnce(namespace: string, jti: string, expiresAt: number): Promise<boolean> {
    if (namespace.length === 0 || namespace.length > MAX_NAMESPACE_LENGTH) {
      // A programming error, not the client's: namespaces are built by the server.
      throw new OAuthError('server_error', 'replay namespace out of bounds', { detail: namespace.slice(0, 64) });
    }
    return insertUsedJti(this.db, namespace, sha256(jti), expiresAt, this.clock.now());
  }
}
