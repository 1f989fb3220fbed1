// The hosted pages' static assets, all from our own origin, which the pages' CSP (`style-src
// 'self'; img-src 'self' data:`, layout.ts) allows and nothing else: one stylesheet, a favicon
// and the operator's logo. Each is made once at start from the configuration (docs/account.md,
// Branding): the accent is written into the stylesheet as custom properties, since the CSP allows
// no inline style to carry it.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { accentColours, PALETTE, type AccentColours } from '../../config/brand-colours.js';
import type { Config } from '../../config/config.js';
import { escapeHtml } from '../../mail/templates.js';
import type { AppContext } from '../context.js';

export const STYLESHEET_PATH = '/assets/tessera.css';
export const FAVICON_PATH = '/assets/favicon.svg';

const properties = (scheme: (typeof PALETTE)[keyof typeof PALETTE], link: string): string =>
  [
    `--page: ${scheme.page};`,
    `--surface: ${scheme.surface};`,
    `--raised: ${scheme.raised};`,
    `--text: ${scheme.text};`,
    `--muted: ${scheme.muted};`,
    `--border: ${scheme.border};`,
    `--field: ${scheme.field};`,
    `--field-border: ${scheme.fieldBorder};`,
    `--danger: ${scheme.danger};`,
    `--on-danger: ${scheme.onDanger};`,
    `--danger-text: ${scheme.dangerText};`,
    `--error-bg: ${scheme.errorBackground};`,
    `--error-border: ${scheme.errorBorder};`,
    `--error-text: ${scheme.errorText};`,
    `--notice-bg: ${scheme.noticeBackground};`,
    `--notice-border: ${scheme.noticeBorder};`,
    `--link: ${link};`,
    `--focus: ${link};`,
  ].join('\n  ');

/**
 * The design of every hosted page (docs/account.md, Branding): mobile first, a centred card, system
 * fonts only. The dark scheme sets every surface's background and text colour itself, so that what
 * a person (and axe-core) sees is light text on a dark background, not on an assumed white one.
 */
