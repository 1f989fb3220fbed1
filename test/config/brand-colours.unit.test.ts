// The colour maths behind BRAND_ACCENT (docs/account.md, Branding): WCAG 2.2 relative luminance and
// contrast, text on the accent, and links and focus rings that stay readable on both schemes for
// any accent, a garish one included; and the fixed palette's own contrasts.
import test from 'ava';
import { accentColours, contrastRatio, DEFAULT_ACCENT, PALETTE, readableOn, relativeLuminance, textOn } from '../../src/config/brand-colours.js';

const near = (actual: number, expected: number, digits = 2) => Math.abs(actual - expected) < 10 ** -digits;

test('relative luminance and contrast ratio as WCAG 2.2 defines them', (t) => {
  t.is(relativeLuminance('#000000'), 0);
  t.is(relativeLuminance('#ffffff'), 1);
  t.true(near(relativeLuminance('#808080'), 0.2159, 4));
  t.true(near(relativeLuminance('#ff0000'), 0.2126, 4), 'pure red is its coefficient');
  t.is(contrastRatio('#000000', '#ffffff'), 21);
  t.is(contrastRatio('#ffffff', '#000000'), 21, 'whichever is lighter');
  t.is(contrastRatio('#3355d6', '#3355d6'), 1);
  // Known pairs: #767676 is the lightest grey that passes 4.5:1 on white.
  t.true(near(contrastRatio('#767676', '#ffffff'), 4.54));
  t.true(contrastRatio('#777777', '#ffffff') < 4.5);
  t.throws(() => relativeLuminance('#fff'));
});

test('text on the accent is black or white, whichever contrasts more: never under 4.5:1', (t) => {
  t.is(textOn('#ffff00'), '#000000');
  t.is(textOn('#000080'), '#ffffff');
  t.is(textOn(DEFAULT_ACCENT), '#ffffff');
  for (let grey = 0; grey <= 255; grey += 1) {
    const hex = `#${grey.toString(16).padStart(2, '0').repeat(3)}`;
    t.true(contrastRatio(hex, textOn(hex)) >= 4.5, hex);
  }
});

test('a colour that already reads is kept; one that does not moves towards black on light, white on dark, only as far as needed', (t) => {
  t.is(readableOn('#1a1a1a', ['#ffffff']), '#1a1a1a');
  const onWhite = readableOn('#ffff00', ['#ffffff']);
  t.true(contrastRatio(onWhite, '#ffffff') >= 4.5);
  t.true(contrastRatio(onWhite, '#ffffff') < 4.7, `no darker than needed: ${onWhite}`);
  t.true(relativeLuminance(onWhite) < relativeLuminance('#ffff00'));
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(onWhite.slice(i, i + 2), 16));
  t.true(r === g && b === 0, `still a yellow hue: ${onWhite}`);

  const onBlack = readableOn('#000080', ['#0f1115', '#1a1d23']);
  t.true(relativeLuminance(onBlack) > relativeLuminance('#000080'), 'lightened on dark');
  for (const background of ['#0f1115', '#1a1d23']) t.true(contrastRatio(onBlack, background) >= 4.5);
});

test('any accent gives readable buttons, links and focus rings on both schemes', (t) => {
  const accents = [undefined, '#ffff00', '#00ff00', '#ffffff', '#000000', '#808080', '#ff00ff', '#e11d48', '#1f6feb', '#0000ff', '#fafafa', '#101010'];
  for (const brandAccent of accents) {
    const colours = accentColours(brandAccent);
    const label = `${brandAccent ?? 'default'}: ${JSON.stringify(colours)}`;
    t.is(colours.accent, brandAccent ?? DEFAULT_ACCENT);
    t.true(contrastRatio(colours.accent, colours.onAccent) >= 4.5, label);
    t.true(contrastRatio(colours.accentHover, colours.onAccent) >= contrastRatio(colours.accent, colours.onAccent), `hover is no less readable: ${label}`);
    for (const background of [PALETTE.light.page, PALETTE.light.surface, PALETTE.light.raised, PALETTE.light.noticeBackground]) {
      t.true(contrastRatio(colours.lightLink, background) >= 4.5, `light link on ${background}: ${label}`);
    }
    for (const background of [PALETTE.dark.page, PALETTE.dark.surface, PALETTE.dark.raised, PALETTE.dark.noticeBackground]) {
      t.true(contrastRatio(colours.darkLink, background) >= 4.5, `dark link on ${background}: ${label}`);
    }
  }
  t.is(accentColours('#1a4fc4').lightLink, '#1a4fc4', 'an accent that reads on light is used as it is');
});

test('the palette: text at 4.5:1 and field borders at 3:1 on their surfaces, in both schemes; the dark scheme is dark', (t) => {
  for (const [name, p] of Object.entries(PALETTE)) {
    for (const surface of [p.page, p.surface, p.raised]) {
      t.true(contrastRatio(p.text, surface) >= 7, `${name} text on ${surface}`);
      t.true(contrastRatio(p.muted, surface) >= 4.5, `${name} muted on ${surface}`);
      t.true(contrastRatio(p.dangerText, surface) >= 4.5, `${name} danger text on ${surface}`);
    }
    for (const surface of [p.surface, p.field]) t.true(contrastRatio(p.fieldBorder, surface) >= 3, `${name} field border on ${surface} (WCAG 1.4.11)`);
    t.true(contrastRatio(p.fieldBorder, p.page) >= 3, `${name} outlined buttons' border on the page`);
    t.true(contrastRatio(p.onDanger, p.danger) >= 4.5, `${name} text on the danger button`);
    t.true(contrastRatio(p.errorText, p.errorBackground) >= 4.5, `${name} error text`);
    t.true(contrastRatio(p.text, p.noticeBackground) >= 4.5, `${name} notice text`);
    t.true(contrastRatio(p.muted, p.noticeBackground) >= 4.5, `${name} muted text in a notice`);
  }
  for (const surface of [PALETTE.dark.page, PALETTE.dark.surface, PALETTE.dark.field]) t.true(relativeLuminance(surface) < 0.05, `dark surface ${surface}`);
});
