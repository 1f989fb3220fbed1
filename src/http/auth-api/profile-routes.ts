// /auth routes of the signed-in user's own account: /auth/me and change-password (contract §4).
import type Router from '@koa/router';
import type { Services } from '../../services.js';
import type { AppContext, AppState, Next } from '../context.js';
import { requestMeta } from '../request-meta.js';
import { field, optionalString, requiredString } from './fields.js';
import { cookieName, setRefreshCookie } from './refresh-cookie.js';

export function profileRoutes(router: Router<AppState>, services: Services, requireUser: (ctx: AppContext, next: Next) => Promise<void>): void {
  router.get('/auth/me', requireUser, async (ctx) => {
    ctx.body = await services.profile.get(ctx.state.user!.id);
  });

  router.patch('/auth/me', requireUser, async (ctx) => {
    const { body } = ctx.state;
    ctx.body = await services.profile.update(
      ctx.state.user!.id,
      { name: optionalString(body, 'name'), email: optionalString(body, 'email'), current_password: optionalString(body, 'current_password'), consents: field(body, 'consents') },
      requestMeta(ctx),
    );
  });

  router.delete('/auth/me', requireUser, async (ctx) => {
    await services.profile.delete(ctx.state.user!.id, requiredString(ctx.state.body, 'password'), requestMeta(ctx));
    ctx.status = 204;
  });

  router.post('/auth/2fa/setup/initiate', requireUser, async (ctx) => {
    ctx.body = await services.mfa.initiate(ctx.state.user!.id);
  });

  router.post('/auth/2fa/setup/verify', requireUser, async (ctx) => {
    ctx.body = await services.mfa.confirm(ctx.state.user!.id, requiredString(ctx.state.body, 'code'), requestMeta(ctx));
  });

  router.post('/auth/2fa/disable', requireUser, async (ctx) => {
    const { body } = ctx.state;
    await services.mfa.disable(ctx.state.user!.id, requiredString(body, 'password'), requiredString(body, 'code'), requestMeta(ctx));
    ctx.status = 204;
  });

  router.post('/auth/2fa/backup-codes', requireUser, async (ctx) => {
    ctx.body = await services.mfa.regenerateBackupCodes(ctx.state.user!.id, requiredString(ctx.state.body, 'code'), requestMeta(ctx));
  });

  router.post('/auth/change-password', requireUser, async (ctx) => {
    const { body } = ctx.state;
    const user = ctx.state.user!;
    const pair = await services.passwords.change(user.id, user.client, requiredString(body, 'current_password'), requiredString(body, 'password'), requestMeta(ctx));
    // A browser-mode app keeps its refresh token in the cookie: the new one goes there, not in the body.
    if (ctx.cookies.get(cookieName(services.config))) {
      setRefreshCookie(ctx, services.config, pair.refresh_token);
      const { refresh_token: _omitted, ...rest } = pair;
      ctx.body = rest;
      return;
    }
    ctx.body = pair;
  });
}
