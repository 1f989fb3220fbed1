// Where a request came from, for the audit log, sessions and rate limits. ctx.ip honours
// X-Forwarded-For only with TRUST_PROXY (Koa's `proxy` setting).
import type { RequestMeta } from '../audit/audit-log.js';
import type { RateLimitState } from '../domain/accounts/rate-limiter.js';
import type { AppContext } from './context.js';
import { negotiateLocale } from '../i18n/locale.js';

export const requestMeta = (ctx: AppContext): RequestMeta => ({
  ip: ctx.ip || null,
  userAgent: ctx.get('User-Agent').slice(0, 512) || null,
  onRateLimit: (state) => addRateLimitHeaders(ctx, state),
  locale: negotiateLocale(undefined, ctx.get('Accept-Language') || undefined),
});

/**
 * draft-ietf-httpapi-ratelimit-headers (structured fields, §3 and §4): each limit the request was
 * counted against is a list member, `"ip";q=30;w=60` in RateLimit-Policy and `"ip";r=12;t=40` in
 * RateLimit. They stay on error responses too (a 429 says when to come back).
 */
function addRateLimitHeaders(ctx: AppContext, state: RateLimitState): void {
  const append = (name: string, member: string) => {
    const current = ctx.response.get(name);
    ctx.set(name, current ? `${current}, ${member}` : member);
  };
  append('RateLimit-Policy', `"${state.policy}";q=${state.limit};w=${state.windowSeconds}`);
  append('RateLimit', `"${state.policy}";r=${Math.max(0, state.remaining)};t=${state.resetSeconds}`);
}
