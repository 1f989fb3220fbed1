// Signing in through an upstream provider, and linking one to an account (docs/upstreams.md).
//
// An identity is the pair (upstream, `sub`), never an email address alone. The first sign-in
// through a provider makes a local account from its verified email, or, when an account with that
// email exists, links only after that account's own password (and second factor) is given here:
// never a silent takeover (Keycloak's "first broker login" with re-authentication). An unverified
// or missing email makes nothing. After the upstream, the sign-in goes on where a password sign-in
// would (AuthorizationFlow.submitUpstreamIdentity): the local TOTP step, consent, the code.
//
// What was sent to the upstream (PKCE verifier, state, nonce) waits in upstream_requests, bound to
// the browser by the hash of its CSRF secret (the cookie that also binds the interaction), and is
// spent by the first callback that names its state: a replayed callback finds nothing.
import { audit, type RequestMeta } from '../../audit/audit-log.js';
import type { Clock } from '../../clock.js';
import type { Config } from '../../config/config.js';
import { hashesEqual, randomId, sha256 } from '../../crypto/random.js';
import { isOAuthError, OAuthError } from '../../errors/oauth-error.js';
import type { Db } from '../../storage/db.js';
import {
  countConfirmFailure,
  countOtherSignInMethods,
  deleteConfirmRequests,
  deleteIdentity,
  deleteUpstreamRequest,
  findConfirmRequest,
  findIdentity,
  findUpstream,
  insertIdentity,
  insertUpstreamRequest,
  listIdentitiesOfUser,
  listUpstreams,
  takeSentRequest,
  type UpstreamRequestRow,
} from '../../storage/repositories/upstreams.js';
import { findUserByEmail, findUserById, insertUser, lockUser } from '../../storage/repositories/users.js';
import type { SignInService } from '../accounts/sign-in.js';
import { newUserRow, normalizeEmail, normalizeName, userFromRow, type User } from '../accounts/user.js';
import type { MfaService } from '../mfa/mfa-service.js';
import type { BrowserSessions } from '../oidc/browser-sessions.js';
import type { AuthorizationFlow, Interaction, Next } from '../oidc/authorization-flow.js';
import type { UpstreamClients, UpstreamPerson } from './upstream-client.js';
import { upstreamFromRow, upstreamRedirectUri, type Upstream } from './upstream.js';

/** How long a request sent to an upstream, or the link step after it, may wait. */
export const UPSTREAM_REQUEST_TTL_MS = 10 * 60_000;
/** Wrong passwords or codes at the link step before it ends (each also counts toward lockout). */
export const MAX_CONFIRM_ATTEMPTS = 5;

/**
 * The password hash of an account made through an upstream: no password at all (argon2 never
 * verifies it). The person can choose one later through "Forgot your password?".
 */
export const NO_PASSWORD = '';
export const hasPassword = (user: User): boolean => user.passwordHash !== NO_PASSWORD;

export interface UpstreamSignInDeps {
  db: Db;
  config: Config;
  clock: Clock;
  clients: UpstreamClients;
  authorization: AuthorizationFlow;
  signIn: SignInService;
  mfa: MfaService;
  browserSessions: BrowserSessions;
}

/** A "Continue with …" button. */
export interface UpstreamButton {
  name: string;
  displayName: string;
}

/** What the callback leads to. */
export type CallbackOutcome =
  /** The sign-in goes on (TOTP step, consent, the code to the app). */
  | { kind: 'continue'; next: Next }
  /** An account with the upstream's email exists: its password is asked for before linking. */
  | { kind: 'confirm'; interactionId: string }
  /** Linked to the signed-in person (from /account/connections). */
  | { kind: 'linked' }
  /** A linked provider vouched for the signed-in person again: the browser session is fresh. */
  | { kind: 'reauthenticated' }
  /** Nobody signed in, nothing linked; `interactionId` when the sign-in can still go on another way. */
  | { kind: 'failed'; error: OAuthError; purpose: UpstreamRequestRow['purpose'] | undefined; interactionId?: string };

