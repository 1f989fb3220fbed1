// The device authorization grant (RFC 8628, docs/devices.md): a device without a browser asks for
// a device code and a user code; the person types the user code on the verification page of any
// browser, signs in there, and allows or denies; meanwhile the device polls the token endpoint
// with the device code and gets the tokens once, as a code-flow client would for the same sign-in.
import { randomBytes } from 'node:crypto';
import { audit, type RequestMeta } from '../../audit/audit-log.js';
import type { Clock } from '../../clock.js';
import type { Config } from '../../config/config.js';
import { hashesEqual, randomSecret, sha256 } from '../../crypto/random.js';
import { OAuthError } from '../../errors/oauth-error.js';
import type { Db } from '../../storage/db.js';
import {
  bindDeviceCode,
  decideDeviceCode,
  findDeviceCodeByHash,
  findDeviceCodeById,
  findDeviceCodeByUserCode,
  insertDeviceCode,
  recordDeviceSession,
  recordPoll,
  spendDeviceCode,
} from '../../storage/repositories/device-codes.js';
import { findClientConsent, saveClientConsent } from '../../storage/repositories/oidc.js';
import { endSession } from '../../storage/repositories/sessions.js';
import { findUserById } from '../../storage/repositories/users.js';
import type { RateLimiter } from '../accounts/rate-limiter.js';
import { userFromRow } from '../accounts/user.js';
import { DEVICE_CODE_GRANT, type Client } from '../clients/client.js';
import type { ClientRegistry } from '../clients/client-registry.js';
import { parseScope } from '../clients/scope.js';
import { clientConsentFromRow } from '../consents/client-consent.js';
import type { BrowserSession } from '../oidc/browser-sessions.js';
import type { IssuedTokens, Sessions } from '../sessions/sessions.js';
import type { IdTokens } from '../tokens/id-tokens.js';
import { deviceCodeFromRow, deviceCodeToRow, type DeviceCode } from './device-code.js';
import { formatUserCode, newUserCode, normaliseUserCode } from './user-code.js';

/** Where people enter user codes (RFC 8628 §3.2 `verification_uri`), under the issuer. */
export const DEVICE_PAGE_PATH = '/device';
/** RFC 8628 §3.2: the polling interval when none is given is 5 s; we say it explicitly. */
export const POLL_INTERVAL_S = 5;
/** RFC 8628 §3.5: each slow_down adds 5 s to the interval, for this and every later poll. */
export const SLOW_DOWN_STEP_S = 5;
/**
 * A poll counts as too fast only when it comes this much earlier than the interval: instances
 * behind a load balancer read slightly different clocks, and a well-behaved device should never
 * be told to slow down for that.
 */
const POLL_TOLERANCE_MS = 1000;
/** Wrong user codes one IP may enter per minute (RFC 8628 §5.1); off with RATE_LIMIT_PER_IP=0. */
export const USER_CODE_GUESSES_PER_MINUTE = 10;
const GUESS_POLICY = 'user-code';

/** RFC 8628 §3.2: the device authorization response. */
export interface DeviceAuthorizationResponse {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete: string;
  expires_in: number;
  interval: number;
}

/** A request waiting for the person's decision, as the verification pages show it. */
export interface PendingDevice {
  id: string;
  client: Client;
  scopes: string[];
}

export interface DeviceDeps {
  db: Db;
  config: Config;
  clock: Clock;
  clients: ClientRegistry;
  sessions: Sessions;
  idTokens: IdTokens;
  rateLimiter: RateLimiter;
}

const invalidGrant = (detail: string) => new OAuthError('invalid_grant', 'the device code is invalid, expired or used', { detail });
const wrongUserCode = () => new OAuthError('invalid_grant', 'the user code is unknown, expired or already used', { reason: 'user_code_invalid' });
const gone = (detail: string) => new OAuthError('expired_token', 'this device request has expired or was already answered; start again on the device', { detail });
const ID_PATTERN = /^[0-9a-f]{32}$/;

export class DeviceAuthorizations {
  constructor(private readonly deps: DeviceDeps) {}

