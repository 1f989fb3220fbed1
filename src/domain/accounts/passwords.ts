// Forgotten, reset and changed passwords (docs/accounts.md). Every change ends every session and every
// earlier token of the user, and tells the user by mail.
import { audit, type RequestMeta } from '../../audit/audit-log.js';
import { randomSecret, sha256 } from '../../crypto/random.js';
import { OAuthError } from '../../errors/oauth-error.js';
import * as templates from '../../mail/templates.js';
import { findMailToken, insertMailToken, spendMailToken, voidMailTokens } from '../../storage/repositories/mail-tokens.js';
import { findUserByEmail, findUserById, updateUser } from '../../storage/repositories/users.js';
import type { DbOrTx } from '../../storage/db.js';
import type { Client } from '../clients/client.js';
import type { BrowserSessions } from '../oidc/browser-sessions.js';
import type { Session } from '../sessions/session.js';
import type { TokenPair } from '../sessions/sessions.js';
import { pageLink, type AccountDeps } from './deps.js';
import { MAIL_QUOTA_WINDOW_MS } from './mail-quota.js';
import { mailTokenFromRow, mailTokenUsable } from './mail-token.js';
import { hashNewPassword, storePassword } from './new-password.js';
import { RESET_PASSWORD_PATH } from './registration.js';
import type { SignInService } from './sign-in.js';
import { normalizeEmail, userChanges, userFromRow, type User } from './user.js';

export const RESET_TOKEN_TTL_MS = 3600_000;

export class PasswordService {
  constructor(
    private readonly deps: AccountDeps,
    private readonly signIn: SignInService,
    private readonly browserSessions: BrowserSessions,
  ) {}

  /** 202 whatever the address; a reset link (1 h, single use) when the account exists. */
  async forgot(rawEmail: string, meta: RequestMeta): Promise<void> {
    const { db, clock, mail } = this.deps;
    const email = normalizeEmail(rawEmail);
    await this.deps.rateLimiter.check(meta, email);
    const now = clock.now();
    await db.transaction().execute(async (tx) => {
      const row = await findUserByEmail(tx, email);
      const user = row ? userFromRow(row) : undefined;
      if (!user || user.disabled) return;
      // Past the hourly quota the answer stays 202 and the last link stays valid (docs/accounts.md).
      await this.mailResetLink(tx, user, now, { meta });
    });
    mail.wake();
  }

  /**
   * An administrator sends the user the same reset link as forgot-password (POST
   * /admin/users/:id/reset-password, docs/accounts.md), under the same hourly mail quota. Unlike
   * the anonymous route, the admin hears when nothing was sent: the quota (429, the link already
   * mailed stays valid) or a disabled account (400, its link could not be used to sign in).
   */
  async sendResetLink(userId: string, actor: { id: string; meta: RequestMeta }): Promise<void> {
    const { db, clock, mail } = this.deps;
    const now = clock.now();
    await db.transaction().execute(async (tx) => {
      const user = await this.find(tx, userId);
      if (!user) throw new OAuthError('not_found', 'no such user');
      if (user.disabled) throw new OAuthError('invalid_request', 'the account is disabled; enable it first', { reason: 'account_disabled' });
      if (!(await this.mailResetLink(tx, user, now, { meta: actor.meta, actorId: actor.id }))) {
        throw new OAuthError('rate_limited', 'the hourly mail limit of this account is reached; the link sent last stays valid', {
          headers: { 'Retry-After': String(MAIL_QUOTA_WINDOW_MS / 1000) },
        });
      }
    });
    mail.wake();
  }

  /** Inside the caller's transaction: a fresh link (voiding earlier ones) if the quota allows. */
  private async mailResetLink(tx: DbOrTx, user: User, now: number, by: { meta: RequestMeta; actorId?: string }): Promise<boolean> {
    const { mail, config } = this.deps;
    if (!(await this.deps.mailQuota.take(tx, user.id, 'reset_password'))) return false;
    const token = randomSecret();
    await voidMailTokens(tx, user.id, 'reset_password', now);
    await insertMailToken(tx, { tokenHash: sha256(token), userId: user.id, purpose: 'reset_password', email: user.email, now, expiresAt: now + RESET_TOKEN_TTL_MS });
    await mail.enqueue(tx, { to: user.email, ...templates.resetPassword(templates.mailFrame(config, by.actorId === undefined ? by.meta.locale : undefined), { name: user.name, link: pageLink(config, RESET_PASSWORD_PATH, token) }) });
    await audit(tx, { event: 'user.password_reset_requested', userId: user.id, meta: by.meta, ...(by.actorId === undefined ? {} : { actorId: by.actorId }) }, now);
    return true;
  }

