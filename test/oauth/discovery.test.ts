import test from 'ava';
import { startTestServer } from '../helpers/server.js';

const REQUIRED = [
  'issuer', 'authorization_endpoint', 'token_endpoint', 'userinfo_endpoint', 'jwks_uri', 'introspection_endpoint',
  'revocation_endpoint', 'end_session_endpoint', 'scopes_supported', 'response_types_supported', 'grant_types_supported',
  'code_challenge_methods_supported', 'token_endpoint_auth_methods_supported', 'id_token_signing_alg_values_supported',
  'subject_types_supported', 'claims_supported',
];

test('discovery names every contract field under both well-known paths, with URLs under the issuer', async (t) => {
  const server = await startTestServer(t, { env: { ISSUER: 'https://id.example.com/tenant' } });
  const oidc = (await (await fetch(`${server.url}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
  const oauth = (await (await fetch(`${server.url}/.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>;
  t.deepEqual(oidc, oauth);
  for (const field of REQUIRED) t.true(field in oidc, field);
  t.is(oidc.issuer, 'https://id.example.com/tenant');
  for (const [field, value] of Object.entries(oidc)) {
    if (field.endsWith('_endpoint') || field === 'jwks_uri') t.true(String(value).startsWith('https://id.example.com/tenant/'), field);
  }
  t.deepEqual(oidc.code_challenge_methods_supported, ['S256']);
  t.deepEqual(oidc.response_types_supported, ['code']);
  t.deepEqual(oidc.id_token_signing_alg_values_supported, ['ES256', 'RS256']);
  t.true((oidc.grant_types_supported as string[]).includes('client_credentials'));
  t.true((oidc.token_endpoint_auth_methods_supported as string[]).includes('client_secret_basic'));
});

test('the JWKS holds public keys only, ES256 on P-256 and RS256 of at least 2048 bits, with caching headers and 304', async (t) => {
  const server = await startTestServer(t);
  const response = await fetch(`${server.url}/.well-known/jwks.json`);
  t.is(response.status, 200);
  // Half the default 1 h publish lead (docs/decisions.md, Signing keys).
  t.is(response.headers.get('cache-control'), 'public, max-age=1800');
  const etag = response.headers.get('etag');
  t.truthy(etag);
  const { keys } = (await response.json()) as { keys: Array<Record<string, string>> };

  // One active and one queued key per algorithm with the defaults.
  t.is(keys.length, 4);
  t.is(new Set(keys.map((k) => k.kid)).size, keys.length, 'unique kids');
  for (const key of keys) {
    t.is(key.use, 'sig');
    for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) t.false(secret in key, `no private member ${secret}`);
    if (key.alg === 'ES256') {
      t.deepEqual(Object.keys(key).sort(), ['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
      t.is(key.crv, 'P-256');
    } else {
      t.is(key.alg, 'RS256');
      t.deepEqual(Object.keys(key).sort(), ['alg', 'e', 'kid', 'kty', 'n', 'use']);
      t.true(Buffer.from(key.n!, 'base64url').length * 8 >= 2048);
    }
  }

  const cached = await fetch(`${server.url}/.well-known/jwks.json`, { headers: { 'if-none-match': etag! } });
  t.is(cached.status, 304);
  t.is(await cached.text(), '');
});

test('the JWKS max-age follows the publish lead', async (t) => {
  const server = await startTestServer(t, { env: { KEY_PUBLISH_LEAD: '10m' } });
  const response = await fetch(`${server.url}/.well-known/jwks.json`);
  t.is(response.headers.get('cache-control'), 'public, max-age=300');
});
