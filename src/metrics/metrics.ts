// Prometheus metrics of one process (GET /metrics). One registry per app, so that tests can run
// several apps in one process without their counters mixing. The domain and the mail worker
// report to it through their observer interfaces (`events`), never by importing prom-client
// (docs/architecture.md, The layers).
import type { Logger } from 'pino';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { SIGN_IN_OUTCOMES, type DomainEvents, type SignInOutcome } from '../domain/events.js';
import type { OutboxEvents } from '../mail/outbox.js';
import { RequestMetrics } from './request-metrics.js';

/** What the metrics read when they are scraped. */
export interface MetricSources {
  /** The active signing key of each algorithm and its age (tessera_signing_key_age_seconds). */
  keyAge(): Array<{ alg: string; seconds: number }>;
  /** When the oldest unsent mail was queued (epoch ms), undefined when none; reads the database. */
  oldestUndeliveredAt(): Promise<number | undefined>;
  /** The server's clock, the one the outbox's timestamps were written with. */
  now(): number;
  log: Logger;
}

const MAIL_STATES = ['queued', 'sent', 'failed'] as const;

export interface Metrics {
  registry: Registry;
  tokensIssued: Counter<'grant_type' | 'alg'>;
  introspections: Counter<'result'>;
  signingKeyAge: Gauge<'alg'>;
  signIns: Counter<'outcome'>;
  mails: Counter<'state'>;
  refreshReuse: Counter;
  outboxOldestUndelivered: Gauge;
  /** The observer handed to the domain services and the outbox worker (services.ts). */
  events: DomainEvents & OutboxEvents;
  /** Counts a request and its latency (see request-metrics.ts). */
  observeRequest(method: string, route: string, status: number, seconds: number): void;
  /** Every metric in the Prometheus text format, for GET /metrics (content type: registry.contentType). */
  render(): Promise<string>;
  // These two cache their label children: prom-client hashes the labels object on every inc().
  countTokenIssued(grantType: string, alg: string): void;
  countIntrospection(active: boolean): void;
}

export function createMetrics(sources: MetricSources, defaults = true): Metrics {
  const registry = new Registry();
  if (defaults) collectDefaultMetrics({ register: registry });
  const metrics: Omit<Metrics, 'observeRequest' | 'countTokenIssued' | 'countIntrospection' | 'render' | 'events'> = {
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
        for (const { alg, seconds } of sources.keyAge()) this.set({ alg }, seconds);
      },
    }),
    signIns: new Counter({
      name: 'tessera_sign_ins_total',
      help: 'Sign-in steps by outcome (success, wrong_password, locked, rate_limited, mfa_failed), JSON API and hosted pages together',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    mails: new Counter({
      name: 'tessera_mails_total',
      help: 'Mails written into the outbox (queued), accepted by the SMTP server (sent), and delivery attempts that failed (failed)',
      labelNames: ['state'],
      registers: [registry],
    }),
    refreshReuse: new Counter({
      name: 'tessera_refresh_reuse_detected_total',
      help: 'Refresh-token families revoked because a spent refresh token was presented again',
      registers: [registry],
    }),
    outboxOldestUndelivered: new Gauge({
      name: 'tessera_outbox_oldest_undelivered_seconds',
      help: 'Age of the oldest mail in the outbox not yet sent; 0 when every mail is sent',
      registers: [registry],
      async collect() {
        try {
          const oldest = await sources.oldestUndeliveredAt();
          this.set(oldest === undefined ? 0 : Math.max(0, (sources.now() - oldest) / 1000));
        } catch (error) {
          // A database that cannot answer must not take /metrics down with it (the other series
          // are what an operator needs then): no sample for this scrape, which Prometheus shows
          // as the series going absent rather than as a made-up 0.
          this.remove();
          sources.log.error({ err: error }, 'metrics: could not read the outbox');
        }
      },
    }),
  };
  // Every outcome and state from the start at 0, so that rate() and increase() see the first one
  // (a series that appears already at 1 shows no increase).
  for (const outcome of SIGN_IN_OUTCOMES) metrics.signIns.inc({ outcome }, 0);
  for (const state of MAIL_STATES) metrics.mails.inc({ state }, 0);
  const signedIn = new Map(SIGN_IN_OUTCOMES.map((outcome) => [outcome, metrics.signIns.labels(outcome)] as const));
  const mailed = { queued: metrics.mails.labels('queued'), sent: metrics.mails.labels('sent'), failed: metrics.mails.labels('failed') };
  const events: DomainEvents & OutboxEvents = {
    signIn(outcome: SignInOutcome) {
      signedIn.get(outcome)?.inc();
    },
    mailQueued() {
      mailed.queued.inc();
    },
    mailSent() {
      mailed.sent.inc();
    },
    mailFailed() {
      mailed.failed.inc();
    },
    refreshReuse() {
      metrics.refreshReuse.inc();
    },
  };
  const requests = new RequestMetrics();
  const issued = new Map<string, { inc(): void }>();
  const introspected = { active: metrics.introspections.labels('active'), inactive: metrics.introspections.labels('inactive') };
  return {
    ...metrics,
    events,
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
