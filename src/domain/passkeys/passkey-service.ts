// Passkeys (docs/passkeys.md; WebAuthn Level 3): registration, discoverable sign-in, the passkey
// as a second factor, and their lifecycle. The WebAuthn work itself (CBOR, COSE keys, attestation,
// signatures) is @simplewebauthn/server's; this service owns what the library leaves to the relying
// party: challenges that are single use, bound to what started them and dead after five minutes
// (§13.4.3), the credential's owner and user handle (§7.2 steps 6 and 7), the sign count (§6.1.1),
// lockout and rate limits, audit events and notice mails.
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { audit, type Actor, type RequestMeta } from '../../audit/audit-log.js';
import { randomId, sha256 } from '../../crypto/random.js';
import { OAuthError, type ErrorReason } from '../../errors/oauth-error.js';
import * as templates from '../../mail/templates.js';
import {
  deletePasskey,
  deleteUserPasskeys,
  ensureUserHandle,
  findCeremony,
  findPasskey,
  findPasskeyByCredentialId,
  findUserHandle,
  insertCeremony,
  insertPasskey,
  listPasskeys,
  recordPasskeyUse,
  renamePasskey,
  spendCeremony,
} from '../../storage/repositories/passkeys.js';
import { findUserById } from '../../storage/repositories/users.js';
import type { PasskeyCeremonyTable } from '../../storage/schema.js';
import type { AccountDeps } from '../accounts/deps.js';
import type { SignInService } from '../accounts/sign-in.js';
import { userFromRow, type User } from '../accounts/user.js';
import { passkeyFromRow, passkeyMethod, passkeyToRow, type DeviceType, type Passkey } from './passkey.js';

/** How long a ceremony's challenge lives (WebAuthn §13.4.3 asks for a short one; the issue: five minutes). */
export const CEREMONY_TTL_MS = 5 * 60_000;
export const PASSKEY_NAME_MAX = 60;
const DEFAULT_NAME = 'Passkey';

type Purpose = PasskeyCeremonyTable['purpose'];

/**
 * What a ceremony is bound to: the hosted sign-in in progress, the browser session of an account
 * page, a first-party client of the JSON API, or the signed-in session of a Bearer token. The
 * answer must come back through the same one, or it is refused.
 */
export type Binding = `interaction:${string}` | `browser:${string}` | `api:${string}` | `token:${string}`;

export interface Ceremony<Options> {
  ceremony_id: string;
  options: Options;
}

/** A passkey assertion that passed: whose, and the `amr` it earns (docs/passkeys.md; RFC 8176). */
export interface PasskeyAssertion {
  user: User;
  passkey: Passkey;
  amr: string[];
}

const refused = (detail: string, reason?: ErrorReason) =>
  new OAuthError('invalid_passkey', 'the passkey was not accepted', { detail, ...(reason === undefined ? {} : { reason }) });

/** The browser's answer, as JSON text (a hosted form's field) or already parsed (the JSON API). */
function credentialOf<T>(credential: unknown): T & { id: string } {
  let value = credential;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      throw refused('the credential is not JSON');
    }
  }
  const id = (value as { id?: unknown } | null)?.id;
  const response = (value as { response?: unknown } | null)?.response;
  if (typeof value !== 'object' || value === null || typeof id !== 'string' || id.length === 0 || id.length > 1400 || typeof response !== 'object' || response === null) {
    throw refused('the credential is malformed');
  }
  return value as T & { id: string };
}

const bytes = (base64url: string): Uint8Array<ArrayBuffer> => new Uint8Array(Buffer.from(base64url, 'base64url'));

export class PasskeyService {
  /** The origins the hosted pages run on: the issuer's only (WebAuthn §13.4.9). */
  private readonly pageOrigins: string[];
  /**
   * The JSON API may also be called from a first-party front end on another origin of the RP id's
   * domain (CORS_ORIGINS, docs/passkeys.md).
   */
  private readonly apiOrigins: string[];

  constructor(
    private readonly deps: AccountDeps,
    private readonly signIn: SignInService,
    private readonly log: Logger,
  ) {
    const { config } = deps;
    const rpId = config.webauthnRpId;
    this.pageOrigins = [new URL(config.issuer).origin];
    const withinRpId = (origin: string) => {
      const host = new URL(origin).hostname;
      return host === rpId || host.endsWith(`.${rpId}`);
    };
    this.apiOrigins = [...new Set([...this.pageOrigins, ...config.corsOrigins.filter(withinRpId)])];
  }

