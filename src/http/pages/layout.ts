// Server-rendered pages: plain HTML that works without JavaScript, one stylesheet from our own
// origin, a strict CSP, labels on every field and a `lang` (contract §6; issue: hosted pages).
import { escapeHtml } from '../../mail/templates.js';
import type { AppContext } from '../context.js';

// No form-action: Chrome applies it to the redirect after a form POST, and the sign-in form's
// answer is a 303 to the client's redirect_uri on another origin.
export const PAGE_CSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'";

export const html = (strings: TemplateStringsArray, ...values: Array<string | number | SafeHtml>): SafeHtml =>
  new SafeHtml(strings.reduce((out, part, i) => out + part + (i < values.length ? render(values[i]!) : ''), ''));

export class SafeHtml {
  constructor(readonly value: string) {}
}

const render = (value: string | number | SafeHtml) => (value instanceof SafeHtml ? value.value : escapeHtml(String(value)));

export function renderPage(ctx: AppContext, title: string, body: SafeHtml, status = 200): void {
  ctx.status = status;
  ctx.type = 'text/html; charset=utf-8';
  ctx.set('Content-Security-Policy', PAGE_CSP);
  ctx.set('Cache-Control', 'no-store');
  ctx.body = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title} · Tessera</title>
<link rel="stylesheet" href="/assets/tessera.css">
</head>
<body>
<main>
<h1>${title}</h1>
${body}
</main>
</body>
</html>
`.value;
}

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
