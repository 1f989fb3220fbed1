// /auth routes of an account's life cycle that need no sign-in: register, verify the email,
// forgotten and reset passwords (contract §4).
import type Router from '@koa/router';
import type { Services } from '../../services.js';
import type { AppState } from '../context.js';
import { requestMeta } from '../request-meta.js';
import { field, requiredString } from './fields.js';

const ACCEPTED = { status: 'accepted' };

export function accountRoutes(router: Router<AppState>, services: Services): void {
  router.post('/auth/register', async (ctx) => {
    const { body } = ctx.state;
    await services.registration.register(
      { email: requiredString(body, 'email'), password: requiredString(body, 'password'), name: requiredString(body, 'name'), consents: field(body, 'consents') as never },
      requestMeta(ctx),
    );
    ctx.status = 202;
    ctx.body = ACCEPTED;
  });

  router.post('/auth/verify-email', async (ctx) => {
    await services.registration.verifyEmail(requiredString(ctx.state.body, 'token'), requestMeta(ctx));
    ctx.body = { status: 'verified' };
  });

  router.post('/auth/resend-verification', async (ctx) => {
    await services.registration.resendVerification(requiredString(ctx.state.body, 'email'), requestMeta(ctx));
    ctx.status = 202;
    ctx.body = ACCEPTED;
  });

  router.post('/auth/forgot-password', async (ctx) => {
    await services.passwords.forgot(requiredString(ctx.state.body, 'email'), requestMeta(ctx));
    ctx.status = 202;
    ctx.body = ACCEPTED;
  });

  router.post('/auth/reset-password', async (ctx) => {
    const { body } = ctx.state;
    await services.passwords.reset(requiredString(body, 'token'), requiredString(body, 'password'), requestMeta(ctx));
    ctx.body = { status: 'password_reset' };
  });
}