  // ---- Registration (WebAuthn §7.1) ----

  /**
   * Options for adding a passkey: a discoverable credential (residentKey required, so it can sign
   * in without an email), user verification preferred, the person's passkeys excluded so one
   * authenticator is not added twice, and no attestation (§5.4.7: we trust no vendor list).
   */
  async registrationOptions(userId: string, binding: Binding): Promise<Ceremony<PublicKeyCredentialCreationOptionsJSON>> {
    const { db, clock, config } = this.deps;
    const user = await this.user(userId);
    const handle = await ensureUserHandle(db, user.id, randomBytes(32).toString('base64url'), clock.now());
    const existing = await this.list(user.id);
    const options = await generateRegistrationOptions({
      rpName: config.brandName,
      rpID: config.webauthnRpId,
      userName: user.email,
      userID: bytes(handle),
      userDisplayName: user.name || user.email,
      timeout: CEREMONY_TTL_MS,
      attestationType: 'none',
      excludeCredentials: existing.map((passkey) => ({ id: passkey.credentialId, transports: passkey.transports })),
      authenticatorSelection: { residentKey: 'required', requireResidentKey: true, userVerification: 'preferred' },
    });
    return { ceremony_id: await this.startCeremony('register', binding, options.challenge, user.id), options };
  }

  /** Checks the authenticator's answer and keeps the new passkey; a notice mail and `passkey.added`. */
  async register(userId: string, binding: Binding, ceremonyId: string, credential: unknown, name: string | undefined, meta: RequestMeta): Promise<Passkey> {
    const { db, clock, config, mail } = this.deps;
    const user = await this.user(userId);
    const passkeyName = this.validName(name ?? DEFAULT_NAME);
    const response = credentialOf<RegistrationResponseJSON>(credential);
    const ceremony = await this.spend(ceremonyId, 'register', binding, user.id);
    await this.deps.rateLimiter.check(meta, user.email);
    let verified: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
    try {
      verified = await verifyRegistrationResponse({
        response,
        expectedChallenge: (challenge) => sha256(challenge) === ceremony.challengeHash,
        expectedOrigin: this.origins(binding),
        expectedRPID: config.webauthnRpId,
        requireUserVerification: false,
      });
    } catch (error) {
      throw refused(`registration not verified: ${(error as Error).message}`);
    }
    if (!verified.verified) throw refused('registration not verified');
    const info = verified.registrationInfo;
    // §7.1 step 26: a credential id registered already (to anyone) is refused.
    if (await findPasskeyByCredentialId(db, info.credential.id)) {
      throw new OAuthError('conflict', 'this passkey is registered already', { reason: 'passkey_already_registered' });
    }
    const now = clock.now();
    const passkey: Passkey = {
      id: randomId(),
      userId: user.id,
      credentialId: info.credential.id,
      publicKey: Buffer.from(info.credential.publicKey).toString('base64url'),
      signCount: info.credential.counter,
      transports: (info.credential.transports ?? []).filter((t) => /^[a-z-]{1,20}$/.test(t)).slice(0, 8),
      name: passkeyName,
      deviceType: info.credentialDeviceType,
      backedUp: info.credentialBackedUp,
      createdAt: now,
      lastUsedAt: null,
    };
    await db.transaction().execute(async (tx) => {
      await insertPasskey(tx, passkeyToRow(passkey));
      await audit(tx, { event: 'passkey.added', userId: user.id, meta, detail: { passkey: passkey.id, name: passkey.name, synced: passkey.deviceType === 'multiDevice' } }, now);
      await mail.enqueue(tx, { to: user.email, ...templates.passkeyAdded(templates.mailFrame(config, meta.locale), { name: user.name, passkey: passkey.name }) });
    });
    mail.wake();
    return passkey;
  }

  // ---- Authentication (WebAuthn §7.2) ----

