// Two-factor sign-in (docs/accounts.md 2FA rows; docs/decisions.md, People): setup with a QR code and a
// confirming code, backup codes, the login challenge, turning it off, and the admin reset.
// Wrong codes count toward the same lockout as wrong passwords. The code step of a sign-in reports
// its outcome to the process's observer (domain/events.ts); turning 2FA off is not a sign-in.
import QRCode from 'qrcode';
import { audit, type RequestMeta } from '../../audit/audit-log.js';
import { randomSecret, sha256 } from '../../crypto/random.js';
import type { Sealer } from '../../crypto/sealing.js';
import { OAuthError } from '../../errors/oauth-error.js';
import * as templates from '../../mail/templates.js';
import type { Selectable } from 'kysely';
import type { DbOrTx } from '../../storage/db.js';
import type { MfaChallengeTable } from '../../storage/schema.js';
import {
  advanceTotpStep,
  burnBackupCode,
  countChallengeFailure,
  deleteBackupCodes,
  findChallenge,
  insertChallenge,
  replaceBackupCodes,
  spendChallenge,
} from '../../storage/repositories/mfa.js';
import { findUserById, updateUser } from '../../storage/repositories/users.js';
import type { Client } from '../clients/client.js';
import type { Actor } from '../accounts/user-admin.js';
import type { AccountDeps } from '../accounts/deps.js';
import type { SignInService } from '../accounts/sign-in.js';
import { userChanges, userFromRow, type User } from '../accounts/user.js';
import { hashBackupCode, looksLikeBackupCode, newBackupCodes } from './backup-codes.js';
import { acceptTotp, newTotpSecret, otpauthUrl, totpAssociatedData } from './totp.js';

export const MFA_TOKEN_TTL_SECONDS = 300;
export const MFA_MAX_ATTEMPTS = 5;
/** How long freshly made backup codes wait, sealed, for the page that shows them (MfaService.sealBackupCodes). */
export const BACKUP_CODES_NOTE_TTL_MS = 5 * 60_000;

/** The associated data of a sealed backup-codes note: it opens only for the browser session it was made for. */
const backupCodesNoteData = (browserSessionId: string) => `backup codes note:${browserSessionId}`;

const invalidCode = () => new OAuthError('invalid_code', 'the code is wrong or has been used');
const invalidMfaToken = () => new OAuthError('invalid_token', 'the mfa_token is invalid, used or expired');

export interface MfaChallengeResponse {
  mfa_required: true;
  mfa_token: string;
  expires_in: number;
}

export interface PassedChallenge {
  user: User;
  client: Client;
  cookie: boolean;
  amr: string[];
}

/** The login challenge between the password step and the code step, as stored. */
interface Challenge {
  userId: string;
  clientId: string;
  /** The login asked for browser (cookie) mode. */
  cookie: boolean;
  attempts: number;
  expiresAt: number;
  usedAt: number | null;
}

const challengeFromRow = (row: Selectable<MfaChallengeTable>): Challenge => ({
  userId: row.user_id,
  clientId: row.client_id,
  cookie: row.cookie === 1,
  attempts: row.attempts,
  expiresAt: Number(row.expires_at),
  usedAt: row.used_at === null ? null : Number(row.used_at),
});

export class MfaService {
  constructor(
    private readonly deps: AccountDeps,
    /** TOTP secrets are sealed under the key-encryption key, as private signing keys are. */
    private readonly sealer: Sealer,
    private readonly issuerName: string,
    private readonly signIn: SignInService,
  ) {}

  async initiate(userId: string): Promise<{ secret: string; otpauth_url: string; qr_code: string }> {
    const user = await this.user(userId);
    if (user.mfaEnabled) throw new OAuthError('mfa_already_enabled', 'two-factor authentication is already on');
    const secret = newTotpSecret();
    await updateUser(this.deps.db, user.id, userChanges({ totpPendingSealed: this.seal(user.id, secret), updatedAt: this.deps.clock.now() }));
    return this.enrolment(user, secret);
  }

  private async enrolment(user: User, secret: string): Promise<{ secret: string; otpauth_url: string; qr_code: string }> {
    const url = otpauthUrl(this.issuerName, user.email, secret);
    return { secret, otpauth_url: url, qr_code: await QRCode.toDataURL(url, { errorCorrectionLevel: 'M', margin: 2, width: 256 }) };
  }

  /**
   * The set-up waiting for its first code, read again (the account page shows it on every GET
   * without making a new secret each time); undefined when none is pending or 2FA is on.
   */
  async pendingEnrolment(userId: string): Promise<{ secret: string; otpauth_url: string; qr_code: string } | undefined> {
    const user = await this.user(userId);
    if (user.mfaEnabled || !user.totpPendingSealed) return undefined;
    return this.enrolment(user, this.unseal(user.id, user.totpPendingSealed));
  }

