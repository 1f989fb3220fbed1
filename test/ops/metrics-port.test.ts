// METRICS_PORT (README, Operations): /metrics on a port of its own, bound to METRICS_HOST
// (127.0.0.1 unless set), and no longer on the main port.
import test from 'ava';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import { freePort } from '../helpers/env.js';
import { clientCredentialsToken } from '../helpers/http.js';
import { registerClient, startTestServer } from '../helpers/server.js';

test('with METRICS_PORT, /metrics is served there on 127.0.0.1 and is a 404 on the main port', async (t) => {
  const metricsPort = await freePort();
  const server = await startTestServer(t, { env: { METRICS_PORT: String(metricsPort) } });
  t.deepEqual(server.metrics?.listening, { host: '127.0.0.1', port: metricsPort });
  const client = await registerClient(server);
  await clientCredentialsToken(server.url, client);

  const scraped = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
  t.is(scraped.status, 200);
  t.regex(scraped.headers.get('content-type') ?? '', /^text\/plain/);
  t.regex(await scraped.text(), /tessera_http_requests_total\{method="POST",route="\/token",status="200"\} 1/);

  const main = await fetch(`${server.url}/metrics`);
  t.is(main.status, 404);
  t.is(((await main.json()) as { error: string }).error, 'not_found');
  t.is((await fetch(`http://127.0.0.1:${metricsPort}/healthz`)).status, 404, 'the metrics port serves /metrics only');
  t.is((await fetch(`http://127.0.0.1:${metricsPort}/metrics`, { method: 'POST' })).status, 405);

  await server.close();
  await t.throwsAsync(fetch(`http://127.0.0.1:${metricsPort}/metrics`), undefined, 'closed with the server');
});

test('without METRICS_PORT, /metrics stays on the main port', async (t) => {
  const server = await startTestServer(t);
  t.is(server.metrics, undefined);
  t.is((await fetch(`${server.url}/metrics`)).status, 200);
});

test('METRICS_PORT and METRICS_HOST are read and checked', (t) => {
  t.is(loadConfig({}).metricsPort, undefined);
  t.is(loadConfig({}).metricsHost, '127.0.0.1');
  t.is(loadConfig({ METRICS_PORT: '9464', METRICS_HOST: '0.0.0.0' }).metricsPort, 9464);
  t.is(loadConfig({ METRICS_PORT: '9464', METRICS_HOST: '0.0.0.0' }).metricsHost, '0.0.0.0');
  t.is(t.throws(() => loadConfig({ METRICS_PORT: 'nine' }), { instanceOf: ConfigError })?.variable, 'METRICS_PORT');
  t.is(t.throws(() => loadConfig({ METRICS_PORT: '70000' }), { instanceOf: ConfigError })?.variable, 'METRICS_PORT');
});
