// Sign-up and email verification (docs/accounts.md). Register answers 202 whether or not the address
// is taken, in about the same time (an argon2 hash either way), and mails the owner of the
// address: a verification link for a new account, a notice for an existing one.
import { audit, type RequestMeta } from '../../audit/audit-log.js';
import { randomId, randomSecret, sha256 } from '../../crypto/random.js';
import { OAuthError } from '../../errors/oauth-error.js';
import type { Locale } from '../../i18n/locale.js';
import * as templates from '../../mail/templates.js';
import type { DbOrTx } from '../../storage/db.js';
import { recordConsents } from '../../storage/repositories/consents.js';
import { findMailToken, insertMailToken, spendMailToken, voidMailTokens } from '../../storage/repositories/mail-tokens.js';
import { findUserByEmail, findUserById, insertUser, updateUser } from '../../storage/repositories/users.js';
import { pageLink, type AccountDeps } from './deps.js';
import { mailTokenFromRow, mailTokenUsable } from './mail-token.js';
import { hashNewPassword, storePassword } from './new-password.js';
import { newUserRow, normalizeEmail, normalizeName, userChanges, userFromRow, type User } from './user.js';

export const VERIFY_EMAIL_TTL_MS = 24 * 3600_000;
export const VERIFY_EMAIL_PATH = '/verify-email';
export const RESET_PASSWORD_PATH = '/reset-password';
/** The hosted pages a mail may link to without a token: where a person asks for a reset link or a new verification mail. */
export const FORGOT_PASSWORD_PATH = '/forgot-password';
export const RESEND_VERIFICATION_PATH = '/resend-verification';
/** The account pages; without a browser session they sign in first (docs/account.md). */
export const ACCOUNT_PATH = '/account';

export interface Registration {
  email: string;
  password: string;
  name: string;
  consents?: Record<string, boolean>;
}

const CONSENT_NAME = /^[a-z0-9_.-]{1,64}$/;

export function checkConsents(consents: unknown): Record<string, boolean> {
  if (consents === undefined) return {};
  if (consents === null || typeof consents !== 'object' || Array.isArray(consents)) throw new OAuthError('invalid_request', 'consents must be an object of booleans');
  const entries = Object.entries(consents as Record<string, unknown>);
  if (entries.length > 20) throw new OAuthError('invalid_request', 'too many consents');
  for (const [name, value] of entries) {
    if (!CONSENT_NAME.test(name)) throw new OAuthError('invalid_request', `consent names are lower-case words (got ${JSON.stringify(name.slice(0, 64))})`);
    if (typeof value !== 'boolean') throw new OAuthError('invalid_request', `consent ${name} must be true or false`);
  }
  return Object.fromEntries(entries) as Record<string, boolean>;
}

export class RegistrationService {
  constructor(private readonly deps: AccountDeps) {}

  async register(input: Registration, meta: RequestMeta): Promise<void> {
    const { db, clock, config, hasher, mail } = this.deps;
    const email = normalizeEmail(input.email);
    const name = normalizeName(input.name);
    const consents = checkConsents(input.consents);
    await this.deps.rateLimiter.check(meta, email);
    const hash = await hashNewPassword(hasher, db, input.password, { email });

    const now = clock.now();
    await db.transaction().execute(async (tx) => {
      const existingRow = await findUserByEmail(tx, email);
      if (existingRow) {
        const existing = userFromRow(existingRow);
        if (!(await this.deps.mailQuota.take(tx, existing.id, 'already_registered'))) return;
        await mail.enqueue(tx, {
          to: existing.email,
          ...templates.alreadyRegistered(templates.mailFrame(config, meta.locale), { name: existing.name, signInLink: `${config.issuer}${ACCOUNT_PATH}`, resetLink: `${config.issuer}${FORGOT_PASSWORD_PATH}` }),
        });
        return;
      }
      const id = randomId();
      await insertUser(tx, newUserRow({ id, email, emailVerified: false, name, passwordHash: hash, role: 'user' }, now));
      await storePassword(tx, id, hash, now);
      await recordConsents(tx, id, consents, { version: config.consentVersion, ip: meta.ip, now });
      await this.sendVerification(tx, { id, name, email }, email, now, meta.locale);
      await audit(tx, { event: 'user.registered', userId: id, meta, detail: { consents: Object.keys(consents).join(',') } }, now);
    });
    mail.wake();
  }

