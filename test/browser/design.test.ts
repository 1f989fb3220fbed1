// The design of the hosted pages in Chromium (docs/account.md, Branding): the sign-in and consent
// pages in the light and the dark colour scheme, on a phone (390 px) and a desktop (1280 px): no
// serious or critical axe-core violation, no sideways scrolling on the phone, a dark scheme that is
// really dark, input borders at 3:1, a visible focus ring, and Allow and Deny that look different.
import type { Page } from 'playwright-core';
import { contrastRatio, relativeLuminance } from '../../src/config/brand-colours.js';
import { signUp, startAccountServer } from '../helpers/accounts.js';
import { registerClient } from '../helpers/server.js';
import { authorizationRequest, browserTest, discover, openPage, seriousA11yViolations, startApp, submitPassword } from './chromium.js';

/** The few browser names the checks below use: the tests are type-checked without the DOM library. */
interface Browser {
  document: { documentElement: { scrollWidth: number; clientWidth: number }; activeElement: { className: string; getAttribute(name: string): string | null } | null };
  getComputedStyle(element: unknown): { getPropertyValue(name: string): string; backgroundColor: string; color: string; outlineStyle: string; outlineWidth: string; outlineColor: string };
}

const SCHEMES = ['light', 'dark'] as const;
const WIDTHS = [390, 1280] as const;

/** A computed CSS colour (`rgb(r, g, b)` or `rgba(…)`) as #rrggbb; undefined when transparent. */
function hex(css: string): string | undefined {
  const [r, g, b, a] = (css.match(/[\d.]+/g) ?? []).map(Number);
  if (r === undefined || g === undefined || b === undefined || a === 0) return undefined;
  return `#${[r, g, b].map((c) => Math.round(c).toString(16).padStart(2, '0')).join('')}`;
}

const style = (page: Page, selector: string, property: string) =>
  page.locator(selector).first().evaluate((element, name) => (globalThis as unknown as Browser).getComputedStyle(element).getPropertyValue(name), property);

/** What the design promises on any page, checked on the one the browser shows. */
async function designProblems(page: Page, scheme: (typeof SCHEMES)[number], width: number): Promise<string[]> {
  const problems: string[] = [];
  const where = `${new URL(page.url()).pathname} ${scheme} ${width}px`;
  const violations = await seriousA11yViolations(page);
  if (violations.length > 0) problems.push(`${where}: axe: ${JSON.stringify(violations, null, 1)}`);

  const overflow = await page.evaluate(() => {
    const root = (globalThis as unknown as Browser).document.documentElement;
    return root.scrollWidth - root.clientWidth;
  });
  if (overflow > 0) problems.push(`${where}: ${overflow}px of sideways scrolling`);

  const body = hex(await style(page, 'body', 'background-color'));
  const html = hex(await style(page, 'html', 'background-color'));
  const card = hex(await style(page, 'main.card', 'background-color'));
  if (!body || !html || !card) problems.push(`${where}: a surface without its own background (body ${body}, html ${html}, card ${card})`);
  else if (scheme === 'dark') {
    for (const [name, colour] of [['body', body], ['html', html], ['card', card]] as const) {
      if (relativeLuminance(colour) >= 0.1) problems.push(`${where}: the ${name} is not dark: ${colour}`);
    }
  }
  const text = hex(await style(page, 'main.card', 'color'));
  if (card && text && contrastRatio(text, card) < 7) problems.push(`${where}: text ${text} on ${card} is ${contrastRatio(text, card).toFixed(2)}:1`);

  if ((await page.locator('main input:visible').count()) > 0) {
    const border = hex(await style(page, 'main input:visible', 'border-top-color'));
    const field = hex(await style(page, 'main input:visible', 'background-color'));
    for (const against of [field, card]) {
      if (border && against && contrastRatio(border, against) < 3) problems.push(`${where}: input border ${border} on ${against} is under 3:1 (WCAG 1.4.11)`);
    }
  }
  return problems;
}

browserTest('the sign-in page with a garish accent, light and dark, at 390 and 1280 px: accessible, no sideways scrolling, really dark in the dark, a visible focus ring', async (t) => {
  const server = await startAccountServer(t, { env: { BRAND_NAME: 'Acme', BRAND_ACCENT: '#ffff00' } });
  const app = await startApp(t);
  const client = await registerClient(server, { name: 'Photo Printer', redirectUris: [app.callback] });
  const config = await discover(server, client);

  for (const colorScheme of SCHEMES) {
    for (const width of WIDTHS) {
      const { page } = await openPage(t, { colorScheme, viewport: { width, height: 900 } });
      const request = await authorizationRequest(config, app.callback);
      await page.goto(request.url.toString());
      t.is(new URL(page.url()).pathname, '/login');
      t.is(await page.textContent('.brand-name'), 'Acme');
      t.deepEqual(await designProblems(page, colorScheme, width), []);

      // The first Tab reaches the skip link, the next ones the fields: each with a ring of 2px or more.
      for (const expected of ['skip-link', 'email']) {
        await page.keyboard.press('Tab');
        if (expected === 'email') await page.locator('input[name=email]').focus();
        const ring = await page.evaluate(() => {
          const browser = globalThis as unknown as Browser;
          const focused = browser.document.activeElement!;
          const computed = browser.getComputedStyle(focused);
          return { className: focused.className, name: focused.getAttribute('name'), style: computed.outlineStyle, width: parseFloat(computed.outlineWidth), colour: computed.outlineColor };
        });
        t.true(ring.className === expected || ring.name === expected, `focused ${JSON.stringify(ring)}`);
        t.not(ring.style, 'none', `${colorScheme}: a focus ring on the ${expected}`);
        t.true(ring.width >= 2, `${colorScheme}: the ring is ${ring.width}px`);
        const card = hex(await style(page, 'main.card', 'background-color'));
        t.true(contrastRatio(hex(ring.colour)!, card!) >= 3, `${colorScheme}: the ring ${ring.colour} stands out against the card ${card}`);
      }
    }
  }
});

browserTest('the consent page, light and dark, at 390 and 1280 px: accessible, and Allow and Deny look different', async (t) => {
  const server = await startAccountServer(t);
  const person = await signUp(server);
  const app = await startApp(t);
  const client = await registerClient(server, { name: 'Photo Printer', redirectUris: [app.callback], scope: 'openid profile email' });
  const config = await discover(server, client);

  for (const colorScheme of SCHEMES) {
    for (const width of WIDTHS) {
      const { page } = await openPage(t, { colorScheme, viewport: { width, height: 900 } });
      const request = await authorizationRequest(config, app.callback);
      await page.goto(request.url.toString());
      await submitPassword(page, person);
      await page.waitForURL((url) => url.pathname === '/consent');
      t.deepEqual(await designProblems(page, colorScheme, width), []);

      const allow = page.getByRole('button', { name: 'Allow' });
      const deny = page.getByRole('button', { name: 'Deny' });
      const background = (button: typeof allow) => button.evaluate((element) => (globalThis as unknown as Browser).getComputedStyle(element).backgroundColor);
      const [allowBackground, denyBackground] = [await background(allow), await background(deny)];
      t.not(allowBackground, denyBackground, `${colorScheme} ${width}px: Allow (${allowBackground}) and Deny (${denyBackground}) are told apart`);
      const allowText = await allow.evaluate((element) => (globalThis as unknown as Browser).getComputedStyle(element).color);
      t.true(contrastRatio(hex(allowText)!, hex(allowBackground)!) >= 4.5, `${colorScheme}: Allow's text on its accent`);
    }
  }
});
