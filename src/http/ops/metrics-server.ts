// /metrics on a port of its own (METRICS_PORT, README, Operations), so that the main port, which
// may face the internet, does not publish process internals. A plain Node handler: one path, and
// nothing of the main app's envelope (CORS, sessions, error bodies) applies to a scraper.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Metrics } from '../../metrics/metrics.js';

export function metricsHandler(metrics: Metrics) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    req.resume();
    const path = (req.url ?? '/').split('?')[0];
    res.setHeader('Cache-Control', 'no-store');
    if (path !== '/metrics') {
      res.statusCode = 404;
      res.setHeader('Content-Type', 'application/json; charset=utf-8');
      res.end(JSON.stringify({ error: 'not_found', error_description: 'no such endpoint' }));
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.statusCode = 405;
      res.setHeader('Allow', 'GET, HEAD');
      res.setHeader('Content-Type', 'application/json; charset=utf-8');
      res.end(JSON.stringify({ error: 'invalid_request', error_description: `${req.method} is not allowed here` }));
      return;
    }
    metrics.render().then(
      (text) => {
        res.setHeader('Content-Type', metrics.registry.contentType);
        res.end(req.method === 'HEAD' ? undefined : text);
      },
      () => {
        res.statusCode = 500;
        res.end();
      },
    );
  };
}