export function stylesheet(colours: AccentColours): string {
  return `/* Tessera: the hosted pages (docs/account.md, Branding). */
:root {
  color-scheme: light;
  ${properties(PALETTE.light, colours.lightLink)}
  --accent: ${colours.accent};
  --on-accent: ${colours.onAccent};
  --accent-hover: ${colours.accentHover};
  --radius: .75rem;
  --mono: ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono", monospace;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "Noto Sans", "Liberation Sans", Arial, sans-serif;
  line-height: 1.5;
  -webkit-text-size-adjust: 100%;
  text-size-adjust: 100%;
}
@media (prefers-color-scheme: dark) {
  :root {
    color-scheme: dark;
    ${properties(PALETTE.dark, colours.darkLink)}
  }
}
*, *::before, *::after { box-sizing: border-box; }
html { background: var(--page); color: var(--text); }
body { margin: 0; min-height: 100vh; padding: 1.25rem 1rem 3rem; background: var(--page); color: var(--text); font-size: 1rem; overflow-wrap: break-word; }
@media (min-width: 40rem) { body { padding-top: 3.5rem; } }

/* The frame: brand, account navigation, one card. */
.shell { width: 100%; max-width: 28rem; margin: 0 auto; }
.shell-wide { max-width: 46rem; }
.skip-link { position: absolute; left: 1rem; top: -100vh; z-index: 10; padding: .6rem 1rem; border-radius: .5rem; background: var(--surface); color: var(--link); font-weight: 600; }
.skip-link:focus { top: 1rem; }
.brand { display: flex; align-items: center; gap: .65rem; min-height: 2.5rem; margin: 0 0 1.25rem; color: var(--text); }
.brand-logo { display: block; height: 2.25rem; width: auto; max-width: 10rem; object-fit: contain; }
.brand-mark { display: inline-flex; align-items: center; justify-content: center; flex: none; width: 2.25rem; height: 2.25rem; border-radius: .6rem; background: var(--accent); color: var(--on-accent); font-size: 1.2rem; font-weight: 700; line-height: 1; }
.brand-name { font-size: 1.15rem; font-weight: 700; letter-spacing: -.01em; color: var(--text); }
.card { width: 100%; padding: 1.5rem 1.25rem; border: 1px solid var(--border); border-radius: 1rem; background: var(--surface); color: var(--text); box-shadow: 0 1px 2px rgb(16 24 40 / .05), 0 8px 24px rgb(16 24 40 / .06); }
@media (min-width: 30rem) { .card { padding: 2rem; } }
@media (prefers-color-scheme: dark) { .card { box-shadow: none; } }
.card > :last-child { margin-bottom: 0; }

/* Text. */
h1 { margin: 0 0 1rem; font-size: 1.5rem; line-height: 1.25; font-weight: 700; letter-spacing: -.01em; }
h2 { margin: 2rem 0 .5rem; font-size: 1.125rem; line-height: 1.3; }
h3 { margin: 1.5rem 0 .5rem; font-size: 1rem; }
p { margin: 0 0 1rem; }
ul, ol { margin: 0 0 1rem; padding-left: 1.25rem; }
li + li { margin-top: .25rem; }
a { color: var(--link); text-underline-offset: .18em; }
a:hover { text-decoration-thickness: 2px; }
strong { font-weight: 650; }
img { max-width: 100%; }
code, kbd, samp, pre { font-family: var(--mono); font-size: .95em; }
.hint { margin: .35rem 0 0; color: var(--muted); font-size: .9rem; }
p.hint { margin-bottom: 1rem; }
.meta { margin: .15rem 0 0; color: var(--muted); font-size: .9rem; overflow-wrap: anywhere; }
.center { text-align: center; }

/* Messages: an error (role=alert) and a notice, told apart by more than colour. */
.error, .notice { margin: 0 0 1.25rem; padding: .75rem 1rem; border: 1px solid; border-left-width: 4px; border-radius: .5rem; }
.error { background: var(--error-bg); border-color: var(--error-border); color: var(--error-text); }
.error a { color: inherit; }
.notice { background: var(--notice-bg); border-color: var(--notice-border); color: var(--text); }
.error > :last-child, .notice > :last-child { margin-bottom: 0; }
/* A field's own message, under the field. */
.field-error, label + .error, input + .error { margin: .35rem 0 0; padding: .35rem .6rem; border-left-width: 3px; font-size: .9rem; }

/* Forms. */
form { margin: 0; }
fieldset { margin: 1rem 0 0; padding: 0; border: 0; }
legend { padding: 0; font-weight: 600; }
label { display: block; margin: 1rem 0 .35rem; font-weight: 600; }
input:not([type=checkbox]):not([type=radio]):not([type=hidden]):not([type=submit]), select, textarea {
  display: block; width: 100%; min-height: 2.75rem; padding: .6rem .75rem;
  border: 1px solid var(--field-border); border-radius: .5rem; background: var(--field); color: var(--text);
  font: inherit; line-height: 1.4;
}
input::placeholder, textarea::placeholder { color: var(--muted); opacity: 1; }
input[type=checkbox], input[type=radio] { width: 1.15rem; height: 1.15rem; margin: .15rem 0 0; flex: none; accent-color: var(--link); }
.checkbox, label.checkbox { display: flex; align-items: flex-start; gap: .6rem; font-weight: 400; }
input[readonly] { background: var(--raised); }
input[aria-invalid=true] { border-color: var(--error-text); border-width: 2px; }

/* Buttons: primary (filled with the accent), secondary (outlined), danger (destructive). */
button, .button {
  display: inline-flex; align-items: center; justify-content: center; gap: .4rem;
  width: 100%; min-height: 2.75rem; margin: 1.25rem 0 0; padding: .65rem 1.1rem;
  border: 1px solid var(--accent); border-radius: .5rem; background: var(--accent); color: var(--on-accent);
  font: inherit; font-weight: 600; line-height: 1.2; text-align: center; text-decoration: none; cursor: pointer;
}
button:hover, .button:hover { border-color: var(--accent-hover); background: var(--accent-hover); color: var(--on-accent); text-decoration: none; }
button.secondary, .button.secondary { border-color: var(--field-border); background: var(--surface); color: var(--text); }
button.secondary:hover, .button.secondary:hover { border-color: var(--text); background: var(--raised); color: var(--text); }
button.danger, .button.danger { border-color: var(--danger); background: var(--danger); color: var(--on-danger); }
button.danger:hover, .button.danger:hover { border-color: var(--danger); background: var(--danger); color: var(--on-danger); box-shadow: inset 0 0 0 1px var(--on-danger); }
button.danger.secondary, .button.danger.secondary { border-color: var(--danger-text); background: var(--surface); color: var(--danger-text); }
button.danger.secondary:hover, .button.danger.secondary:hover { background: var(--error-bg); color: var(--error-text); box-shadow: none; }
button.link { width: auto; min-height: 0; margin: 0; padding: 0; border: 0; background: none; color: var(--link); font-weight: 400; text-decoration: underline; text-underline-offset: .18em; }
button.link:hover { background: none; color: var(--link); text-decoration-thickness: 2px; }
button:disabled { cursor: not-allowed; opacity: .6; }
.actions { display: flex; flex-wrap: wrap; gap: .75rem; margin: 1.25rem 0 0; }
.actions > button, .actions > .button, .actions > form { flex: 1 1 10rem; margin: 0; }
.actions > form > button { margin: 0; }
form.inline { display: inline-flex; margin: 0; }
form.inline button, form.inline .button { width: auto; margin: 0; }
.links { margin: 1.5rem 0 0; padding-top: 1rem; border-top: 1px solid var(--border); }
.links p { margin: 0 0 .5rem; }
form + p, .actions + p, form + .hint { margin-top: 1rem; }

/* Focus: always visible, 3px in a colour that reaches 4.5:1 on every surface (WCAG 2.2 2.4.7, 1.4.11). */
:focus { outline: none; }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
input:focus-visible, select:focus-visible, textarea:focus-visible { outline-offset: 1px; border-color: var(--focus); }
.skip-link:focus { outline: 3px solid var(--focus); outline-offset: 2px; }

/* The account pages' navigation: wraps on a phone rather than overflowing. */
nav.account-nav { margin: 0 0 1rem; }
nav.account-nav, nav.account-nav ul { display: flex; flex-wrap: wrap; gap: .25rem; }
nav.account-nav ul { margin: 0; padding: 0; list-style: none; }
nav.account-nav li { margin: 0; }
nav.account-nav a { display: block; padding: .4rem .7rem; border: 1px solid transparent; border-radius: 999px; color: var(--text); font-weight: 500; text-decoration: none; white-space: nowrap; }
nav.account-nav a:hover { background: var(--raised); text-decoration: underline; }
nav.account-nav a[aria-current="page"] { border-color: var(--border); background: var(--surface); color: var(--link); font-weight: 700; }

/* Lists of sessions, apps, passkeys and connections: one bordered box, an item per row. */
.list, .session-list, .app-list, .passkey-list, .connection-list { margin: 0 0 1.25rem; padding: 0; list-style: none; border: 1px solid var(--border); border-radius: var(--radius); background: var(--surface); }
.list:empty, .session-list:empty, .app-list:empty, .passkey-list:empty, .connection-list:empty { display: none; }
.list-item, .session-list > li, .app-list > li, .passkey-list > li, .connection-list > li { margin: 0; padding: 1rem; border-top: 1px solid var(--border); }
.list-item:first-child, .session-list > li:first-child, .app-list > li:first-child, .passkey-list > li:first-child, .connection-list > li:first-child { border-top: 0; }
.list h2, .list h3, .session-list h2, .app-list h2, .passkey-list h2, .connection-list h2 { margin: 0 0 .35rem; font-size: 1.05rem; }
.list-item p, .session-list p, .app-list p { margin: 0 0 .5rem; }
.list-item ul, .app-list ul { margin: 0 0 .5rem; }
.list-item button, .session-list button, .app-list button, .passkey-list button, .connection-list button { width: auto; margin: .75rem 0 0; }
.list-item .actions { margin: .75rem 0 0; }
.list-item .actions > * { flex: 0 1 auto; }
.session-current { box-shadow: inset 3px 0 0 var(--link); }
dl { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: .2rem .9rem; margin: .5rem 0 0; font-size: .9rem; }
dt { color: var(--muted); }
dd { margin: 0; overflow-wrap: anywhere; }
.empty { margin: 0 0 1rem; padding: 1rem; border: 1px dashed var(--field-border); border-radius: var(--radius); background: var(--surface); color: var(--muted); text-align: center; }
.badge { display: inline-block; margin-left: .35rem; padding: .05rem .55rem; border: 1px solid var(--notice-border); border-radius: 999px; background: var(--notice-bg); color: var(--text); font-size: .8rem; font-weight: 600; vertical-align: .1em; }
table { width: 100%; margin: 0 0 1rem; border-collapse: collapse; }
th, td { padding: .6rem .5rem; border-bottom: 1px solid var(--border); text-align: left; vertical-align: top; }
th { color: var(--muted); font-size: .85rem; font-weight: 600; }
.table-scroll { overflow-x: auto; }

/* The consent page: who is signed in, and what the app asks for. */
.signed-in-as { margin: 0 0 .25rem; color: var(--muted); font-size: .95rem; overflow-wrap: anywhere; }
.signed-in-as + form { margin: 0 0 1.25rem; }
ul.scopes { margin: 0 0 1rem; padding: .75rem 1rem .75rem 2rem; border: 1px solid var(--border); border-radius: .5rem; background: var(--raised); color: var(--text); }

/* Secrets and codes: monospace, and wrapping rather than widening the page. */
code { padding: .1rem .35rem; border-radius: .3rem; background: var(--raised); color: var(--text); overflow-wrap: anywhere; }
.secret { display: block; margin: 0 0 1rem; padding: .6rem .8rem; border: 1px solid var(--border); border-radius: .5rem; background: var(--raised); color: var(--text); font-family: var(--mono); font-size: 1rem; letter-spacing: .06em; overflow-wrap: anywhere; word-break: break-all; user-select: all; }
ul.secret, ol.secret, .codes, .code-list { display: grid; grid-template-columns: repeat(auto-fill, minmax(8.5rem, 1fr)); gap: .35rem 1rem; margin: 0 0 1rem; padding: .75rem 1rem; list-style: none; border: 1px solid var(--border); border-radius: .5rem; background: var(--raised); color: var(--text); font-family: var(--mono); user-select: text; }
.secret li, .codes li, .code-list li { margin: 0; }
.code-list code { padding: 0; background: none; }
/* The QR code keeps its light quiet zone in the dark scheme too, or phones cannot read it. */
.qr { display: flex; justify-content: center; margin: 1rem 0; }
.qr img, img.qr-code { display: block; width: 13rem; height: auto; aspect-ratio: 1; max-width: 100%; margin: 0 auto; padding: .5rem; border: 1px solid var(--border); border-radius: .5rem; background: #ffffff; image-rendering: pixelated; }

/* Windows high contrast and other forced colours: keep the shapes. */
@media (forced-colors: active) {
  button, .button, .card, .list, .error, .notice { border: 1px solid CanvasText; }
  :focus-visible { outline-color: Highlight; }
}
@media print {
  body { padding: 0; background: #ffffff; color: #000000; }
  .skip-link, nav.account-nav, button { display: none; }
  .card { border: 0; box-shadow: none; }
}
`;
}

