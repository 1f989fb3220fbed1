// The pages' assets over a real server: the stylesheet with the accent written in (the CSP allows
// no inline style to carry it), the favicon made from the brand, BRAND_LOGO served from our own
// origin with its type, all cacheable and revalidated by ETag; and the pages pointing at them.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { tempDir } from '../../helpers/env.js';
import { startTestServer } from '../../helpers/server.js';

const LOGO = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle cx="5" cy="5" r="4" fill="#0a0"/></svg>\n';

test('the stylesheet carries BRAND_ACCENT and the colours derived from it; the favicon is the brand initial on the accent', async (t) => {
  const server = await startTestServer(t, { env: { BRAND_NAME: 'acme', BRAND_ACCENT: '#FFFF00' } });

  const css = await fetch(`${server.url}/assets/tessera.css`);
  t.is(css.status, 200);
  t.is(css.headers.get('content-type'), 'text/css; charset=utf-8');
  t.is(css.headers.get('cache-control'), 'public, max-age=3600');
  const text = await css.text();
  t.regex(text, /--accent: #ffff00;/);
  t.regex(text, /--on-accent: #000000;/, 'black text on a yellow button');
  const [lightLink, darkLink] = [...text.matchAll(/--link: (#[0-9a-f]{6});/g)].map((match) => match[1]);
  t.not(lightLink, '#ffff00', 'yellow links would not read on the light scheme');
  t.is(darkLink, '#ffff00', 'they do on the dark one');
  t.regex(text, /@media \(prefers-color-scheme: dark\)\s*\{\s*:root\s*\{\s*color-scheme: dark;/);
  t.notRegex(text, /@import|url\(|https?:/, 'nothing from elsewhere');

  const etag = css.headers.get('etag')!;
  t.regex(etag, /^"[\w-]+"$/);
  const again = await fetch(`${server.url}/assets/tessera.css`, { headers: { 'if-none-match': etag } });
  t.is(again.status, 304, 'revalidated by ETag');
  t.is(await again.text(), '');

  const favicon = await fetch(`${server.url}/assets/favicon.svg`);
  t.is(favicon.status, 200);
  t.is(favicon.headers.get('content-type'), 'image/svg+xml');
  t.is(favicon.headers.get('cache-control'), 'public, max-age=3600');
  const svg = await favicon.text();
  t.regex(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  t.regex(svg, /fill="#ffff00"/);
  t.regex(svg, />A<\/text>/, 'the initial of BRAND_NAME, as a capital');
  t.notRegex(svg, /<script|href=/i);

  t.is((await fetch(`${server.url}/assets/logo`)).status, 404, 'no logo route without BRAND_LOGO');
  const page = await (await fetch(`${server.url}/forgot-password`)).text();
  t.regex(page, /<link rel="icon" href="\/assets\/favicon.svg" type="image\/svg\+xml">/);
  t.regex(page, /<span class="brand-name">acme<\/span>/);
  t.notRegex(page, /<img class="brand-logo"/);
  t.regex(page, /<span class="brand-mark" aria-hidden="true">A<\/span>/, 'without a logo, the initial marks the header');
});

test('BRAND_LOGO is served as it is, with its type, and the pages show it and use it as their icon', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'logo.svg');
  writeFileSync(path, LOGO);
  const server = await startTestServer(t, { env: { BRAND_NAME: 'Acme', BRAND_LOGO: path } });

  const logo = await fetch(`${server.url}/assets/logo`);
  t.is(logo.status, 200);
  t.is(logo.headers.get('content-type'), 'image/svg+xml');
  t.is(logo.headers.get('cache-control'), 'public, max-age=3600');
  t.is(logo.headers.get('x-content-type-options'), 'nosniff');
  t.regex(logo.headers.get('content-security-policy') ?? '', /default-src 'none'/, 'an SVG opened on its own runs nothing');
  t.is(await logo.text(), LOGO);

  const page = await (await fetch(`${server.url}/forgot-password`)).text();
  t.regex(page, /<img class="brand-logo" src="\/assets\/logo" alt="">/, 'decorative: the name stands beside it');
  t.regex(page, /<link rel="icon" href="\/assets\/logo">/);
  t.regex(page, /<span class="brand-name">Acme<\/span>/);
  t.is((await fetch(`${server.url}/assets/favicon.svg`)).headers.get('content-type'), 'image/svg+xml', 'the generated icon stays there');
});

test('a PNG logo is served as image/png', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'logo.png');
  // A 1×1 transparent PNG.
  const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
  writeFileSync(path, png);
  const server = await startTestServer(t, { env: { BRAND_LOGO: path } });
  const logo = await fetch(`${server.url}/assets/logo`);
  t.is(logo.headers.get('content-type'), 'image/png');
  t.deepEqual(Buffer.from(await logo.arrayBuffer()), png);
});
