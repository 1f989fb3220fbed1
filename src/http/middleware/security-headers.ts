// Headers on every response (README, Errors). API responses are JSON, but a strict CSP and frame
// denial cost nothing there and protect anything rendered as HTML by mistake. Pages that render
// HTML set their own CSP after these.
import type { AppContext, Next } from '../context.js';

export type HeaderList = ReadonlyArray<readonly [name: string, value: string]>;

export function securityHeaderList(issuer: string): HeaderList {
  const headers: Array<[string, string]> = [
    ['X-Content-Type-Options', 'nosniff'],
    ['X-Frame-Options', 'DENY'],
    ['Referrer-Policy', 'no-referrer'],
    ['Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'"],
    ['Cross-Origin-Resource-Policy', 'same-site'],
  ];
  if (issuer.startsWith('https://')) headers.push(['Strict-Transport-Security', 'max-age=31536000; includeSubDomains']);
  return headers;
}

/** RFC 6749 §5.1: responses carrying tokens or personal data are never cached. */
export function setNoStore(ctx: AppContext): void {
  ctx.res.setHeader('Cache-Control', 'no-store');
  ctx.res.setHeader('Pragma', 'no-cache');
}

export async function noStore(ctx: AppContext, next: Next) {
  setNoStore(ctx);
  await next();
}
