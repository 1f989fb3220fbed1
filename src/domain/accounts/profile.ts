// The signed-in user's own account: profile, email change, deletion (docs/accounts.md, /auth/me).
import { audit, type RequestMeta } from '../../audit/audit-log.js';
import { OAuthError } from '../../errors/oauth-error.js';
import * as templates from '../../mail/templates.js';
import { listConsents, recordConsents } from '../../storage/repositories/consents.js';
import { findUserByEmail, findUserById, updateUser } from '../../storage/repositories/users.js';
import { deleteAccount } from './account-deletion.js';
import type { AccountDeps } from './deps.js';
import type { RegistrationService } from './registration.js';
import { checkConsents } from './registration.js';
import type { SignInService } from './sign-in.js';
import { consentFromRow, normalizeEmail, normalizeName, userChanges, userFromRow, userView, type User, type UserView } from './user.js';

export interface ProfileChanges {
  name?: string;
  email?: string;
  current_password?: string;
  consents?: unknown;
}

export class ProfileService {
  constructor(
    private readonly deps: AccountDeps,
    private readonly registration: RegistrationService,
    private readonly signIn: SignInService,
  ) {}

  async get(userId: string): Promise<UserView> {
    const user = await this.user(userId);
    return userView(user, (await listConsents(this.deps.db, userId)).map(consentFromRow));
  }

  async update(userId: string, changes: ProfileChanges, meta: RequestMeta): Promise<UserView> {
    const { db, clock, mail, config } = this.deps;
    const user = await this.user(userId);
    const name = changes.name === undefined ? undefined : normalizeName(changes.name);
    const consents = checkConsents(changes.consents);
    const email = changes.email === undefined ? undefined : normalizeEmail(changes.email);
    const emailChange = email !== undefined && email !== user.email;
    if (emailChange) {
      if (changes.current_password === undefined) throw new OAuthError('invalid_request', 'changing the email needs current_password', { reason: 'current_password_required' });
      await this.signIn.verifyCurrentPassword(user, changes.current_password, meta);
    }
    const now = clock.now();
    await db.transaction().execute(async (tx) => {
      if (name !== undefined && name !== user.name) {
        await updateUser(tx, user.id, userChanges({ name, updatedAt: now }));
        await audit(tx, { event: 'user.profile_updated', userId: user.id, meta, detail: { field: 'name' } }, now);
      }
      if (Object.keys(consents).length > 0) await recordConsents(tx, user.id, consents, { version: config.consentVersion, ip: meta.ip, now });
      if (emailChange) {
        // The old address stays in force until the new one is verified; a taken address gets no
        // verification link, but the answer is the same, so it reveals nothing.
        await updateUser(tx, user.id, userChanges({ pendingEmail: email, updatedAt: now }));
        if (!(await findUserByEmail(tx, email))) await this.registration.sendVerification(tx, user, email, now, meta.locale);
        await mail.enqueue(tx, { to: user.email, ...templates.emailChangeRequested(templates.mailFrame(config, meta.locale), { name: name ?? user.name, newEmail: email }) });
        await audit(tx, { event: 'user.email_change_requested', userId: user.id, meta }, now);
      }
    });
    mail.wake();
    return this.get(userId);
  }

  /** Deletes the account and its sessions; the audit log keeps the events without personal data. */
  async delete(userId: string, password: string, meta: RequestMeta): Promise<void> {
    const { db, clock } = this.deps;
    const user = await this.user(userId);
    await this.signIn.verifyCurrentPassword(user, password, meta);
    await deleteAccount(db, clock, user.id);
  }

  /** The signed-in user; an account deleted since its token was issued is an invalid token. */
  private async user(userId: string): Promise<User> {
    const row = await findUserById(this.deps.db, userId);
    if (!row) throw new OAuthError('invalid_token', 'the account no longer exists');
    return userFromRow(row);
  }
}
