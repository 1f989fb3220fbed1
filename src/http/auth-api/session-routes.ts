// /auth routes of signing in and out: login, refresh, logout, logout-all, and the user's sessions
// (contract §4).
import type Router from '@koa/router';
import { OAuthError } from '../../errors/oauth-error.js';
import type { TokenPair } from '../../domain/sessions/sessions.js';
import { listLiveSessions } from '../../storage/repositories/sessions.js';
import { audit } from '../../audit/audit-log.js';
import type { Services } from '../../services.js';
import type { AppContext, AppState, Next } from '../context.js';
import { requestMeta } from '../request-meta.js';
import { optionalBoolean, optionalString, requiredString } from './fields.js';
import { clearRefreshCookie, presentedRefreshToken, setRefreshCookie } from './refresh-cookie.js';

export function sessionRoutes(router: Router<AppState>, services: Services, requireUser: (ctx: AppContext, next: Next) => Promise<void>): void {
  const { config } = services;

  /** In browser mode the refresh token goes into the cookie and not into the body. */
  const answerTokens = (ctx: AppContext, pair: TokenPair, cookie: boolean) => {
    if (!cookie) {
      ctx.body = pair;
      return;
    }
    setRefreshCookie(ctx, config, pair.refresh_token);
    const { refresh_token: _omitted, ...rest } = pair;
    ctx.body = rest;
  };

  router.post('/auth/login', async (ctx) => {
    const { body } = ctx.state;
    const meta = requestMeta(ctx);
    const client = await services.signIn.firstPartyClient(optionalString(body, 'client_id'));
    const cookie = optionalBoolean(body, 'cookie') ?? false;
    const user = await services.signIn.checkPassword(requiredString(body, 'email'), requiredString(body, 'password'), meta);
    if (user.mfa_enabled === 1) {
      ctx.body = await services.mfa.startChallenge(user, client, cookie);
      return;
    }
    answerTokens(ctx, await services.signIn.complete(user, client, ['pwd'], meta), cookie);
  });

  router.post('/auth/verify-2fa', async (ctx) => {
    const { body } = ctx.state;
    const meta = requestMeta(ctx);
    const passed = await services.mfa.passChallenge(requiredString(body, 'mfa_token'), requiredString(body, 'code'), meta);
    answerTokens(ctx, await services.signIn.complete(passed.user, passed.client, passed.amr, meta), passed.cookie);
  });

  router.post('/auth/refresh', async (ctx) => {
    const { body } = ctx.state;
    const { token, fromCookie } = presentedRefreshToken(ctx, config, optionalString(body, 'refresh_token'));
    if (!token) throw new OAuthError('invalid_grant', 'refresh_token is required', { status: 401 });
    const clientId = optionalString(body, 'client_id');
    const { state: _state, ...pair } = await services.sessions.refresh(token, clientId, undefined, requestMeta(ctx));
    answerTokens(ctx, pair, fromCookie);
  });

  router.post('/auth/logout', async (ctx) => {
    const { token, fromCookie } = presentedRefreshToken(ctx, config, optionalString(ctx.state.body, 'refresh_token'));
    const sessionId = token ? await services.sessions.sessionOfRefreshToken(token) : undefined;
    if (sessionId) {
      const state = await services.sessions.state(sessionId);
      await services.db.transaction().execute(async (tx) => {
        if (await services.sessions.end(tx, sessionId, 'logout')) {
          await audit(tx, { event: 'user.logout', userId: state?.user_id ?? null, meta: requestMeta(ctx), detail: { session: sessionId } }, services.clock.now());
        }
      });
    }
    if (fromCookie) clearRefreshCookie(ctx, config);
    ctx.status = 204;
  });

  router.post('/auth/logout-all', requireUser, async (ctx) => {
    const user = ctx.state.user!;
    await services.db.transaction().execute(async (tx) => {
      await services.sessions.endAll(tx, user.id, 'logout_all');
      await audit(tx, { event: 'user.logout_all', userId: user.id, meta: requestMeta(ctx) }, services.clock.now());
    });
    ctx.status = 204;
  });

  router.get('/auth/sessions', requireUser, async (ctx) => {
    const user = ctx.state.user!;
    const rows = await listLiveSessions(services.db, user.id, services.clock.now());
    ctx.body = {
      sessions: rows.map((row) => ({
        id: row.id,
        client_id: row.client_id,
        created_at: new Date(Number(row.created_at)).toISOString(),
        last_used_at: new Date(Number(row.last_used_at)).toISOString(),
        expires_at: new Date(Number(row.expires_at)).toISOString(),
        ip: row.ip,
        user_agent: row.user_agent,
        current: row.id === user.sid,
      })),
    };
  });

  router.delete('/auth/sessions/:id', requireUser, async (ctx) => {
    const user = ctx.state.user!;
    const id = ctx.params.id ?? '';
    const state = id.length <= 64 ? await services.sessions.state(id) : undefined;
    // Another user's session is as unknown as a made-up one.
    if (!state || state.user_id !== user.id || state.ended_at !== null) throw new OAuthError('not_found', 'no such session');
    await services.db.transaction().execute(async (tx) => {
      await services.sessions.end(tx, id, 'ended_by_user');
      await audit(tx, { event: 'session.ended', userId: user.id, meta: requestMeta(ctx), detail: { session: id } }, services.clock.now());
    });
    ctx.status = 204;
  });
}
