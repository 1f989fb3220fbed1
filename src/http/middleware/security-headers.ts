// Headers on every response (contract §6). API responses are JSON, but a strict CSP and frame
// denial cost nothing there and protect anything rendered as HTML by mistake.
import type { AppContext, Next } from '../context.js';

export function securityHeaders(issuer: string) {
  const https = issuer.startsWith('https://');
  return async function securityHeadersMiddleware(ctx: AppContext, next: Next) {
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('X-Frame-Options', 'DENY');
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.set('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
    ctx.set('Cross-Origin-Resource-Policy', 'same-site');
    if (https) ctx.set('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    await next();
  };
}

/** RFC 6749 §5.1: responses carrying tokens or personal data are never cached. */
export async function noStore(ctx: AppContext, next: Next) {
  ctx.set('Cache-Control', 'no-store');
  ctx.set('Pragma', 'no-cache');
  await next();
}
