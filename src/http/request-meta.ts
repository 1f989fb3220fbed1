// Where a request came from, for the audit log, sessions and rate limits. ctx.ip honours
// X-Forwarded-For only with TRUST_PROXY (Koa's `proxy` setting).
import type { RequestMeta } from '../audit/audit-log.js';
import type { AppContext } from './context.js';

export const requestMeta = (ctx: AppContext): RequestMeta => ({
  ip: ctx.ip || null,
  userAgent: ctx.get('User-Agent').slice(0, 512) || null,
});
