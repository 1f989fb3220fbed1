// The Koa app: middleware order and routes, nothing else.
import Router from '@koa/router';
import Koa from 'koa';
import { OAuthError } from './errors/oauth-error.js';
import type { AppContext, AppState } from './http/context.js';
import { corsPolicy } from './http/middleware/cors.js';
import { envelope } from './http/middleware/envelope.js';
import { noStore, securityHeaderList } from './http/middleware/security-headers.js';
import { jsonBody } from './http/middleware/json-body.js';
import { accountRoutes } from './http/auth-api/account-routes.js';
import { requireRole, requireUser } from './http/auth-api/bearer.js';
import { profileRoutes } from './http/auth-api/profile-routes.js';
import { sessionRoutes } from './http/auth-api/session-routes.js';
import { adminRoutes } from './http/admin-api/routes.js';
import { mailLinkPages } from './http/pages/mail-links.js';
import { accountPages } from './http/pages/account-pages.js';
import { signInPages } from './http/pages/sign-in.js';
import { consentRoutes } from './http/auth-api/consent-routes.js';
import { formBody } from './http/middleware/form-body.js';
import { authorizeEndpoint } from './http/oauth/authorize.js';
import { endSessionRoutes } from './http/oauth/end-session.js';
import { authorizationCodeGrant } from './http/oauth/grants/authorization-code.js';
import { refreshTokenGrant } from './http/oauth/grants/refresh-token.js';
import { userinfoRoutes } from './http/oauth/userinfo.js';
import { clientCredentialsGrant } from './http/oauth/grants/client-credentials.js';
import { discovery, ENDPOINT_PATHS } from './http/oauth/discovery.js';
import { introspectEndpoint } from './http/oauth/introspect.js';
import { jwks } from './http/oauth/jwks.js';
import { revokeEndpoint } from './http/oauth/revoke.js';
import { tokenEndpoint } from './http/oauth/token.js';
import { healthz, metricsEndpoint, readyz } from './http/ops/health.js';
import type { Metrics } from './metrics/metrics.js';
import type { Services } from './services.js';

/** Browser-facing paths that CORS_ORIGINS opens (contract §1); introspection is server to server. */
const CORS_PATHS = [ENDPOINT_PATHS.token, ENDPOINT_PATHS.revocation, ENDPOINT_PATHS.userinfo];
const corsApplies = (path: string) => path.startsWith('/.well-known/') || path.startsWith('/auth/') || CORS_PATHS.includes(path as never);

type Handler = (ctx: AppContext) => unknown;

export function createApp(services: Services, metrics: Metrics): Koa<AppState> {
  const { config, keys } = services;
  const app = new Koa<AppState>({ proxy: config.trustProxy });
  app.silent = true; // errors are logged by the envelope (middleware/envelope.ts), with the request id

  const router = new Router<AppState>();
  const serveDiscovery = discovery(config);
  // The endpoints every verifier and resource server calls, found by exact method and path ahead of
  // the router, which tries its layers one by one. Registered on the router too, which answers
  // other methods on these paths (405).
  const hot = new Map<string, Map<string, Handler>>([['GET', new Map()], ['HEAD', new Map()], ['POST', new Map()]]);
  const direct = (method: 'GET' | 'POST', path: string, handler: Handler) => {
    hot.get(method)!.set(path, handler);
    if (method === 'GET') hot.get('HEAD')!.set(path, handler);
    router.register(path, [method], handler);
  };
  direct('GET', '/.well-known/openid-configuration', serveDiscovery);
  direct('GET', '/.well-known/oauth-authorization-server', serveDiscovery);
  direct('GET', ENDPOINT_PATHS.jwks, jwks(keys.keystore, keys.policy.jwksMaxAgeSeconds));
  const grants = {
    client_credentials: clientCredentialsGrant(services.accessTokens, config.issuer, metrics),
    authorization_code: authorizationCodeGrant(services.authorization, metrics),
    refresh_token: refreshTokenGrant(services.sessions, services.idTokens, metrics),
  };
  direct('POST', ENDPOINT_PATHS.token, tokenEndpoint(services.clientAuthenticator, grants, config.bodyLimit));
  direct('POST', ENDPOINT_PATHS.introspection, introspectEndpoint(services.clientAuthenticator, services.introspection, metrics, config.bodyLimit));
  direct('POST', ENDPOINT_PATHS.revocation, revokeEndpoint(services.clientAuthenticator, services.revocation, config.bodyLimit));
  const authorize = authorizeEndpoint(services);
  router.get(ENDPOINT_PATHS.authorization, authorize);
  router.post(ENDPOINT_PATHS.authorization, formBody(config.bodyLimit), authorize);
  userinfoRoutes(router, services);
  endSessionRoutes(router, services);
  signInPages(router, services);
  accountPages(router, services);
  const bearer = requireUser(services.introspection, config.issuer);
  const json = jsonBody(config.bodyLimit);
  router.use('/auth', noStore, json);
  accountRoutes(router, services);
  sessionRoutes(router, services, bearer);
  profileRoutes(router, services, bearer);
  consentRoutes(router, services, bearer);
  router.use('/admin', noStore, json, bearer, requireRole('admin'));
  adminRoutes(router, services, () => services.keysChanged());
  mailLinkPages(router, services);

  router.get('/healthz', healthz);
  router.get('/readyz', readyz(services.db, keys.keystore, services.clock));
  router.get('/metrics', metricsEndpoint(metrics));

  app.use(envelope({ log: services.log, metrics, securityHeaders: securityHeaderList(config.issuer), cors: corsPolicy(config.corsOrigins, corsApplies) }));
  app.use((ctx, next) => {
    const handler = hot.get(ctx.method)?.get(ctx.path);
    if (!handler) return next();
    (ctx as typeof ctx & { _matchedRoute?: string })._matchedRoute = ctx.path;
    return handler(ctx);
  });
  // Under overload a login that cannot get an argon2 slot is refused before routing and before its
  // body is read: on a saturated core every refusal's CPU is taken from the hashes that are admitted.
  app.use((ctx, next) => {
    if (ctx.method === 'POST' && ctx.path === '/auth/login') {
      (ctx as typeof ctx & { _matchedRoute?: string })._matchedRoute = ctx.path;
      services.hasher.assertCapacity();
    }
    return next();
  });
  app.use(router.routes());
  app.use(async (ctx) => {
    // Reached only when no route answered: a known path with another method is 405.
    const match = router.match(ctx.path, ctx.method);
    const allowed = [...new Set(match.path.flatMap((layer) => layer.methods))];
    if (allowed.length > 0) {
      throw new OAuthError('invalid_request', `${ctx.method} is not allowed here`, { status: 405, headers: { Allow: allowed.join(', ') } });
    }
    throw new OAuthError('not_found', 'no such endpoint');
  });
  return app;
}
