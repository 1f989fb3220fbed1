// /auth routes of signing in and out: login, refresh, logout, logout-all, and the user's sessions
// (docs/accounts.md). Each handler parses the request, calls one domain method and renders its answer.
import type { Config } from '../../config/config.js';
import type { MfaService } from '../../domain/mfa/mfa-service.js';
import type { SignInService } from '../../domain/accounts/sign-in.js';
import type { Session } from '../../domain/sessions/session.js';
import type { Sessions } from '../../domain/sessions/sessions.js';
import type { SignOutService } from '../../domain/sessions/sign-out.js';
import { OAuthError } from '../../errors/oauth-error.js';
import type { AppContext, RouteContext } from '../context.js';
import { requestMeta } from '../request-meta.js';
import { optionalBoolean, optionalString, requiredString } from './fields.js';
import { answerTokens, clearRefreshCookie, presentedRefreshToken } from './refresh-cookie.js';

export interface SessionHandlerDeps {
  config: Config;
  signIn: SignInService;
  mfa: MfaService;
  sessions: Sessions;
  signOut: SignOutService;
}

/** The signed-in user of a Bearer-protected route as the actor of what it does. */
const userActor = (ctx: AppContext) => ({ id: ctx.state.user!.id, meta: requestMeta(ctx) });

const iso = (ms: number) => new Date(ms).toISOString();

const sessionView = (session: Session, currentSid: string) => ({
  id: session.id,
  client_id: session.clientId,
  created_at: iso(session.createdAt),
  last_used_at: iso(session.lastUsedAt),
  expires_at: iso(session.expiresAt),
  ip: session.ip,
  user_agent: session.userAgent,
  current: session.id === currentSid,
});

/**
 * The handlers of the session routes. `logoutAll`, `listSessions` and `endSession` expect the
 * Bearer check (bearer.ts) before them.
 */
export function sessionHandlers({ config, signIn, mfa, sessions, signOut }: SessionHandlerDeps) {
  return {
    async login(ctx: AppContext) {
      const { body } = ctx.state;
      const meta = requestMeta(ctx);
      const client = await signIn.firstPartyClient(optionalString(body, 'client_id'));
      const cookie = optionalBoolean(body, 'cookie') ?? false;
      const user = await signIn.checkPassword(requiredString(body, 'email'), requiredString(body, 'password'), meta);
      if (user.mfaEnabled) {
        ctx.body = await mfa.startChallenge(user, client, cookie);
        return;
      }
      answerTokens(ctx, config, await signIn.complete(user, client, ['pwd'], meta), cookie);
    },

    async verify2fa(ctx: AppContext) {
      const { body } = ctx.state;
      const meta = requestMeta(ctx);
      const passed = await mfa.passChallenge(requiredString(body, 'mfa_token'), requiredString(body, 'code'), meta);
      answerTokens(ctx, config, await signIn.complete(passed.user, passed.client, passed.amr, meta), passed.cookie);
    },

    async refresh(ctx: AppContext) {
      const { body } = ctx.state;
      const { token, fromCookie } = presentedRefreshToken(ctx, config, optionalString(body, 'refresh_token'));
      if (!token) throw new OAuthError('invalid_grant', 'refresh_token is required', { status: 401 });
      const clientId = optionalString(body, 'client_id');
      const { state: _state, ...pair } = await sessions.refresh(token, clientId, undefined, requestMeta(ctx));
      answerTokens(ctx, config, pair, fromCookie);
    },

    async logout(ctx: AppContext) {
      const { token, fromCookie } = presentedRefreshToken(ctx, config, optionalString(ctx.state.body, 'refresh_token'));
      await signOut.logout(token, requestMeta(ctx));
      if (fromCookie) clearRefreshCookie(ctx, config);
      ctx.status = 204;
    },

    async logoutAll(ctx: AppContext) {
      await signOut.logoutAll(userActor(ctx));
      ctx.status = 204;
    },

    async listSessions(ctx: AppContext) {
      const user = ctx.state.user!;
      ctx.body = { sessions: (await signOut.listOwn(user.id)).map((session) => sessionView(session, user.sid)) };
    },

    async endSession(ctx: RouteContext) {
      await signOut.endOwn(userActor(ctx), ctx.params.id ?? '');
      ctx.status = 204;
    },
  };
}