/** The link step's page: which provider, which account. */
export interface Confirmation {
  upstream: UpstreamButton;
  email: string;
  mfa: boolean;
}

export interface Connection {
  upstream: UpstreamButton;
  /** When linked: the upstream's email then, and when. */
  identity?: { email: string | null; linkedAt: number };
}

const stateError = (detail: string) => new OAuthError('upstream_state', 'no sign-in through this provider is waiting in this browser', { detail });
const notFound = (name: string) => new OAuthError('upstream_not_found', `no upstream named ${JSON.stringify(name)}`);

export class UpstreamSignIn {
  constructor(private readonly deps: UpstreamSignInDeps) {}

  async buttons(): Promise<UpstreamButton[]> {
    return (await listUpstreams(this.deps.db)).map((row) => ({ name: row.name, displayName: row.display_name }));
  }

  /** Sends the browser of a pending sign-in (at its first step) to the upstream. Returns the URL. */
  async startSignIn(name: string, interaction: Interaction, csrfSecret: string): Promise<string> {
    if (interaction.step !== 'login') throw new OAuthError('interaction_state', 'this sign-in is not at its first step');
    return this.send(await this.upstream(name), csrfSecret, { purpose: 'sign_in', interactionId: interaction.id, userId: null });
  }

  /** Sends a signed-in person to the upstream to link it to their own account (not to sign anyone in). */
  async startLink(name: string, user: User, csrfSecret: string): Promise<string> {
    return this.send(await this.upstream(name), csrfSecret, { purpose: 'link', interactionId: null, userId: user.id });
  }

  /**
   * Sends a signed-in person to a provider linked to their account to confirm it is them
   * (docs/account.md, Re-authentication): how a person without a password or second factor passes
   * the check before a sensitive change. Only a provider they have linked can vouch for them.
   */
  async startReauthentication(name: string, user: User, csrfSecret: string): Promise<string> {
    const upstream = await this.upstream(name);
    if (!(await listIdentitiesOfUser(this.deps.db, user.id)).some((row) => row.upstream === upstream.name)) throw notFound(name);
    return this.send(upstream, csrfSecret, { purpose: 'reauthenticate', interactionId: null, userId: user.id });
  }

  /**
   * The upstream's answer at ISSUER/upstream/NAME/callback. `callbackUrl` is our redirect URI with
   * the query the browser brought; `signedInUserId` is whoever the browser's session is (for a link).
   */
  async callback(name: string, query: URLSearchParams, csrfSecret: string | undefined, signedIn: { userId: string; sessionId: string } | undefined, meta: RequestMeta): Promise<CallbackOutcome> {
    const signedInUserId = signedIn?.userId;
    const { db, clock, config } = this.deps;
    let row: UpstreamRequestRow | undefined;
    try {
      const upstream = await this.upstream(name);
      const state = query.get('state');
      if (!state || state.length > 512) throw stateError('no state');
      row = await takeSentRequest(db, sha256(state), clock.now());
      if (!row) throw stateError('unknown, used or expired state');
      if (row.upstream !== name) throw stateError('state of another upstream');
      if (!csrfSecret || !hashesEqual(sha256(csrfSecret), row.browser_hash)) {
        const started = row;
        row = undefined; // another browser: it learns nothing about the sign-in it did not start
        throw stateError(`started in another browser (${started.purpose})`);
      }
      if (query.has('error')) throw new OAuthError('upstream_error', `the upstream answered ${query.get('error')?.slice(0, 100)}`);
      const callbackUrl = new URL(upstreamRedirectUri(config.issuer, name));
      callbackUrl.search = query.toString();
      const person = await this.deps.clients.redeem(upstream, callbackUrl, { state, nonce: row.nonce, codeVerifier: row.code_verifier });
      if (row.purpose === 'link') {
        await this.link(upstream, person, row.user_id, signedInUserId, meta);
        return { kind: 'linked' };
      }
      if (row.purpose === 'reauthenticate') {
        // The identity that came back must be the one linked to the person who asked, in the
        // browser that asked: another account of the same provider proves nothing here.
        const identity = await findIdentity(db, upstream.name, person.subject);
        if (!signedIn || !row.user_id || row.user_id !== signedIn.userId || identity?.user_id !== row.user_id) {
          throw stateError('the provider vouched for someone else than the signed-in person');
        }
        await this.deps.browserSessions.markReauthenticated(signedIn.userId, signedIn.sessionId, 'fed', { ...meta });
        return { kind: 'reauthenticated' };
      }
      return await this.signIn(upstream, person, row, csrfSecret, meta);
    } catch (error) {
      if (!isOAuthError(error) || (error.status >= 500 && error.code !== 'upstream_unavailable')) throw error;
      if (row?.purpose === 'sign_in' && row.interaction_id) {
        await audit(db, { event: 'user.login_failed', meta, detail: { reason: error.code, upstream: name } }, clock.now());
      }
      return { kind: 'failed', error, purpose: row?.purpose, ...(row?.interaction_id ? { interactionId: row.interaction_id } : {}) };
    }
  }

