// The domain services of one process, built once from the configuration and the open database,
// and handed to the HTTP layer and the CLI. Explicit wiring: no service locator.
import type { Logger } from 'pino';
import { audit } from './audit/audit-log.js';
import type { Clock } from './clock.js';
import type { Config } from './config/config.js';
import { AuditQuery } from './audit/audit-query.js';
import { openKeys, type Keys } from './crypto/key-bootstrap.js';
import type { KeyEvent } from './crypto/key-lifecycle.js';
import type { AccountDeps } from './domain/accounts/deps.js';
import { Lockout } from './domain/accounts/lockout.js';
import { MailQuota } from './domain/accounts/mail-quota.js';
import { PasswordHasher } from './domain/accounts/password-hasher.js';
import { PasswordService } from './domain/accounts/passwords.js';
import { ProfileService } from './domain/accounts/profile.js';
import { RateLimiter } from './domain/accounts/rate-limiter.js';
import { RegistrationService } from './domain/accounts/registration.js';
import { SignInService } from './domain/accounts/sign-in.js';
import { UserAdminService } from './domain/accounts/user-admin.js';
import { ClientAssertions } from './domain/clients/client-assertion.js';
import { ClientAuthenticator } from './domain/clients/client-authentication.js';
import { ClientKeySets } from './domain/clients/client-key-sets.js';
import { ClientRegistry } from './domain/clients/client-registry.js';
import { ClientService } from './domain/clients/client-service.js';
import { ConsentService } from './domain/consents/consent-service.js';
import { DeviceAuthorizations } from './domain/devices/device-authorizations.js';
import { noDomainEvents, type DomainEvents } from './domain/events.js';
import { Readiness } from './domain/health/readiness.js';
import { KeyAdmin } from './domain/keys/key-admin.js';
import { MfaService } from './domain/mfa/mfa-service.js';
import { PasskeyService } from './domain/passkeys/passkey-service.js';
import { AuthorizationFlow } from './domain/oidc/authorization-flow.js';
import { BrowserSessions } from './domain/oidc/browser-sessions.js';
import { PushedAuthorizations } from './domain/oidc/pushed-authorization.js';
import { IdTokens } from './domain/tokens/id-tokens.js';
import { Sessions } from './domain/sessions/sessions.js';
import { SignOutService } from './domain/sessions/sign-out.js';
import { BackchannelLogoutWorker } from './domain/sessions/backchannel-logout.js';
import { LogoutTokens } from './domain/tokens/logout-tokens.js';
import { TokenExchange } from './domain/tokens/token-exchange.js';
import { AccessTokens } from './domain/tokens/access-tokens.js';
import { Introspection } from './domain/tokens/introspection.js';
import { ReplayGuard } from './domain/tokens/replay-guard.js';
import { DpopProofs } from './domain/tokens/dpop.js';
import { Revocation } from './domain/tokens/revocation.js';
import { UserInfo } from './domain/tokens/userinfo.js';
import { UpstreamAdmin } from './domain/upstreams/upstream-admin.js';
import { UpstreamClients } from './domain/upstreams/upstream-client.js';
import { UpstreamSignIn } from './domain/upstreams/upstream-sign-in.js';
import { ENDPOINT_PATHS } from './http/oauth/discovery.js';
import { enqueueMail, noOutboxEvents, OutboxWorker, type OutboxEvents } from './mail/outbox.js';
import { createTransport } from './mail/transport.js';
import type { Db, Dialect, ImmediateReader } from './storage/db.js';
import { RevocationList } from './storage/repositories/revoked-tokens.js';

