import { createHmac, createPublicKey, sign } from 'node:crypto';
import test from 'ava';
import { generateKeyPair, SignJWT } from 'jose';
import { basic, clientCredentialsToken, introspect, postForm, revoke } from '../helpers/http.js';
import { ManualClock, registerClient, startTestServer, TEST_ACTOR } from '../helpers/server.js';

const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

test('a fresh token introspects active with every contract field', async (t) => {
  const server = await startTestServer(t);
  const client = await registerClient(server, { scope: 'read write' });
  const resourceServer = await registerClient(server);
  const token = await clientCredentialsToken(server.url, client, 'read');

  const result = await introspect(server.url, resourceServer, token);
  t.like(result, { active: true, scope: 'read', client_id: client.client_id, sub: client.client_id, aud: server.config.issuer, iss: server.config.issuer, token_type: 'Bearer' });
  t.deepEqual(Object.keys(result).sort(), ['active', 'aud', 'client_id', 'exp', 'iat', 'iss', 'jti', 'scope', 'sub', 'token_type']);
  t.is((result.exp as number) - (result.iat as number), 900);
});

test('revocation makes the token inactive at once; revoking an unknown token is 200; another client cannot revoke it', async (t) => {
  const server = await startTestServer(t);
  const owner = await registerClient(server);
  const stranger = await registerClient(server);
  const token = await clientCredentialsToken(server.url, owner);

  t.is(await revoke(server.url, stranger, token), 200);
  t.true((await introspect(server.url, stranger, token)).active as boolean, "another client's revocation leaves it active");
  t.is(await revoke(server.url, stranger, 'not-a-token'), 200);

  t.is(await revoke(server.url, owner, token), 200);
  t.deepEqual(await introspect(server.url, stranger, token), { active: false });
  t.is(await revoke(server.url, owner, token), 200, 'revoking twice is fine');
  // A wrong hint changes nothing (RFC 7662 §2.1).
  t.deepEqual(await introspect(server.url, stranger, token, { token_type_hint: 'refresh_token' }), { active: false });
});

test('a token expires exactly at its exp (ACCESS_TOKEN_TTL=2s), with no leeway', async (t) => {
  const clock = new ManualClock();
  const server = await startTestServer(t, { env: { ACCESS_TOKEN_TTL: '2s' }, clock });
  const client = await registerClient(server);
  const token = await clientCredentialsToken(server.url, client);
  t.true((await introspect(server.url, client, token)).active as boolean);
  clock.advance(1_000);
  t.true((await introspect(server.url, client, token)).active as boolean);
  clock.advance(1_000);
  t.deepEqual(await introspect(server.url, client, token), { active: false });
});