/** The first character a reader sees in the brand's name (a grapheme, so "Émile" gives É), as a capital. */
export function brandInitial(brandName: string): string {
  const first = [...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(brandName.trim())][0]?.segment ?? 'T';
  return first.toLocaleUpperCase();
}

/** The favicon when there is no logo: the brand's initial on the accent. */
export function faviconSvg(brandName: string, colours: AccentColours): string {
  return (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">' +
    `<rect width="64" height="64" rx="14" fill="${colours.accent}"/>` +
    `<text x="32" y="44" text-anchor="middle" font-family="system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif" font-size="36" font-weight="700" fill="${colours.onAccent}">${escapeHtml(brandInitial(brandName))}</text>` +
    '</svg>\n'
  );
}

export interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

export const asset = (body: string | Buffer, type: string): Asset => {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return { body: bytes, type, etag: `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 22)}"` };
};

/** Cacheable for an hour, and revalidated by ETag after that (RFC 9111 §5.2.2.1, RFC 9110 §13.1.2). */
export function serve(ctx: AppContext, { body, type, etag }: Asset): void {
  ctx.set('Cache-Control', 'public, max-age=3600');
  ctx.set('ETag', etag);
  ctx.type = type;
  if (ctx.get('If-None-Match').split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag)) {
    ctx.status = 304;
    return;
  }
  ctx.body = body;
}

/** The asset routes, with everything read and built once, at start (the logo file included). */
export function assetHandlers(config: Pick<Config, 'brandName' | 'brandAccent' | 'brandLogo'>) {
  const colours = accentColours(config.brandAccent);
  const css = asset(stylesheet(colours), 'text/css; charset=utf-8');
  const favicon = asset(faviconSvg(config.brandName, colours), 'image/svg+xml');
  const logoFile = config.brandLogo ? asset(readFileSync(config.brandLogo.path), config.brandLogo.type) : undefined;

  return {
    /** GET /assets/tessera.css: the same bytes for every page. */
    stylesheet: (ctx: AppContext) => serve(ctx, css),
    /** GET /assets/favicon.svg: the brand's initial on the accent. */
    favicon: (ctx: AppContext) => serve(ctx, favicon),
    /** GET /assets/logo (view.ts, LOGO_PATH): BRAND_LOGO's file, with the type its name gave it; no route when unset. */
    logo: logoFile && ((ctx: AppContext) => serve(ctx, logoFile)),
  };
}
