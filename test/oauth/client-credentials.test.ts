import test from 'ava';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { basic, postForm } from '../helpers/http.js';
import { registerClient, startTestServer, TEST_ACTOR } from '../helpers/server.js';

async function discover(issuer: string, clientId: string, secret: string, auth: 'basic' | 'post') {
  const method = auth === 'basic' ? oidc.ClientSecretBasic(secret) : oidc.ClientSecretPost(secret);
  return oidc.discovery(new URL(issuer), clientId, secret, method, { execute: [oidc.allowInsecureRequests] });
}

test('openid-client discovers the issuer and gets an ES256 token that jose verifies against the JWKS', async (t) => {
  const server = await startTestServer(t);
  const client = await registerClient(server, { scope: 'orders:read orders:write' });
  const config = await discover(server.config.issuer, client.client_id, client.client_secret, 'basic');
  const tokens = await oidc.clientCredentialsGrant(config, { scope: 'orders:read' });

  t.is(tokens.token_type, 'bearer');
  t.is(tokens.scope, 'orders:read');
  t.is(tokens.expires_in, 900);

  const jwks = createRemoteJWKSet(new URL(`${server.config.issuer}/.well-known/jwks.json`));
  const { payload, protectedHeader } = await jwtVerify(tokens.access_token, jwks, {
    issuer: server.config.issuer,
    audience: server.config.issuer,
    typ: 'at+jwt',
  });
  t.is(protectedHeader.alg, 'ES256');
  t.is(protectedHeader.typ, 'at+jwt');
  t.is(typeof protectedHeader.kid, 'string');
  t.is(payload.sub, client.client_id);
  t.is(payload.client_id, client.client_id);
  t.is(payload.scope, 'orders:read');
  t.is(typeof payload.jti, 'string');
  t.is(payload.exp! - payload.iat!, 900);
  // RFC 9068 claims and nothing personal beyond them.
  t.deepEqual(Object.keys(payload).sort(), ['aud', 'client_id', 'exp', 'iat', 'iss', 'jti', 'scope', 'sub']);
});

test('a client registered with RS256 gets RS256 tokens, through client_secret_post too', async (t) => {
  const server = await startTestServer(t);
  const client = await registerClient(server, { accessTokenAlg: 'RS256', audience: 'https://api.example.com', authMethod: 'client_secret_post' });
  const config = await discover(server.config.issuer, client.client_id, client.client_secret, 'post');
  const tokens = await oidc.clientCredentialsGrant(config);

  t.is(decodeProtectedHeader(tokens.access_token).alg, 'RS256');
  const jwks = createRemoteJWKSet(new URL(`${server.config.issuer}/.well-known/jwks.json`));
  const { payload } = await jwtVerify(tokens.access_token, jwks, { issuer: server.config.issuer, audience: 'https://api.example.com', typ: 'at+jwt' });
  t.is(payload.aud, 'https://api.example.com');
  // The signing key is the active RS256 one of the keystore.
  t.is(decodeProtectedHeader(tokens.access_token).kid, server.services.keys.keystore.signingKey('RS256').kid);
});

test('without scope the client gets every registered scope; a scope beyond them is invalid_scope', async (t) => {
  const server = await startTestServer(t);
  const client = await registerClient(server, { scope: 'a b c' });
  const auth = { authorization: basic(client.client_id, client.client_secret) };
  const url = `${server.url}/token`;

  const all = await postForm(url, { grant_type: 'client_credentials' }, auth);
  t.is(all.status, 200);
  t.is(((await all.json()) as { scope: string }).scope, 'a b c');

  const some = await postForm(url, { grant_type: 'client_credentials', scope: 'c a' }, auth);
  t.is(((await some.json()) as { scope: string }).scope, 'c a');

  const wider = await postForm(url, { grant_type: 'client_credentials', scope: 'a z' }, auth);
  t.is(wider.status, 400);
  t.is(((await wider.json()) as { error: string }).error, 'invalid_scope');

  const openid = await postForm(url, { grant_type: 'client_credentials', scope: 'openid' }, auth);
  t.is(openid.status, 400);
  t.deepEqual(Object.keys((await openid.json()) as object), ['error', 'error_description']);
});

test('token responses are never cached and follow RFC 6749 §5.1', async (t) => {
  const server = await startTestServer(t);
  const client = await registerClient(server);
  const response = await postForm(`${server.url}/token`, { grant_type: 'client_credentials' }, { authorization: basic(client.client_id, client.client_secret) });
  t.is(response.status, 200);
  t.is(response.headers.get('cache-control'), 'no-store');
  t.regex(response.headers.get('content-type') ?? '', /^application\/json/);
  const body = (await response.json()) as Record<string, unknown>;
  t.deepEqual(Object.keys(body).sort(), ['access_token', 'expires_in', 'token_type']);
  t.is(body.token_type, 'Bearer');
});

test('a client without the client_credentials grant is unauthorized_client; a public client cannot authenticate', async (t) => {
  const server = await startTestServer(t);
  const codeClient = await registerClient(server, { redirectUris: ['https://app.example.com/cb'] });
  const refused = await postForm(`${server.url}/token`, { grant_type: 'client_credentials' }, { authorization: basic(codeClient.client_id, codeClient.client_secret) });
  t.is(refused.status, 400);
  t.is(((await refused.json()) as { error: string }).error, 'unauthorized_client');

  const spa = await registerClient(server, { redirectUris: ['https://spa.example.com/cb'], public: true });
  const publicTry = await postForm(`${server.url}/token`, { grant_type: 'client_credentials', client_id: spa.client_id });
  t.is(publicTry.status, 400);
  t.is(((await publicTry.json()) as { error: string }).error, 'unauthorized_client');
});

test('a rotated secret and a deleted client stop working at once on this instance', async (t) => {
  const server = await startTestServer(t);
  const client = await registerClient(server);
  const token = (secret: string) =>
    postForm(`${server.url}/token`, { grant_type: 'client_credentials' }, { authorization: basic(client.client_id, secret) });
  t.is((await token(client.client_secret)).status, 200);

  const { secret } = await server.services.clients.rotateSecret(client.client_id, TEST_ACTOR);
  await server.services.clientRegistry.refresh();
  t.is((await token(client.client_secret)).status, 401);
  t.is((await token(secret!)).status, 200);

  await server.services.clients.delete(client.client_id, TEST_ACTOR);
  await server.services.clientRegistry.refresh();
  t.is((await token(secret!)).status, 401);
});
