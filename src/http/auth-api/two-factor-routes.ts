// /auth/2fa routes of the signed-in user (docs/accounts.md 2FA rows): set up TOTP, turn it off, new
// backup codes. Each runs behind the Bearer check (bearer.ts). The code step of signing in,
// /auth/verify-2fa, is a sign-in route (session-routes.ts).
import type { MfaService } from '../../domain/mfa/mfa-service.js';
import type { AppContext } from '../context.js';
import { requestMeta } from '../request-meta.js';
import { requiredString } from './fields.js';

export interface TwoFactorRouteDeps {
  mfa: MfaService;
}

export function twoFactorHandlers(deps: TwoFactorRouteDeps) {
  const { mfa } = deps;

  /** POST /auth/2fa/setup/initiate: a new secret, its otpauth URL and QR code. */
  async function initiateSetup(ctx: AppContext): Promise<void> {
    ctx.body = await mfa.initiate(ctx.state.user!.id);
  }

  /** POST /auth/2fa/setup/verify: a code from the new secret turns 2FA on; the backup codes, once. */
  async function verifySetup(ctx: AppContext): Promise<void> {
    ctx.body = await mfa.confirm(ctx.state.user!.id, requiredString(ctx.state.body, 'code'), requestMeta(ctx));
  }

  /** POST /auth/2fa/disable */
  async function disable(ctx: AppContext): Promise<void> {
    const { body } = ctx.state;
    await mfa.disable(ctx.state.user!.id, requiredString(body, 'password'), requiredString(body, 'code'), requestMeta(ctx));
    ctx.status = 204;
  }

  /** POST /auth/2fa/backup-codes */
  async function regenerateBackupCodes(ctx: AppContext): Promise<void> {
    ctx.body = await mfa.regenerateBackupCodes(ctx.state.user!.id, requiredString(ctx.state.body, 'code'), requestMeta(ctx));
  }

  return { initiateSetup, verifySetup, disable, regenerateBackupCodes };
}
