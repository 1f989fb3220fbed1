// Every string a person reads on our pages and in our mails lives in one catalogue per language
// (src/i18n/en, src/i18n/de; docs/account.md, Languages). English is the reference: another
// language is typed as `Catalogue`, so the type checker refuses one with a string missing or a
// parameter different. Entries with values are functions, so a translation can put them anywhere.
import { de } from './de/index.js';
import { en } from './en/index.js';
import type { Locale } from './locale.js';

export type Catalogue = typeof en;

const CATALOGUES: Readonly<Record<Locale, Catalogue>> = { en, de };

export const catalogue = (locale: Locale): Catalogue => CATALOGUES[locale];
