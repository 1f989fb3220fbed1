// Which language a page or mail speaks (docs/account.md, Languages): the `ui_locales` of the
// authorization request (OIDC Core §3.1.2.1, a space-separated list of BCP 47 tags in order of
// preference), then the browser's Accept-Language (RFC 9110 §12.5.4, weighted by `q`), then English.
// Only the primary subtag decides: `de-AT` and `de-CH` read the German catalogue.

export const LOCALES = ['en', 'de'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'en';

const MAX_HEADER = 512;

const supported = (tag: string): Locale | undefined => {
  const primary = tag.trim().toLowerCase().split(/[-_]/)[0] ?? '';
  return (LOCALES as readonly string[]).includes(primary) ? (primary as Locale) : undefined;
};

/** The first supported tag of a `ui_locales` value, in the order given. */
export function fromUiLocales(uiLocales: readonly string[] | undefined): Locale | undefined {
  for (const tag of uiLocales ?? []) {
    const locale = supported(tag);
    if (locale) return locale;
  }
  return undefined;
}

/** The supported language the browser weights highest; ties keep the header's order. */
export function fromAcceptLanguage(header: string | undefined): Locale | undefined {
  if (!header) return undefined;
  let best: { locale: Locale; q: number } | undefined;
  for (const range of header.slice(0, MAX_HEADER).split(',')) {
    const [tag = '', ...params] = range.split(';');
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    if (!Number.isFinite(q) || q <= 0 || q > 1) continue;
    const locale = tag.trim() === '*' ? DEFAULT_LOCALE : supported(tag);
    if (locale && (!best || q > best.q)) best = { locale, q };
  }
  return best?.locale;
}

export const negotiateLocale = (uiLocales: readonly string[] | undefined, acceptLanguage: string | undefined): Locale =>
  fromUiLocales(uiLocales) ?? fromAcceptLanguage(acceptLanguage) ?? DEFAULT_LOCALE;

/** `ui_locales` as sent: space-separated tags, each checked for shape, at most ten kept. */
export function parseUiLocales(value: string | undefined): string[] | undefined {
  if (!value) return undefined;
  const tags = value.split(' ').filter((tag) => /^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$/.test(tag)).slice(0, 10);
  return tags.length > 0 ? tags : undefined;
}
