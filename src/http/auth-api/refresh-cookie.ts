// Browser mode (docs/accounts.md): the refresh token lives in an HttpOnly, SameSite=Strict cookie scoped
// to /auth, so page scripts never see it. A request that relies on the cookie must also come from
// an allowed Origin: CSRF defence on top of SameSite.
import type { Config } from '../../config/config.js';
import { OAuthError } from '../../errors/oauth-error.js';
import type { TokenPair } from '../../domain/sessions/sessions.js';
import type { AppContext } from '../context.js';

export const cookieName = (config: Config) => (config.issuer.startsWith('https://') ? '__Secure-tessera_refresh' : 'tessera_refresh');

export function setRefreshCookie(ctx: AppContext, config: Config, token: string): void {
  const secure = config.issuer.startsWith('https://') ? '; Secure' : '';
  ctx.append('Set-Cookie', `${cookieName(config)}=${token}; Path=/auth; Max-Age=${config.refreshTokenTtl}; HttpOnly; SameSite=Strict${secure}`);
}

/** A sign-in's answer: the token pair, or in browser mode the refresh token in the cookie and not in the body. */
export function answerTokens(ctx: AppContext, config: Config, pair: TokenPair, cookie: boolean): void {
  if (!cookie) {
    ctx.body = pair;
    return;
  }
  setRefreshCookie(ctx, config, pair.refresh_token);
  const { refresh_token: _omitted, ...rest } = pair;
  ctx.body = rest;
}

export function clearRefreshCookie(ctx: AppContext, config: Config): void {
  const secure = config.issuer.startsWith('https://') ? '; Secure' : '';
  ctx.append('Set-Cookie', `${cookieName(config)}=; Path=/auth; Max-Age=0; HttpOnly; SameSite=Strict${secure}`);
}

/** The refresh token of a request: the body's, or the cookie's (then the Origin must be ours). */
export function presentedRefreshToken(ctx: AppContext, config: Config, fromBody: string | undefined): { token: string | undefined; fromCookie: boolean } {
  if (fromBody !== undefined) return { token: fromBody, fromCookie: false };
  const cookie = ctx.cookies.get(cookieName(config));
  if (!cookie) return { token: undefined, fromCookie: false };
  const origin = ctx.get('Origin');
  const allowed = origin !== '' && (origin === new URL(config.issuer).origin || config.corsOrigins.includes(origin));
  if (!allowed) throw new OAuthError('invalid_origin', 'a request that uses the refresh cookie must come from an allowed Origin');
  return { token: cookie, fromCookie: true };
}
