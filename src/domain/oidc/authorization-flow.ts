// The authorization code flow between the authorize endpoint, the hosted pages and the token
// endpoint: pending requests (interactions) with their CSRF binding, the password and TOTP steps,
// consent, codes, and their redemption (RFC 6749 §4.1, RFC 7636, OIDC Core §3.1).
import { createHash } from 'node:crypto';
import { audit, type RequestMeta } from '../../audit/audit-log.js';
import type { Clock } from '../../clock.js';
import type { Config } from '../../config/config.js';
import { hashesEqual, randomId, randomSecret, sha256 } from '../../crypto/random.js';
import { OAuthError } from '../../errors/oauth-error.js';
import type { Db } from '../../storage/db.js';
import {
  deleteInteraction,
  findClientConsent,
  findCode,
  findInteraction,
  insertCode,
  insertInteraction,
  recordCodeSession,
  saveClientConsent,
  spendCode,
  updateInteraction,
} from '../../storage/repositories/oidc.js';
import { endSession } from '../../storage/repositories/sessions.js';
import { findUserById } from '../../storage/repositories/users.js';
import type { SignInService } from '../accounts/sign-in.js';
import { userFromRow, type User } from '../accounts/user.js';
import { BUILT_IN_CLIENT_ID, type Client } from '../clients/client.js';
import type { ClientRegistry } from '../clients/client-registry.js';
import type { DomainEvents } from '../events.js';
import type { MfaService } from '../mfa/mfa-service.js';
import type { Ceremony, PasskeyService } from '../passkeys/passkey-service.js';
import type { IssuedTokens, Sessions } from '../sessions/sessions.js';
import type { IdTokens } from '../tokens/id-tokens.js';
import type { AuthorizationRequest } from './authorization-request.js';
import { redirectWith } from './authorization-request.js';
import type { BrowserSession, BrowserSessions } from './browser-sessions.js';
import { authorizationCodeFromRow, authorizationCodeToRow, type AuthorizationCode } from './authorization-code.js';
import { interactionChanges, interactionFromRow, interactionToRow, type InteractionStep } from './interaction.js';
import { clientConsentFromRow, type ClientConsent } from '../consents/client-consent.js';

export const CODE_TTL_MS = 60_000;
export const INTERACTION_TTL_MS = 10 * 60_000;
export const MAX_CODE_ATTEMPTS = 5;

/** What the browser is told to do next. */
export type Next =
  | { kind: 'redirect'; url: string }
  | { kind: 'page'; step: 'login' | 'totp' | 'consent'; interactionId: string }
  | { kind: 'signed_in'; url: string; browserSecret: string };

export interface Interaction {
  id: string;
  request: AuthorizationRequest;
  client: Client;
  user: User | undefined;
  step: InteractionStep;
  attempts: number;
  /** The methods passed before the TOTP step (`fed` after an upstream provider); null: the password. */
  amr: string[] | null;
}

export interface FlowDeps {
  db: Db;
  config: Config;
  clock: Clock;
  clients: ClientRegistry;
  sessions: Sessions;
  browserSessions: BrowserSessions;
  idTokens: IdTokens;
  signIn: SignInService;
  mfa: MfaService;
  passkeys: PasskeyService;
  /** A sign-in completed on the hosted pages counts like one through the JSON API (events.ts). */
  events: DomainEvents;
}

const invalidGrant = (description: string, detail?: string) => new OAuthError('invalid_grant', description, detail ? { detail } : {});

const findCodeByHash = async (db: Db, codeHash: string): Promise<AuthorizationCode | undefined> => {
  const row = await findCode(db, codeHash);
  return row ? authorizationCodeFromRow(row) : undefined;
};

const findConsent = async (db: Db, userId: string, clientId: string): Promise<ClientConsent | undefined> => {
  const row = await findClientConsent(db, userId, clientId);
  return row ? clientConsentFromRow(row) : undefined;
};

export class AuthorizationFlow {
  constructor(private readonly deps: FlowDeps) {}

