// Every path Tessera answers, in one table read top to bottom: the protocol endpoints, the hosted
// pages, the first-party /auth API, the /admin API, operations. Each HTTP module exports handlers
// built from only the services it uses; this file wires them to their paths and steps, and app.ts
// mounts the table (docs/architecture.md). A path absent here is a 404, a known path with another
// method a 405.
import { FORGOT_PASSWORD_PATH, RESEND_VERIFICATION_PATH, RESET_PASSWORD_PATH, VERIFY_EMAIL_PATH } from '../domain/accounts/registration.js';
import { DEVICE_CODE_GRANT, TOKEN_EXCHANGE_GRANT } from '../domain/clients/client.js';
import { DEVICE_PAGE_PATH } from '../domain/devices/device-authorizations.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Services } from '../services.js';
import { adminHandlers } from './admin-api/routes.js';
import { accountHandlers } from './auth-api/account-routes.js';
import { requireRole, requireUser } from './auth-api/bearer.js';
import { consentHandlers } from './auth-api/consent-routes.js';
import { passkeyHandlers } from './auth-api/passkey-routes.js';
import { profileHandlers } from './auth-api/profile-routes.js';
import { sessionHandlers } from './auth-api/session-routes.js';
import { twoFactorHandlers } from './auth-api/two-factor-routes.js';
import type { AppContext, Next, RouteContext } from './context.js';
import { AUTH_API_STATUSES, errorStatuses } from './middleware/errors.js';
import { formBody } from './middleware/form-body.js';
import { jsonBody } from './middleware/json-body.js';
import { pageErrors } from './middleware/page-errors.js';
import { noStore } from './middleware/security-headers.js';
import { authorizeEndpoint } from './oauth/authorize.js';
import { discovery, ENDPOINT_PATHS } from './oauth/discovery.js';
import { endSessionHandlers } from './oauth/end-session.js';
import { authorizationCodeGrant } from './oauth/grants/authorization-code.js';
import { clientCredentialsGrant } from './oauth/grants/client-credentials.js';
import { deviceCodeGrant } from './oauth/grants/device-code.js';
import { deviceAuthorizationEndpoint } from './oauth/device-authorization.js';
import { refreshTokenGrant } from './oauth/grants/refresh-token.js';
import { tokenExchangeGrant } from './oauth/grants/token-exchange.js';
import { introspectEndpoint } from './oauth/introspect.js';
import { parEndpoint } from './oauth/par.js';
import { jwks } from './oauth/jwks.js';
import { revokeEndpoint } from './oauth/revoke.js';
import { tokenEndpoint } from './oauth/token.js';
import { userinfoHandler } from './oauth/userinfo.js';
import { healthHandlers } from './ops/health.js';
import { assetHandlers, FAVICON_PATH, STYLESHEET_PATH } from './pages/assets.js';
import { accountPagesHandlers, CONFIRM_PATH, SIGN_OUT_PATH, SIGNED_OUT_PATH } from './pages/account/index.js';
import { PASSKEY_OPTIONS_PATH } from './pages/account/passkeys.js';
import { passkeyAssetHandlers, PASSKEY_SCRIPT_PATH, WEBAUTHN_SCRIPT_PATH } from './pages/passkey-script.js';
import { mailLinkHandlers } from './pages/mail-links.js';
import { DEVICE_DENIED_PATH, DEVICE_DONE_PATH, devicePageHandlers } from './pages/device.js';
import { PASSKEY_SIGN_IN_OPTIONS_PATH, PASSKEY_SIGN_IN_PATH, signInHandlers } from './pages/sign-in.js';
import { UPSTREAM_CONFIRM_PATH, upstreamPageHandlers } from './pages/upstream.js';
import { upstreamAdminHandlers } from './admin-api/upstream-routes.js';
import { REGISTER_PATH, signUpPageHandlers } from './pages/sign-up-pages.js';
import { LOGO_PATH } from './pages/view.js';

export type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';
/** A step of a route: a middleware (takes `next`) or the handler that answers. */
export type Step = (ctx: RouteContext, next: Next) => unknown;
/** A step that needs no path parameters, as the hot routes' single step. */
export type PlainStep = (ctx: AppContext, next: Next) => unknown;

