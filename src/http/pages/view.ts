// What every hosted page is rendered for: the reader's language and catalogue, and the brand.
// Chosen once per request (src/i18n/locale.ts: ui_locales, then Accept-Language, then English).
import type { Config } from '../../config/config.js';
import { catalogue, type Catalogue } from '../../i18n/catalogue.js';
import { negotiateLocale, type Locale } from '../../i18n/locale.js';
import type { AppContext } from '../context.js';

export interface PageView {
  locale: Locale;
  t: Catalogue;
  brandName: string;
  /** Where the logo is served from, when BRAND_LOGO is set. */
  logoUrl: string | undefined;
}

export const LOGO_PATH = '/assets/logo';

/** The view of this request; `uiLocales` from the sign-in in progress, when there is one. */
export function pageView(ctx: AppContext, config: Config, uiLocales?: readonly string[]): PageView {
  const locale = negotiateLocale(uiLocales, ctx.get('Accept-Language') || undefined);
  return { locale, t: catalogue(locale), brandName: config.brandName, logoUrl: config.brandLogo ? LOGO_PATH : undefined };
}
