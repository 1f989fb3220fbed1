// Liveness, readiness and metrics for orchestrators and Prometheus (contract §6).
import type { Keystore } from '../../crypto/keystore.js';
import type { Clock } from '../../clock.js';
import type { Db } from '../../storage/db.js';
import { readSyncVersions } from '../../storage/repositories/sync-state.js';
import type { Metrics } from '../../metrics/metrics.js';
import type { AppContext } from '../context.js';

/** Key state older than this means the key scheduler cannot reach the database. */
const KEY_STATE_STALE_MS = 15_000;

export function healthz(ctx: AppContext) {
  ctx.set('Cache-Control', 'no-store');
  ctx.body = { status: 'ok' };
}

export function readyz(db: Db, keystore: Keystore, clock: Clock) {
  return async function checkReady(ctx: AppContext) {
    ctx.set('Cache-Control', 'no-store');
    const checks = { database: false, keys: keystore.ready && clock.now() - keystore.lastLoadedAt < KEY_STATE_STALE_MS };
    try {
      await readSyncVersions(db);
      checks.database = true;
    } catch (error) {
      ctx.state.log.warn({ err: error }, 'readiness: database unreachable');
    }
    const ready = checks.database && checks.keys;
    ctx.status = ready ? 200 : 503;
    ctx.body = { status: ready ? 'ready' : 'unavailable', checks };
  };
}

export function metricsEndpoint(metrics: Metrics) {
  return async function serveMetrics(ctx: AppContext) {
    ctx.set('Cache-Control', 'no-store');
    ctx.type = metrics.registry.contentType;
    ctx.body = await metrics.registry.metrics();
  };
}
