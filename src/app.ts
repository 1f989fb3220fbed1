// The Koa app: middleware order and routes, nothing else.
import Router from '@koa/router';
import Koa from 'koa';
import { OAuthError } from './errors/oauth-error.js';
import type { AppState } from './http/context.js';
import { cors } from './http/middleware/cors.js';
import { renderErrors } from './http/middleware/errors.js';
import { requestLog } from './http/middleware/request-log.js';
import { noStore, securityHeaders } from './http/middleware/security-headers.js';
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

export function createApp(services: Services, metrics: Metrics): Koa<AppState> {
  const { config, keys, clientRegistry } = services;
  const app = new Koa<AppState>({ proxy: config.trustProxy });
  app.silent = true; // errors are logged by the error middleware, with the request id

  const router = new Router<AppState>();
  const serveDiscovery = discovery(config);
  // The documents every verifier fetches, served ahead of the router (no route matching: they are
  // the hottest and cheapest requests); registered on the router too, which answers other methods.
  const documents = new Map([
    ['/.well-known/openid-configuration', serveDiscovery],
    ['/.well-known/oauth-authorization-server', serveDiscovery],
    [ENDPOINT_PATHS.jwks as string, jwks(keys.keystore, keys.policy.jwksMaxAgeSeconds)],
  ]);
  for (const [path, serve] of documents) router.get(path, serve);
  router.post(
    ENDPOINT_PATHS.token,
    ...tokenEndpoint(
      clientRegistry,
      {
        client_credentials: clientCredentialsGrant(services.accessTokens, config.issuer, metrics),
        authorization_code: authorizationCodeGrant(services.authorization, metrics),
        refresh_token: refreshTokenGrant(services.sessions, services.idTokens, metrics),
      },
      config.bodyLimit,
    ),
  );
  const authorize = authorizeEndpoint(services);
  router.get(ENDPOINT_PATHS.authorization, authorize);
  router.post(ENDPOINT_PATHS.authorization, formBody(config.bodyLimit), authorize);
  userinfoRoutes(router, services);
  endSessionRoutes(router, services);
  signInPages(router, services);
  accountPages(router, services);
  router.post(ENDPOINT_PATHS.introspection, ...introspectEndpoint(clientRegistry, services.introspection, metrics, config.bodyLimit));
  router.post(ENDPOINT_PATHS.revocation, ...revokeEndpoint(clientRegistry, services.revocation, config.bodyLimit));
  const bearer = requireUser(services.introspection, config.issuer);
  const json = jsonBody(config.bodyLimit);
  // Under overload a login that cannot get an argon2 slot is refused before its body is even read:
  // on a saturated core every refusal's CPU is taken from the hashes that are admitted.
  router.use('/auth/login', async (_ctx, next) => {
    services.hasher.assertCapacity();
    await next();
  });
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

  app.use(requestLog(services.log, metrics));
  app.use(securityHeaders(config.issuer));
  app.use(renderErrors);
  app.use(cors(config.corsOrigins, corsApplies));
  app.use(async (ctx, next) => {
    const serve = ctx.method === 'GET' || ctx.method === 'HEAD' ? documents.get(ctx.path) : undefined;
    if (!serve) return next();
    (ctx as typeof ctx & { _matchedRoute?: string })._matchedRoute = ctx.path;
    serve(ctx);
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
