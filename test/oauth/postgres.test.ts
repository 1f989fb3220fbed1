// The whole token round on PostgreSQL, two instances sharing it (skipped without TEST_DATABASE_URL).
import test from 'ava';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { POSTGRES_URL } from '../helpers/env.js';
import { clientCredentialsToken, introspect, revoke } from '../helpers/http.js';
import { registerClient, startTestServer } from '../helpers/server.js';

const pgTest = POSTGRES_URL ? test : test.skip;

pgTest('postgres: two instances issue, verify, introspect and revoke against one database', async (t) => {
  const first = await startTestServer(t, { dialect: 'postgres' });
  const kek = (await import('node:fs')).readFileSync(`${first.config.keysDir}/kek`, 'utf8').trim();
  const second = await startTestServer(t, { databaseUrl: first.config.databaseUrl, env: { ISSUER: first.config.issuer, KEYS_KEK: kek } });
  const client = await registerClient(first, { accessTokenAlg: 'RS256', scope: 'read' });

  const token = await clientCredentialsToken(second.url, client, 'read');
  const jwks = createRemoteJWKSet(new URL(`${first.url}/.well-known/jwks.json`));
  const { payload } = await jwtVerify(token, jwks, { issuer: first.config.issuer, typ: 'at+jwt' });
  t.is(payload.client_id, client.client_id);

  t.true((await introspect(first.url, client, token)).active as boolean);
  t.is(await revoke(first.url, client, token), 200);
  t.deepEqual(await introspect(second.url, client, token), { active: false });
});
