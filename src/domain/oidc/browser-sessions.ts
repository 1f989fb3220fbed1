// The single-sign-on session of a browser (contract §3, Sessions): a session row whose cookie
// secret is stored only as a hash. Codes issued under it start sessions of their own (one per
// client sign-in) that end when it ends.
import type { RequestMeta } from '../../audit/audit-log.js';
import type { Clock } from '../../clock.js';
import type { Config } from '../../config/config.js';
import { randomId, randomSecret, sha256 } from '../../crypto/random.js';
import type { Db, DbOrTx } from '../../storage/db.js';
import { endSessionTree, findBrowserSession, insertSession } from '../../storage/repositories/sessions.js';
import { findUserById } from '../../storage/repositories/users.js';
import type { SessionRow, UserRow } from '../../storage/schema.js';

export interface BrowserSession {
  session: SessionRow;
  user: UserRow;
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
    const session = await findBrowserSession(this.db, sha256(secret));
    const now = this.clock.now();
    if (!session || session.ended_at !== null || Number(session.expires_at) <= now) return undefined;
    const user = await findUserById(this.db, session.user_id);
    if (!user || user.disabled === 1 || user.token_generation !== session.token_generation) return undefined;
    return { session, user };
  }

  /** Starts a browser session after every factor passed; returns the cookie secret. */
  async start(tx: DbOrTx, user: UserRow, clientId: string, amr: readonly string[], meta: RequestMeta): Promise<{ id: string; secret: string; authTime: number }> {
    const now = this.clock.now();
    const id = randomId();
    const secret = randomSecret();
    await insertSession(tx, {
      id,
      user_id: user.id,
      client_id: clientId,
      token_generation: user.token_generation,
      amr: amr.join(' '),
      auth_time: now,
      created_at: now,
      last_used_at: now,
      expires_at: now + this.config.sessionMaxTtl * 1000,
      ended_at: null,
      end_reason: null,
      ip: meta.ip,
      user_agent: meta.userAgent?.slice(0, 512) ?? null,
      browser_secret_hash: sha256(secret),
    });
    return { id, secret, authTime: now };
  }

  /** Ends the browser session and every session its codes started. */
  async end(db: DbOrTx, sessionId: string, reason: string): Promise<number> {
    return endSessionTree(db, sessionId, reason, this.clock.now());
  }
}
