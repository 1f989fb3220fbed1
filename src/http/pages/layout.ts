// Server-rendered pages: plain HTML that works without JavaScript, one stylesheet from our own
// origin, a strict CSP, labels on every field and the reader's `lang` (docs/account.md, Design).
// Every page is the same frame: the brand at the top, one card with the page's heading, and for
// the account pages a navigation between them.
import { escapeHtml } from '../../mail/templates.js';
import type { AppContext } from '../context.js';
import { brandInitial, FAVICON_PATH, STYLESHEET_PATH } from './assets.js';
import type { PageView } from './view.js';

// No form-action: Chrome applies it to the redirect after a form POST, and the sign-in form's
// answer is a 303 to the client's redirect_uri on another origin.
export const PAGE_CSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'";
/** A page with passkey buttons (docs/passkeys.md): scripts and their requests from our own origin, still nothing inline. */
export const SCRIPTED_PAGE_CSP = `${PAGE_CSP}; script-src 'self'; connect-src 'self'`;

export const html = (strings: TemplateStringsArray, ...values: Array<string | number | SafeHtml>): SafeHtml =>
  new SafeHtml(strings.reduce((out, part, i) => out + part + (i < values.length ? render(values[i]!) : ''), ''));

export class SafeHtml {
  constructor(readonly value: string) {}
}

const render = (value: string | number | SafeHtml) => (value instanceof SafeHtml ? value.value : escapeHtml(String(value)));

/** Fragments one after another. */
export const joinHtml = (items: readonly SafeHtml[]): SafeHtml => new SafeHtml(items.map((item) => item.value).join('\n'));

export interface Page {
  /** The heading of the card, and the start of the document title. */
  title: string;
  body: SafeHtml;
  status?: number;
  /** Navigation shown above the card (the account pages'). */
  nav?: SafeHtml;
  /** A wider card, for lists and tables. */
  wide?: boolean;
  /** Scripts of our own origin, for what needs JavaScript (passkeys); the page works without them. */
  scripts?: readonly string[];
}

export function renderPage(ctx: AppContext, view: PageView, page: Page): void {
  const { t, brandName } = view;
  ctx.status = page.status ?? 200;
  ctx.type = 'text/html; charset=utf-8';
  ctx.set('Content-Security-Policy', page.scripts?.length ? SCRIPTED_PAGE_CSP : PAGE_CSP);
  ctx.set('Cache-Control', 'no-store');
  ctx.set('Content-Language', view.locale);
  // The name is written beside the logo, so the image adds nothing a screen reader should read
  // twice (WCAG 2.2 technique H2): its text alternative is empty.
  // Without a logo, the brand's initial on the accent (as the favicon) marks the header.
  const logo = view.logoUrl ? html`<img class="brand-logo" src="${view.logoUrl}" alt="">` : html`<span class="brand-mark" aria-hidden="true">${brandInitial(brandName)}</span>`;
  // BRAND_LOGO doubles as the favicon; without one, the brand's initial on the accent (assets.ts).
  const icon = view.logoUrl ? html`<link rel="icon" href="${view.logoUrl}">` : html`<link rel="icon" href="${FAVICON_PATH}" type="image/svg+xml">`;
  const wide = page.wide ? ' shell-wide' : '';
  ctx.body = html`<!doctype html>
<html lang="${view.locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="color-scheme" content="light dark">
<title>${t.common.documentTitle(page.title, brandName)}</title>
${icon}
<link rel="stylesheet" href="${STYLESHEET_PATH}">
${joinHtml((page.scripts ?? []).map((src) => html`<script src="${src}" defer></script>`))}
</head>
<body>
<a class="skip-link" href="#content">${t.common.skipToContent}</a>
<div class="shell${wide}">
<header class="brand">${logo}<span class="brand-name">${brandName}</span></header>
${page.nav ?? ''}
<main id="content" class="card${page.wide ? ' card-wide' : ''}">
<h1>${page.title}</h1>
${page.body}
</main>
</div>
</body>
</html>
`.value;
}