export interface Services {
  config: Config;
  clock: Clock;
  db: Db;
  dialect: Dialect;
  log: Logger;
  keys: Keys;
  clientRegistry: ClientRegistry;
  clientAuthenticator: ClientAuthenticator;
  clients: ClientService;
  /** Single use of client assertions and DPoP proofs, across instances (domain/tokens/replay-guard.ts). */
  replayGuard: ReplayGuard;
  /** RFC 9126 pushed authorization requests. */
  pushedAuthorizations: PushedAuthorizations;
  /** RFC 8628 device authorization (domain/devices/device-authorizations.ts). */
  devices: DeviceAuthorizations;
  /** DPoP proofs (RFC 9449 §4.3), at the token endpoint and the resources (domain/tokens/dpop.ts). */
  dpopProofs: DpopProofs;
  accessTokens: AccessTokens;
  introspection: Introspection;
  /** RFC 8693 token exchange (docs/delegation.md). */
  tokenExchange: TokenExchange;
  revocation: Revocation;
  sessions: Sessions;
  hasher: PasswordHasher;
  outbox: OutboxWorker;
  /** Delivers back-channel logout tokens (OIDC Back-Channel Logout 1.0; domain/sessions/backchannel-logout.ts). */
  backchannelLogout: BackchannelLogoutWorker;
  registration: RegistrationService;
  signIn: SignInService;
  passwords: PasswordService;
  profile: ProfileService;
  users: UserAdminService;
  mfa: MfaService;
  /** Passkeys (WebAuthn; docs/passkeys.md). */
  passkeys: PasskeyService;
  idTokens: IdTokens;
  browserSessions: BrowserSessions;
  authorization: AuthorizationFlow;
  signOut: SignOutService;
  consents: ConsentService;
  keyAdmin: KeyAdmin;
  auditLog: AuditQuery;
  userInfo: UserInfo;
  readiness: Readiness;
  /** Upstream identity providers: the registry (`tessera upstreams`, /admin/upstreams) and signing in through them. */
  upstreams: UpstreamAdmin;
  upstreamSignIn: UpstreamSignIn;
}

/** What a process brings to its services: its signing keys, and whom to tell when it changes them. */
export interface ServiceWiring {
  keys: Keys;
  /** Re-reads key state at once after this process changed keys (the server's key scheduler). */
  keysChanged?: () => Promise<void>;
  /** SQLite's immediate reader (storage/db.ts), for the revocation check of every introspection. */
  readNow?: ImmediateReader;
  /**
   * Who hears sign-in outcomes, queued and delivered mail and refresh-token reuse: the server's
   * metrics (metrics/metrics.ts). The CLI passes nothing, which is the no-op.
   */
  events?: DomainEvents & OutboxEvents;
}

/**
 * Key lifecycle events go to the log and the audit log (who: `system` for the scheduler, `cli`).
 * The lifecycle reports after its transaction commits; `flush` waits for the writes (the CLI
 * calls it before closing the database).
 */
export function keyEventRecorder(db: Db, clock: Clock, log: Logger, actorId: string) {
  const pending = new Set<Promise<void>>();
  const onEvent = (event: KeyEvent) => {
    log.info(event, 'signing key lifecycle');
    const write = audit(db, { event: event.event, actorId: event.actor ?? actorId, detail: { kid: event.kid, alg: event.alg } }, clock.now())
      .catch((error: unknown) => log.error({ err: error, event: event.event }, 'could not write the key audit event'))
      .finally(() => pending.delete(write));
    pending.add(write);
  };
  return { onEvent, flush: async () => void (await Promise.all(pending)) };
}

/**
 * Opens the signing keys of a process (key-bootstrap.ts), its key events recorded with `actorId`;
 * opened before the services, so that the key scheduler can exist before the services it serves.
 */
export async function openProcessKeys(config: Config, db: Db, clock: Clock, log: Logger, actorId: string): Promise<{ keys: Keys; flushKeyEvents: () => Promise<void> }> {
  const keyEvents = keyEventRecorder(db, clock, log, actorId);
  return { keys: await openKeys(db, config, clock, keyEvents.onEvent), flushKeyEvents: keyEvents.flush };
}