  /**
   * Answers a valid authorization request: a code at once when the browser session suffices
   * (and consent is on record), an error redirect for prompt=none when it does not, or a page.
   */
  async begin(request: AuthorizationRequest, client: Client, browser: BrowserSession | undefined, csrfSecret: string): Promise<Next> {
    const now = this.deps.clock.now();
    const freshEnough = browser !== undefined && (request.maxAge === undefined || now - browser.session.authTime <= request.maxAge * 1000);
    const needsLogin = !browser || request.prompt.includes('login') || !freshEnough;
    if (needsLogin && request.prompt.includes('none')) return this.error(request, 'login_required', 'the user is not signed in');
    if (!needsLogin && browser) {
      if (await this.needsConsent(client, browser.user.id, request)) {
        if (request.prompt.includes('none')) return this.error(request, 'consent_required', 'the user has not consented');
        return { kind: 'page', step: 'consent', interactionId: await this.newInteraction(request, csrfSecret, 'consent', browser.user.id) };
      }
      return { kind: 'redirect', url: await this.issueCode(request, browser.user, browser.session.id) };
    }
    return { kind: 'page', step: 'login', interactionId: await this.newInteraction(request, csrfSecret, 'login') };
  }

  /**
   * A sign-in to Tessera's own account pages (docs/account.md): the hosted sign-in with every step
   * of an application's (password, second factor), for the built-in first-party client, that ends
   * with the browser session and a redirect to `returnTo` (a path of ours) instead of a code.
   */
  async beginAccountSignIn(returnTo: string, csrfSecret: string, uiLocales?: readonly string[]): Promise<Next> {
    const request: AuthorizationRequest = {
      clientId: BUILT_IN_CLIENT_ID,
      redirectUri: `${this.deps.config.issuer}${returnTo}`,
      scopes: ['openid'],
      codeChallenge: '',
      prompt: ['login'],
      returnTo: localPath(returnTo),
      ...(uiLocales === undefined ? {} : { uiLocales: [...uiLocales] }),
    };
    return { kind: 'page', step: 'login', interactionId: await this.newInteraction(request, csrfSecret, 'login') };
  }

  /** A pending request, if it is alive and the form came from the browser that started it. */
  async interaction(id: string, csrfSecret: string | undefined): Promise<Interaction> {
    const row = id.length <= 64 ? await findInteraction(this.deps.db, id) : undefined;
    const pending = row ? interactionFromRow(row) : undefined;
    if (!pending || pending.expiresAt <= this.deps.clock.now()) throw new OAuthError('interaction_expired', 'this sign-in has expired; start again from the application');
    if (!csrfSecret || !hashesEqual(sha256(csrfSecret), pending.csrfHash)) {
      throw new OAuthError('interaction_forbidden', 'the form was not sent from the browser that started this sign-in');
    }
    const client = await this.deps.clients.find(pending.clientId);
    if (!client) throw new OAuthError('interaction_client_gone', 'the application is no longer registered');
    const userRow = pending.userId ? await findUserById(this.deps.db, pending.userId) : undefined;
    const user = userRow ? userFromRow(userRow) : undefined;
    return { id: pending.id, request: pending.request, client, user, step: pending.step, attempts: pending.attempts, amr: pending.amr };
  }

  /** The password step. Errors are OAuthErrors the page shows (401, 403, 423, 429). */
  async submitPassword(interaction: Interaction, email: string, password: string, meta: RequestMeta): Promise<Next> {
    const user = await this.deps.signIn.checkPassword(email, password, meta);
    if (user.mfaEnabled) {
      await updateInteraction(this.deps.db, interaction.id, interactionChanges({ userId: user.id, step: 'totp', attempts: 0, amr: null }));
      return { kind: 'page', step: 'totp', interactionId: interaction.id };
    }
    return this.signedIn(interaction, user, ['pwd'], meta);
  }

  /** The TOTP (or backup code) step; five wrong codes end the interaction, as they end an mfa_token. */
  async submitCode(interaction: Interaction, code: string, meta: RequestMeta): Promise<Next> {
    const user = interaction.user;
    if (interaction.step !== 'totp' || !user) throw new OAuthError('interaction_state', 'this sign-in is not waiting for a code');
    if (interaction.attempts >= MAX_CODE_ATTEMPTS) {
      await deleteInteraction(this.deps.db, interaction.id);
      throw new OAuthError('interaction_expired', 'too many wrong codes; start again from the application');
    }
    await this.deps.mfa.passCode(user, code, meta, () => updateInteraction(this.deps.db, interaction.id, interactionChanges({ attempts: interaction.attempts + 1 })));
    return this.signedIn(interaction, user, [...(interaction.amr ?? ['pwd']), 'otp'], meta);
  }

