// Pushed authorization requests (RFC 9126) over HTTP: the endpoint authenticates the client as the
// token endpoint does, checks the parameters as /authorize would and answers 201 with a
// request_uri; /authorize takes it once, within 60 s, for its own client only; a client registered
// with require_pushed_authorization_requests is refused at /authorize without one. The browser
// flow with openid-client is in test/browser/pushed-authorization.test.ts.
import test from 'ava';
import { exportJWK, generateKeyPair } from 'jose';
import * as oidc from 'openid-client';
import { basic, postForm } from '../helpers/http.js';
import { ManualClock, registerClient, startTestServer, type TestServer } from '../helpers/server.js';

const REDIRECT = 'https://rp.example/cb';
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'; // RFC 7636 Appendix B

const authorizationParams = (extra: Record<string, string> = {}) => ({
  response_type: 'code',
  redirect_uri: REDIRECT,
  scope: 'openid email',
  state: 'st',
  nonce: 'no',
  code_challenge: CHALLENGE,
  code_challenge_method: 'S256',
  ...extra,
});

const push = (server: TestServer, client: { client_id: string; client_secret: string }, extra: Record<string, string> = {}) =>
  postForm(`${server.url}/par`, authorizationParams(extra), { authorization: basic(client.client_id, client.client_secret) });

/** /authorize without following redirects: where it sends the browser, or the error page's status. */
async function authorize(server: TestServer, query: Record<string, string>): Promise<{ status: number; location: URL | undefined }> {
  const response = await fetch(`${server.url}/authorize?${new URLSearchParams(query).toString()}`, { redirect: 'manual' });
  await response.body?.cancel();
  const location = response.headers.get('location');
  return { status: response.status, location: location === null ? undefined : new URL(location, server.url) };
}

