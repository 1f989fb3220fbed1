// /auth routes of the signed-in user's own account: /auth/me and change-password (docs/accounts.md).
// Each runs behind the Bearer check (bearer.ts), which sets ctx.state.user.
import type { Config } from '../../config/config.js';
import type { PasswordService } from '../../domain/accounts/passwords.js';
import type { ProfileService } from '../../domain/accounts/profile.js';
import type { AppContext } from '../context.js';
import { requestMeta } from '../request-meta.js';
import { field, optionalString, requiredString } from './fields.js';
import { cookieName, setRefreshCookie } from './refresh-cookie.js';

export interface ProfileRouteDeps {
  config: Config;
  profile: ProfileService;
  passwords: PasswordService;
}

export function profileHandlers(deps: ProfileRouteDeps) {
  const { config, profile, passwords } = deps;

  /** GET /auth/me */
  async function me(ctx: AppContext): Promise<void> {
    ctx.body = await profile.get(ctx.state.user!.id);
  }

  /** PATCH /auth/me */
  async function updateMe(ctx: AppContext): Promise<void> {
    const { body } = ctx.state;
    ctx.body = await profile.update(
      ctx.state.user!.id,
      { name: optionalString(body, 'name'), email: optionalString(body, 'email'), current_password: optionalString(body, 'current_password'), consents: field(body, 'consents') },
      requestMeta(ctx),
    );
  }

  /** DELETE /auth/me */
  async function deleteMe(ctx: AppContext): Promise<void> {
    await profile.delete(ctx.state.user!.id, requiredString(ctx.state.body, 'password'), requestMeta(ctx));
    ctx.status = 204;
  }

  /** POST /auth/change-password */
  async function changePassword(ctx: AppContext): Promise<void> {
    const { body } = ctx.state;
    const user = ctx.state.user!;
    const pair = await passwords.change(user.id, user.client, requiredString(body, 'current_password'), requiredString(body, 'password'), requestMeta(ctx));
    // A browser-mode app keeps its refresh token in the cookie: the new one goes there, not in the body.
    if (ctx.cookies.get(cookieName(config))) {
      setRefreshCookie(ctx, config, pair.refresh_token);
      const { refresh_token: _omitted, ...rest } = pair;
      ctx.body = rest;
      return;
    }
    ctx.body = pair;
  }

  return { me, updateMe, deleteMe, changePassword };
}
