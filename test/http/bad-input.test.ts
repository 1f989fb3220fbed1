import { request } from 'node:http';
import test from 'ava';
import { basic, postForm } from '../helpers/http.js';
import { registerClient, startTestServer, type TestServer } from '../helpers/server.js';
import { snapshot } from '../helpers/snapshot.js';

/** Sends raw bytes, so that the body and headers are exactly what a hostile client would send. */
function raw(server: TestServer, path: string, body: Buffer | string, headers: Record<string, string>, method = 'POST') {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>((resolve, reject) => {
    const url = new URL(path, server.url);
    const req = request(url, { method, headers: { 'content-length': String(Buffer.byteLength(body)), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

test('hostile and malformed token requests get the contract error body and change nothing', async (t) => {
  const server = await startTestServer(t);
  const client = await registerClient(server);
  const auth = { authorization: basic(client.client_id, client.client_secret) };
  const before = await snapshot(server.services.db);

  const cases: Array<[string, Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>, number, string]> = [
    ['missing grant_type', raw(server, '/token', 'scope=x', { ...FORM, ...auth }), 400, 'invalid_request'],
    ['unknown grant_type', raw(server, '/token', 'grant_type=password&username=a&password=b', { ...FORM, ...auth }), 400, 'unsupported_grant_type'],
    ['malformed Basic header', raw(server, '/token', 'grant_type=client_credentials', { ...FORM, authorization: 'Basic %%%not-base64' }), 401, 'invalid_client'],
    ['Basic without a colon', raw(server, '/token', 'grant_type=client_credentials', { ...FORM, authorization: `Basic ${Buffer.from('nocolon').toString('base64')}` }), 401, 'invalid_client'],
    ['unknown client', raw(server, '/token', 'grant_type=client_credentials', { ...FORM, authorization: basic('nobody', 'secret') }), 401, 'invalid_client'],
    ['wrong secret', raw(server, '/token', 'grant_type=client_credentials', { ...FORM, authorization: basic(client.client_id, `${client.client_secret}x`) }), 401, 'invalid_client'],
    ['1 MB body', raw(server, '/token', `grant_type=client_credentials&pad=${'a'.repeat(1024 * 1024)}`, { ...FORM, ...auth }), 413, 'invalid_request'],
    ['JSON to a form endpoint', raw(server, '/token', '{"grant_type":"client_credentials"}', { 'content-type': 'application/json', ...auth }), 415, 'invalid_request'],
    ['invalid UTF-8 bytes', raw(server, '/token', Buffer.from([...Buffer.from('grant_type=client_credentials&x='), 0xff, 0xfe]), { ...FORM, ...auth }), 400, 'invalid_request'],
    ['invalid UTF-8 percent-encoding', raw(server, '/token', 'grant_type=client_credentials&x=%ff%fe', { ...FORM, ...auth }), 400, 'invalid_request'],
    ['10 kB client_id', raw(server, '/token', `grant_type=client_credentials&client_id=${'c'.repeat(10_240)}&client_secret=x`, FORM), 401, 'invalid_client'],
    ['repeated parameter', raw(server, '/token', 'grant_type=client_credentials&grant_type=client_credentials', { ...FORM, ...auth }), 400, 'invalid_request'],
    ['credentials in header and body', raw(server, '/token', `grant_type=client_credentials&client_secret=${client.client_secret}`, { ...FORM, ...auth }), 400, 'invalid_request'],
    ['malformed scope', raw(server, '/token', `grant_type=client_credentials&scope=${encodeURIComponent('a"b')}`, { ...FORM, ...auth }), 400, 'invalid_scope'],
    ['GET on the token endpoint', raw(server, '/token', '', {}, 'GET'), 405, 'invalid_request'],
    ['TRACE', raw(server, '/token', '', {}, 'TRACE'), 405, 'invalid_request'],
    ['unknown route', raw(server, '/nope', '', {}, 'GET'), 404, 'not_found'],
    ['revoke without a token', raw(server, '/revoke', '', { ...FORM, ...auth }), 400, 'invalid_request'],
    ['__proto__ parameters', raw(server, '/token', 'grant_type=client_credentials&__proto__=x&constructor=y', { ...FORM, ...auth }), 200, ''],
  ];

  for (const [name, pending, status, error] of cases) {
    const response = await pending;
    t.is(response.status, status, name);
    if (status === 200) continue;
    t.regex(String(response.headers['content-type']), /^application\/json/, name);
    const body = JSON.parse(response.body) as Record<string, unknown>;
    t.deepEqual(Object.keys(body), ['error', 'error_description'], name);
    t.is(body.error, error, name);
    t.is(typeof body.error_description, 'string', name);
    t.notRegex(response.body, /\bat \S+:\d+|Error:/, `${name}: no stack trace`);
    if (status === 401) t.truthy(response.headers['www-authenticate'], `${name}: WWW-Authenticate`);
    if (status === 405) t.is(response.headers.allow, 'POST', `${name}: Allow`);
  }
  t.deepEqual(({} as Record<string, unknown>).x, undefined, 'no prototype pollution');
  // The failed client authentications are counted per IP (README, Errors), and that is all that changed.
  const { rate_limits: counters, ...after } = await snapshot(server.services.db);
  const { rate_limits: _countersBefore, ...rest } = before;
  t.deepEqual(after, rest, 'nothing in the database changed');
  t.deepEqual(
    (counters as Array<{ key: string; count: number }>).map((row) => [row.key, Number(row.count)]),
    [['client-auth:127.0.0.1', 5]],
    'but the five failed client authentications from this IP',
  );
});

test('every response carries the security headers and a request id', async (t) => {
  const server = await startTestServer(t);
  for (const path of ['/.well-known/openid-configuration', '/.well-known/jwks.json', '/nope', '/healthz']) {
    const response = await fetch(`${server.url}${path}`);
    t.is(response.headers.get('x-content-type-options'), 'nosniff', path);
    t.is(response.headers.get('x-frame-options'), 'DENY', path);
    t.is(response.headers.get('referrer-policy'), 'no-referrer', path);
    t.regex(response.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/, path);
    t.regex(response.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/, path);
    t.is(response.headers.get('strict-transport-security'), null, 'no HSTS on an http issuer');
  }
  const echoed = await fetch(`${server.url}/healthz`, { headers: { 'x-request-id': 'trace-123' } });
  t.is(echoed.headers.get('x-request-id'), 'trace-123');
  const injected = await fetch(`${server.url}/healthz`, { headers: { 'x-request-id': 'bad id with spaces' } });
  t.not(injected.headers.get('x-request-id'), 'bad id with spaces');
});

test('HSTS is sent when the issuer is https; CORS opens only the configured origins', async (t) => {
  const server = await startTestServer(t, { env: { ISSUER: 'https://id.example.com', CORS_ORIGINS: 'https://app.example.com' } });
  const response = await fetch(`${server.url}/.well-known/openid-configuration`, { headers: { origin: 'https://app.example.com' } });
  t.regex(response.headers.get('strict-transport-security') ?? '', /max-age=\d+/);
  t.is(response.headers.get('access-control-allow-origin'), 'https://app.example.com');
  const other = await fetch(`${server.url}/.well-known/openid-configuration`, { headers: { origin: 'https://evil.example.com' } });
  t.is(other.headers.get('access-control-allow-origin'), null);
  const introspection = await postForm(`${server.url}/introspect`, { token: 'x' }, { origin: 'https://app.example.com' });
  t.is(introspection.headers.get('access-control-allow-origin'), null, 'introspection is not for browsers');
});
