// People as the account API shows them, and the rules for their email addresses and names.
import { OAuthError } from '../../errors/oauth-error.js';
import type { Role, UserRow } from '../../storage/schema.js';

export const ROLES: readonly Role[] = ['user', 'admin', 'enterprise_admin'];
export const MAX_EMAIL_LENGTH = 254; // RFC 5321 §4.5.3.1.3, the longest usable path
const EMAIL = /^[^\s@<>()[\]\\,;:"\u0000-\u001f\u007f]+@[^\s@<>()[\]\\,;:"\u0000-\u001f\u007f]+\.[^\s@<>()[\]\\,;:"\u0000-\u001f\u007f.]{2,}$/u;

/** Lower-cased and trimmed: one address, one account. */
export function normalizeEmail(raw: string): string {
  const email = raw.trim().toLowerCase();
  if (email.length === 0 || email.length > MAX_EMAIL_LENGTH || !EMAIL.test(email)) {
    throw new OAuthError('invalid_request', 'email is not a valid email address');
  }
  return email;
}

export function normalizeName(raw: string): string {
  const name = raw.trim().replace(/\s+/g, ' ');
  if (name.length === 0) throw new OAuthError('invalid_request', 'name must not be empty');
  if (name.length > 200) throw new OAuthError('invalid_request', 'name must be at most 200 characters');
  if (/[\u0000-\u001f\u007f]/.test(name)) throw new OAuthError('invalid_request', 'name must not contain control characters');
  return name;
}

export interface ConsentView {
  granted: boolean;
  version: string;
  recorded_at: string;
}

export interface UserView {
  id: string;
  email: string;
  email_verified: boolean;
  pending_email?: string;
  name: string;
  role: Role;
  disabled: boolean;
  mfa_enabled: boolean;
  created_at: string;
  consents?: Record<string, ConsentView>;
}

export function userView(row: UserRow, consents?: Array<{ name: string; granted: number; version: string; recorded_at: number }>): UserView {
  return {
    id: row.id,
    email: row.email,
    email_verified: row.email_verified === 1,
    ...(row.pending_email ? { pending_email: row.pending_email } : {}),
    name: row.name,
    role: row.role,
    disabled: row.disabled === 1,
    mfa_enabled: row.mfa_enabled === 1,
    created_at: new Date(Number(row.created_at)).toISOString(),
    ...(consents
      ? {
          consents: Object.fromEntries(
            consents.map((c) => [c.name, { granted: c.granted === 1, version: c.version, recorded_at: new Date(Number(c.recorded_at)).toISOString() }]),
          ),
        }
      : {}),
  };
}
