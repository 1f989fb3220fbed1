// /auth routes of an account's life cycle that need no sign-in: register, verify the email,
// forgotten and reset passwords (docs/accounts.md).
import type { PasswordService } from '../../domain/accounts/passwords.js';
import type { RegistrationService } from '../../domain/accounts/registration.js';
import { isOAuthError, mapStatus } from '../../errors/oauth-error.js';
import type { AppContext } from '../context.js';
import { MAIL_LINK_STATUSES } from '../middleware/errors.js';
import { requestMeta } from '../request-meta.js';
import { field, requiredString } from './fields.js';

const ACCEPTED = { status: 'accepted' };

/** Spends a mailed link's token: a bad link is answered with this API's status for it (400). */
async function spendingMailLink(work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    throw isOAuthError(error) ? mapStatus(error, MAIL_LINK_STATUSES) : error;
  }
}

export interface AccountRouteDeps {
  registration: RegistrationService;
  passwords: PasswordService;
}

export function accountHandlers(deps: AccountRouteDeps) {
  const { registration, passwords } = deps;

  /** POST /auth/register: 202 whether or not the address is taken. */
  async function register(ctx: AppContext): Promise<void> {
    const { body } = ctx.state;
    await registration.register(
      { email: requiredString(body, 'email'), password: requiredString(body, 'password'), name: requiredString(body, 'name'), consents: field(body, 'consents') as never },
      requestMeta(ctx),
    );
    ctx.status = 202;
    ctx.body = ACCEPTED;
  }

  /** POST /auth/verify-email */
  async function verifyEmail(ctx: AppContext): Promise<void> {
    await spendingMailLink(() => registration.verifyEmail(requiredString(ctx.state.body, 'token'), requestMeta(ctx)));
    ctx.body = { status: 'verified' };
  }

  /** POST /auth/resend-verification */
  async function resendVerification(ctx: AppContext): Promise<void> {
    await registration.resendVerification(requiredString(ctx.state.body, 'email'), requestMeta(ctx));
    ctx.status = 202;
    ctx.body = ACCEPTED;
  }

  /** POST /auth/forgot-password */
  async function forgotPassword(ctx: AppContext): Promise<void> {
    await passwords.forgot(requiredString(ctx.state.body, 'email'), requestMeta(ctx));
    ctx.status = 202;
    ctx.body = ACCEPTED;
  }

  /** POST /auth/reset-password */
  async function resetPassword(ctx: AppContext): Promise<void> {
    const { body } = ctx.state;
    await spendingMailLink(() => passwords.reset(requiredString(body, 'token'), requiredString(body, 'password'), requestMeta(ctx)));
    ctx.body = { status: 'password_reset' };
  }

  return { register, verifyEmail, resendVerification, forgotPassword, resetPassword };
}
