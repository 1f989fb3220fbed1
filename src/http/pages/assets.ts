// The hosted pages' static assets: one stylesheet from our own origin, which the pages' CSP
// (`style-src 'self'`, layout.ts) allows and nothing else.
import type { AppContext } from '../context.js';

export const STYLESHEET_PATH = '/assets/tessera.css';
export const FAVICON_PATH = '/assets/favicon.svg';

export const STYLESHEET = `
:root { color-scheme: light dark; font-family: system-ui, sans-serif; }
body { margin: 0; display: flex; justify-content: center; padding: 3rem 1rem; }
main { width: 100%; max-width: 24rem; }
h1 { font-size: 1.4rem; margin: 0 0 1.25rem; }
label { display: block; font-weight: 600; margin: 1rem 0 .35rem; }
input { width: 100%; box-sizing: border-box; padding: .6rem; font-size: 1rem; border: 1px solid #8888; border-radius: .4rem; }
button { margin-top: 1.25rem; width: 100%; padding: .7rem; font-size: 1rem; border: 0; border-radius: .4rem; background: #2f5bea; color: #fff; cursor: pointer; }
.error { color: #c62828; }
.hint { color: #767676; font-size: .9rem; }
@media (prefers-color-scheme: dark) { .error { color: #ff8a80; } .hint { color: #a0a0a0; } }
`;

export function assetHandlers() {
  /** GET /assets/tessera.css: the same bytes for every page, cacheable for an hour. */
  function stylesheet(ctx: AppContext): void {
    ctx.type = 'text/css; charset=utf-8';
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.body = STYLESHEET;
  }
  return { stylesheet };
}