test('discovery names the PAR endpoint (RFC 9126 §5)', async (t) => {
  const server = await startTestServer(t);
  const metadata = (await (await fetch(`${server.url}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
  t.is(metadata.pushed_authorization_request_endpoint, `${server.config.issuer}/par`);
  t.is(metadata.require_pushed_authorization_requests, false);
});

test('a pushed request gives a request_uri that /authorize takes once, for its own client, ignoring the rest of the query', async (t) => {
  const server = await startTestServer(t);
  const client = await registerClient(server, { redirectUris: [REDIRECT] });
  const other = await registerClient(server, { redirectUris: [REDIRECT] });

  const response = await push(server, client);
  t.is(response.status, 201);
  t.is(response.headers.get('cache-control'), 'no-store');
  const body = (await response.json()) as { request_uri: string; expires_in: number };
  t.regex(body.request_uri, /^urn:ietf:params:oauth:request_uri:[A-Za-z0-9_-]{43}$/);
  t.is(body.expires_in, 60);
  const stored = await server.services.db.selectFrom('pushed_requests').selectAll().execute();
  t.is(stored.length, 1);
  t.false(stored[0]!.request_uri_hash.includes(body.request_uri.slice(-43)), 'stored hashed');

  const byOther = await authorize(server, { client_id: other.client_id, request_uri: body.request_uri });
  t.is(byOther.status, 400, 'another client cannot use it');

  // Other query parameters are ignored (RFC 9126 §4): a bad scope or an unregistered
  // redirect_uri beside the request_uri changes nothing.
  const first = await authorize(server, { client_id: client.client_id, request_uri: body.request_uri, scope: 'bogus', redirect_uri: 'https://evil.example/cb' });
  t.is(first.status, 303);
  t.is(first.location?.pathname, '/login');

  const second = await authorize(server, { client_id: client.client_id, request_uri: body.request_uri });
  t.is(second.status, 400, 'single use');
  t.is(second.location, undefined, 'an error page, no redirect');

  t.is((await authorize(server, { client_id: client.client_id, request_uri: 'urn:ietf:params:oauth:request_uri:made-up' })).status, 400);
  t.is((await authorize(server, { client_id: client.client_id, request_uri: 'https://rp.example/request.jwt' })).status, 400);
  t.is((await authorize(server, { request_uri: body.request_uri })).status, 400, 'client_id is required');
});

test('a request_uri expires after 60 s', async (t) => {
  const clock = new ManualClock();
  const server = await startTestServer(t, { clock });
  const client = await registerClient(server, { redirectUris: [REDIRECT] });
  const early = (await (await push(server, client)).json()) as { request_uri: string };
  const late = (await (await push(server, client)).json()) as { request_uri: string };
  clock.advance(59_000);
  t.is((await authorize(server, { client_id: client.client_id, request_uri: early.request_uri })).status, 303);
  clock.advance(1_000);
  t.is((await authorize(server, { client_id: client.client_id, request_uri: late.request_uri })).status, 400);
});

test('the PAR endpoint authenticates the client and checks the parameters as /authorize does, answering JSON errors', async (t) => {
  const server = await startTestServer(t);
  const client = await registerClient(server, { redirectUris: [REDIRECT] });
  const pub = await registerClient(server, { redirectUris: [REDIRECT], public: true });

  const anonymous = await postForm(`${server.url}/par`, authorizationParams());
  t.is(anonymous.status, 401);
  t.is(((await anonymous.json()) as { error: string }).error, 'invalid_client');
  const wrongSecret = await push(server, { ...client, client_secret: 'wrong' });
  t.is(wrongSecret.status, 401);
  t.is((await postForm(`${server.url}/par`, authorizationParams({ client_id: pub.client_id }))).status, 201, 'a public client sends its client_id');

  const refusals: Array<[Record<string, string>, string]> = [
    [{ code_challenge: '' }, 'invalid_request'],
    [{ code_challenge_method: 'plain' }, 'invalid_request'],
    [{ scope: 'openid admin' }, 'invalid_scope'],
    [{ response_type: 'token' }, 'unsupported_response_type'],
    [{ redirect_uri: 'https://evil.example/cb' }, 'invalid_request'],
    [{ request_uri: 'urn:ietf:params:oauth:request_uri:abc' }, 'invalid_request'],
    [{ client_id: pub.client_id }, 'invalid_request'],
  ];
  for (const [extra, error] of refusals) {
    const response = await push(server, client, extra);
    t.is(response.status, 400, JSON.stringify(extra));
    t.is(response.headers.get('content-type'), 'application/json; charset=utf-8');
    const body = (await response.json()) as Record<string, string>;
    t.deepEqual(Object.keys(body).sort(), ['error', 'error_description']);
    t.is(body.error, error, JSON.stringify(extra));
  }
  t.is((await server.services.db.selectFrom('pushed_requests').selectAll().execute()).length, 1, 'only the good request was stored');

  // Client credentials sent in the body are not stored with the parameters.
  const post = await registerClient(server, { redirectUris: [REDIRECT], authMethod: 'client_secret_post' });
  t.is((await postForm(`${server.url}/par`, authorizationParams({ client_id: post.client_id, client_secret: post.client_secret }))).status, 201);
  const rows = await server.services.db.selectFrom('pushed_requests').select('params').where('client_id', '=', post.client_id).execute();
  t.false(rows[0]!.params.includes(post.client_secret));
});

test('a require-par client is refused at /authorize without a request_uri, and served with one', async (t) => {
  const server = await startTestServer(t);
  const client = await registerClient(server, { redirectUris: [REDIRECT], requirePar: true });
  t.true(client.require_pushed_authorization_requests as boolean);

  const direct = await authorize(server, { client_id: client.client_id, ...authorizationParams() });
  t.is(direct.status, 303);
  t.is(`${direct.location!.origin}${direct.location!.pathname}`, REDIRECT, 'the error goes back to the registered redirect_uri');
  t.is(direct.location!.searchParams.get('error'), 'invalid_request');
  t.is(direct.location!.searchParams.get('state'), 'st');
  t.is(direct.location!.searchParams.get('iss'), server.config.issuer);

  const unregistered = await authorize(server, { client_id: client.client_id, ...authorizationParams({ redirect_uri: 'https://evil.example/cb' }) });
  t.is(unregistered.status, 400, 'never a redirect to an unregistered URI');

  const pushed = (await (await push(server, client)).json()) as { request_uri: string };
  t.is((await authorize(server, { client_id: client.client_id, request_uri: pushed.request_uri })).location?.pathname, '/login');
});

test('a private_key_jwt client pushes its request with openid-client', async (t) => {
  const server = await startTestServer(t);
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const registered = await registerClient(server, { redirectUris: [REDIRECT], authMethod: 'private_key_jwt', jwks: { keys: [{ ...(await exportJWK(publicKey)), kid: 'k1' }] } });
  const config = await oidc.discovery(new URL(server.config.issuer), registered.client_id, undefined, oidc.PrivateKeyJwt({ key: privateKey, kid: 'k1' }), { execute: [oidc.allowInsecureRequests] });
  const url = await oidc.buildAuthorizationUrlWithPAR(config, authorizationParams());
  t.deepEqual([...url.searchParams.keys()].sort(), ['client_id', 'request_uri']);
  t.is((await authorize(server, Object.fromEntries(url.searchParams))).location?.pathname, '/login');
});
