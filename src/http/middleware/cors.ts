// CORS for the browser origins in CORS_ORIGINS (README, Configuration), with credentials so the refresh
// cookie can travel. Other origins get no CORS headers, and the browser keeps them out.
import type { AppContext } from '../context.js';

/**
 * Adds the CORS headers a request from an allowed origin gets. Returns true when it has answered
 * the request itself (a preflight).
 */
export function corsPolicy(allowed: readonly string[], appliesTo: (path: string) => boolean) {
  const origins = new Set(allowed);
  return function applyCors(ctx: AppContext): boolean {
    const origin = ctx.req.headers.origin;
    if (!origin || !origins.has(origin) || !appliesTo(ctx.path)) return false;
    ctx.vary('Origin');
    ctx.set('Access-Control-Allow-Origin', origin);
    ctx.set('Access-Control-Allow-Credentials', 'true');
    if (ctx.method === 'OPTIONS' && ctx.get('Access-Control-Request-Method')) {
      ctx.set('Access-Control-Allow-Methods', 'GET, POST, PATCH, DELETE');
      // DPoP: a browser app sends its proof in a header of that name (RFC 9449 §4.1).
      ctx.set('Access-Control-Allow-Headers', 'Authorization, Content-Type, DPoP');
      ctx.set('Access-Control-Max-Age', '600');
      ctx.status = 204;
      return true;
    }
    ctx.set('Access-Control-Expose-Headers', 'WWW-Authenticate, Retry-After, X-Request-Id');
    return false;
  };
}