  /** The link step of a sign-in: what the page shows. */
  async confirmation(interaction: Interaction): Promise<Confirmation> {
    const { row, upstream, user } = await this.pendingConfirm(interaction);
    return { upstream: { name: upstream.name, displayName: upstream.displayName }, email: row.email ?? user.email, mfa: user.mfaEnabled };
  }

  /**
   * The existing account's password (and code, with 2FA on) at the link step: right, and the
   * upstream identity is linked and the sign-in goes on with `fed pwd` (`otp`); wrong, and nothing
   * is linked (each wrong answer counts toward the account's lockout, as at the sign-in page).
   */
  async confirmLink(interaction: Interaction, password: string, code: string, meta: RequestMeta): Promise<Next> {
    const { db, clock } = this.deps;
    const { row, upstream, user } = await this.pendingConfirm(interaction);
    if (row.attempts >= MAX_CONFIRM_ATTEMPTS) {
      await deleteUpstreamRequest(db, row.id);
      throw new OAuthError('upstream_state', 'too many wrong answers; start again');
    }
    try {
      await this.deps.signIn.checkPassword(user.email, password, meta);
    } catch (error) {
      if (isOAuthError(error) && error.code === 'invalid_credentials') await countConfirmFailure(db, row.id);
      throw error;
    }
    const passed = ['pwd'];
    if (user.mfaEnabled) {
      await this.deps.mfa.passCode(user, code, meta, () => countConfirmFailure(db, row.id));
      passed.push('otp');
    }
    const subject = row.subject!;
    await db.transaction().execute(async (tx) => {
      if (!(await deleteUpstreamRequest(tx, row.id))) throw stateError('the link step was spent meanwhile');
      const taken = await findIdentity(tx, upstream.name, subject);
      if (taken) throw new OAuthError('conflict', 'that upstream identity is linked already', { reason: 'identity_linked_elsewhere' });
      await insertIdentity(tx, { upstream: upstream.name, subject, user_id: user.id, email: row.email, created_at: clock.now() });
      await audit(tx, { event: 'upstream.linked', userId: user.id, meta, detail: { upstream: upstream.name, sub: subject, via: 'sign_in' } }, clock.now());
    });
    return this.deps.authorization.submitUpstreamIdentity(interaction, user, meta, passed);
  }

  /** Every registered upstream, with the person's identity at it where they linked one. */
  async connections(userId: string): Promise<Connection[]> {
    const { db } = this.deps;
    const identities = new Map((await listIdentitiesOfUser(db, userId)).map((row) => [row.upstream, row]));
    return (await listUpstreams(db)).map((row) => {
      const identity = identities.get(row.name);
      return {
        upstream: { name: row.name, displayName: row.display_name },
        ...(identity ? { identity: { email: identity.email, linkedAt: Number(identity.created_at) } } : {}),
      };
    });
  }