  /** Options for signing in without an email: no allowCredentials, so the browser offers every passkey of ours it holds. */
  async signInOptions(binding: Binding, meta: RequestMeta): Promise<Ceremony<PublicKeyCredentialRequestOptionsJSON>> {
    // The API's ceremonies count toward the IP's limit; the hosted page's need a live sign-in and
    // its browser's CSRF secret, and one starts with every view of the page (passkey autofill).
    if (binding.startsWith('api:')) await this.deps.rateLimiter.check(meta);
    const options = await generateAuthenticationOptions({ rpID: this.deps.config.webauthnRpId, userVerification: 'preferred', timeout: CEREMONY_TTL_MS });
    return { ceremony_id: await this.startCeremony('sign_in', binding, options.challenge, null), options };
  }

  /** Options for the second step of a password sign-in: this person's passkeys only. */
  async secondFactorOptions(user: User, binding: Binding): Promise<Ceremony<PublicKeyCredentialRequestOptionsJSON>> {
    const passkeys = await this.list(user.id);
    const options = await generateAuthenticationOptions({
      rpID: this.deps.config.webauthnRpId,
      userVerification: 'preferred',
      timeout: CEREMONY_TTL_MS,
      allowCredentials: passkeys.map((passkey) => ({ id: passkey.credentialId, transports: passkey.transports })),
    });
    return { ceremony_id: await this.startCeremony('second_factor', binding, options.challenge, user.id), options };
  }

  /**
   * A discoverable sign-in: the credential (and its user handle) names the account. With user
   * verification the passkey is two factors by itself (`mfa`: something held, and a PIN or
   * biometric); without, it is one, which is not enough for an account with 2FA.
   */
  async verifySignIn(binding: Binding, ceremonyId: string, credential: unknown, meta: RequestMeta): Promise<PasskeyAssertion> {
    const response = credentialOf<AuthenticationResponseJSON>(credential);
    const ceremony = await this.spend(ceremonyId, 'sign_in', binding, null);
    const { user, passkey, userVerified } = await this.assertion(ceremony.challengeHash, binding, response, meta, 'wrong_password');
    if (!userVerified && user.mfaEnabled) throw refused('no user verification for an account with 2FA', 'passkey_unverified');
    return { user, passkey, amr: userVerified ? [passkeyMethod(passkey), 'mfa'] : [passkeyMethod(passkey)] };
  }

  /**
   * The passkey in place of a code after the password (`pwd` and a key held: two factors, `mfa`).
   * `onFailure` counts a failed answer against the step as a wrong code does; `before` is what the
   * first step passed (`pwd`, or `fed` after an upstream provider).
   */
  async verifySecondFactor(
    user: User,
    binding: Binding,
    ceremonyId: string,
    credential: unknown,
    meta: RequestMeta,
    onFailure: () => Promise<void> = async () => {},
    before: readonly string[] = ['pwd'],
  ): Promise<PasskeyAssertion> {
    const response = credentialOf<AuthenticationResponseJSON>(credential);
    const ceremony = await this.spend(ceremonyId, 'second_factor', binding, user.id);
    const checked = await this.assertion(ceremony.challengeHash, binding, response, meta, 'mfa_failed', user, onFailure);
    return { user: checked.user, passkey: checked.passkey, amr: [...before, passkeyMethod(checked.passkey), 'mfa'] };
  }

  // ---- Lifecycle ----

  async list(userId: string): Promise<Passkey[]> {
    return (await listPasskeys(this.deps.db, userId)).map(passkeyFromRow);
  }

  async rename(userId: string, passkeyId: string, name: string, meta: RequestMeta): Promise<Passkey> {
    const { db, clock } = this.deps;
    const newName = this.validName(name);
    if (passkeyId.length > 64 || !(await renamePasskey(db, userId, passkeyId, newName))) throw new OAuthError('not_found', 'no such passkey');
    await audit(db, { event: 'passkey.renamed', userId, meta, detail: { passkey: passkeyId, name: newName } }, clock.now());
    return passkeyFromRow((await findPasskey(db, userId, passkeyId))!);
  }

