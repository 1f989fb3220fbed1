// `clients create/update` flags for clients that prove who they are: --auth-method private_key_jwt
// with --jwks FILE or --jwks-uri URL, --dpop-bound, --require-par (and their --no- forms for
// update); the same fields through the admin API. Keys change without a new client id.
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { api, signedInAdmin, startAccountServer } from '../helpers/accounts.js';
import { cliEnv, cliJson, runCli } from '../helpers/cli.js';
import { postForm, waitFor } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

async function keyPair(alg: 'ES256' | 'RS256', kid: string): Promise<{ privateKey: CryptoKey; publicJwk: JWK; privateJwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid }, privateJwk: { ...(await exportJWK(privateKey)), kid } };
}

function jwksFile(dir: string, name: string, content: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

async function tokenStatus(server: TestServer, clientId: string, key: { privateKey: CryptoKey; publicJwk: JWK }, alg: string): Promise<number> {
  const assertion = await new SignJWT({ jti: crypto.randomUUID() })
    .setProtectedHeader({ alg, kid: key.publicJwk.kid! })
    .setIssuer(clientId)
    .setSubject(clientId)
    .setAudience(server.config.issuer)
    .setIssuedAt()
    .setExpirationTime('1m')
    .sign(key.privateKey);
  const response = await postForm(`${server.url}/token`, { grant_type: 'client_credentials', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion });
  await response.body?.cancel();
  return response.status;
}

test('clients create --auth-method private_key_jwt --jwks FILE --dpop-bound --require-par, then update with new keys keeps the client id', async (t) => {
  const server = await startTestServer(t);
  const env = cliEnv(server);
  const first = await keyPair('ES256', 'first');
  const created = await cliJson(['clients', 'create', '--name', 'signed', '--auth-method', 'private_key_jwt', '--jwks', jwksFile(server.dir, 'first.json', { keys: [first.publicJwk] }), '--dpop-bound', '--require-par'], env);
  t.like(created, { token_endpoint_auth_method: 'private_key_jwt', dpop_bound_access_tokens: true, require_pushed_authorization_requests: true });
  t.deepEqual(created.jwks, { keys: [first.publicJwk] });
  t.false('client_secret' in created, 'no secret for a private_key_jwt client');
  t.false('jwks_uri' in created);

  // The client is dpop-bound, so the token endpoint wants a proof; without one it is still
  // authenticated first (400, not 401).
  t.is(await tokenStatus(server, created.client_id, first, 'ES256'), 400);
  const plain = await cliJson(['clients', 'update', created.client_id, '--no-dpop-bound', '--no-require-par'], env);
  t.like(plain, { client_id: created.client_id, dpop_bound_access_tokens: false, require_pushed_authorization_requests: false });
  await waitFor(async () => (await tokenStatus(server, created.client_id, first, 'ES256')) === 200, 5_000);

  const second = await keyPair('RS256', 'second');
  const updated = await cliJson(['clients', 'update', created.client_id, '--jwks', jwksFile(server.dir, 'second.json', { keys: [second.publicJwk] })], env);
  t.is(updated.client_id, created.client_id);
  t.deepEqual(updated.jwks, { keys: [second.publicJwk] });
  await waitFor(async () => (await tokenStatus(server, created.client_id, first, 'ES256')) === 401, 5_000);
  t.is(await tokenStatus(server, created.client_id, second, 'RS256'), 200);

  const byUri = await cliJson(['clients', 'update', created.client_id, '--jwks-uri', 'https://keys.example.com/jwks.json'], env);
  t.is(byUri.jwks_uri, 'https://keys.example.com/jwks.json');
  t.false('jwks' in byUri, 'a jwks_uri replaces the registered keys');
  t.is((await cliJson(['clients', 'show', created.client_id], env)).jwks_uri, 'https://keys.example.com/jwks.json');
  const loopback = await cliJson(['clients', 'create', '--name', 'local', '--auth-method', 'private_key_jwt', '--jwks-uri', 'http://127.0.0.1:8080/jwks'], env);
  t.is(loopback.jwks_uri, 'http://127.0.0.1:8080/jwks');

  // A secret client moves to keys in place; its secret stops working.
  const secretClient = await cliJson(['clients', 'create', '--name', 'moving'], env);
  const moved = await cliJson(['clients', 'update', secretClient.client_id, '--auth-method', 'private_key_jwt', '--jwks', jwksFile(server.dir, 'first-again.json', { keys: [first.publicJwk] })], env);
  t.is(moved.client_id, secretClient.client_id);
  t.is((await server.services.db.selectFrom('clients').select('client_secret_hash').where('client_id', '=', moved.client_id).executeTakeFirstOrThrow()).client_secret_hash, null);
  const back = await runCli(['clients', 'update', moved.client_id, '--auth-method', 'client_secret_basic', '--json'], env);
  t.is(back.code, 1, 'no way back to a secret');
  t.is((await runCli(['clients', 'rotate-secret', moved.client_id, '--json'], env)).code, 1, 'no secret to rotate');
});

test('bad keys and contradictory flags are refused', async (t) => {
  const server = await startTestServer(t);
  const env = cliEnv(server);
  const ec = await keyPair('ES256', 'ec');
  // jose refuses to make a key this weak; node:crypto still does.
  const weak = { publicJwk: { ...generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' }), kid: 'weak' } as JWK };
  const { publicKey: p384 } = await generateKeyPair('ES384', { extractable: true });
  const { kid: _kid, ...noKid } = ec.publicJwk;
  const file = (name: string, content: unknown) => jwksFile(server.dir, name, content);
  const refused: Array<[string, string[]]> = [
    ['a private key', ['--jwks', file('private.json', { keys: [ec.privateJwk] })]],
    ['a symmetric key', ['--jwks', file('oct.json', { keys: [{ kty: 'oct', k: 'c2VjcmV0', kid: 's' }] })]],
    ['RSA under 2048 bits', ['--jwks', file('weak.json', { keys: [weak.publicJwk] })]],
    ['P-384', ['--jwks', file('p384.json', { keys: [{ ...(await exportJWK(p384)), kid: 'p' }] })]],
    ['no kid', ['--jwks', file('nokid.json', { keys: [noKid] })]],
    ['a kid twice', ['--jwks', file('twice.json', { keys: [ec.publicJwk, { ...weak.publicJwk, kid: 'ec' }] })]],
    ['an empty set', ['--jwks', file('empty.json', { keys: [] })]],
    ['a point off the curve', ['--jwks', file('offcurve.json', { keys: [{ ...ec.publicJwk, y: ec.publicJwk.x }] })]],
    ['an ES256 key named RS256', ['--jwks', file('mislabelled.json', { keys: [{ ...ec.publicJwk, alg: 'RS256' }] })]],
    ['an encryption key', ['--jwks', file('enc.json', { keys: [{ ...ec.publicJwk, use: 'enc' }] })]],
    ['no keys at all', []],
    ['both jwks and jwks_uri', ['--jwks', file('ok.json', { keys: [ec.publicJwk] }), '--jwks-uri', 'https://keys.example.com/jwks']],
    ['a plain http jwks_uri', ['--jwks-uri', 'http://keys.example.com/jwks']],
    ['a jwks_uri with a fragment', ['--jwks-uri', 'https://keys.example.com/jwks#x']],
    ['not a URL', ['--jwks-uri', 'keys.example.com']],
  ];
  for (const [what, flags] of refused) {
    const result = await runCli(['clients', 'create', '--name', 'x', '--auth-method', 'private_key_jwt', ...flags, '--json'], env);
    t.is(result.code, 1, what);
    t.is(result.stdout, '', what);
    t.regex(result.stderr, /^tessera: /, what);
  }
  const okFile = file('ok.json', { keys: [ec.publicJwk] });
  t.is((await runCli(['clients', 'create', '--name', 'x', '--jwks', okFile, '--json'], env)).code, 1, 'keys for a secret client');
  t.is((await runCli(['clients', 'create', '--name', 'x', '--auth-method', 'private_key_jwt', '--jwks', join(server.dir, 'missing.json'), '--json'], env)).code, 64, 'unreadable file');
  t.is((await runCli(['clients', 'create', '--name', 'x', '--auth-method', 'private_key_jwt', '--jwks', file('bad.json', '{not json'), '--json'], env)).code, 64, 'not JSON');
  t.is((await runCli(['clients', 'create', '--name', 'x', '--dpop-bound', '--no-dpop-bound', '--json'], env)).code, 64, 'contradictory switches');
  t.is((await cliJson<unknown[]>(['clients', 'list'], env)).length, 1, 'nothing was registered but the built-in client');
});

test('the admin API takes the same fields; PATCH changes keys and keeps the client id', async (t) => {
  const server = await startAccountServer(t);
  const admin = await signedInAdmin(server);
  const first = await keyPair('ES256', 'a1');
  const created = await api(server, 'POST', '/admin/clients', {
    token: admin.token,
    body: { client_name: 'signed', token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [first.publicJwk] }, dpop_bound_access_tokens: true, require_pushed_authorization_requests: true },
  });
  t.is(created.status, 201);
  t.like(created.body, { token_endpoint_auth_method: 'private_key_jwt', dpop_bound_access_tokens: true, require_pushed_authorization_requests: true });
  t.false('client_secret' in created.body);

  const second = await keyPair('ES256', 'a2');
  const patched = await api(server, 'PATCH', `/admin/clients/${created.body.client_id}`, { token: admin.token, body: { jwks: { keys: [second.publicJwk] }, dpop_bound_access_tokens: false } });
  t.is(patched.status, 200);
  t.is(patched.body.client_id, created.body.client_id);
  t.deepEqual(patched.body.jwks, { keys: [second.publicJwk] });
  t.false(patched.body.dpop_bound_access_tokens);
  t.true(patched.body.require_pushed_authorization_requests, 'unchanged');
  t.is(await tokenStatus(server, created.body.client_id, second, 'ES256'), 200, 'applied at once on this instance');
  t.is(await tokenStatus(server, created.body.client_id, first, 'ES256'), 401);

  const refused = await api(server, 'PATCH', `/admin/clients/${created.body.client_id}`, { token: admin.token, body: { jwks: { keys: [first.privateJwk] } } });
  t.is(refused.status, 400);
  t.is(refused.body.error, 'invalid_request');
  t.is((await api(server, 'PATCH', `/admin/clients/${created.body.client_id}`, { token: admin.token, body: { dpop_bound_access_tokens: 'yes' } })).status, 400);
});
