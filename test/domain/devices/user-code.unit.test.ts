// User codes (RFC 8628 §6.1): drawn from the 20-consonant alphabet, shown with a dash, and typed
// back in any case, with or without the dash.
import test from 'ava';
import { formatUserCode, newUserCode, normaliseUserCode, USER_CODE_ALPHABET } from '../../../src/domain/devices/user-code.js';

test('new codes are 8 letters of the alphabet, shown as XXXX-XXXX', (t) => {
  const seen = new Set<string>();
  for (let i = 0; i < 2000; i += 1) {
    const code = newUserCode();
    t.regex(code, /^[BCDFGHJKLMNPQRSTVWXZ]{8}$/);
    seen.add(code);
  }
  t.true(seen.size > 1990, 'random, not a sequence');
  t.is(formatUserCode('BCDFGHJK'), 'BCDF-GHJK');
  t.is(USER_CODE_ALPHABET.length, 20);
});

test('entry ignores case, dashes and spaces; anything else is no code', (t) => {
  for (const typed of ['BCDF-GHJK', 'bcdf-ghjk', 'bcdfghjk', ' BcDf GhJk ', 'BCDF‐GHJK', 'bcdf–ghjk']) t.is(normaliseUserCode(typed), 'BCDFGHJK', typed);
  for (const typed of ['', 'BCDF-GHJ', 'BCDF-GHJKL', 'ABCD-EFGH', 'BCDF-GH1K', 'BCDF_GHJK', 'B'.repeat(65), 'BCDF-GHJK\u0000']) t.is(normaliseUserCode(typed), undefined, JSON.stringify(typed));
});
