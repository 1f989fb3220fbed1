// What makes a password acceptable (docs/decisions.md, People): 8 to 128 characters, not one of the
// ~49,000 most common passwords (zxcvbn-ts's ranked list), not the account's own email. Lengths
// count Unicode code points, and nothing is truncated: argon2 hashes every byte.
import { dictionary } from '@zxcvbn-ts/language-common';
import type { ErrorReason } from '../../errors/oauth-error.js';

export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 128;

let common: Set<string> | undefined;
const commonPasswords = () => (common ??= new Set(dictionary['passwords-common'].map((p) => p.toLowerCase())));

export interface PasswordProblem {
  reason: ErrorReason;
  /** In English words, for the JSON APIs' error_description. */
  description: string;
}

/** Why the password is refused; undefined when it is fine. */
export function passwordProblem(password: string, context: { email?: string } = {}): PasswordProblem | undefined {
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH) return { reason: 'password_too_short', description: `the password must be at least ${MIN_PASSWORD_LENGTH} characters long` };
  if (length > MAX_PASSWORD_LENGTH) return { reason: 'password_too_long', description: `the password must be at most ${MAX_PASSWORD_LENGTH} characters long` };
  const lower = password.toLowerCase();
  if (commonPasswords().has(lower)) return { reason: 'password_common', description: 'the password is one of the most commonly used passwords; choose another' };
  const email = context.email?.toLowerCase();
  if (email && (lower === email || lower === email.split('@')[0])) return { reason: 'password_is_email', description: 'the password must not be your email address' };
  return undefined;
}

/** Loads the list ahead of the first request, so no sign-up pays for it. */
export function preloadCommonPasswords(): number {
  return commonPasswords().size;
}
