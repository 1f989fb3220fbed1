import test from 'ava';
import { basic, clientCredentialsToken, introspect, postForm, revoke } from '../helpers/http.js';
import { registerClient, startTestServer } from '../helpers/server.js';

test('a token, introspection and revocation round leaves neither the secret nor the token in the logs', async (t) => {
  const server = await startTestServer(t, { env: { LOG_LEVEL: 'trace' } });
  const client = await registerClient(server);
  const token = await clientCredentialsToken(server.url, client);
  await introspect(server.url, client, token);
  await revoke(server.url, client, token);
  await introspect(server.url, client, token);
  // Failures log their detail; the secret must not come with it.
  await postForm(`${server.url}/token`, { grant_type: 'client_credentials' }, { authorization: basic(client.client_id, 'wrong-secret-value') });
  await fetch(`${server.url}/introspect?token=${token}`, { method: 'POST' });

  const logs = server.logs.join('');
  t.true(server.logs.length >= 6, 'requests were logged');
  t.false(logs.includes(client.client_secret), 'no client secret');
  t.false(logs.includes(token), 'no token');
  t.false(logs.includes(token.split('.')[2]!), 'no token signature');
  t.false(logs.includes('wrong-secret-value'), 'no presented secret');
  t.false(logs.includes('?token='), 'no query strings');

  const requests = server.logs.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.msg === 'request');
  for (const line of requests) {
    t.is(typeof line.reqId, 'string');
    t.is(typeof line.path, 'string');
    t.is(typeof line.status, 'number');
  }
  t.true(requests.some((line) => line.path === '/token' && line.status === 200));
});

test('healthz, readyz and metrics report the process, the database and the counters', async (t) => {
  const server = await startTestServer(t);
  const client = await registerClient(server);
  const token = await clientCredentialsToken(server.url, client);
  await introspect(server.url, client, token);
  await introspect(server.url, client, 'garbage');

  t.deepEqual(await (await fetch(`${server.url}/healthz`)).json(), { status: 'ok' });
  const ready = await fetch(`${server.url}/readyz`);
  t.is(ready.status, 200);
  t.deepEqual(await ready.json(), { status: 'ready', checks: { database: true, keys: true } });

  const metrics = await (await fetch(`${server.url}/metrics`)).text();
  t.regex(metrics, /tessera_tokens_issued_total\{grant_type="client_credentials",alg="ES256"\} 1/);
  t.regex(metrics, /tessera_introspections_total\{result="active"\} 1/);
  t.regex(metrics, /tessera_introspections_total\{result="inactive"\} 1/);
  t.regex(metrics, /tessera_http_requests_total\{method="POST",route="\/token",status="200"\} 1/);
  t.regex(metrics, /tessera_http_request_duration_seconds_bucket\{le="[^"]+",method="POST",route="\/introspect"\}/);
  t.regex(metrics, /tessera_signing_key_age_seconds\{alg="RS256"\} \d/);
});

test('readyz answers 503 when the database is gone, and requests fail closed with 503', async (t) => {
  const server = await startTestServer(t);
  const client = await registerClient(server);
  const token = await clientCredentialsToken(server.url, client);
  // Simulate the database disappearing under a running server.
  await server.services.db.destroy();
  const ready = await fetch(`${server.url}/readyz`);
  t.is(ready.status, 503);
  const response = await postForm(`${server.url}/introspect`, { token }, { authorization: basic(client.client_id, client.client_secret) });
  t.is(response.status, 503);
  t.deepEqual(Object.keys((await response.json()) as object), ['error', 'error_description']);
});
