// Sign-in sessions and their refresh-token families (docs/decisions.md, Tokens; docs/decisions.md, Tokens).
// A session records the user's token generation; its tokens are alive only while the session has
// not ended or expired, the user is enabled, and the generation still matches.
import type { Clock } from '../../clock.js';
import type { Config } from '../../config/config.js';
import { randomId, randomSecret, sha256 } from '../../crypto/random.js';
import { audit, type RequestMeta } from '../../audit/audit-log.js';
import { OAuthError } from '../../errors/oauth-error.js';
import type { Db, DbOrTx } from '../../storage/db.js';
import {
  endSession,
  endUserSessions,
  findRefreshToken,
  findSessionWithUser,
  insertRefreshToken,
  insertSession,
  markRefreshTokenUsed,
  touchSession,
} from '../../storage/repositories/sessions.js';
import { bumpTokenGeneration } from '../../storage/repositories/users.js';
import type { Role, User } from '../accounts/user.js';
import { isPublicClient, type Client } from '../clients/client.js';
import { noDomainEvents, type DomainEvents } from '../events.js';
import { noLogoutWake, type LogoutWake } from './backchannel-logout.js';
import { userTokenAudience, type AccessTokens } from '../tokens/access-tokens.js';
import { refreshTokenFromRow, refreshTokenToRow, type RefreshToken } from './refresh-token.js';
import { sessionStateFromRow, sessionToRow, type SessionState } from './session.js';

const findState = async (db: DbOrTx, sessionId: string): Promise<SessionState | undefined> => {
  const row = await findSessionWithUser(db, sessionId);
  return row ? sessionStateFromRow(row) : undefined;
};

/** The stored refresh token behind a presented one's hash. */
export const findRefreshTokenByHash = async (db: DbOrTx, tokenHash: string): Promise<RefreshToken | undefined> => {
  const row = await findRefreshToken(db, tokenHash);
  return row ? refreshTokenFromRow(row) : undefined;
};

/** RFC 9449 §5: `DPoP` for an access token bound to a proof's key, else RFC 6750's `Bearer`. */
export type TokenType = 'Bearer' | 'DPoP';

export interface TokenPair {
  access_token: string;
  token_type: TokenType;
  expires_in: number;
  refresh_token: string;
  scope: string;
}

/** What a token response carries; a refresh token only for clients with that grant. */
export interface IssuedTokens {
  access_token: string;
  token_type: TokenType;
  expires_in: number;
  refresh_token?: string;
  scope: string;
}

export interface NewSession {
  user: Pick<User, 'id' | 'role' | 'tokenGeneration'>;
  client: Client;
  scopes: readonly string[];
  amr: readonly string[];
  meta: RequestMeta;
}

export interface GrantSession extends NewSession {
  /** The browser session the code came from; this session ends with it. */
  parentId: string;
  authTime: number;
  expiresAt: number;
  withRefreshToken: boolean;
  /**
   * The key thumbprint of the token request's DPoP proof (RFC 9449): the access token is bound to
   * it, and so is a public client's refresh token (§5).
   */
  dpopJkt?: string;
}

export type { Session, SessionState } from './session.js';
export type { RefreshToken } from './refresh-token.js';

export const sessionAlive = (state: SessionState | undefined, now: number): state is SessionState =>
  state !== undefined &&
  state.endedAt === null &&
  state.expiresAt > now &&
  !state.userDisabled &&
  state.sessionGeneration === state.userGeneration &&
  (state.parentId === null || (state.parentEndedAt === null && state.parentExpiresAt !== null && state.parentExpiresAt > now));

// No HTTP status here: the /auth API answers it with 401, the token endpoint with 400 (RFC 6749 §5.2).
const invalidGrant = (detail: string) => new OAuthError('invalid_grant', 'the refresh token is invalid, expired or revoked', { detail });

export class Sessions {
  constructor(
    private readonly db: Db,
    private readonly config: Config,
    private readonly accessTokens: AccessTokens,
    private readonly resolveClient: (clientId: string) => Promise<Client | undefined>,
    private readonly clock: Clock,
    private readonly events: DomainEvents = noDomainEvents,
    private readonly logouts: LogoutWake = noLogoutWake,
  ) {}

  /**
   * Tells the back-channel logout worker that sessions ended; call after the transaction that
   * ended them commits (the notices were queued in it: storage/repositories/sessions.ts).
   */
  sessionsEnded(): void {
    this.logouts.wake();
  }

