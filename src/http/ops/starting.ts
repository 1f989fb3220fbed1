// What the socket answers while the process waits for the database at start-up (README,
// Operations): it is alive (/healthz 200) but cannot serve (/readyz 503, everything else 503
// temporarily_unavailable with Retry-After, RFC 9110 §15.6.4 and §10.2.3), so that an orchestrator
// neither restarts it nor sends it traffic. A plain Node handler: the Koa app needs the services,
// which need the database.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export function startingHandler(req: IncomingMessage, res: ServerResponse): void {
  const path = (req.url ?? '/').split('?')[0];
  const answer = (status: number, body: object) => {
    res.statusCode = status;
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('X-Request-Id', randomUUID());
    if (status === 503) res.setHeader('Retry-After', '1');
    res.end(req.method === 'HEAD' ? undefined : JSON.stringify(body));
  };
  // Drain any request body, so that keep-alive connections stay usable.
  req.resume();
  if (path === '/healthz') return answer(200, { status: 'ok' });
  if (path === '/readyz') return answer(503, { status: 'unavailable', checks: { database: false, keys: false } });
  answer(503, { error: 'temporarily_unavailable', error_description: 'the server is starting: the database is not reachable yet' });
}
