// The outermost middleware, the same for every request: a request id (X-Request-Id), the security
// headers, CORS, the error body of anything thrown below, HTTP metrics, and one log line with the
// path but never the query string (it can hold codes and tokens).
//
// One Koa frame rather than one per concern: each middleware frame costs an async function, a
// bound dispatch and a promise per request, and on the hottest endpoints (JWKS, token,
// introspection) these few microseconds were a measurable share of the whole (docs/performance.md).
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Metrics } from '../../metrics/metrics.js';
import type { AppContext, AppState, AuthenticatedUser, Next } from '../context.js';
import type { Client } from '../../domain/clients/client.js';
import { renderError } from './errors.js';
import type { HeaderList } from './security-headers.js';

const INCOMING_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** ctx.state of every request. The child logger is made on first use: most requests never log. */
class RequestState implements AppState {
  route?: string = undefined;
  form!: Readonly<Record<string, string>>;
  body!: Readonly<Record<string, unknown>>;
  client?: Client = undefined;
  user?: AuthenticatedUser = undefined;
  private child: Logger | undefined = undefined;

  constructor(
    private readonly root: Logger,
    readonly requestId: string,
  ) {}

  get log(): Logger {
    return (this.child ??= this.root.child({ reqId: this.requestId }));
  }
}

export interface EnvelopeOptions {
  log: Logger;
  metrics: Metrics;
  securityHeaders: HeaderList;
  /** Adds CORS headers; true when it answered the request itself (a preflight). */
  cors: (ctx: AppContext) => boolean;
  /** TRUST_PROXY: whether X-Forwarded-For gives the client IP (ctx.ip); if not, its presence is warned about once. */
  trustProxy: boolean;
}

export function envelope({ log, metrics, securityHeaders, cors, trustProxy }: EnvelopeOptions) {
  // One app per process, so once per process: behind a proxy with TRUST_PROXY off, every client
  // has the proxy's IP, and the per-IP rate limits and the audit log's IPs are wrong.
  let proxyWarned = trustProxy;
  return async function envelopeMiddleware(ctx: AppContext, next: Next) {
    const started = performance.now();
    if (!proxyWarned && ctx.req.headers['x-forwarded-for'] !== undefined) {
      proxyWarned = true;
      log.warn(
        { ip: ctx.ip },
        'requests carry X-Forwarded-For but TRUST_PROXY is off: client IPs (rate limits, sessions, audit log) are the proxy\'s. Set TRUST_PROXY=true behind a proxy you run',
      );
    }
    const incoming = ctx.req.headers['x-request-id'];
    const requestId = typeof incoming === 'string' && INCOMING_ID.test(incoming) ? incoming : randomUUID();
    ctx.state = new RequestState(log, requestId);
    const { res } = ctx;
    res.setHeader('X-Request-Id', requestId);
    for (const [name, value] of securityHeaders) res.setHeader(name, value);
    try {
      if (!cors(ctx)) await next();
    } catch (thrown) {
      renderError(ctx, thrown);
    } finally {
      const seconds = (performance.now() - started) / 1000;
      // The route's pattern, not the raw path, so labels stay few whatever clients send.
      const route = ctx.state.route ?? 'unmatched';
      const status = ctx.status;
      metrics.observeRequest(ctx.method, route, status, seconds);
      const level = status >= 500 && status !== 503 ? 'error' : 'info';
      if (log.isLevelEnabled(level)) {
        // ip: ctx.ip, so X-Forwarded-For only with TRUST_PROXY, as everywhere else.
        ctx.state.log[level]({ method: ctx.method, path: ctx.path, status, ip: ctx.ip, ms: Math.round(seconds * 1e4) / 10 }, 'request');
      }
    }
  };
}
