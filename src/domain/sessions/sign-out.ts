// Signing out (docs/accounts.md; OpenID Connect RP-Initiated Logout 1.0): ending one session,
// all of a user's, one of the user's own, or a browser session with what it started. Each ending
// and its audit event commit together, and an event is written only when something really ended.
import { audit, type Actor, type RequestMeta } from '../../audit/audit-log.js';
import type { Clock } from '../../clock.js';
import { OAuthError } from '../../errors/oauth-error.js';
import type { Db } from '../../storage/db.js';
import { listLiveSessions } from '../../storage/repositories/sessions.js';
import type { BrowserSessions } from '../oidc/browser-sessions.js';
import { sessionFromRow, type Session } from './session.js';
import type { Sessions } from './sessions.js';

/** Longer ids are never ours (randomId); not worth a database read. */
const MAX_SESSION_ID_LENGTH = 64;

export class SignOutService {
  constructor(
    private readonly db: Db,
    private readonly sessions: Sessions,
    private readonly browserSessions: BrowserSessions,
    private readonly clock: Clock,
  ) {}

  /**
   * `POST /auth/logout`: ends the session of a refresh token. An unknown or spent token is no error
   * (there is nothing left to end, and the answer must not tell tokens apart).
   */
  async logout(refreshToken: string | undefined, meta: RequestMeta): Promise<void> {
    const sessionId = refreshToken ? await this.sessions.sessionOfRefreshToken(refreshToken) : undefined;
    if (!sessionId) return;
    const state = await this.sessions.state(sessionId);
    await this.db.transaction().execute(async (tx) => {
      if (await this.sessions.end(tx, sessionId, 'logout')) {
        await audit(tx, { event: 'user.logout', userId: state?.userId ?? null, meta, detail: { session: sessionId } }, this.clock.now());
      }
    });
    this.sessions.sessionsEnded();
  }

  /** `POST /auth/logout-all`: every session of the user ends and every earlier token dies. */
  async logoutAll(user: Actor): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await this.sessions.endAll(tx, user.id, 'logout_all');
      await audit(tx, { event: 'user.logout_all', userId: user.id, meta: user.meta }, this.clock.now());
    });
    this.sessions.sessionsEnded();
  }

  /** The user's live sessions, newest first. */
  async listOwn(userId: string): Promise<Session[]> {
    return (await listLiveSessions(this.db, userId, this.clock.now())).map(sessionFromRow);
  }

  /**
   * Ends one of the user's own sessions, and for a browser session the sessions its codes started
   * (their tokens die with it anyway; ending them too keeps them off the lists); another user's
   * session is as unknown as a made-up one.
   */
  async endOwn(user: Actor, sessionId: string): Promise<void> {
    const state = sessionId.length <= MAX_SESSION_ID_LENGTH ? await this.sessions.state(sessionId) : undefined;
    if (!state || state.userId !== user.id || state.endedAt !== null) throw new OAuthError('not_found', 'no such session');
    await this.db.transaction().execute(async (tx) => {
      await this.browserSessions.end(tx, sessionId, 'ended_by_user');
      await audit(tx, { event: 'session.ended', userId: user.id, meta: user.meta, detail: { session: sessionId } }, this.clock.now());
    });
    this.sessions.sessionsEnded();
  }

  /**
   * End-session with a valid id_token_hint: its `sid` ends when it is a session of the hint's
   * `sub` (a hint names, it does not prove; another user's sid is left alone).
   */
  async endHintedSession(hint: { sid: string; sub: string }, meta: RequestMeta): Promise<void> {
    const state = await this.sessions.state(hint.sid);
    if (state && state.userId === hint.sub) await this.endBrowserSession(hint.sid, hint.sub, meta);
  }

  /** Ends a browser session and every session its codes started (end-session, its confirm page). */
  async endBrowserSession(sessionId: string, userId: string | null, meta: RequestMeta): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      if ((await this.browserSessions.end(tx, sessionId, 'end_session')) > 0) {
        await audit(tx, { event: 'user.logout', userId, meta, detail: { session: sessionId, via: 'end_session' } }, this.clock.now());
      }
    });
    this.sessions.sessionsEnded();
  }
}
