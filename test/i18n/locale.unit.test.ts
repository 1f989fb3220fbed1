import test from 'ava';
import { fromAcceptLanguage, negotiateLocale, parseUiLocales } from '../../src/i18n/locale.js';

test('Accept-Language: the supported language with the highest weight wins, by primary subtag', (t) => {
  t.is(fromAcceptLanguage('de-CH,de;q=0.9,en;q=0.8'), 'de');
  t.is(fromAcceptLanguage('fr-FR,fr;q=0.9,en;q=0.8,de;q=0.7'), 'en');
  t.is(fromAcceptLanguage('en;q=0.3, de;q=0.7'), 'de');
  t.is(fromAcceptLanguage('fr, it'), undefined);
  t.is(fromAcceptLanguage('de;q=0, en;q=0.1'), 'en', 'q=0 means "not this one" (RFC 9110 §12.4.2)');
  t.is(fromAcceptLanguage('*'), 'en');
  t.is(fromAcceptLanguage('de;q=abc'), undefined, 'a malformed weight drops the range');
  t.is(fromAcceptLanguage(undefined), undefined);
});

test('ui_locales comes first, then Accept-Language, then English', (t) => {
  t.is(negotiateLocale(['de'], 'en'), 'de');
  t.is(negotiateLocale(['en'], 'de'), 'en');
  t.is(negotiateLocale(['fr-CA', 'de-AT'], 'en'), 'de', 'the first supported tag of ui_locales, in its order');
  t.is(negotiateLocale(['fr'], 'de-DE'), 'de', 'no supported ui_locale: the browser decides');
  t.is(negotiateLocale(undefined, 'fr'), 'en');
});

test('ui_locales keeps well-formed tags only, at most ten', (t) => {
  t.deepEqual(parseUiLocales('de-DE en <script> fr_FR'), ['de-DE', 'en']);
  t.is(parseUiLocales(''), undefined);
  t.is(parseUiLocales('!!'), undefined);
  t.is(parseUiLocales(Array.from({ length: 20 }, () => 'en').join(' '))?.length, 10);
});
