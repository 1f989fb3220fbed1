// User codes (RFC 8628 §6.1): 8 characters from 20 consonants, shown as XXXX-XXXX, typed by a
// person on another screen. No vowels (no words), no digits (nothing to mistake for a letter).
// 20^8 ≈ 2^34.6 codes: enough only together with the per-IP limit on wrong guesses and the codes'
// short life (RFC 8628 §5.1).
import { randomInt } from 'node:crypto';

/** RFC 8628 §6.1's base-20 alphabet. */
export const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';
export const USER_CODE_LENGTH = 8;

/** A new user code, without its dash (randomInt draws without modulo bias). */
export function newUserCode(): string {
  let code = '';
  for (let i = 0; i < USER_CODE_LENGTH; i += 1) code += USER_CODE_ALPHABET[randomInt(USER_CODE_ALPHABET.length)];
  return code;
}

/** As the device shows it and the page prints it: `XXXX-XXXX`. */
export const formatUserCode = (code: string): string => `${code.slice(0, 4)}-${code.slice(4)}`;

/**
 * What a person typed, as stored: case, dashes and spaces do not matter (RFC 8628 §6.1); anything
 * else outside the alphabet makes it no code at all.
 */
export function normaliseUserCode(typed: string): string | undefined {
  if (typed.length > 64) return undefined;
  const code = typed.replace(/[\s\-‐‑–—]/g, '').toUpperCase();
  if (code.length !== USER_CODE_LENGTH) return undefined;
  for (const character of code) if (!USER_CODE_ALPHABET.includes(character)) return undefined;
  return code;
}