  /** Unlinks a provider, but never the last way the person has to sign in (password, provider, passkey). */
  async unlink(user: User, name: string, meta: RequestMeta): Promise<void> {
    const { db, clock } = this.deps;
    await db.transaction().execute(async (tx) => {
      // Two unlinks at once must not both see the other's identity still there.
      await lockUser(tx, user.id);
      const identities = await listIdentitiesOfUser(tx, user.id);
      const identity = identities.find((row) => row.upstream === name);
      if (!identity) throw new OAuthError('not_found', 'no such connection');
      const ways = (hasPassword(user) ? 1 : 0) + (await countOtherSignInMethods(tx, user.id));
      if (ways <= 1) throw new OAuthError('conflict', 'this is the only way to sign in to the account', { reason: 'last_sign_in_method' });
      await deleteIdentity(tx, user.id, name);
      await audit(tx, { event: 'upstream.unlinked', userId: user.id, meta, detail: { upstream: name, sub: identity.subject } }, clock.now());
    });
  }

  private async upstream(name: string): Promise<Upstream> {
    const row = name.length <= 40 ? await findUpstream(this.deps.db, name) : undefined;
    if (!row) throw notFound(name);
    return upstreamFromRow(row);
  }

  private async send(upstream: Upstream, csrfSecret: string, bound: { purpose: UpstreamRequestRow['purpose']; interactionId: string | null; userId: string | null }): Promise<string> {
    const { db, clock, config } = this.deps;
    const sent = await this.deps.clients.authorizationRequest(upstream, upstreamRedirectUri(config.issuer, upstream.name));
    const now = clock.now();
    await insertUpstreamRequest(db, {
      id: randomId(),
      state_hash: sha256(sent.state),
      upstream: upstream.name,
      purpose: bound.purpose,
      step: 'sent',
      interaction_id: bound.interactionId,
      user_id: bound.userId,
      browser_hash: sha256(csrfSecret),
      code_verifier: sent.codeVerifier,
      nonce: sent.nonce,
      subject: null,
      email: null,
      name: null,
      created_at: now,
      expires_at: now + UPSTREAM_REQUEST_TTL_MS,
    });
    return sent.url;
  }

  private async signIn(upstream: Upstream, person: UpstreamPerson, row: UpstreamRequestRow, csrfSecret: string, meta: RequestMeta): Promise<CallbackOutcome> {
    const { db, clock, authorization } = this.deps;
    const interaction = await authorization.interaction(row.interaction_id ?? '', csrfSecret);
    if (interaction.step !== 'login') throw new OAuthError('interaction_state', 'this sign-in is not at its first step');
    const sub = person.subject;
    const identity = await findIdentity(db, upstream.name, sub);
    if (identity) {
      const userRow = await findUserById(db, identity.user_id);
      if (!userRow) throw stateError('the linked account is gone');
      const user = userFromRow(userRow);
      await audit(db, { event: 'upstream.authenticated', userId: user.id, meta, detail: { upstream: upstream.name, sub } }, clock.now());
      return { kind: 'continue', next: await authorization.submitUpstreamIdentity(interaction, user, meta) };
    }

    const email = verifiedAddress(person);
    const existing = await findUserByEmail(db, email);
    if (existing) {
      // Never a silent takeover: whoever holds this upstream account must also know the local one's password.
      const now = clock.now();
      await deleteConfirmRequests(db, interaction.id);
      await insertUpstreamRequest(db, {
        ...row,
        id: randomId(),
        // The state is spent; the link step is found by its interaction, never by the state again.
        state_hash: sha256(`confirm:${randomId()}`),
        step: 'confirm',
        user_id: existing.id,
        subject: sub,
        email,
        name: person.name?.slice(0, 400) ?? null,
        attempts: 0,
        created_at: now,
        expires_at: now + UPSTREAM_REQUEST_TTL_MS,
      });
      await audit(db, { event: 'upstream.authenticated', userId: existing.id, meta, detail: { upstream: upstream.name, sub, outcome: 'link_asked' } }, now);
      return { kind: 'confirm', interactionId: interaction.id };
    }

    const user = await this.createAccount(upstream, person, email, meta);
    return { kind: 'continue', next: await authorization.submitUpstreamIdentity(interaction, user, meta) };
  }

