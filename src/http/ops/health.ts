// Liveness, readiness and metrics for orchestrators and Prometheus (README, Errors).
import type { Readiness } from '../../domain/health/readiness.js';
import type { Metrics } from '../../metrics/metrics.js';
import type { AppContext } from '../context.js';

export interface HealthHandlerDeps {
  readiness: Readiness;
  metrics: Metrics;
}

/** `/healthz` (the process answers), `/readyz` (it can serve) and `/metrics` (Prometheus). */
export function healthHandlers({ readiness, metrics }: HealthHandlerDeps) {
  return {
    healthz(ctx: AppContext) {
      ctx.set('Cache-Control', 'no-store');
      ctx.body = { status: 'ok' };
    },

    async readyz(ctx: AppContext) {
      ctx.set('Cache-Control', 'no-store');
      const { ready, checks, databaseError } = await readiness.check();
      if (!checks.database) ctx.state.log.warn({ err: databaseError }, 'readiness: database unreachable');
      ctx.status = ready ? 200 : 503;
      ctx.body = { status: ready ? 'ready' : 'unavailable', checks };
    },

    metrics: metricsEndpoint(metrics),
  };
}

export function metricsEndpoint(metrics: Metrics) {
  return async function serveMetrics(ctx: AppContext) {
    ctx.set('Cache-Control', 'no-store');
    ctx.type = metrics.registry.contentType;
    ctx.body = await metrics.render();
  };
}
