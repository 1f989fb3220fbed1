// The password step of signing in (docs/accounts.md, POST /auth/login). Unknown address and wrong
// password take the same path, cost (one argon2 verification) and answer; lockout and rate
// limits come first and answer alike for real and made-up accounts (docs/accounts.md). Each
// sign-in step reports its outcome to the process's observer (domain/events.ts).
import { audit, type RequestMeta } from '../../audit/audit-log.js';
import { OAuthError } from '../../errors/oauth-error.js';
import * as templates from '../../mail/templates.js';
import { findUserByEmail, updateUser } from '../../storage/repositories/users.js';
import type { DbOrTx } from '../../storage/db.js';
import { BUILT_IN_CLIENT_ID, type Client } from '../clients/client.js';
import type { TokenPair } from '../sessions/sessions.js';
import type { AccountDeps } from './deps.js';
import { FORGOT_PASSWORD_PATH } from './registration.js';
import { normalizeEmail, userChanges, userFromRow, type User } from './user.js';

export const invalidCredentials = () => new OAuthError('invalid_credentials', 'the email or password is wrong');

export interface PasswordStep {
  user: User;
  client: Client;
}

export class SignInService {
  constructor(private readonly deps: AccountDeps) {}

  /** The first-party client a login asks for: the built-in one, or another first-party client. */
  async firstPartyClient(clientId: string | undefined): Promise<Client> {
    const client = await this.deps.clients.find(clientId ?? BUILT_IN_CLIENT_ID);
    if (!client || !client.firstParty) throw new OAuthError('invalid_request', 'client_id must name a first-party client');
    return client;
  }

  /** Checks email and password; returns the user, or throws what the caller must answer. */
  async checkPassword(rawEmail: string, password: string, meta: RequestMeta): Promise<User> {
    const { db, clock, hasher, events } = this.deps;
    const email = normalizeEmail(rawEmail);
    hasher.assertCapacity();
    await this.admit(email, meta, true);

    const row = await findUserByEmail(db, email);
    const user = row ? userFromRow(row) : undefined;
    const verified = user ? await hasher.verify(user.passwordHash, password) : (await hasher.verifyDummy(password), { ok: false, needsRehash: false });
    if (!user || !verified.ok) {
      await this.recordFailure(email, user, meta, user ? 'wrong_password' : 'unknown_account');
      events.signIn('wrong_password');
      throw invalidCredentials();
    }
    if (user.disabled) throw new OAuthError('access_denied', 'this account is disabled');
    if (!user.emailVerified) throw new OAuthError('email_not_verified', 'verify your email address before signing in');
    if (verified.needsRehash) {
      // Parameters have gone up since this hash was made: upgrade it now that we know the password.
      await updateUser(db, user.id, userChanges({ passwordHash: await hasher.hash(password), updatedAt: clock.now() }));
    }
    return user;
  }

  /**
   * The current password on a signed-in route (change password, change email, delete account,
   * turn 2FA off): limited and locked like a sign-in, so a stolen access token buys no guesses.
   */
  async verifyCurrentPassword(user: User, password: string, meta: RequestMeta): Promise<void> {
    await this.admit(user.email, meta, false);
    if (!(await this.deps.hasher.verify(user.passwordHash, password)).ok) {
      await this.recordFailure(user.email, user, meta, 'wrong_current_password');
      throw invalidCredentials();
    }
  }

  /**
   * The rate limits, then the lockout, ahead of a step that checks a secret (throws 429 or 423).
   * `signingIn`: the step is part of a sign-in, so a refusal is its outcome; the current password
   * on a signed-in route is held to the same limits but is not a sign-in.
   */
  async admit(email: string, meta: RequestMeta, signingIn: boolean): Promise<void> {
    const { db, lockout, rateLimiter, events } = this.deps;
    try {
      await rateLimiter.check(meta, email);
      await lockout.assertOpen(db, email);
    } catch (error) {
      if (signingIn && error instanceof OAuthError) {
        if (error.code === 'rate_limited') events.signIn('rate_limited');
        else if (error.code === 'account_locked') events.signIn('locked');
      }
      throw error;
    }
  }

  /** A failed step (a password here, a 2FA code later): counts toward lockout, and is audited. */
  async recordFailure(email: string, user: User | undefined, meta: RequestMeta, reason: string): Promise<void> {
    const { db, clock, lockout, mail, config } = this.deps;
    const now = clock.now();
    await db.transaction().execute(async (tx) => {
      const lockedUntil = await lockout.fail(tx, email);
      await audit(tx, { event: 'user.login_failed', userId: user?.id ?? null, meta, detail: { reason } }, now);
      if (lockedUntil !== undefined) {
        await audit(tx, { event: 'user.locked', userId: user?.id ?? null, meta, detail: { until: new Date(lockedUntil).toISOString() } }, now);
        if (user) {
          await mail.enqueue(tx, {
            to: user.email,
            ...templates.accountLocked(templates.mailFrame(config, meta.locale), { name: user.name, until: new Date(lockedUntil), resetLink: `${config.issuer}${FORGOT_PASSWORD_PATH}` }),
          });
        }
      }
    });
    mail.wake();
  }

  /** Only a completed sign-in (every factor) resets the failure count (docs/decisions.md, People). */
  async resetFailures(tx: DbOrTx, email: string): Promise<void> {
    await this.deps.lockout.reset(tx, email);
  }

  /** Every factor is done: the failure count resets and a session begins. */
  async complete(user: User, client: Client, amr: string[], meta: RequestMeta): Promise<TokenPair> {
    const { db, clock, sessions, events } = this.deps;
    const now = clock.now();
    const pair = await db.transaction().execute(async (tx) => {
      await this.resetFailures(tx, user.email);
      const { pair, sessionId } = await sessions.start(tx, { user, client, scopes: client.scopes, amr, meta });
      await audit(tx, { event: 'user.login', userId: user.id, meta, detail: { client_id: client.clientId, session: sessionId, amr: amr.join(' ') } }, now);
      return pair;
    });
    events.signIn('success');
    return pair;
  }
}
