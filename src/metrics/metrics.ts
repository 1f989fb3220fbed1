// Prometheus metrics of one process (GET /metrics). One registry per app, so that tests can run
// several apps in one process without their counters mixing.
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { RequestMetrics } from './request-metrics.js';

export interface Metrics {
  registry: Registry;
  tokensIssued: Counter<'grant_type' | 'alg'>;
  introspections: Counter<'result'>;
  signingKeyAge: Gauge<'alg'>;
  /** Counts a request and its latency (see request-metrics.ts). */
  observeRequest(method: string, route: string, status: number, seconds: number): void;
  /** Every metric in the Prometheus text format, for GET /metrics (content type: registry.contentType). */
  render(): Promise<string>;
  // These two cache their label children: prom-client hashes the labels object on every inc().
  countTokenIssued(grantType: string, alg: string): void;
  countIntrospection(active: boolean): void;
}

export function createMetrics(keyAge: () => Array<{ alg: string; seconds: number }>, defaults = true): Metrics {
  const registry = new Registry();
  if (defaults) collectDefaultMetrics({ register: registry });
  const metrics: Omit<Metrics, 'observeRequest' | 'countTokenIssued' | 'countIntrospection' | 'render'> = {
    registry,
    tokensIssued: new Counter({
      name: 'tessera_tokens_issued_total',
      help: 'Access tokens issued by grant type and signing algorithm',
      labelNames: ['grant_type', 'alg'],
      registers: [registry],
    }),
    introspections: new Counter({
      name: 'tessera_introspections_total',
      help: 'Introspection requests by result',
      labelNames: ['result'],
      registers: [registry],
    }),
    signingKeyAge: new Gauge({
      name: 'tessera_signing_key_age_seconds',
      help: 'Seconds since the active signing key of each algorithm took over',
      labelNames: ['alg'],
      registers: [registry],
      collect() {
        for (const { alg, seconds } of keyAge()) this.set({ alg }, seconds);
      },
    }),
  };
  const requests = new RequestMetrics();
  const issued = new Map<string, { inc(): void }>();
  const introspected = { active: metrics.introspections.labels('active'), inactive: metrics.introspections.labels('inactive') };
  return {
    ...metrics,
    countTokenIssued(grantType, alg) {
      const key = `${grantType} ${alg}`;
      let counter = issued.get(key);
      if (!counter) issued.set(key, (counter = metrics.tokensIssued.labels(grantType, alg)));
      counter.inc();
    },
    countIntrospection(active) {
      (active ? introspected.active : introspected.inactive).inc();
    },
    observeRequest(method, route, status, seconds) {
      requests.observe(method, route, status, seconds);
    },
    async render() {
      return `${await registry.metrics()}\n${requests.render()}`;
    },
  };
}