test('forged and tampered tokens are inactive, never an error', async (t) => {
  const server = await startTestServer(t);
  const client = await registerClient(server);
  const token = await clientCredentialsToken(server.url, client);
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
  const kid = server.services.keys.keystore.signingKey('ES256').kid;

  // One flipped bit in the signature.
  const sig = Buffer.from(signature, 'base64url');
  sig.writeUInt8(sig.readUInt8(10) ^ 0x01, 10);
  const flipped = `${header}.${payload}.${sig.toString('base64url')}`;

  // alg: none, in several spellings.
  const none = ['none', 'None', 'NONE'].map((alg) => `${b64({ alg, kid, typ: 'at+jwt' })}.${payload}.`);

  // HS256 keyed with our public key, as PEM, DER and JWK bytes (the key-confusion attack).
  const publicKey = createPublicKey({ key: { ...(JSON.parse(server.services.keys.keystore.jwksDocument.body).keys as Array<{ kid: string }>).find((k) => k.kid === kid) } as never, format: 'jwk' });
  const confusion = [
    publicKey.export({ type: 'spki', format: 'pem' }),
    publicKey.export({ type: 'spki', format: 'der' }),
    Buffer.from(JSON.stringify(publicKey.export({ format: 'jwk' }))),
  ].map((secret) => {
    const input = `${b64({ alg: 'HS256', kid, typ: 'at+jwt' })}.${payload}`;
    return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
  });

  // An all-zero ES256 signature (CVE-2022-21449) and one of the wrong length.
  const zero = `${header}.${payload}.${Buffer.alloc(64).toString('base64url')}`;
  const short = `${header}.${payload}.${Buffer.alloc(10).toString('base64url')}`;

  // Another issuer's token: a key of its own, published nowhere we know.
  const other = await generateKeyPair('ES256');
  const foreign = await new SignJWT({ ...claims }).setProtectedHeader({ alg: 'ES256', kid: 'other-kid', typ: 'at+jwt' }).sign(other.privateKey);
  const foreignSameKid = await new SignJWT({ ...claims }).setProtectedHeader({ alg: 'ES256', kid, typ: 'at+jwt' }).sign(other.privateKey);

  // Our own key, used by a hypothetical insider, with the wrong issuer or the wrong typ, or no exp.
  const signingKey = server.services.keys.keystore.signingKey('ES256').key;
  const wrongIssuer = await new SignJWT({ ...claims, iss: 'https://evil.example.com' }).setProtectedHeader({ alg: 'ES256', kid, typ: 'at+jwt' }).sign(signingKey);
  const wrongTyp = await new SignJWT({ ...claims }).setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' }).sign(signingKey);
  const { exp: _exp, ...noExpClaims } = claims;
  const noExp = await new SignJWT(noExpClaims).setProtectedHeader({ alg: 'ES256', kid, typ: 'at+jwt' }).sign(signingKey);
  const future = await new SignJWT({ ...claims, nbf: Math.floor(Date.now() / 1000) + 3600 }).setProtectedHeader({ alg: 'ES256', kid, typ: 'at+jwt' }).sign(signingKey);
  // jose will not even sign an unknown `crit`, so this one is signed by hand.
  const critInput = `${b64({ alg: 'ES256', kid, typ: 'at+jwt', crit: ['x-unknown'], 'x-unknown': 1 })}.${payload}`;
  const crit = `${critInput}.${sign('sha256', Buffer.from(critInput), { key: signingKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;

  // Hostile kids and malformed compact serialisations.
  const hostileKids = ['../../etc/passwd', "' OR 1=1 --", 'x'.repeat(10_000)].map((bad) => `${b64({ alg: 'ES256', kid: bad, typ: 'at+jwt' })}.${payload}.${signature}`);
  const malformed = ['a', 'a.b', 'a.b.c.d', `${header}.${payload}`, `!!!.${payload}.${signature}`, `${b64('\xff\xfe')}.${payload}.${signature}`, `${header}.%%%.${signature}`];

  const cases = { flipped, zero, short, foreign, foreignSameKid, wrongIssuer, wrongTyp, noExp, future, crit };
  for (const [name, forged] of [...Object.entries(cases), ...none.map((v, i) => [`none${i}`, v]), ...confusion.map((v, i) => [`hs256-${i}`, v]), ...hostileKids.map((v, i) => [`kid${i}`, v]), ...malformed.map((v, i) => [`malformed${i}`, v])] as Array<[string, string]>) {
    const response = await postForm(`${server.url}/introspect`, { token: forged }, { authorization: basic(client.client_id, client.client_secret) });
    t.is(response.status, 200, name);
    t.deepEqual(await response.json(), { active: false }, name);
  }
  // No token at all is a malformed request, not an inactive token (RFC 7662 §2.1: token is required).
  const missing = await postForm(`${server.url}/introspect`, { token: '' }, { authorization: basic(client.client_id, client.client_secret) });
  t.is(missing.status, 400);
  t.is(((await missing.json()) as { error: string }).error, 'invalid_request');
  // The genuine token is still fine, so the failures above are about the forgeries.
  t.true((await introspect(server.url, client, token)).active as boolean);
});

test('introspection without client authentication is 401 invalid_client with WWW-Authenticate', async (t) => {
  const server = await startTestServer(t);
  const client = await registerClient(server);
  const token = await clientCredentialsToken(server.url, client);
  const anonymous = await postForm(`${server.url}/introspect`, { token });
  t.is(anonymous.status, 401);
  t.regex(anonymous.headers.get('www-authenticate') ?? '', /^Basic realm=/);
  t.deepEqual(await anonymous.json(), { error: 'invalid_client', error_description: 'client authentication failed' });

  const wrong = await postForm(`${server.url}/introspect`, { token }, { authorization: basic(client.client_id, 'wrong') });
  t.is(wrong.status, 401);
  t.truthy(wrong.headers.get('www-authenticate'));
});

test("a deleted client's tokens introspect inactive", async (t) => {
  const server = await startTestServer(t);
  const client = await registerClient(server);
  const resourceServer = await registerClient(server);
  const token = await clientCredentialsToken(server.url, client);
  await server.services.clients.delete(client.client_id, TEST_ACTOR);
  await server.services.clientRegistry.refresh();
  t.deepEqual(await introspect(server.url, resourceServer, token), { active: false });
});

test('a token revoked through another instance on the same database is inactive on the next call', async (t) => {
  const first = await startTestServer(t);
  const second = await startTestServer(t, { dir: first.dir, databaseUrl: first.config.databaseUrl, env: { ISSUER: first.config.issuer } });
  const client = await registerClient(first);
  const token = await clientCredentialsToken(first.url, client);
  t.true((await introspect(first.url, client, token)).active as boolean);
  t.is(await revoke(second.url, client, token), 200);
  t.deepEqual(await introspect(first.url, client, token), { active: false });
});
