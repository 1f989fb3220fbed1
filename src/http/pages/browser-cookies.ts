// The browser cookies of the hosted pages: the single-sign-on session (HttpOnly, SameSite=Lax,
// `__Host-` when the issuer is https: README, Endpoints) and the CSRF secret the forms echo back.
import type { Config } from '../../config/config.js';
import { newCsrfSecret } from '../../domain/oidc/authorization-flow.js';
import type { AppContext } from '../context.js';

export const https = (config: Config) => config.issuer.startsWith('https://');
export const sessionCookie = (config: Config) => (https(config) ? '__Host-tessera_session' : 'tessera_session');
export const csrfCookie = (config: Config) => (https(config) ? '__Host-tessera_csrf' : 'tessera_csrf');

/** An HttpOnly cookie of the pages: `Secure` with an https issuer; path `/` and SameSite=Lax unless said otherwise. */
export function setCookie(
  ctx: AppContext,
  config: Config,
  name: string,
  value: string,
  maxAgeSeconds: number,
  scope: { path?: string; sameSite?: 'Lax' | 'Strict' } = {},
): void {
  const secure = https(config) ? '; Secure' : '';
  ctx.append('Set-Cookie', `${name}=${value}; Path=${scope.path ?? '/'}; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=${scope.sameSite ?? 'Lax'}${secure}`);
}

export function setSessionCookie(ctx: AppContext, config: Config, secret: string): void {
  setCookie(ctx, config, sessionCookie(config), secret, config.sessionMaxTtl);
}

export function clearSessionCookie(ctx: AppContext, config: Config): void {
  setCookie(ctx, config, sessionCookie(config), '', 0);
}

const reauthReturnCookie = (config: Config) => (https(config) ? '__Host-tessera_reauth_return' : 'tessera_reauth_return');

/**
 * Where a re-authentication through a provider comes back to (an account page): kept while the
 * browser is at the provider, 10 minutes at most. SameSite=Lax sends it with the provider's
 * redirect back (a top-level GET).
 */
export function setReauthReturn(ctx: AppContext, config: Config, path: string): void {
  setCookie(ctx, config, reauthReturnCookie(config), encodeURIComponent(path), 600);
}

/** The page to go back to after a re-authentication through a provider, once; the caller checks it. */
export function takeReauthReturn(ctx: AppContext, config: Config): string | undefined {
  const value = ctx.cookies.get(reauthReturnCookie(config));
  if (!value) return undefined;
  setCookie(ctx, config, reauthReturnCookie(config), '', 0);
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

/** The browser's CSRF secret, made and set on first use. */
export function csrfSecret(ctx: AppContext, config: Config): string {
  const existing = ctx.cookies.get(csrfCookie(config));
  if (existing && /^[A-Za-z0-9_-]{43}$/.test(existing)) return existing;
  const secret = newCsrfSecret();
  setCookie(ctx, config, csrfCookie(config), secret, 24 * 3600);
  return secret;
}

/** The secret the form carried, if it matches the browser's cookie (double submit). */
export function formCsrf(ctx: AppContext, config: Config): string | undefined {
  const cookie = ctx.cookies.get(csrfCookie(config));
  const sent = ctx.state.form.csrf;
  return cookie && sent && cookie === sent ? cookie : undefined;
}
