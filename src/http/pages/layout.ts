// Server-rendered pages: plain HTML that works without JavaScript, one stylesheet from our own
// origin, a strict CSP, labels on every field and a `lang` (README, Errors; issue: hosted pages).
import { escapeHtml } from '../../mail/templates.js';
import type { AppContext } from '../context.js';
import { STYLESHEET_PATH } from './assets.js';

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
<link rel="stylesheet" href="${STYLESHEET_PATH}">
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