  /** A correct code from the new secret turns 2FA on and returns the backup codes, once. */
  async confirm(userId: string, code: string, meta: RequestMeta): Promise<{ backup_codes: string[] }> {
    const { db, clock, mail } = this.deps;
    const user = await this.user(userId);
    if (user.mfaEnabled) throw new OAuthError('mfa_already_enabled', 'two-factor authentication is already on');
    if (!user.totpPendingSealed) throw new OAuthError('invalid_request', 'start the setup with /auth/2fa/setup/initiate first', { reason: 'mfa_setup_not_started' });
    await this.deps.rateLimiter.check(meta, user.email);
    const secret = this.unseal(user.id, user.totpPendingSealed);
    const step = await acceptTotp(secret, code, null, clock.now());
    if (step === undefined) throw invalidCode();
    const codes = newBackupCodes();
    const now = clock.now();
    await db.transaction().execute(async (tx) => {
      // Sealed again rather than copied: the pending value may be under a KEK that `keys rekey` is
      // retiring right now, and this write would otherwise bring it back (docs/keys.md).
      await updateUser(tx, user.id, userChanges({ mfaEnabled: true, totpSecretSealed: this.seal(user.id, secret), totpPendingSealed: null, totpLastStep: step, updatedAt: now }));
      await replaceBackupCodes(tx, user.id, codes, now);
      await mail.enqueue(tx, { to: user.email, ...templates.mfaEnabled(templates.mailFrame(this.deps.config, meta.locale), { name: user.name }) });
      await audit(tx, { event: 'mfa.enabled', userId: user.id, meta }, now);
    });
    mail.wake();
    return { backup_codes: codes.map((c) => c.code) };
  }

  async disable(userId: string, password: string, code: string, meta: RequestMeta): Promise<void> {
    const { db, clock, mail } = this.deps;
    const user = await this.user(userId);
    await this.signIn.verifyCurrentPassword(user, password, meta);
    if (!user.mfaEnabled) return;
    await this.codeStep(user, code, meta, false);
    const now = clock.now();
    await db.transaction().execute(async (tx) => {
      await this.turnOff(tx, user.id, now);
      await mail.enqueue(tx, { to: user.email, ...templates.mfaDisabled(templates.mailFrame(this.deps.config, meta.locale), { name: user.name }) });
      await audit(tx, { event: 'mfa.disabled', userId: user.id, meta }, now);
    });
    mail.wake();
  }

  /** A fresh set of backup codes for a fresh TOTP code; the old set dies. */
  async regenerateBackupCodes(userId: string, code: string, meta: RequestMeta): Promise<{ backup_codes: string[] }> {
    const { db, clock } = this.deps;
    const user = await this.user(userId);
    if (!user.mfaEnabled || !user.totpSecretSealed) throw new OAuthError('invalid_request', 'two-factor authentication is off', { reason: 'mfa_off' });
    await this.deps.rateLimiter.check(meta, user.email);
    const step = await acceptTotp(this.unseal(user.id, user.totpSecretSealed), code, user.totpLastStep, clock.now());
    if (step === undefined || !(await advanceTotpStep(db, user.id, step))) throw invalidCode();
    const codes = newBackupCodes();
    const now = clock.now();
    await db.transaction().execute(async (tx) => {
      await replaceBackupCodes(tx, user.id, codes, now);
      await audit(tx, { event: 'mfa.backup_codes_regenerated', userId: user.id, meta }, now);
    });
    return { backup_codes: codes.map((c) => c.code) };
  }

  /** An administrator turns a user's 2FA off (a lost phone and lost backup codes). */
  async adminReset(userId: string, actor: Actor): Promise<void> {
    const { db, clock, mail } = this.deps;
    const user = await this.user(userId, 'not_found');
    const now = clock.now();
    await db.transaction().execute(async (tx) => {
      await this.turnOff(tx, user.id, now);
      if (user.mfaEnabled) await mail.enqueue(tx, { to: user.email, ...templates.mfaDisabled(templates.mailFrame(this.deps.config), { name: user.name }) });
      await audit(tx, { event: 'mfa.reset', userId: user.id, actorId: actor.id, meta: actor.meta }, now);
    });
    mail.wake();
  }

  /** After a correct password: a token good only at /auth/verify-2fa, for 5 minutes and 5 tries. */
  async startChallenge(user: User, client: Client, cookie: boolean): Promise<MfaChallengeResponse> {
    const token = randomSecret();
    const now = this.deps.clock.now();
    await insertChallenge(this.deps.db, { tokenHash: sha256(token), userId: user.id, clientId: client.clientId, cookie, now, expiresAt: now + MFA_TOKEN_TTL_SECONDS * 1000 });
    return { mfa_required: true, mfa_token: token, expires_in: MFA_TOKEN_TTL_SECONDS };
  }

