// Prometheus metrics of one process (GET /metrics). One registry per app, so that tests can run
// several apps in one process without their counters mixing.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpDuration: Histogram<'method' | 'route'>;
  tokensIssued: Counter<'grant_type' | 'alg'>;
  introspections: Counter<'result'>;
  signingKeyAge: Gauge<'alg'>;
  // The per-request counters below cache their label children: prom-client hashes the labels
  // object on every inc() otherwise.
  /** Counts a request and its latency. */
  observeRequest(method: string, route: string, status: number, seconds: number): void;
  countTokenIssued(grantType: string, alg: string): void;
  countIntrospection(active: boolean): void;
}

export function createMetrics(keyAge: () => Array<{ alg: string; seconds: number }>, defaults = true): Metrics {
  const registry = new Registry();
  if (defaults) collectDefaultMetrics({ register: registry });
  const metrics: Omit<Metrics, 'observeRequest' | 'countTokenIssued' | 'countIntrospection'> = {
    registry,
    httpRequests: new Counter({
      name: 'tessera_http_requests_total',
      help: 'HTTP requests by route and status',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'tessera_http_request_duration_seconds',
      help: 'HTTP request latency by route',
      labelNames: ['method', 'route'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
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
  const counters = new Map<string, { inc(): void }>();
  const timers = new Map<string, { observe(value: number): void }>();
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
      const key = `${method} ${route}`;
      const countKey = `${key} ${status}`;
      let counter = counters.get(countKey);
      if (!counter) counters.set(countKey, (counter = metrics.httpRequests.labels(method, route, String(status))));
      counter.inc();
      let timer = timers.get(key);
      if (!timer) timers.set(key, (timer = metrics.httpDuration.labels(method, route)));
      timer.observe(seconds);
    },
  };
}