export interface Route {
  method: Method;
  path: string;
  steps: readonly Step[];
  /**
   * Called by every verifier and resource server: dispatched by exact method and path ahead of the
   * router, which tries its layers one by one (docs/performance.md). Its only step.
   */
  hot?: PlainStep;
}

export function routeTable(services: Services, metrics: Metrics): Route[] {
  const { config } = services;
  const route = (method: Method, path: string, ...steps: Step[]): Route => ({ method, path, steps });
  const hot = (method: Method, path: string, step: PlainStep): Route => ({ method, path, steps: [step], hot: step });

  // Shared steps.
  const form = formBody(config.bodyLimit);
  const json = jsonBody(config.bodyLimit);
  /** A hosted page: what its handler does not answer becomes a page in the reader's language, not JSON. */
  const page = pageErrors(config);
  const bearer = requireUser(services.introspection, config.issuer, services.dpopProofs);
  /** The first-party JSON API: never cached, JSON bodies, invalid_grant as 401 (docs/accounts.md). */
  const authApi = [noStore, json, errorStatuses(AUTH_API_STATUSES)];
  const signedIn = [...authApi, bearer];
  const adminApi = [noStore, json, bearer, requireRole('admin')];

  // Handlers, each module given only what it uses.
  const serveDiscovery = discovery(config);
  const grants = {
    client_credentials: clientCredentialsGrant(services.accessTokens, config.issuer, metrics),
    authorization_code: authorizationCodeGrant(services.authorization, metrics),
    refresh_token: refreshTokenGrant(services.sessions, services.idTokens, metrics),
    [DEVICE_CODE_GRANT]: deviceCodeGrant(services.devices, metrics),
    [TOKEN_EXCHANGE_GRANT]: tokenExchangeGrant(services.tokenExchange, metrics),
  };
  const { clientRegistry, browserSessions, authorization, registration, passwords, signIn, mfa, sessions, signOut } = services;
  const authorize = authorizeEndpoint({ config, clientRegistry, browserSessions, authorization, pushedAuthorizations: services.pushedAuthorizations });
  const userinfo = userinfoHandler({ userInfo: services.userInfo, dpopProofs: services.dpopProofs, issuer: config.issuer });
  const endSession = endSessionHandlers({ config, idTokens: services.idTokens, clientRegistry, browserSessions, signOut });
  const signInPage = signInHandlers({ config, authorization, browserSessions, upstreams: services.upstreamSignIn });
  const upstreamPage = upstreamPageHandlers({ config, authorization, browserSessions, upstreamSignIn: services.upstreamSignIn });
  const upstreamAdmin = upstreamAdminHandlers({ issuer: config.issuer, upstreams: services.upstreams });
  const signUpPage = signUpPageHandlers({ config, registration, passwords, authorization });
  const assets = assetHandlers(config);
  const mailLink = mailLinkHandlers({ config, registration, passwords });
  const devicePage = devicePageHandlers({ config, devices: services.devices, authorization, browserSessions });
  const accountPages = accountPagesHandlers({ config, authorization, browserSessions, profile: services.profile, passwords, mfa, signOut, consents: services.consents, passkeys: services.passkeys, upstreamSignIn: services.upstreamSignIn });
  const passkeyAssets = passkeyAssetHandlers();
  const passkey = passkeyHandlers({ config, signIn, passkeys: services.passkeys });
  const account = accountHandlers({ registration, passwords });
  const session = sessionHandlers({ config, signIn, mfa, sessions, signOut });
  const profile = profileHandlers({ config, profile: services.profile, passwords });
  const twoFactor = twoFactorHandlers({ mfa });
  const consent = consentHandlers({ consents: services.consents });
  const admin = adminHandlers({ issuer: config.issuer, users: services.users, passwords, mfa, passkeys: services.passkeys, clients: services.clients, keyAdmin: services.keyAdmin, auditLog: services.auditLog });
  const health = healthHandlers({ readiness: services.readiness, metrics });

  return [
    // OpenID Connect Discovery and RFC 8414, the JWKS.
    hot('GET', '/.well-known/openid-configuration', serveDiscovery),
    hot('GET', '/.well-known/oauth-authorization-server', serveDiscovery),
    hot('GET', ENDPOINT_PATHS.jwks, jwks(services.keys.keystore, services.keys.policy.jwksMaxAgeSeconds)),

    // OAuth 2.0 endpoints (RFC 6749, 7662, 7009) and OpenID Connect's.
    route('GET', ENDPOINT_PATHS.authorization, authorize),
    route('POST', ENDPOINT_PATHS.authorization, form, authorize),
    hot('POST', ENDPOINT_PATHS.token, tokenEndpoint(services.clientAuthenticator, grants, config.bodyLimit, { proofs: services.dpopProofs, url: `${config.issuer}${ENDPOINT_PATHS.token}` })),
    hot('POST', ENDPOINT_PATHS.introspection, introspectEndpoint(services.clientAuthenticator, services.introspection, metrics, config.bodyLimit)),
    hot('POST', ENDPOINT_PATHS.revocation, revokeEndpoint(services.clientAuthenticator, services.revocation, config.bodyLimit)),
    // RFC 9126: pushed authorization requests.
    route('POST', ENDPOINT_PATHS.pushedAuthorization, parEndpoint(services.clientAuthenticator, services.pushedAuthorizations, config.bodyLimit)),
    // RFC 8628: device authorization; its verification pages are with the hosted pages below.
    route('POST', ENDPOINT_PATHS.deviceAuthorization, deviceAuthorizationEndpoint(services.clientAuthenticator, services.devices, config.bodyLimit)),
    route('GET', ENDPOINT_PATHS.userinfo, noStore, userinfo),
    route('POST', ENDPOINT_PATHS.userinfo, noStore, userinfo),
    route('GET', ENDPOINT_PATHS.endSession, page, endSession.endSession),
    route('POST', ENDPOINT_PATHS.endSession, page, form, endSession.endSession),
    route('POST', `${ENDPOINT_PATHS.endSession}/confirm`, page, form, endSession.confirm),
    route('GET', `${ENDPOINT_PATHS.endSession}/done`, page, endSession.done),

    // Hosted pages of the sign-in (HTML forms, a CSRF secret each, 303 after every POST).
    route('GET', '/login', page, signInPage.loginPage),
    route('POST', '/login', page, form, signInPage.submitLogin),
    route('GET', '/login/totp', page, signInPage.totpPage),
    route('POST', '/login/totp', page, form, signInPage.submitTotp),
    // Passkeys (docs/passkeys.md): the script's options (JSON), then the answer as a form.
    route('POST', PASSKEY_SIGN_IN_OPTIONS_PATH, noStore, form, signInPage.passkeyOptions),
    route('POST', PASSKEY_SIGN_IN_PATH, page, form, signInPage.submitPasskey),
    // Signing in through an upstream provider (docs/upstreams.md).
    route('GET', '/upstream/:name/start', page, upstreamPage.start),
    route('POST', '/upstream/:name/start', page, form, upstreamPage.start),
    route('GET', '/upstream/:name/callback', page, upstreamPage.callback),
    route('GET', UPSTREAM_CONFIRM_PATH, page, upstreamPage.confirmPage),
    route('POST', UPSTREAM_CONFIRM_PATH, page, form, upstreamPage.confirm),
    route('GET', '/consent', page, signInPage.consentPage),
    route('POST', '/consent', page, form, signInPage.submitConsent),
    route('GET', REGISTER_PATH, page, signUpPage.registerPage),
    route('POST', REGISTER_PATH, page, form, signUpPage.register),
    route('GET', FORGOT_PASSWORD_PATH, page, signUpPage.forgotPasswordPage),
    route('POST', FORGOT_PASSWORD_PATH, page, form, signUpPage.forgotPassword),
    route('GET', RESEND_VERIFICATION_PATH, page, signUpPage.resendVerificationPage),
    route('POST', RESEND_VERIFICATION_PATH, page, form, signUpPage.resendVerification),
    // The pages mails link to: opening one shows a form, only its POST spends the token.
    route('GET', VERIFY_EMAIL_PATH, page, mailLink.verifyEmailPage),
    route('POST', VERIFY_EMAIL_PATH, page, form, mailLink.verifyEmail),
    route('GET', RESET_PASSWORD_PATH, page, mailLink.resetPasswordPage),
    route('POST', RESET_PASSWORD_PATH, page, form, mailLink.resetPassword),
    // RFC 8628 §3.3: the verification pages (docs/devices.md); the fixed paths before /device/:id.
    route('GET', DEVICE_PAGE_PATH, page, devicePage.enterPage),
    route('POST', DEVICE_PAGE_PATH, page, form, devicePage.enter),
    route('GET', DEVICE_DONE_PATH, page, devicePage.done),
    route('GET', DEVICE_DENIED_PATH, page, devicePage.denied),
    route('GET', `${DEVICE_PAGE_PATH}/:id`, page, devicePage.decisionPage),
    route('POST', `${DEVICE_PAGE_PATH}/:id`, page, form, devicePage.decide),
    route('GET', STYLESHEET_PATH, assets.stylesheet),
    route('GET', FAVICON_PATH, assets.favicon),
    route('GET', WEBAUTHN_SCRIPT_PATH, passkeyAssets.webauthn),
    route('GET', PASSKEY_SCRIPT_PATH, passkeyAssets.passkeys),
    ...(assets.logo ? [route('GET', LOGO_PATH, assets.logo)] : []),

    // The account pages (docs/account.md): a browser session or the hosted sign-in first.
    route('GET', '/', accountPages.signOut.home),
    route('GET', '/account', page, accountPages.profile.page),
    route('POST', '/account', page, form, accountPages.profile.update),
    route('GET', '/account/password', page, accountPages.password.page),
    route('POST', '/account/password', page, form, accountPages.password.change),
    route('GET', '/account/two-factor', page, accountPages.twoFactor.page),
    route('POST', '/account/two-factor', page, form, accountPages.twoFactor.submit),
    route('GET', '/account/passkeys', page, accountPages.passkeys.page),
    route('POST', '/account/passkeys', page, form, accountPages.passkeys.submit),
    route('POST', PASSKEY_OPTIONS_PATH, noStore, form, accountPages.passkeys.options),
    route('GET', '/account/sessions', page, accountPages.sessions.page),
    route('POST', '/account/sessions', page, form, accountPages.sessions.end),
    route('GET', '/account/apps', page, accountPages.apps.page),
    route('POST', '/account/apps', page, form, accountPages.apps.remove),
    route('GET', '/account/connections', page, accountPages.connections.page),
    route('POST', '/account/connections', page, form, accountPages.connections.submit),
    route('GET', CONFIRM_PATH, page, accountPages.confirm.page),
    route('POST', CONFIRM_PATH, page, form, accountPages.confirm.confirm),
    route('POST', SIGN_OUT_PATH, page, form, accountPages.signOut.submit),
    route('GET', SIGNED_OUT_PATH, page, accountPages.signOut.signedOut),

    // The first-party account API (docs/accounts.md).
    route('POST', '/auth/register', ...authApi, account.register),
    route('POST', '/auth/verify-email', ...authApi, account.verifyEmail),
    route('POST', '/auth/resend-verification', ...authApi, account.resendVerification),
    route('POST', '/auth/forgot-password', ...authApi, account.forgotPassword),
    route('POST', '/auth/reset-password', ...authApi, account.resetPassword),
    route('POST', '/auth/login', ...authApi, session.login),
    route('POST', '/auth/verify-2fa', ...authApi, session.verify2fa),
    route('POST', '/auth/refresh', ...authApi, session.refresh),
    route('POST', '/auth/logout', ...authApi, session.logout),
    route('POST', '/auth/logout-all', ...signedIn, session.logoutAll),
    route('GET', '/auth/sessions', ...signedIn, session.listSessions),
    route('DELETE', '/auth/sessions/:id', ...signedIn, session.endSession),
    route('GET', '/auth/me', ...signedIn, profile.me),
    route('PATCH', '/auth/me', ...signedIn, profile.updateMe),
    route('DELETE', '/auth/me', ...signedIn, profile.deleteMe),
    route('POST', '/auth/change-password', ...signedIn, profile.changePassword),
    route('POST', '/auth/2fa/setup/initiate', ...signedIn, twoFactor.initiateSetup),
    route('POST', '/auth/2fa/setup/verify', ...signedIn, twoFactor.verifySetup),
    route('POST', '/auth/2fa/disable', ...signedIn, twoFactor.disable),
    route('POST', '/auth/2fa/backup-codes', ...signedIn, twoFactor.regenerateBackupCodes),
    route('GET', '/auth/consents', ...signedIn, consent.listConsents),
    route('POST', '/auth/passkeys/sign-in/options', ...authApi, passkey.signInOptions),
    route('POST', '/auth/passkeys/sign-in/verify', ...authApi, passkey.signInVerify),
    route('GET', '/auth/passkeys', ...signedIn, passkey.list),
    route('POST', '/auth/passkeys/register/options', ...signedIn, passkey.registerOptions),
    route('POST', '/auth/passkeys/register/verify', ...signedIn, passkey.registerVerify),
    route('PATCH', '/auth/passkeys/:id', ...signedIn, passkey.rename),
    route('DELETE', '/auth/passkeys/:id', ...signedIn, passkey.remove),
    route('DELETE', '/auth/consents/:client_id', ...signedIn, consent.revokeConsent),

    // The admin API (docs/accounts.md, The admin API): role `admin`, read from the database on every request.
    route('GET', '/admin/users', ...adminApi, admin.listUsers),
    route('POST', '/admin/users', ...adminApi, admin.createUser),
    route('GET', '/admin/users/:id', ...adminApi, admin.getUser),
    route('PATCH', '/admin/users/:id', ...adminApi, admin.updateUser),
    route('DELETE', '/admin/users/:id', ...adminApi, admin.deleteUser),
    route('POST', '/admin/users/:id/reset-password', ...adminApi, admin.resetPassword),
    route('POST', '/admin/users/:id/disable', ...adminApi, admin.disableUser),
    route('POST', '/admin/users/:id/enable', ...adminApi, admin.enableUser),
    route('POST', '/admin/users/:id/unlock', ...adminApi, admin.unlockUser),
    route('DELETE', '/admin/users/:id/2fa', ...adminApi, admin.resetMfa),
    route('DELETE', '/admin/users/:id/passkeys', ...adminApi, admin.removePasskeys),
    route('GET', '/admin/clients', ...adminApi, admin.listClients),
    route('POST', '/admin/clients', ...adminApi, admin.createClient),
    route('GET', '/admin/clients/:id', ...adminApi, admin.getClient),
    route('PATCH', '/admin/clients/:id', ...adminApi, admin.updateClient),
    route('DELETE', '/admin/clients/:id', ...adminApi, admin.deleteClient),
    route('POST', '/admin/clients/:id/rotate-secret', ...adminApi, admin.rotateClientSecret),
    route('GET', '/admin/upstreams', ...adminApi, upstreamAdmin.list),
    route('POST', '/admin/upstreams', ...adminApi, upstreamAdmin.create),
    route('GET', '/admin/upstreams/:name', ...adminApi, upstreamAdmin.get),
    route('PATCH', '/admin/upstreams/:name', ...adminApi, upstreamAdmin.update),
    route('DELETE', '/admin/upstreams/:name', ...adminApi, upstreamAdmin.delete),
    route('GET', '/admin/keys', ...adminApi, admin.listKeys),
    route('POST', '/admin/keys/rotate', ...adminApi, admin.rotateKeys),
    route('POST', '/admin/keys/:kid/revoke', ...adminApi, admin.revokeKey),
    route('GET', '/admin/audit', ...adminApi, admin.listAudit),

    // Operations (README, Errors).
    route('GET', '/healthz', health.healthz),
    route('GET', '/readyz', health.readyz),
    // With METRICS_PORT set, /metrics is served on that port only (http/ops/metrics-server.ts).
    ...(config.metricsPort === undefined ? [route('GET', '/metrics', health.metrics)] : []),
  ];
}
