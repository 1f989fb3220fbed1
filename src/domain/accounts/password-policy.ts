// What makes a password acceptable (docs/decisions.md, People): 8 to 128 characters, not one of the
// ~49,000 most common passwords (zxcvbn-ts's ranked list), not the account's own email. Lengths
// count Unicode code points, and nothing is truncated: argon2 hashes every byte.
import { dictionary } from '@zxcvbn-ts/language-common';

export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 128;

let common: Set<string> | undefined;
const commonPasswords = () => (common ??= new Set(dictionary['passwords-common'].map((p) => p.toLowerCase())));

/** Why the password is refused, in words for the user; undefined when it is fine. */
export function passwordProblem(password: string, context: { email?: string } = {}): string | undefined {
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH) return `the password must be at least ${MIN_PASSWORD_LENGTH} characters long`;
  if (length > MAX_PASSWORD_LENGTH) return `the password must be at most ${MAX_PASSWORD_LENGTH} characters long`;
  const lower = password.toLowerCase();
  if (commonPasswords().has(lower)) return 'the password is one of the most commonly used passwords; choose another';
  const email = context.email?.toLowerCase();
  if (email && (lower === email || lower === email.split('@')[0])) return 'the password must not be your email address';
  return undefined;
}

/** Loads the list ahead of the first request, so no sign-up pays for it. */
export function preloadCommonPasswords(): number {
  return commonPasswords().size;
}
