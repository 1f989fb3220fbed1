// The outermost middleware: a request id (X-Request-Id), a child logger, one log line per request
// with the path but never the query string (it can hold codes and tokens), and HTTP metrics.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Metrics } from '../../metrics/metrics.js';
import type { AppContext, Next } from '../context.js';

const INCOMING_ID = /^[A-Za-z0-9._-]{1,64}$/;

export function requestLog(log: Logger, metrics: Metrics) {
  return async function requestLogMiddleware(ctx: AppContext, next: Next) {
    const started = process.hrtime.bigint();
    const incoming = ctx.get('X-Request-Id');
    const requestId = INCOMING_ID.test(incoming) ? incoming : randomUUID();
    ctx.state.requestId = requestId;
    // A child logger costs an allocation and a serialisation; most requests never log more than
    // the one line below, so it is made on first use.
    let child: Logger | undefined;
    Object.defineProperty(ctx.state, 'log', { get: () => (child ??= log.child({ reqId: requestId })), configurable: true });
    ctx.set('X-Request-Id', requestId);
    try {
      await next();
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      // The router's pattern, not the raw path, so labels stay few whatever clients send.
      const route = (ctx as AppContext & { _matchedRoute?: string })._matchedRoute ?? 'unmatched';
      metrics.observeRequest(ctx.method, route, ctx.status, seconds);
      const level = ctx.status >= 500 && ctx.status !== 503 ? 'error' : 'info';
      if (log.isLevelEnabled(level)) {
        ctx.state.log[level]({ method: ctx.method, path: ctx.path, status: ctx.status, ms: Math.round(seconds * 1e4) / 10 }, 'request');
      }
    }
  };
}
