// The colours the hosted pages and the mails derive from BRAND_ACCENT (docs/account.md, Branding).
// Any accent an operator picks must leave the pages readable, so nothing uses it unchecked: text on
// the accent is black or white, whichever contrasts more, and the accent used as text (links) or as
// a focus ring is darkened on the light scheme and lightened on the dark one until it reaches 4.5:1
// against every surface it sits on. Contrast is WCAG 2.2's: relative luminance and contrast ratio
// (https://www.w3.org/TR/WCAG22/#dfn-relative-luminance, #dfn-contrast-ratio).

/** The accent when BRAND_ACCENT is unset: a calm blue. */
export const DEFAULT_ACCENT = '#3355d6';

/** WCAG 2.2 1.4.3 (text) and, for the focus ring, more than the 3:1 of 1.4.11. */
export const TEXT_CONTRAST = 4.5;

type Rgb = readonly [r: number, g: number, b: number];

const parse = (hex: string): Rgb => {
  if (!/^#[0-9a-f]{6}$/i.test(hex)) throw new Error(`not a #rrggbb colour: ${hex}`);
  return [0, 2, 4].map((i) => parseInt(hex.slice(1 + i, 3 + i), 16)) as unknown as Rgb;
};

const format = (rgb: Rgb): string => `#${rgb.map((c) => Math.round(c).toString(16).padStart(2, '0')).join('')}`;

/** WCAG 2.2 relative luminance of an sRGB colour, 0 (black) to 1 (white). */
export function relativeLuminance(hex: string): number {
  const [r, g, b] = parse(hex).map((channel) => {
    const c = channel / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as unknown as Rgb;
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG 2.2 contrast ratio, 1 to 21, whichever colour is lighter. */
export function contrastRatio(a: string, b: string): number {
  const [light, dark] = [relativeLuminance(a), relativeLuminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

/** Black or white, whichever contrasts more with `background`: at least 4.58:1 for any colour. */
export function textOn(background: string): '#000000' | '#ffffff' {
  return contrastRatio('#000000', background) >= contrastRatio('#ffffff', background) ? '#000000' : '#ffffff';
}

/** `from` mixed with `to` by `share` (0: `from`, 1: `to`), per sRGB channel. */
const mix = (from: Rgb, to: Rgb, share: number): Rgb => from.map((c, i) => c + (to[i]! - c) * share) as unknown as Rgb;

/**
 * `colour` itself when it reaches `minimum` against every one of `backgrounds`; otherwise the least
 * shift towards black (light backgrounds) or white (dark ones) that does, so the hue stays
 * recognisable. Mixing towards the far end only ever increases contrast against backgrounds on
 * the other side, so a bisection finds the least shift.
 */
export function readableOn(colour: string, backgrounds: readonly string[], minimum = TEXT_CONTRAST): string {
  const worst = (candidate: string) => Math.min(...backgrounds.map((background) => contrastRatio(candidate, background)));
  if (worst(colour) >= minimum) return colour.toLowerCase();
  const darkBackgrounds = backgrounds.every((background) => relativeLuminance(background) < 0.18);
  const target: Rgb = darkBackgrounds ? [255, 255, 255] : [0, 0, 0];
  const start = parse(colour);
  let low = 0;
  let high = 1;
  for (let step = 0; step < 20; step += 1) {
    const middle = (low + high) / 2;
    if (worst(format(mix(start, target, middle))) >= minimum) high = middle;
    else low = middle;
  }
  // Rounding to whole channels can land just under; step on until it holds.
  let share = high;
  let result = format(mix(start, target, share));
  while (worst(result) < minimum && share < 1) {
    share = Math.min(1, share + 0.01);
    result = format(mix(start, target, share));
  }
  return result;
}

/**
 * The fixed colours of each scheme (docs/account.md, Branding). The dark scheme sets its own
 * surfaces rather than inverting the light one, so that text is light on a really dark background.
 * `fieldBorder` reaches 3:1 against `surface` and `field` (WCAG 2.2 1.4.11); every text colour
 * reaches 4.5:1 against the surfaces it is used on (test/config/brand-colours.unit.test.ts).
 */
export const PALETTE = {
  light: {
    page: '#f4f5f7',
    surface: '#ffffff',
    raised: '#eef0f3',
    text: '#1b1f24',
    muted: '#555e6a',
    border: '#d9dde3',
    field: '#ffffff',
    fieldBorder: '#767f8b',
    danger: '#b42318',
    onDanger: '#ffffff',
    dangerText: '#b42318',
    errorBackground: '#fdf0ef',
    errorBorder: '#e7a39b',
    errorText: '#9a1b12',
    noticeBackground: '#edf2fd',
    noticeBorder: '#b9c8ee',
  },
  dark: {
    page: '#0f1115',
    surface: '#1a1d23',
    raised: '#252a32',
    text: '#e8eaed',
    muted: '#a9b1bc',
    border: '#333943',
    field: '#111419',
    fieldBorder: '#7f8896',
    danger: '#f0645a',
    onDanger: '#000000',
    dangerText: '#ff9a91',
    errorBackground: '#2d1618',
    errorBorder: '#7a2c2c',
    errorText: '#ffb3ab',
    noticeBackground: '#172238',
    noticeBorder: '#34477a',
  },
} as const;

export type Scheme = keyof typeof PALETTE;

/** Where accent-coloured text (links, the focus ring) can sit, per scheme. */
const linkBackgrounds = (scheme: Scheme): string[] => {
  const p = PALETTE[scheme];
  return [p.page, p.surface, p.raised, p.noticeBackground];
};

export interface AccentColours {
  /** Buttons' background. */
  accent: string;
  /** Text on the accent: black or white. */
  onAccent: string;
  /** Buttons' background under the pointer: further from `onAccent`, so never less readable. */
  accentHover: string;
  /** Links and the focus ring on the light scheme's page and surfaces. */
  lightLink: string;
  /** The same on the dark scheme's. */
  darkLink: string;
}

/** Everything derived from BRAND_ACCENT (or the default), for the stylesheet and the mails. */
export function accentColours(brandAccent: string | undefined): AccentColours {
  const accent = (brandAccent ?? DEFAULT_ACCENT).toLowerCase();
  const onAccent = textOn(accent);
  const away: Rgb = onAccent === '#ffffff' ? [0, 0, 0] : [255, 255, 255];
  return {
    accent,
    onAccent,
    accentHover: format(mix(parse(accent), away, 0.14)),
    lightLink: readableOn(accent, linkBackgrounds('light')),
    darkLink: readableOn(accent, linkBackgrounds('dark')),
  };
}