  /** The code step of signing in: a TOTP code or a backup code against a live challenge. */
  async passChallenge(mfaToken: string, code: string, meta: RequestMeta): Promise<PassedChallenge> {
    const { db, clock, clients } = this.deps;
    const tokenHash = sha256(mfaToken);
    const row = mfaToken.length <= 256 ? await findChallenge(db, tokenHash) : undefined;
    const challenge = row ? challengeFromRow(row) : undefined;
    if (!challenge || challenge.usedAt !== null || challenge.expiresAt <= clock.now() || challenge.attempts >= MFA_MAX_ATTEMPTS) {
      throw invalidMfaToken();
    }
    const userRow = await findUserById(db, challenge.userId);
    const user = userRow ? userFromRow(userRow) : undefined;
    const client = await clients.find(challenge.clientId);
    if (!user || user.disabled || !user.mfaEnabled || !client) throw invalidMfaToken();
    await this.passCode(user, code, meta, () => countChallengeFailure(db, tokenHash));
    if (!(await spendChallenge(db, tokenHash, clock.now()))) throw invalidMfaToken();
    return { user, client, cookie: challenge.cookie, amr: ['pwd', 'otp'] };
  }

  /**
   * The code step for a user whose password has just passed (the JSON challenge above, or the
   * hosted TOTP page): limits and lockout first, then the code; a wrong one counts toward lockout.
   */
  async passCode(user: User, code: string, meta: RequestMeta, onFailure: () => Promise<void> = async () => {}): Promise<void> {
    await this.codeStep(user, code, meta, true, onFailure);
  }

  /**
   * A code from a signed-in person confirming it is them (BrowserSessions.reauthenticate): the same
   * limits, lockout and single use as the code step of a sign-in, but not counted as a sign-in.
   */
  async confirmCode(user: User, code: string, meta: RequestMeta): Promise<void> {
    if (!user.mfaEnabled) throw invalidCode();
    await this.codeStep(user, code, meta, false);
  }

  /**
   * Backup codes sealed for the browser that just got them (docs/account.md): the page answers a
   * POST with 303, and the codes must reach the next GET without being stored in clear anywhere.
   * Bound to the browser session and valid for BACKUP_CODES_NOTE_TTL_MS.
   */
  sealBackupCodes(browserSessionId: string, codes: readonly string[]): string {
    const note = JSON.stringify({ codes, expires_at: this.deps.clock.now() + BACKUP_CODES_NOTE_TTL_MS });
    return this.sealer.seal(note, backupCodesNoteData(browserSessionId));
  }

  /** The codes of a note sealed for this browser session; undefined when it is not one, or expired. */
  openBackupCodes(browserSessionId: string, sealed: string): string[] | undefined {
    try {
      const note = JSON.parse(this.sealer.unseal(sealed, backupCodesNoteData(browserSessionId))) as { codes?: unknown; expires_at?: unknown };
      if (typeof note.expires_at !== 'number' || note.expires_at <= this.deps.clock.now()) return undefined;
      return Array.isArray(note.codes) && note.codes.every((code) => typeof code === 'string') ? (note.codes as string[]) : undefined;
    } catch {
      return undefined;
    }
  }

  /** A code for a user whose password has passed; `signingIn` says whether its outcome is a sign-in's. */
  private async codeStep(user: User, code: string, meta: RequestMeta, signingIn: boolean, onFailure: () => Promise<void> = async () => {}): Promise<void> {
    const { db, clock, events } = this.deps;
    await this.signIn.admit(user.email, meta, signingIn);
    const method = await this.secondFactor(user, code);
    if (!method) {
      await onFailure();
      await audit(db, { event: 'mfa.failed', userId: user.id, meta }, clock.now());
      await this.signIn.recordFailure(user.email, user, meta, 'wrong_code');
      if (signingIn) events.signIn('mfa_failed');
      throw invalidCode();
    }
    if (method === 'backup') await audit(db, { event: 'mfa.backup_code_used', userId: user.id, meta }, clock.now());
  }

  /** Checks and spends a second factor: a TOTP code (never twice) or an unused backup code. */
  private async secondFactor(user: User, code: string): Promise<'totp' | 'backup' | undefined> {
    const { db, clock } = this.deps;
    if (!user.totpSecretSealed) return undefined;
    const trimmed = code.trim();
    const step = await acceptTotp(this.unseal(user.id, user.totpSecretSealed), trimmed, user.totpLastStep, clock.now());
    if (step !== undefined) return (await advanceTotpStep(db, user.id, step)) ? 'totp' : undefined;
    if (looksLikeBackupCode(trimmed) && (await burnBackupCode(db, user.id, hashBackupCode(trimmed), clock.now()))) return 'backup';
    return undefined;
  }

  private async turnOff(tx: DbOrTx, userId: string, now: number): Promise<void> {
    await updateUser(tx, userId, userChanges({ mfaEnabled: false, totpSecretSealed: null, totpPendingSealed: null, totpLastStep: null, updatedAt: now }));
    await deleteBackupCodes(tx, userId);
  }

  private async user(userId: string, missing: 'invalid_token' | 'not_found' = 'invalid_token'): Promise<User> {
    const row = userId.length <= 64 ? await findUserById(this.deps.db, userId) : undefined;
    if (!row) throw missing === 'not_found' ? new OAuthError('not_found', 'no such user') : new OAuthError('invalid_token', 'the account no longer exists');
    return userFromRow(row);
  }

  private seal(userId: string, secret: string): string {
    return this.sealer.seal(secret, totpAssociatedData(userId));
  }

  private unseal(userId: string, sealed: string): string {
    return this.sealer.unseal(sealed, totpAssociatedData(userId));
  }
}
