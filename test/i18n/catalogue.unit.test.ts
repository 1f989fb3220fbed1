// The type checker already refuses a catalogue with an entry missing (src/i18n/catalogue.ts); this
// catches the other way a language ends up half-done: an entry copied from English and left so.
import test from 'ava';
import { catalogue } from '../../src/i18n/catalogue.js';
import { LOCALES } from '../../src/i18n/locale.js';

/** Entries that read the same in both languages (names, formats, words German borrows). */
const SAME_IN_EVERY_LANGUAGE = new Set(['common.documentTitle', 'account.nav.passkeys', 'signIn.register.name']);

type Entry = [path: string, value: unknown];

function* leaves(node: unknown, path: string[] = []): Generator<Entry> {
  if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) yield* leaves(value, [...path, key]);
  } else {
    yield [path.join('.'), node];
  }
}

/** A function entry as text: called with sample arguments of each parameter. */
const asText = (value: unknown): unknown => (typeof value === 'function' ? String(value('X1', 'X2', 'X3', 'X4')) : value);

test('every language has every entry, of the same kind, translated', (t) => {
  const english = new Map(leaves(catalogue('en')));
  for (const locale of LOCALES.filter((l) => l !== 'en')) {
    const other = new Map(leaves(catalogue(locale)));
    t.deepEqual([...other.keys()].sort(), [...english.keys()].sort(), `${locale}: the same entries as English`);
    const untranslated = [...english].filter(([path, value]) => {
      if (SAME_IN_EVERY_LANGUAGE.has(path)) return false;
      const theirs = other.get(path);
      t.is(typeof theirs, typeof value, `${locale}.${path} is a ${typeof value} in English`);
      return asText(theirs) === asText(value);
    });
    t.deepEqual(untranslated.map(([path]) => path), [], `${locale}: entries still in English`);
  }
});

test('no entry is empty, and parameters reach the text', (t) => {
  for (const locale of LOCALES) {
    for (const [path, value] of leaves(catalogue(locale))) {
      const text = asText(value);
      t.true(typeof text === 'string' && text.trim().length > 0, `${locale}.${path} is empty`);
      if (typeof value === 'function' && value.length > 0) t.true(String(text).includes('X1'), `${locale}.${path} drops its first parameter`);
    }
  }
});