  /** Spends a verification token (the POST of the page a mail links to, never its GET). */
  async verifyEmail(token: string, meta: RequestMeta): Promise<void> {
    const { db, clock, mail } = this.deps;
    // Every attempt counts against the IP, so tokens cannot be guessed in bulk (docs/accounts.md).
    await this.deps.rateLimiter.check(meta);
    const now = clock.now();
    const invalid = new OAuthError('invalid_token', 'the verification link is invalid, used or expired');
    await db.transaction().execute(async (tx) => {
      const row = await findMailToken(tx, sha256(token), 'verify_email');
      const link = row ? mailTokenFromRow(row) : undefined;
      if (!mailTokenUsable(link, now)) throw invalid;
      const userRow = await findUserById(tx, link.userId);
      const user = userRow ? userFromRow(userRow) : undefined;
      if (!user || !(await spendMailToken(tx, link.tokenHash, now))) throw invalid;
      if (link.email === user.email) {
        await updateUser(tx, user.id, userChanges({ emailVerified: true, updatedAt: now }));
        await audit(tx, { event: 'user.email_verified', userId: user.id, meta }, now);
        return;
      }
      // A changed address takes over only now that its owner has proved it (docs/accounts.md).
      if (user.pendingEmail !== link.email) throw invalid;
      if (await findUserByEmail(tx, link.email)) throw new OAuthError('invalid_token', 'that address now belongs to another account', { reason: 'email_taken' });
      await updateUser(tx, user.id, userChanges({ email: link.email, pendingEmail: null, emailVerified: true, updatedAt: now }));
      await mail.enqueue(tx, { to: user.email, ...templates.emailChanged(templates.mailFrame(this.deps.config, meta.locale), { name: user.name, newEmail: link.email }) });
      await audit(tx, { event: 'user.email_changed', userId: user.id, meta }, now);
    });
    mail.wake();
  }

  async resendVerification(rawEmail: string, meta: RequestMeta): Promise<void> {
    const { db, clock, mail } = this.deps;
    const email = normalizeEmail(rawEmail);
    await this.deps.rateLimiter.check(meta, email);
    const now = clock.now();
    await db.transaction().execute(async (tx) => {
      const row = await findUserByEmail(tx, email);
      const user = row ? userFromRow(row) : undefined;
      if (!user || user.emailVerified) return;
      await this.sendVerification(tx, user, user.email, now, meta.locale);
    });
    mail.wake();
  }

  /**
   * A new verification token (older ones die) and its mail, to `address`; nothing when the
   * account's hourly mail quota is spent (the earlier link stays valid).
   */
  async sendVerification(tx: DbOrTx, user: Pick<User, 'id' | 'name' | 'email'>, address: string, now: number, locale?: Locale): Promise<void> {
    if (!(await this.deps.mailQuota.take(tx, user.id, 'verify_email'))) return;
    const token = randomSecret();
    await voidMailTokens(tx, user.id, 'verify_email', now);
    await insertMailToken(tx, { tokenHash: sha256(token), userId: user.id, purpose: 'verify_email', email: address, now, expiresAt: now + VERIFY_EMAIL_TTL_MS });
    const link = pageLink(this.deps.config, VERIFY_EMAIL_PATH, token);
    const frame = templates.mailFrame(this.deps.config, locale);
    const content = address === user.email ? templates.verifyEmail(frame, { name: user.name, link }) : templates.verifyNewEmail(frame, { name: user.name, link });
    await this.deps.mail.enqueue(tx, { to: address, ...content });
  }
}