  /**
   * An upstream provider vouched for `user` (domain/upstreams/upstream-sign-in.ts, which found or
   * linked the account): the sign-in goes on where a password would take it, the local second
   * factor included, with `fed` in `amr` (federated: not one of RFC 8176's registered values, which
   * §2 leaves open to others; docs/sign-in.md) before what else the person passed here
   * (`pwd`, `otp` when linking asked for the account's password and code).
   */
  async submitUpstreamIdentity(interaction: Interaction, user: User, meta: RequestMeta, passed: readonly string[] = []): Promise<Next> {
    if (interaction.step !== 'login') throw new OAuthError('interaction_state', 'this sign-in is not waiting for a first factor');
    if (user.disabled) throw new OAuthError('access_denied', 'this account is disabled', { reason: 'account_disabled' });
    const amr = ['fed', ...passed];
    if (user.mfaEnabled && !amr.includes('otp')) {
      await updateInteraction(this.deps.db, interaction.id, interactionChanges({ userId: user.id, step: 'totp', attempts: 0, amr }));
      return { kind: 'page', step: 'totp', interactionId: interaction.id };
    }
    return this.signedIn(interaction, user, amr, meta);
  }

  /**
   * Passkey options for this sign-in (docs/passkeys.md), bound to it: at the first step a
   * discoverable sign-in (no email typed), at the TOTP step the person's own passkeys.
   */
  async passkeyOptions(interaction: Interaction, meta: RequestMeta): Promise<Ceremony<unknown>> {
    const binding = `interaction:${interaction.id}` as const;
    if (interaction.step === 'login') return this.deps.passkeys.signInOptions(binding, meta);
    if (interaction.step === 'totp' && interaction.user) return this.deps.passkeys.secondFactorOptions(interaction.user, binding);
    throw new OAuthError('interaction_state', 'this sign-in is not waiting for a passkey');
  }

  /** Whether the TOTP step may offer "Use a passkey instead": the person has one. */
  async offersPasskey(interaction: Interaction): Promise<boolean> {
    return interaction.step === 'totp' && interaction.user !== undefined && (await this.deps.passkeys.list(interaction.user.id)).length > 0;
  }

  /**
   * A passkey's answer: at the first step it signs the person in where a password and code would
   * (with user verification it is both factors: no TOTP step); at the TOTP step it stands in for
   * the code, and failures count like wrong codes. `amr` per RFC 8176: `hwk` or `swk`, and `mfa`.
   */
  async submitPasskey(interaction: Interaction, ceremonyId: string, credential: unknown, meta: RequestMeta): Promise<Next> {
    const binding = `interaction:${interaction.id}` as const;
    if (interaction.step === 'login') {
      const passed = await this.deps.passkeys.verifySignIn(binding, ceremonyId, credential, meta);
      return this.signedIn(interaction, passed.user, passed.amr, meta);
    }
    const user = interaction.user;
    if (interaction.step !== 'totp' || !user) throw new OAuthError('interaction_state', 'this sign-in is not waiting for a passkey');
    if (interaction.attempts >= MAX_CODE_ATTEMPTS) {
      await deleteInteraction(this.deps.db, interaction.id);
      throw new OAuthError('interaction_expired', 'too many failed attempts; start again from the application');
    }
    // The first factor is what brought the sign-in here: a password, or an upstream (`fed`, kept in the interaction).
    const passed = await this.deps.passkeys.verifySecondFactor(
      user,
      binding,
      ceremonyId,
      credential,
      meta,
      () => updateInteraction(this.deps.db, interaction.id, interactionChanges({ attempts: interaction.attempts + 1 })),
      interaction.amr ?? ['pwd'],
    );
    return this.signedIn(interaction, user, passed.amr, meta);
  }

  /** The consent step: remembered per client and scope set; a denial is access_denied. */
  async submitConsent(interaction: Interaction, browser: BrowserSession | undefined, approve: boolean, meta: RequestMeta): Promise<Next> {
    if (interaction.step !== 'consent' || !browser || browser.user.id !== interaction.user?.id) {
      throw new OAuthError('interaction_state', 'this sign-in is not waiting for consent');
    }
    await deleteInteraction(this.deps.db, interaction.id);
    if (!approve) return this.error(interaction.request, 'access_denied', 'the user denied the request');
    const { db, clock } = this.deps;
    const existing = await findConsent(db, browser.user.id, interaction.client.clientId);
    const scopes = new Set([...(existing?.scopes ?? []), ...interaction.request.scopes]);
    await saveClientConsent(db, browser.user.id, interaction.client.clientId, [...scopes].sort().join(' '), clock.now());
    await audit(db, { event: 'user.consent_given', userId: browser.user.id, meta, detail: { client_id: interaction.client.clientId, scope: interaction.request.scopes.join(' ') } }, clock.now());
    return { kind: 'redirect', url: await this.issueCode(interaction.request, browser.user, browser.session.id) };
  }