  /**
   * Removes one of the person's passkeys. The account pages ask for a recent sign-in first
   * (docs/account.md, Re-authentication); the JSON API asks for the current password here.
   */
  async remove(userId: string, passkeyId: string, meta: RequestMeta, currentPassword?: string): Promise<void> {
    const { db, clock, config, mail } = this.deps;
    const user = await this.user(userId);
    if (currentPassword !== undefined) await this.signIn.verifyCurrentPassword(user, currentPassword, meta);
    const row = passkeyId.length <= 64 ? await findPasskey(db, userId, passkeyId) : undefined;
    if (!row) throw new OAuthError('not_found', 'no such passkey');
    const now = clock.now();
    const removed = await db.transaction().execute(async (tx) => {
      if (!(await deletePasskey(tx, userId, passkeyId))) return false;
      await audit(tx, { event: 'passkey.removed', userId, meta, detail: { passkey: passkeyId, name: row.name } }, now);
      await mail.enqueue(tx, { to: user.email, ...templates.passkeyRemoved(templates.mailFrame(config, meta.locale), { name: user.name, passkey: row.name }) });
      return true;
    });
    if (!removed) throw new OAuthError('not_found', 'no such passkey');
    mail.wake();
  }

  /** An administrator removes every passkey of a user (lost devices; `users reset-2fa`, the admin API). */
  async adminRemoveAll(userId: string, actor: Actor): Promise<number> {
    const { db, clock, config, mail } = this.deps;
    const user = await this.user(userId, 'not_found');
    const passkeys = await this.list(user.id);
    const now = clock.now();
    const count = await db.transaction().execute(async (tx) => {
      const deleted = await deleteUserPasskeys(tx, user.id);
      if (deleted === 0) return 0;
      for (const passkey of passkeys) {
        await audit(tx, { event: 'passkey.removed', userId: user.id, actorId: actor.id, meta: actor.meta, detail: { passkey: passkey.id, name: passkey.name } }, now);
      }
      await mail.enqueue(tx, { to: user.email, ...templates.passkeyRemoved(templates.mailFrame(config), { name: user.name, passkey: passkeys.map((p) => p.name).join(', ') }) });
      return deleted;
    });
    if (count > 0) mail.wake();
    return count;
  }

  // ---- The steps both ceremonies share ----

  private async startCeremony(purpose: Purpose, binding: Binding, challenge: string, userId: string | null): Promise<string> {
    const id = randomId();
    const now = this.deps.clock.now();
    await insertCeremony(this.deps.db, { id, purpose, challenge_hash: sha256(challenge), binding, user_id: userId, created_at: now, expires_at: now + CEREMONY_TTL_MS, used_at: null });
    return id;
  }

  /**
   * The ceremony the answer claims, spent before anything is checked: a challenge is good for one
   * answer, right or wrong (a replay finds it spent). It must be of this purpose, bound to the
   * same interaction, browser, client or session, for the same person, and younger than 5 minutes.
   */
  private async spend(ceremonyId: string, purpose: Purpose, binding: Binding, userId: string | null): Promise<{ challengeHash: string }> {
    const { db, clock } = this.deps;
    const row = ceremonyId.length <= 64 ? await findCeremony(db, ceremonyId) : undefined;
    if (!row || row.purpose !== purpose || row.binding !== binding || row.user_id !== userId) throw refused('unknown ceremony, or one started elsewhere');
    if (Number(row.expires_at) <= clock.now()) throw refused('the ceremony expired', 'passkey_ceremony_expired');
    if (!(await spendCeremony(db, row.id, clock.now()))) throw refused('the ceremony was answered already');
    return { challengeHash: row.challenge_hash };
  }

