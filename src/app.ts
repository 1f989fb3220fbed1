// The Koa app: middleware order, and the route table of http/routes.ts mounted on it.
import Router from '@koa/router';
import Koa from 'koa';
import { OAuthError } from './errors/oauth-error.js';
import type { AppContext, AppState, Next } from './http/context.js';
import { corsPolicy } from './http/middleware/cors.js';
import { envelope } from './http/middleware/envelope.js';
import { securityHeaderList } from './http/middleware/security-headers.js';
import { ENDPOINT_PATHS } from './http/oauth/discovery.js';
import { routeTable, type PlainStep } from './http/routes.js';
import type { Metrics } from './metrics/metrics.js';
import type { Services } from './services.js';

/** Browser-facing paths that CORS_ORIGINS opens (README, Configuration); introspection is server to server. */
const CORS_PATHS = [ENDPOINT_PATHS.token, ENDPOINT_PATHS.revocation, ENDPOINT_PATHS.userinfo];
const corsApplies = (path: string) => path.startsWith('/.well-known/') || path.startsWith('/auth/') || CORS_PATHS.includes(path as never);

const LOGIN_PATH = '/auth/login';

export function createApp(services: Services, metrics: Metrics): Koa<AppState> {
  const { config } = services;
  const app = new Koa<AppState>({ proxy: config.trustProxy });
  app.silent = true; // errors are logged by the envelope (middleware/envelope.ts), with the request id

  // Every route goes on the router (which also answers 405 for a known path); the hot ones are
  // also found by exact method and path ahead of it. Each route names itself for the metrics.
  const router = new Router<AppState>();
  const hot = new Map<string, Map<string, PlainStep>>();
  const addHot = (method: string, path: string, answer: PlainStep) => {
    if (!hot.has(method)) hot.set(method, new Map());
    hot.get(method)!.set(path, answer);
  };
  for (const { method, path, steps, hot: step } of routeTable(services, metrics)) {
    const named = (ctx: AppContext, next: Next) => {
      ctx.state.route = path;
      return next();
    };
    router.register(path, [method], [named, ...steps]);
    if (step) {
      const answer = (ctx: AppContext, next: Next) => {
        ctx.state.route = path;
        return step(ctx, next);
      };
      addHot(method, path, answer);
      if (method === 'GET') addHot('HEAD', path, answer);
    }
  }

  app.use(envelope({ log: services.log, metrics, securityHeaders: securityHeaderList(config.issuer), cors: corsPolicy(config.corsOrigins, corsApplies), trustProxy: config.trustProxy }));
  app.use((ctx, next) => {
    const answer = hot.get(ctx.method)?.get(ctx.path);
    return answer ? answer(ctx, next) : next();
  });
  // Under overload a login that cannot get an argon2 slot is refused before routing and before its
  // body is read: on a saturated core every refusal's CPU is taken from the hashes that are admitted.
  app.use((ctx, next) => {
    if (ctx.method === 'POST' && ctx.path === LOGIN_PATH) {
      ctx.state.route = LOGIN_PATH;
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