  /**
   * "Not you?" on the consent page: the browser's session ends (the person at the keyboard is not
   * the one signed in) and the same sign-in goes back to its password step with no user, so the
   * application still gets its answer, for whoever signs in next.
   */
  async switchAccount(interaction: Interaction, browser: BrowserSession | undefined, meta: RequestMeta): Promise<Next> {
    if (interaction.step !== 'consent') throw new OAuthError('interaction_state', 'this sign-in is not waiting for consent');
    const { db, clock } = this.deps;
    await db.transaction().execute(async (tx) => {
      if (browser && (await this.deps.browserSessions.end(tx, browser.session.id, 'switch_account')) > 0) {
        await audit(tx, { event: 'user.logout', userId: browser.user.id, meta, detail: { session: browser.session.id, via: 'switch_account' } }, clock.now());
      }
      await updateInteraction(tx, interaction.id, interactionChanges({ userId: null, step: 'login', attempts: 0, amr: null }));
    });
    return { kind: 'page', step: 'login', interactionId: interaction.id };
  }

  /** Redeems a code at the token endpoint (RFC 6749 §4.1.3, RFC 7636 §4.6). */
  /** `dpopJkt`: the key thumbprint of the request's DPoP proof, which the tokens are bound to (RFC 9449 §5). */
  async redeemCode(client: Client, form: Readonly<Record<string, string>>, meta: RequestMeta, dpopJkt?: string): Promise<IssuedTokens & { id_token?: string }> {
    const { db, clock } = this.deps;
    const code = form.code;
    const verifier = form.code_verifier;
    if (!code) throw new OAuthError('invalid_request', 'code is required');
    if (!form.redirect_uri) throw new OAuthError('invalid_request', 'redirect_uri is required');
    const codeHash = sha256(code);
    const stored = code.length <= 128 ? await findCodeByHash(db, codeHash) : undefined;
    if (!stored || stored.clientId !== client.clientId) throw invalidGrant('the code is invalid, expired or used', 'unknown code or another client');
    if (stored.usedAt !== null) {
      // A replay: whoever redeemed first may be an attacker; revoke what that redemption issued.
      if (stored.issuedSessionId) await endSession(db, stored.issuedSessionId, 'code_replay', clock.now());
      throw invalidGrant('the code is invalid, expired or used', 'code replay');
    }
    if (stored.expiresAt <= clock.now()) throw invalidGrant('the code is invalid, expired or used', 'expired');
    if (stored.redirectUri !== form.redirect_uri) throw invalidGrant('redirect_uri does not match the authorization request');
    if (!verifier || !/^[A-Za-z0-9\-._~]{43,128}$/.test(verifier)) throw invalidGrant('code_verifier is missing or malformed');
    const challenge = createHash('sha256').update(verifier, 'ascii').digest('base64url');
    if (!hashesEqual(challenge, stored.codeChallenge)) throw invalidGrant('code_verifier does not match the code_challenge');

    const userRow = await findUserById(db, stored.userId);
    const user = userRow ? userFromRow(userRow) : undefined;
    const browser = await this.deps.sessions.state(stored.browserSessionId);
    if (!user || user.disabled || !browser || browser.endedAt !== null || browser.sessionGeneration !== user.tokenGeneration) {
      throw invalidGrant('the sign-in behind this code has ended');
    }
    const scopes = stored.scopes;
    const issued = await db.transaction().execute(async (tx) => {
      if (!(await spendCode(tx, codeHash, clock.now()))) return undefined;
      const started = await this.deps.sessions.startGrant(tx, {
        user,
        client,
        scopes,
        amr: browser.amr,
        meta,
        parentId: stored.browserSessionId,
        authTime: browser.authTime,
        expiresAt: browser.expiresAt,
        withRefreshToken: client.grantTypes.includes('refresh_token'),
        ...(dpopJkt === undefined ? {} : { dpopJkt }),
      });
      await recordCodeSession(tx, codeHash, started.sessionId);
      return started;
    });
    if (!issued) {
      // Another redemption of the same code committed first: this one is a replay like any other
      // (RFC 6749 §4.1.2), so what the winner got is revoked. The winner's transaction has
      // committed by now (the spend waited for its row lock), so its session is on the row.
      const winner = await findCodeByHash(db, codeHash);
      if (winner?.issuedSessionId) await endSession(db, winner.issuedSessionId, 'code_replay', clock.now());
      throw invalidGrant('the code is invalid, expired or used', 'lost a redemption race');
    }
    if (!scopes.includes('openid')) return issued.tokens;
    const idToken = await this.deps.idTokens.issue({
      sub: user.id,
      clientId: client.clientId,
      alg: client.idTokenAlg,
      authTime: browser.authTime,
      sid: stored.browserSessionId,
      amr: browser.amr,
      nonce: stored.nonce,
      accessToken: issued.tokens.access_token,
    });
    return { ...issued.tokens, id_token: idToken };
  }