  /**
   * §7.2: the credential is ours and its owner can sign in (and is `expected`, at the second
   * step); its user handle is the owner's; then the library checks the challenge, origin, RP id
   * hash, flags and signature. A failure of a known account counts toward its lockout like a wrong
   * code; an unknown credential counts toward the IP's rate limit.
   */
  private async assertion(
    challengeHash: string,
    binding: Binding,
    response: AuthenticationResponseJSON,
    meta: RequestMeta,
    outcome: 'wrong_password' | 'mfa_failed',
    expected?: User,
    onFailure: () => Promise<void> = async () => {},
  ): Promise<{ user: User; passkey: Passkey; userVerified: boolean }> {
    const { db, clock, config, events } = this.deps;
    const row = await findPasskeyByCredentialId(db, response.id);
    const passkey = row ? passkeyFromRow(row) : undefined;
    const userRow = passkey ? await findUserById(db, passkey.userId) : undefined;
    const user = userRow ? userFromRow(userRow) : undefined;
    if (!passkey || !user || (expected && expected.id !== user.id)) {
      await this.deps.rateLimiter.check(meta, expected?.email);
      await onFailure();
      if (expected) await this.signIn.recordFailure(expected.email, expected, meta, 'unknown_passkey');
      else await audit(db, { event: 'user.login_failed', meta, detail: { reason: 'unknown_passkey' } }, clock.now());
      events.signIn(outcome);
      throw refused('unknown credential, or another person’s');
    }
    await this.signIn.admit(user.email, meta, true);

    const fail = async (detail: string) => {
      await onFailure();
      await this.signIn.recordFailure(user.email, user, meta, 'wrong_passkey');
      events.signIn(outcome);
      return refused(detail);
    };
    // §7.2 step 6: a user handle, when the authenticator returns one, must be the owner's.
    const handle = response.response.userHandle;
    if (handle && handle !== (await findUserHandle(db, user.id))) throw await fail('the user handle is not the credential owner’s');

    let verified: Awaited<ReturnType<typeof verifyAuthenticationResponse>>;
    try {
      verified = await verifyAuthenticationResponse({
        response,
        expectedChallenge: (challenge) => sha256(challenge) === challengeHash,
        expectedOrigin: this.origins(binding),
        expectedRPID: config.webauthnRpId,
        // Counter 0: the library would refuse a counter that did not grow without saying so; the
        // comparison is made below, where a cloned authenticator can be told apart and audited.
        credential: { id: passkey.credentialId, publicKey: bytes(passkey.publicKey), counter: 0, transports: passkey.transports as never },
        requireUserVerification: false,
      });
    } catch (error) {
      throw await fail(`assertion not verified: ${(error as Error).message}`);
    }
    if (!verified.verified) throw await fail('assertion not verified');
    const info = verified.authenticationInfo;
    // Only now, so that a disabled account is not told apart by anyone who merely knows a credential id.
    if (user.disabled) throw new OAuthError('access_denied', 'this account is disabled', { reason: 'account_disabled' });
    if (!user.emailVerified) throw new OAuthError('email_not_verified', 'verify your email address before signing in');

    // §6.1.1 and §7.2 step 21: a counter that does not grow (authenticators that keep none send 0
    // every time) signals a cloned authenticator. The assertion is refused and the event logged
    // and audited; the person is not locked out, and the passkey stays (docs/passkeys.md).
    const now = clock.now();
    if ((info.newCounter > 0 || passkey.signCount > 0) && info.newCounter <= passkey.signCount) {
      this.log.warn({ userId: user.id, passkey: passkey.id, stored: passkey.signCount, received: info.newCounter }, 'passkey sign count went backwards: possibly a cloned authenticator');
      await audit(db, { event: 'passkey.clone_suspected', userId: user.id, meta, detail: { passkey: passkey.id, stored: passkey.signCount, received: info.newCounter } }, now);
      throw refused('sign count went backwards', 'passkey_clone_suspected');
    }
    const deviceType: DeviceType = info.credentialDeviceType;
    if (!(await recordPasskeyUse(db, passkey.id, passkey.signCount, { signCount: info.newCounter, backedUp: info.credentialBackedUp, deviceType, now }))) {
      throw refused('another assertion with this counter was accepted first');
    }
    await audit(db, { event: 'passkey.used', userId: user.id, meta, detail: { passkey: passkey.id, user_verified: info.userVerified } }, now);
    return { user, passkey: { ...passkey, signCount: info.newCounter, deviceType, backedUp: info.credentialBackedUp, lastUsedAt: now }, userVerified: info.userVerified };
  }

  private origins(binding: Binding): string[] {
    return binding.startsWith('api:') || binding.startsWith('token:') ? this.apiOrigins : this.pageOrigins;
  }

  private validName(name: string): string {
    const trimmed = name.trim();
    if (trimmed.length === 0 || [...trimmed].length > PASSKEY_NAME_MAX || /[\u0000-\u001f\u007f]/.test(trimmed)) {
      throw new OAuthError('invalid_request', 'name must be 1 to 60 characters', { reason: 'passkey_name_invalid' });
    }
    return trimmed;
  }

  private async user(userId: string, missing: 'invalid_token' | 'not_found' = 'invalid_token'): Promise<User> {
    const row = userId.length <= 64 ? await findUserById(this.deps.db, userId) : undefined;
    if (!row) throw missing === 'not_found' ? new OAuthError('not_found', 'no such user') : new OAuthError('invalid_token', 'the account no longer exists');
    return userFromRow(row);
  }
}