  /** A new local account from the upstream's verified email and name: no password, email verified. */
  private async createAccount(upstream: Upstream, person: UpstreamPerson, email: string, meta: RequestMeta): Promise<User> {
    const { db, clock } = this.deps;
    const id = randomId();
    const now = clock.now();
    let name: string;
    try {
      name = normalizeName(person.name ?? '');
    } catch {
      name = email.slice(0, email.indexOf('@')).slice(0, 200);
    }
    await db.transaction().execute(async (tx) => {
      if (await findUserByEmail(tx, email)) throw new OAuthError('conflict', 'an account with that email was made meanwhile');
      if (await findIdentity(tx, upstream.name, person.subject)) throw new OAuthError('conflict', 'that upstream identity was linked meanwhile', { reason: 'identity_linked_elsewhere' });
      await insertUser(tx, newUserRow({ id, email, emailVerified: true, name, passwordHash: NO_PASSWORD, role: 'user' }, now));
      await insertIdentity(tx, { upstream: upstream.name, subject: person.subject, user_id: id, email, created_at: now });
      await audit(tx, { event: 'user.created', userId: id, meta, detail: { via: 'upstream', upstream: upstream.name } }, now);
      await audit(tx, { event: 'upstream.linked', userId: id, meta, detail: { upstream: upstream.name, sub: person.subject, via: 'new_account' } }, now);
      await audit(tx, { event: 'upstream.authenticated', userId: id, meta, detail: { upstream: upstream.name, sub: person.subject } }, now);
    });
    const row = await findUserById(db, id);
    return userFromRow(row!);
  }

  /** Links the upstream identity to the person whose session started the link, and no one else. */
  private async link(upstream: Upstream, person: UpstreamPerson, startedBy: string | null, signedInUserId: string | undefined, meta: RequestMeta): Promise<void> {
    const { db, clock } = this.deps;
    if (!startedBy || startedBy !== signedInUserId) throw stateError('the link was started by another session');
    await db.transaction().execute(async (tx) => {
      await lockUser(tx, startedBy);
      const taken = await findIdentity(tx, upstream.name, person.subject);
      if (taken && taken.user_id !== startedBy) throw new OAuthError('conflict', 'that upstream identity is linked to another account', { reason: 'identity_linked_elsewhere' });
      if (taken) return; // linked already: nothing to do
      if ((await listIdentitiesOfUser(tx, startedBy)).some((row) => row.upstream === upstream.name)) {
        throw new OAuthError('conflict', 'another identity of this upstream is linked already', { reason: 'upstream_already_linked' });
      }
      const email = person.email && person.emailVerified ? person.email.slice(0, 320) : null;
      await insertIdentity(tx, { upstream: upstream.name, subject: person.subject, user_id: startedBy, email, created_at: clock.now() });
      await audit(tx, { event: 'upstream.linked', userId: startedBy, meta, detail: { upstream: upstream.name, sub: person.subject, via: 'account' } }, clock.now());
    });
  }

  private async pendingConfirm(interaction: Interaction): Promise<{ row: UpstreamRequestRow; upstream: Upstream; user: User }> {
    const { db, clock } = this.deps;
    if (interaction.step !== 'login') throw new OAuthError('interaction_state', 'this sign-in is not at its first step');
    const row = await findConfirmRequest(db, interaction.id, clock.now());
    if (!row || !row.user_id || !row.subject) throw stateError('no link step for this sign-in');
    const upstream = await this.upstream(row.upstream);
    const userRow = await findUserById(db, row.user_id);
    if (!userRow) throw stateError('the account is gone');
    return { row, upstream, user: userFromRow(userRow) };
  }
}

/** The upstream's address if it vouches for it; otherwise no account is made or matched. */
function verifiedAddress(person: UpstreamPerson): string {
  if (!person.email || !person.emailVerified) throw new OAuthError('upstream_email_unverified', 'the upstream gave no verified email address');
  try {
    return normalizeEmail(person.email);
  } catch {
    throw new OAuthError('upstream_email_unverified', 'the upstream gave no usable email address');
  }
}
