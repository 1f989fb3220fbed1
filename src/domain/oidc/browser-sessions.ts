// The single-sign-on session of a browser (README, Endpoints, Sessions): a session row whose cookie
// secret is stored only as a hash. Codes issued under it start sessions of their own (one per
// client sign-in) that end when it ends.
import { audit, type RequestMeta } from '../../audit/audit-log.js';
import type { Clock } from '../../clock.js';
import type { Config } from '../../config/config.js';
import { randomId, randomSecret, sha256 } from '../../crypto/random.js';
import type { Db, DbOrTx } from '../../storage/db.js';
import { OAuthError } from '../../errors/oauth-error.js';
import { endSessionTree, findBrowserSession, insertSession, updateSessionAuthTime } from '../../storage/repositories/sessions.js';
import { findUserById } from '../../storage/repositories/users.js';
import { sessionFromRow, sessionToRow, type Session } from '../sessions/session.js';
import type { SignInService } from '../accounts/sign-in.js';
import { userFromRow, type User } from '../accounts/user.js';
import type { MfaService } from '../mfa/mfa-service.js';

/**
 * How recent a sign-in must be for a sensitive change on the account pages (changing the password
 * or email, turning 2FA off): 5 minutes, as GitHub's sudo mode asks (docs/account.md,
 * Re-authentication). Older, the page asks for the password or a code first.
 */
export const REAUTH_WINDOW_MS = 5 * 60_000;

/** What a person gives to confirm it is them: the current password, or a code from the authenticator. */
export type ReauthProof = { password: string } | { code: string };

export interface BrowserSession {
  session: Session;
  user: User;
}

export class BrowserSessions {
  constructor(
    private readonly db: Db,
    private readonly config: Config,
    private readonly clock: Clock,
    private readonly signIn: SignInService,
    private readonly mfa: MfaService,
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

  /** Whether the browser session's last authentication is within REAUTH_WINDOW_MS. */
  recentlyAuthenticated(browser: BrowserSession): boolean {
    return this.clock.now() - browser.session.authTime <= REAUTH_WINDOW_MS;
  }

  /**
   * Confirms it is still the person (docs/account.md, Re-authentication): the current password,
   * or for a person with 2FA a code, checked under the same rate limits and lockout as a sign-in
   * (a wrong one counts toward it). Success moves the session's auth_time to now, as a sign-in
   * would (OIDC Core §2, auth_time), and is audited.
   */
  async reauthenticate(browser: BrowserSession, proof: ReauthProof, meta: RequestMeta): Promise<void> {
    const { user, session } = browser;
    if ('password' in proof) await this.signIn.verifyCurrentPassword(user, proof.password, meta);
    else if (user.mfaEnabled) await this.mfa.confirmCode(user, proof.code, meta);
    else throw new OAuthError('invalid_request', 'two-factor authentication is off', { reason: 'mfa_off' });
    await this.markReauthenticated(user.id, session.id, 'password' in proof ? 'pwd' : 'otp', meta);
  }

  /**
   * The person proved it is them (`method`, an RFC 8176 value or `fed` for an upstream provider
   * that vouched for a linked identity: UpstreamSignIn): the session's auth_time moves to now.
   */
  async markReauthenticated(userId: string, sessionId: string, method: string, meta: RequestMeta): Promise<void> {
    const now = this.clock.now();
    await this.db.transaction().execute(async (tx) => {
      if (!(await updateSessionAuthTime(tx, sessionId, now))) throw new OAuthError('invalid_grant', 'the browser session has ended');
      await audit(tx, { event: 'user.reauthenticated', userId, meta, detail: { session: sessionId, method } }, now);
    });
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