  /** Starts a session (inside the caller's transaction) and returns its first token pair. */
  async start(tx: DbOrTx, session: NewSession): Promise<{ sessionId: string; pair: TokenPair }> {
    const now = this.clock.now();
    const { sessionId, tokens } = await this.open(tx, session, { authTime: now, expiresAt: now + this.config.sessionMaxTtl * 1000, parentId: null, withRefreshToken: true, issuesIdTokens: false });
    return { sessionId, pair: tokens as TokenPair };
  }

  /** A session started by redeeming an authorization code, under the browser session. */
  async startGrant(tx: DbOrTx, session: GrantSession): Promise<{ sessionId: string; tokens: IssuedTokens }> {
    // With `openid` the grant issues ID tokens, now and at each refresh (grants/refresh-token.ts).
    return this.open(tx, session, { ...session, issuesIdTokens: session.scopes.includes('openid') });
  }

  /**
   * Refresh tokens of public clients are bound to the DPoP key of the grant; confidential clients'
   * are not, since they authenticate anyway (RFC 9449 §5).
   */
  private static refreshBinding(client: Client, dpopJkt: string | undefined): string | null {
    return dpopJkt !== undefined && isPublicClient(client) ? dpopJkt : null;
  }

  private async open(
    tx: DbOrTx,
    session: NewSession,
    shape: { authTime: number; expiresAt: number; parentId: string | null; withRefreshToken: boolean; dpopJkt?: string; issuesIdTokens: boolean },
  ): Promise<{ sessionId: string; tokens: IssuedTokens }> {
    const now = this.clock.now();
    const sessionId = randomId();
    await insertSession(
      tx,
      sessionToRow({
        id: sessionId,
        userId: session.user.id,
        clientId: session.client.clientId,
        tokenGeneration: session.user.tokenGeneration,
        amr: [...session.amr],
        authTime: shape.authTime,
        createdAt: now,
        lastUsedAt: now,
        expiresAt: shape.expiresAt,
        endedAt: null,
        endReason: null,
        ip: session.meta.ip,
        userAgent: session.meta.userAgent?.slice(0, 512) ?? null,
        parentId: shape.parentId,
        // The `sid` its ID tokens carry: the browser session's (domain/tokens/id-tokens.ts), so that
        // the logout token of Back-Channel Logout §2.4 names the session the app knows.
        idTokenSid: shape.issuesIdTokens ? (shape.parentId ?? sessionId) : null,
      }),
    );
    const refreshToken = shape.withRefreshToken
      ? await this.newRefreshToken(tx, sessionId, session.client.clientId, session.scopes, now, shape.expiresAt, Sessions.refreshBinding(session.client, shape.dpopJkt))
      : undefined;
    const { refresh_token: _unused, ...pair } = await this.pair(session.client, session.user.id, session.user.role, sessionId, session.scopes, refreshToken ?? '', shape.dpopJkt);
    return { sessionId, tokens: refreshToken === undefined ? pair : { ...pair, refresh_token: refreshToken } };
  }