export async function createServices(config: Config, db: Db, dialect: Dialect, clock: Clock, log: Logger, wiring: ServiceWiring): Promise<Services> {
  const { keys, keysChanged = async () => {} } = wiring;
  const events = wiring.events ?? { ...noDomainEvents, ...noOutboxEvents };
  const clientRegistry = new ClientRegistry(db, log);
  const replayGuard = new ReplayGuard(db, clock);
  const accessTokens = new AccessTokens(config.issuer, config.accessTokenTtl, keys.keystore, clock);
  // Started by the server (server.ts), woken after every commit that ended sessions.
  const backchannelLogout = new BackchannelLogoutWorker(db, (clientId) => clientRegistry.find(clientId), new LogoutTokens(config.issuer, keys.keystore, clock), clock, log);
  const sessions = new Sessions(db, config, accessTokens, (clientId) => clientRegistry.find(clientId), clock, events, backchannelLogout);
  const hasher = new PasswordHasher();
  const outbox = new OutboxWorker(db, createTransport(config), config.mailFrom, clock, log, events);

  const rateLimiter = new RateLimiter(db, config.rateLimitPerIp, config.rateLimitPerAccount, clock);
  const deps: AccountDeps = {
    db,
    config,
    clock,
    hasher,
    lockout: new Lockout(config.lockoutThreshold, config.lockoutDuration, clock),
    rateLimiter,
    sessions,
    clients: clientRegistry,
    mail: {
      enqueue: async (tx, message) => {
        await enqueueMail(tx, message, clock.now());
        events.mailQueued();
      },
      wake: () => outbox.wake(),
    },
    mailQuota: new MailQuota(config.mailLimitPerAccount, clock),
    events,
  };
  const registration = new RegistrationService(deps);
  const signIn = new SignInService(deps);
  const mfa = new MfaService(deps, keys.sealer, config.totpIssuer, signIn);
  const passkeys = new PasskeyService(deps, signIn, log);
  const idTokens = new IdTokens(config.issuer, config.idTokenTtl, keys.keystore, clock);
  const browserSessions = new BrowserSessions(db, config, clock, signIn, mfa);
  const introspection = new Introspection(db, config.issuer, accessTokens, clientRegistry, sessions, clock, new RevocationList(db, wiring.readNow));
  const authorization = new AuthorizationFlow({ db, config, clock, clients: clientRegistry, sessions, browserSessions, idTokens, signIn, mfa, passkeys, events });
  const upstreamClients = new UpstreamClients(keys.sealer, () => clock.now(), log);
  return {
    config,
    clock,
    db,
    dialect,
    log,
    keys,
    clientRegistry,
    clientAuthenticator: new ClientAuthenticator(
      clientRegistry,
      rateLimiter,
      new ClientAssertions(config.issuer, `${config.issuer}${ENDPOINT_PATHS.token}`, new ClientKeySets(clock), replayGuard, clock),
    ),
    clients: new ClientService(db, clock, () => clientRegistry.refresh()),
    replayGuard,
    pushedAuthorizations: new PushedAuthorizations(db, clientRegistry, clock),
    devices: new DeviceAuthorizations({ db, config, clock, clients: clientRegistry, sessions, idTokens, rateLimiter }),
    dpopProofs: new DpopProofs(replayGuard, clock),
    accessTokens,
    introspection,
    tokenExchange: new TokenExchange(db, introspection, accessTokens, clock),
    revocation: new Revocation(db, accessTokens, sessions, clock),
    sessions,
    hasher,
    outbox,
    backchannelLogout,
    registration,
    signIn,
    passwords: new PasswordService(deps, signIn, browserSessions),
    profile: new ProfileService(deps, registration, signIn),
    users: new UserAdminService(deps),
    mfa,
    passkeys,
    idTokens,
    browserSessions,
    authorization,
    signOut: new SignOutService(db, sessions, browserSessions, clock),
    consents: new ConsentService(db, clock, (clientId) => clientRegistry.find(clientId), () => sessions.sessionsEnded()),
    keyAdmin: new KeyAdmin(db, keys.lifecycle, keys.sealer, clock, keysChanged),
    auditLog: new AuditQuery(db),
    userInfo: new UserInfo(db, config.issuer, introspection),
    readiness: new Readiness(db, keys.keystore, clock),
    upstreams: new UpstreamAdmin(db, keys.sealer, clock, (name) => upstreamClients.forget(name)),
    upstreamSignIn: new UpstreamSignIn({ db, config, clock, clients: upstreamClients, authorization, signIn, mfa, browserSessions }),
  };
}