  /**
   * RFC 8628 §3.1–3.2: a new device code and user code for an authenticated client. No `scope`
   * means every scope the client is registered for, as at the token endpoint.
   */
  async start(client: Client, form: Readonly<Record<string, string>>, meta: RequestMeta): Promise<DeviceAuthorizationResponse> {
    if (!client.grantTypes.includes(DEVICE_CODE_GRANT)) throw new OAuthError('unauthorized_client', `the client is not allowed the ${DEVICE_CODE_GRANT} grant`);
    if (form.client_id !== undefined && form.client_id !== client.clientId) throw new OAuthError('invalid_request', 'client_id differs from the authenticated client');
    const scopes = form.scope === undefined ? [...client.scopes] : parseScope(form.scope);
    if (!scopes) throw new OAuthError('invalid_scope', 'the scope is malformed');
    for (const scope of scopes) {
      if (!client.scopes.includes(scope)) throw new OAuthError('invalid_scope', `the client is not registered for the scope "${scope.slice(0, 64)}"`);
    }
    // Every new request is a row: the per-IP limit of the sign-in routes keeps a flood of them away.
    await this.deps.rateLimiter.check(meta);
    const { db, clock, config } = this.deps;
    const deviceCode = randomSecret();
    const now = clock.now();
    // A user code still kept by another request is drawn again (20^8 codes: a second collision in
    // a row is as good as impossible).
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const userCode = newUserCode();
      const inserted = await insertDeviceCode(
        db,
        deviceCodeToRow({
          deviceCodeHash: sha256(deviceCode),
          id: randomBytes(16).toString('hex'),
          userCodeHash: sha256(userCode),
          clientId: client.clientId,
          scopes,
          status: 'pending',
          csrfHash: null,
          userId: null,
          browserSessionId: null,
          intervalSeconds: POLL_INTERVAL_S,
          lastPolledAt: null,
          createdAt: now,
          expiresAt: now + config.deviceCodeTtl * 1000,
          decidedAt: null,
          usedAt: null,
          issuedSessionId: null,
        }),
      );
      if (!inserted) continue;
      const shown = formatUserCode(userCode);
      const verificationUri = `${config.issuer}${DEVICE_PAGE_PATH}`;
      return {
        device_code: deviceCode,
        user_code: shown,
        verification_uri: verificationUri,
        verification_uri_complete: `${verificationUri}?user_code=${shown}`,
        expires_in: config.deviceCodeTtl,
        interval: POLL_INTERVAL_S,
      };
    }
    throw new OAuthError('server_error', 'could not draw a free user code');
  }

  /**
   * A user code typed (or brought by verification_uri_complete) on the verification page. Wrong
   * ones count against the IP, and past the limit even a right one is refused (RFC 8628 §5.1).
   * A right one binds the request to this browser: the later pages accept only it, so that a link
   * to them cannot skip this step.
   */
  async enterUserCode(typed: string, csrfSecret: string, meta: RequestMeta): Promise<PendingDevice> {
    const { db, clock, rateLimiter } = this.deps;
    await rateLimiter.refuseGuesses(meta, GUESS_POLICY, USER_CODE_GUESSES_PER_MINUTE);
    const userCode = normaliseUserCode(typed);
    const row = userCode === undefined ? undefined : await findDeviceCodeByUserCode(db, sha256(userCode));
    const stored = row ? deviceCodeFromRow(row) : undefined;
    const client = stored ? await this.deps.clients.find(stored.clientId) : undefined;
    if (!stored || !client || stored.status !== 'pending' || stored.expiresAt <= clock.now() || !(await bindDeviceCode(db, stored.id, sha256(csrfSecret), clock.now()))) {
      await rateLimiter.countWrongGuess(meta, GUESS_POLICY, USER_CODE_GUESSES_PER_MINUTE);
      throw wrongUserCode();
    }
    return { id: stored.id, client, scopes: stored.scopes };
  }

  /** The request behind a verification page, if it is pending and this browser entered its code. */
  async pending(id: string, csrfSecret: string | undefined): Promise<PendingDevice> {
    const row = ID_PATTERN.test(id) ? await findDeviceCodeById(this.deps.db, id) : undefined;
    const stored = row ? deviceCodeFromRow(row) : undefined;
    if (!stored) throw gone('unknown id');
    if (!csrfSecret || stored.csrfHash === null || !hashesEqual(sha256(csrfSecret), stored.csrfHash)) {
      throw new OAuthError('interaction_forbidden', 'the code was entered in another browser');
    }
    if (stored.status !== 'pending' || stored.expiresAt <= this.deps.clock.now()) throw gone(stored.status);
    const client = await this.deps.clients.find(stored.clientId);
    if (!client) throw new OAuthError('interaction_client_gone', 'the application is no longer registered');
    return { id: stored.id, client, scopes: stored.scopes };
  }

  /**
   * The person's answer, once. Allowing a third-party application records the consent as the code
   * flow's consent page does; denying makes the device's next poll access_denied (RFC 8628 §3.5).
   */
  async decide(id: string, csrfSecret: string | undefined, browser: BrowserSession, approve: boolean, meta: RequestMeta): Promise<PendingDevice> {
    const pending = await this.pending(id, csrfSecret);
    const { db, clock } = this.deps;
    const now = clock.now();
    const user = browser.user;
    await db.transaction().execute(async (tx) => {
      const decision = { status: approve ? ('approved' as const) : ('denied' as const), userId: user.id, browserSessionId: approve ? browser.session.id : null };
      if (!(await decideDeviceCode(tx, id, sha256(csrfSecret!), decision, now))) throw gone('decided meanwhile');
      const detail = { client_id: pending.client.clientId, scope: pending.scopes.join(' '), session: browser.session.id };
      await audit(tx, { event: approve ? 'device.approved' : 'device.denied', userId: user.id, meta, detail }, now);
      if (!approve || pending.client.firstParty) return;
      const row = await findClientConsent(tx, user.id, pending.client.clientId);
      const scopes = new Set([...(row ? clientConsentFromRow(row).scopes : []), ...pending.scopes]);
      await saveClientConsent(tx, user.id, pending.client.clientId, [...scopes].sort().join(' '), now);
      await audit(tx, { event: 'user.consent_given', userId: user.id, meta, detail: { client_id: pending.client.clientId, scope: pending.scopes.join(' ') } }, now);
    });
    return pending;
  }

  /**
   * RFC 8628 §3.4–3.5 at the token endpoint: the device's poll. Pending: authorization_pending,
   * or slow_down (and 5 s more interval) when it came before the interval was up. Denied:
   * access_denied. Expired: expired_token. Approved: the tokens, once; a device code redeemed
   * again ends what the first redemption started, as a replayed authorization code does.
   */
  async redeem(client: Client, form: Readonly<Record<string, string>>, meta: RequestMeta, dpopJkt?: string): Promise<IssuedTokens & { id_token?: string }> {
    const { db, clock } = this.deps;
    const deviceCode = form.device_code;
    if (!deviceCode) throw new OAuthError('invalid_request', 'device_code is required');
    const codeHash = sha256(deviceCode);
    const row = deviceCode.length <= 128 ? await findDeviceCodeByHash(db, codeHash) : undefined;
    const stored = row ? deviceCodeFromRow(row) : undefined;
    if (!stored || stored.clientId !== client.clientId) throw invalidGrant('unknown device code or another client');
    const now = clock.now();
    if (stored.usedAt !== null) {
      if (stored.issuedSessionId) await endSession(db, stored.issuedSessionId, 'device_code_replay', now);
      throw invalidGrant('device code replay');
    }
    if (stored.expiresAt <= now) throw new OAuthError('expired_token', 'the device code has expired; start a new device authorization');
    if (stored.status === 'denied') throw new OAuthError('access_denied', 'the person denied the request');
    if (stored.status === 'pending') {
      const tooFast = stored.lastPolledAt !== null && now - stored.lastPolledAt < stored.intervalSeconds * 1000 - POLL_TOLERANCE_MS;
      const interval = tooFast ? stored.intervalSeconds + SLOW_DOWN_STEP_S : stored.intervalSeconds;
      await recordPoll(db, codeHash, now, interval);
      if (tooFast) throw new OAuthError('slow_down', `polling too fast; wait ${interval} seconds between requests`);
      throw new OAuthError('authorization_pending', 'the person has not answered yet');
    }
    return this.issue(client, stored, meta, dpopJkt);
  }

  /** The tokens of an approved request, as a code redemption issues them for the same sign-in. */
  private async issue(client: Client, stored: DeviceCode, meta: RequestMeta, dpopJkt: string | undefined): Promise<IssuedTokens & { id_token?: string }> {
    const { db, clock } = this.deps;
    const userRow = stored.userId ? await findUserById(db, stored.userId) : undefined;
    const user = userRow ? userFromRow(userRow) : undefined;
    const browserSessionId = stored.browserSessionId;
    const browser = browserSessionId ? await this.deps.sessions.state(browserSessionId) : undefined;
    if (!user || user.disabled || !browserSessionId || !browser || browser.endedAt !== null || browser.sessionGeneration !== user.tokenGeneration) {
      throw invalidGrant('the sign-in behind this device code has ended');
    }
    const issued = await db.transaction().execute(async (tx) => {
      if (!(await spendDeviceCode(tx, stored.deviceCodeHash, clock.now()))) return undefined;
      const started = await this.deps.sessions.startGrant(tx, {
        user,
        client,
        scopes: stored.scopes,
        amr: browser.amr,
        meta,
        parentId: browserSessionId,
        authTime: browser.authTime,
        expiresAt: browser.expiresAt,
        withRefreshToken: client.grantTypes.includes('refresh_token'),
        ...(dpopJkt === undefined ? {} : { dpopJkt }),
      });
      await recordDeviceSession(tx, stored.deviceCodeHash, started.sessionId);
      return started;
    });
    if (!issued) {
      // Another poll redeemed it first: one of the two is not the device (RFC 8628 §5.2 treats a
      // device code as a secret), so what the winner got ends, as for a replayed code.
      const winner = await findDeviceCodeByHash(db, stored.deviceCodeHash);
      if (winner?.issued_session_id) await endSession(db, winner.issued_session_id, 'device_code_replay', clock.now());
      throw invalidGrant('lost a redemption race');
    }
    if (!stored.scopes.includes('openid')) return issued.tokens;
    const idToken = this.deps.idTokens.issue({
      sub: user.id,
      clientId: client.clientId,
      alg: client.idTokenAlg,
      authTime: browser.authTime,
      sid: browserSessionId,
      amr: browser.amr,
      accessToken: issued.tokens.access_token,
    });
    return { ...issued.tokens, id_token: idToken };
  }
}