  async reset(token: string, password: string, meta: RequestMeta): Promise<void> {
    const { db, clock, hasher, mail, sessions, lockout } = this.deps;
    const invalid = new OAuthError('invalid_token', 'the reset link is invalid, used or expired');
    // Every attempt counts against the IP, so tokens cannot be guessed in bulk (docs/accounts.md).
    await this.deps.rateLimiter.check(meta);
    const row = await findMailToken(db, sha256(token), 'reset_password');
    const link = row ? mailTokenFromRow(row) : undefined;
    if (!mailTokenUsable(link, clock.now())) throw invalid;
    const user = await this.find(db, link.userId);
    if (!user) throw invalid;
    const hash = await hashNewPassword(hasher, db, password, user);
    const now = clock.now();
    await db.transaction().execute(async (tx) => {
      if (!(await spendMailToken(tx, link.tokenHash, now))) throw invalid;
      await storePassword(tx, user.id, hash, now);
      // The link proved the mailbox, so the address counts as verified.
      await updateUser(tx, user.id, userChanges({ emailVerified: true, updatedAt: now }));
      await voidMailTokens(tx, user.id, 'reset_password', now);
      await sessions.endAll(tx, user.id, 'password_reset');
      await lockout.reset(tx, user.email);
      await mail.enqueue(tx, { to: user.email, ...templates.passwordChanged(templates.mailFrame(this.deps.config, meta.locale), { name: user.name }) });
      await audit(tx, { event: 'user.password_reset', userId: user.id, meta }, now);
    });
    mail.wake();
    sessions.sessionsEnded();
  }

  /** Needs the current password; ends every other session and returns a fresh pair for the caller. */
  async change(userId: string, client: Client, current: string, password: string, meta: RequestMeta): Promise<TokenPair> {
    return this.changeThen(userId, current, password, meta, undefined, async (tx, fresh) => {
      const { pair } = await this.deps.sessions.start(tx, { user: fresh, client, scopes: client.scopes, amr: ['pwd'], meta });
      return pair;
    });
  }

  /**
   * The same change from the account pages (docs/account.md): every session ends, the browser's
   * own too, and a fresh browser session takes its place with the same methods, so this browser
   * stays signed in under a new cookie secret (returned) while every other one is out.
   */
  async changeInBrowser(userId: string, browser: Session, current: string, password: string, meta: RequestMeta): Promise<{ browserSecret: string }> {
    return this.changeThen(userId, current, password, meta, 'account_page', async (tx, fresh) => {
      const started = await this.browserSessions.start(tx, fresh, browser.clientId, browser.amr, meta);
      return { browserSecret: started.secret };
    });
  }

  /** The change itself: the current password, the new one stored, every session ended, a notice mailed; then `next` (the caller's new session) in the same transaction. */
  private async changeThen<T>(userId: string, current: string, password: string, meta: RequestMeta, via: string | undefined, next: (tx: DbOrTx, fresh: User) => Promise<T>): Promise<T> {
    const { db, clock, hasher, mail, sessions } = this.deps;
    const user = await this.find(db, userId);
    if (!user) throw new OAuthError('invalid_token', 'the account no longer exists');
    await this.signIn.verifyCurrentPassword(user, current, meta);
    const hash = await hashNewPassword(hasher, db, password, user);
    const now = clock.now();
    const result = await db.transaction().execute(async (tx) => {
      await storePassword(tx, user.id, hash, now);
      await voidMailTokens(tx, user.id, 'reset_password', now);
      await sessions.endAll(tx, user.id, 'password_changed');
      const fresh = await this.find(tx, user.id);
      const after = await next(tx, fresh!);
      await mail.enqueue(tx, { to: user.email, ...templates.passwordChanged(templates.mailFrame(this.deps.config, meta.locale), { name: user.name }) });
      await audit(tx, { event: 'user.password_changed', userId: user.id, meta, ...(via === undefined ? {} : { detail: { via } }) }, now);
      return after;
    });
    mail.wake();
    sessions.sessionsEnded();
    return result;
  }

  private async find(db: DbOrTx, userId: string): Promise<User | undefined> {
    const row = await findUserById(db, userId);
    return row ? userFromRow(row) : undefined;
  }
}
