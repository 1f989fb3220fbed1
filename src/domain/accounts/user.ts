// A person as the domain sees them (read from storage once, by `userFromRow`), as the account and
// admin APIs show them (`userView`, the one place their JSON names are chosen), and the rules for
// their email addresses and names.
import type { Insertable, Updateable } from 'kysely';
import { OAuthError } from '../../errors/oauth-error.js';
import type { Role, UserRow, UserTable } from '../../storage/schema.js';
export type { Role } from '../../storage/schema.js';

export interface User {
  id: string;
  /** Lower-cased; unique. */
  email: string;
  emailVerified: boolean;
  /** A new address waiting for verification; the old one stays in force until then. */
  pendingEmail: string | null;
  name: string;
  /** argon2id, PHC string. */
  passwordHash: string;
  role: Role;
  disabled: boolean;
  /** Bumped by logout-all, password change and reset, and disabling: older tokens die. */
  tokenGeneration: number;
  mfaEnabled: boolean;
  /** The TOTP secret, sealed under the KEK (docs/decisions.md, People). */
  totpSecretSealed: string | null;
  /** A sealed secret between setup/initiate and setup/verify. */
  totpPendingSealed: string | null;
  /** The last accepted TOTP time step: only later steps count. */
  totpLastStep: number | null;
  createdAt: number;
  updatedAt: number;
}

export function userFromRow(row: UserRow): User {
  return {
    id: row.id,
    email: row.email,
    emailVerified: row.email_verified === 1,
    pendingEmail: row.pending_email,
    name: row.name,
    passwordHash: row.password_hash,
    role: row.role,
    disabled: row.disabled === 1,
    tokenGeneration: row.token_generation,
    mfaEnabled: row.mfa_enabled === 1,
    totpSecretSealed: row.totp_secret_sealed,
    totpPendingSealed: row.totp_pending_sealed,
    totpLastStep: row.totp_last_step === null ? null : Number(row.totp_last_step),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

/** The column of each field: the one place the domain's names meet the table's. */
const COLUMNS = {
  id: 'id',
  email: 'email',
  emailVerified: 'email_verified',
  pendingEmail: 'pending_email',
  name: 'name',
  passwordHash: 'password_hash',
  role: 'role',
  disabled: 'disabled',
  tokenGeneration: 'token_generation',
  mfaEnabled: 'mfa_enabled',
  totpSecretSealed: 'totp_secret_sealed',
  totpPendingSealed: 'totp_pending_sealed',
  totpLastStep: 'totp_last_step',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
} as const satisfies Record<keyof User, keyof UserTable>;

/** The row update for some fields of a user; flags are stored as 0/1. */
export function userChanges(changes: Partial<Omit<User, 'id'>>): Updateable<UserTable> {
  const row: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(changes)) {
    if (value !== undefined) row[COLUMNS[field as keyof typeof COLUMNS]] = typeof value === 'boolean' ? Number(value) : value;
  }
  return row as Updateable<UserTable>;
}

/** A new person: no second factor yet, every earlier token generation unused. */
export function newUserRow(user: Pick<User, 'id' | 'email' | 'emailVerified' | 'name' | 'passwordHash' | 'role'>, now: number): Insertable<UserTable> {
  return {
    id: user.id,
    email: user.email,
    email_verified: user.emailVerified ? 1 : 0,
    pending_email: null,
    name: user.name,
    password_hash: user.passwordHash,
    role: user.role,
    disabled: 0,
    token_generation: 0,
    created_at: now,
    updated_at: now,
  };
}

export const ROLES: readonly Role[] = ['user', 'admin', 'enterprise_admin'];
export const MAX_EMAIL_LENGTH = 254; // RFC 5321 §4.5.3.1.3, the longest usable path
const EMAIL = /^[^\s@<>()[\]\\,;:"\u0000-\u001f\u007f]+@[^\s@<>()[\]\\,;:"\u0000-\u001f\u007f]+\.[^\s@<>()[\]\\,;:"\u0000-\u001f\u007f.]{2,}$/u;

/** Lower-cased and trimmed: one address, one account. */
export function normalizeEmail(raw: string): string {
  const email = raw.trim().toLowerCase();
  if (email.length === 0 || email.length > MAX_EMAIL_LENGTH || !EMAIL.test(email)) {
    throw new OAuthError('invalid_request', 'email is not a valid email address', { reason: 'email_invalid' });
  }
  return email;
}

export function normalizeName(raw: string): string {
  const name = raw.trim().replace(/\s+/g, ' ');
  if (name.length === 0) throw new OAuthError('invalid_request', 'name must not be empty', { reason: 'name_empty' });
  if (name.length > 200) throw new OAuthError('invalid_request', 'name must be at most 200 characters', { reason: 'name_too_long' });
  if (/[\u0000-\u001f\u007f]/.test(name)) throw new OAuthError('invalid_request', 'name must not contain control characters', { reason: 'name_control_characters' });
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

export interface Consent {
  name: string;
  granted: boolean;
  version: string;
  recordedAt: number;
}

/** A stored consent row, mapped once where it is read. */
export const consentFromRow = (row: { name: string; granted: number; version: string; recorded_at: number }): Consent => ({
  name: row.name,
  granted: row.granted === 1,
  version: row.version,
  recordedAt: Number(row.recorded_at),
});

/** The JSON of a user for /auth/me, /admin/users and `tessera users` (docs/accounts.md): its names are the API's. */
export function userView(user: User, consents?: readonly Consent[]): UserView {
  return {
    id: user.id,
    email: user.email,
    email_verified: user.emailVerified,
    ...(user.pendingEmail ? { pending_email: user.pendingEmail } : {}),
    name: user.name,
    role: user.role,
    disabled: user.disabled,
    mfa_enabled: user.mfaEnabled,
    created_at: new Date(user.createdAt).toISOString(),
    ...(consents
      ? { consents: Object.fromEntries(consents.map((c) => [c.name, { granted: c.granted, version: c.version, recorded_at: new Date(c.recordedAt).toISOString() }])) }
      : {}),
  };
}