  private async signedIn(interaction: Interaction, user: User, amr: string[], meta: RequestMeta): Promise<Next> {
    const { db, clock } = this.deps;
    const started = await db.transaction().execute(async (tx) => {
      await this.deps.signIn.resetFailures(tx, user.email);
      const browser = await this.deps.browserSessions.start(tx, user, interaction.client.clientId, amr, meta);
      await audit(tx, { event: 'user.login', userId: user.id, meta, detail: { client_id: interaction.client.clientId, session: browser.id, amr: amr.join(' '), via: 'hosted_page' } }, clock.now());
      return browser;
    });
    this.deps.events.signIn('success');
    const request = interaction.request;
    if (request.returnTo !== undefined) {
      await deleteInteraction(db, interaction.id);
      return { kind: 'signed_in', url: request.returnTo, browserSecret: started.secret };
    }
    if (await this.needsConsent(interaction.client, user.id, request)) {
      await updateInteraction(db, interaction.id, interactionChanges({ userId: user.id, step: 'consent' }));
      return { kind: 'signed_in', url: `/consent?interaction=${interaction.id}`, browserSecret: started.secret };
    }
    await deleteInteraction(db, interaction.id);
    return { kind: 'signed_in', url: await this.issueCode(request, user, started.id), browserSecret: started.secret };
  }

  private async needsConsent(client: Client, userId: string, request: AuthorizationRequest): Promise<boolean> {
    if (client.firstParty) return false;
    if (request.prompt.includes('consent')) return true;
    const consent = await findConsent(this.deps.db, userId, client.clientId);
    const granted = new Set(consent?.scopes ?? []);
    return !request.scopes.every((scope) => granted.has(scope));
  }

  private async issueCode(request: AuthorizationRequest, user: User, browserSessionId: string): Promise<string> {
    const code = randomSecret();
    const now = this.deps.clock.now();
    await insertCode(
      this.deps.db,
      authorizationCodeToRow({
        codeHash: sha256(code),
        clientId: request.clientId,
        userId: user.id,
        browserSessionId,
        redirectUri: request.redirectUri,
        scopes: request.scopes,
        nonce: request.nonce ?? null,
        codeChallenge: request.codeChallenge,
        createdAt: now,
        expiresAt: now + CODE_TTL_MS,
        usedAt: null,
        issuedSessionId: null,
      }),
    );
    return redirectWith(request.redirectUri, { code, state: request.state }, this.deps.config.issuer);
  }

  private async newInteraction(request: AuthorizationRequest, csrfSecret: string, step: 'login' | 'consent', userId?: string): Promise<string> {
    const id = randomId();
    const now = this.deps.clock.now();
    await insertInteraction(
      this.deps.db,
      interactionToRow({
        id,
        csrfHash: sha256(csrfSecret),
        clientId: request.clientId,
        request,
        userId: userId ?? null,
        step,
        attempts: 0,
        amr: null,
        createdAt: now,
        expiresAt: now + INTERACTION_TTL_MS,
      }),
    );
    return id;
  }

  private error(request: AuthorizationRequest, code: string, description: string): Next {
    return { kind: 'redirect', url: redirectWith(request.redirectUri, { error: code, error_description: description, state: request.state }, this.deps.config.issuer) };
  }
}

export const newCsrfSecret = (): string => randomSecret();

/** A path of our own, never another origin (`//host`, `/\\host`) or a scheme: the account pages' return address. */
export function localPath(path: string): string {
  return /^\/(?![/\\])[A-Za-z0-9\-/]{0,100}$/.test(path) ? path : '/account';
}