  /**
   * Rotates a refresh token (RFC 9700 §4.14): the presented token is spent and a new one issued.
   * A token presented after it was spent ends its whole family, with no grace period.
   * `dpopJkt` is the key thumbprint of the request's DPoP proof, if any: a bound refresh token
   * needs it to be its own key (RFC 9449 §5), and the new access token is bound to it.
   */
  async refresh(presented: string, expectedClientId?: string, narrowScope?: readonly string[], meta?: RequestMeta, dpopJkt?: string): Promise<TokenPair & { state: SessionState }> {
    const tokenHash = sha256(presented);
    const now = this.clock.now();
    const outcome = await this.db.transaction().execute(async (tx) => {
      const stored = await findRefreshTokenByHash(tx, tokenHash);
      if (!stored) return { ok: false as const, error: 'unknown refresh token' };
      if (expectedClientId !== undefined && stored.clientId !== expectedClientId) return { ok: false as const, error: 'refresh token of another client' };
      // RFC 9449 §5: checked before the token is spent, so that a thief without the key can
      // neither use it nor end the family by replaying it.
      if (stored.dpopJkt !== null && dpopJkt === undefined) return { ok: false as const, error: 'DPoP-bound refresh token without a proof', proofMissing: true };
      if (stored.dpopJkt !== null && stored.dpopJkt !== dpopJkt) return { ok: false as const, error: 'DPoP-bound refresh token with a proof of another key' };
      const granted = stored.scopes;
      // RFC 6749 §6: a refresh may ask for less than was granted, never more (checked before the
      // token is spent, so the mistake costs the client nothing).
      if (narrowScope && !narrowScope.every((scope) => granted.includes(scope))) return { ok: false as const, error: 'scope', scopeError: true };
      const state = await findState(tx, stored.sessionId);
      if (stored.usedAt !== null || !(await markRefreshTokenUsed(tx, tokenHash, now))) {
        // Reuse: whoever holds the newer token may be an attacker, or the victim; end them both.
        // Reported once per family, like the audit event: later replays of a revoked family are not news.
        const revoked = await endSession(tx, stored.sessionId, 'refresh_reuse', now);
        if (revoked) {
          await audit(tx, { event: 'refresh.reuse_detected', userId: state?.userId ?? null, ...(meta ? { meta } : {}), detail: { session: stored.sessionId } }, now);
        }
        return { ok: false as const, error: 'refresh token reuse: family revoked', reuseDetected: revoked };
      }
      if (!sessionAlive(state, now) || stored.expiresAt <= now) return { ok: false as const, error: 'session ended or token expired' };
      const expiresAt = Math.min(now + this.config.refreshTokenTtl * 1000, state.expiresAt);
      const scopes = narrowScope ? [...narrowScope] : granted;
      const next = await this.newRefreshToken(tx, stored.sessionId, stored.clientId, scopes, now, expiresAt, stored.dpopJkt);
      await touchSession(tx, stored.sessionId, now);
      return { ok: true as const, state, scopes, next };
    });
    if (!outcome.ok) {
      if ('reuseDetected' in outcome && outcome.reuseDetected) this.events.refreshReuse();
      if ('scopeError' in outcome) throw new OAuthError('invalid_scope', 'a refresh may not widen the granted scope');
      if ('proofMissing' in outcome) throw new OAuthError('invalid_dpop_proof', 'the refresh token is DPoP-bound: the request needs a DPoP proof of its key');
      throw invalidGrant(outcome.error);
    }
    const client = await this.resolveClient(outcome.state.clientId);
    if (!client) throw invalidGrant('client deleted');
    // The role is read now, so a changed role shows in the next access token (RFC 9700 §4.14).
    return { ...(await this.pair(client, outcome.state.userId, outcome.state.role, outcome.state.sessionId, outcome.scopes, outcome.next, dpopJkt)), state: outcome.state };
  }

  /** The session a refresh token belongs to, alive or not; undefined for an unknown token. */
  async sessionOfRefreshToken(presented: string): Promise<string | undefined> {
    return (await findRefreshTokenByHash(this.db, sha256(presented)))?.sessionId;
  }

  async end(db: DbOrTx, sessionId: string, reason: string): Promise<boolean> {
    const ended = await endSession(db, sessionId, reason, this.clock.now());
    // Outside a transaction the ending has committed already.
    if (ended && !db.isTransaction) this.sessionsEnded();
    return ended;
  }

  /** Logs a user out everywhere: every earlier token dies, including ones not tied to a session. */
  async endAll(db: DbOrTx, userId: string, reason: string): Promise<void> {
    const now = this.clock.now();
    await bumpTokenGeneration(db, userId, now);
    await endUserSessions(db, userId, reason, now);
  }

  async state(sessionId: string): Promise<SessionState | undefined> {
    return findState(this.db, sessionId);
  }

  private async newRefreshToken(tx: DbOrTx, sessionId: string, clientId: string, scopes: readonly string[], now: number, sessionExpiresAt: number, dpopJkt: string | null = null) {
    const token = randomSecret();
    await insertRefreshToken(
      tx,
      refreshTokenToRow({
        tokenHash: sha256(token),
        id: randomId(),
        sessionId,
        clientId,
        scopes: [...scopes],
        createdAt: now,
        expiresAt: Math.min(now + this.config.refreshTokenTtl * 1000, sessionExpiresAt),
        usedAt: null,
        dpopJkt,
      }),
    );
    return token;
  }

  private async pair(client: Client, userId: string, role: Role, sessionId: string, scopes: readonly string[], refreshToken: string, dpopJkt?: string): Promise<TokenPair> {
    const issued = await this.accessTokens.issue({
      alg: client.accessTokenAlg,
      sub: userId,
      clientId: client.clientId,
      audience: userTokenAudience(client.audience, this.config.issuer, scopes),
      scopes,
      extra: { role, sid: sessionId },
      ...(dpopJkt === undefined ? {} : { dpopJkt }),
    });
    return { access_token: issued.token, token_type: dpopJkt === undefined ? 'Bearer' : 'DPoP', expires_in: issued.expiresIn, refresh_token: refreshToken, scope: scopes.join(' ') };
  }
}
