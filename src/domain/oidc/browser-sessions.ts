// The single-sign-on session of a browser (README, Endpoints, Sessions): a session row whose cookie
// secret is stored only as a hash. Codes issued under it start sessions of their own (one per
// client sign-in) that end when it ends.
import type { RequestMeta } from '../../audit/audit-log.js';
import type { Clock } from '../../clock.js';
import type { Config } from '../../config/config.js';
import { randomId, randomSecret, sha256 } from '../../crypto/random.js';
import type { Db, DbOrTx } from '../../storage/db.js';
import { endSessionTree, findBrowserSession, insertSession } from '../../storage/repositories/sessions.js';
import { findUserById } from '../../storage/repositories/users.js';
import { sessionFromRow, sessionToRow, type Session } from '../sessions/session.js';
import { userFromRow, type User } from '../accounts/user.js';

export interface BrowserSession {
  session: Session;
  user: User;
}

export class BrowserSessions {
  constructor(
    private readonly db: Db,
    private readonly config: Config,
    private readonly clock: Clock,
  ) {}

  /** The live session behind a cookie secret, with its user; undefined when it has ended. */
  async find(secret: string | undefined): Promise<BrowserSession | undefined> {
    if (!secret || secret.length > 128) return undefined;
    const row = await findBrowserSession(this.db, sha256(secret));
    const session = row ? sessionFromRow(row) : undefined;
    const now = this.clock.now();
    if (!session || session.endedAt !== null || session.expiresAt <= now) return undefined;
    const userRow = await findUserById(this.db, session.userId);
    const user = userRow ? userFromRow(userRow) : undefined;
    if (!user || user.disabled || user.tokenGeneration !== session.tokenGeneration) return undefined;
    return { session, user };
  }

  /** Starts a browser session after every factor passed; returns the cookie secret. */
  async start(tx: DbOrTx, user: User, clientId: string, amr: readonly string[], meta: RequestMeta): Promise<{ id: string; secret: string; authTime: number }> {
    const now = this.clock.now();
    const id = randomId();
    const secret = randomSecret();
    const session: Session = {
      id,
      userId: user.id,
      clientId,
      tokenGeneration: user.tokenGeneration,
      amr: [...amr],
      authTime: now,
      createdAt: now,
      lastUsedAt: now,
      expiresAt: now + this.config.sessionMaxTtl * 1000,
      endedAt: null,
      endReason: null,
      ip: meta.ip,
      userAgent: meta.userAgent?.slice(0, 512) ?? null,
      // A browser session is the root of its tree: the sessions its codes start point to it.
      parentId: null,
    };
    await insertSession(tx, sessionToRow(session, sha256(secret)));
    return { id, secret, authTime: now };
  }

  /** Ends the browser session and every session its codes started. */
  async end(db: DbOrTx, sessionId: string, reason: string): Promise<number> {
    return endSessionTree(db, sessionId, reason, this.clock.now());
  }
}
