// PATCH /admin/clients/:id (docs/accounts.md, The admin API): the given fields change, the
// client_id and secret stay, the change is audited with the admin as actor, and a running
// server applies it at once.
import test from 'ava';
import { api, signedInAdmin, startAccountServer } from '../helpers/accounts.js';
import { clientCredentialsToken } from '../helpers/http.js';
import { decodeProtectedHeader } from 'jose';

test('PATCH /admin/clients/:id changes only the given fields and keeps the id and secret', async (t) => {
  const server = await startAccountServer(t);
  const admin = await signedInAdmin(server);
  const created = await api(server, 'POST', '/admin/clients', { token: admin.token, body: { client_name: 'Reports', grant_types: ['client_credentials'], scope: 'reports.read' } });
  t.is(created.status, 201);
  const client = { client_id: created.body.client_id as string, client_secret: created.body.client_secret as string };
  t.is(decodeProtectedHeader(await clientCredentialsToken(server.url, client)).alg, 'ES256');

  const patched = await api(server, 'PATCH', `/admin/clients/${client.client_id}`, { token: admin.token, body: { access_token_alg: 'RS256', scope: 'reports.read reports.write' } });
  t.is(patched.status, 200);
  t.is(patched.headers.get('cache-control'), 'no-store');
  t.like(patched.body, { client_id: client.client_id, client_name: 'Reports', access_token_alg: 'RS256', scope: 'reports.read reports.write', grant_types: ['client_credentials'] });
  t.false('client_secret' in patched.body, 'the secret is never shown again');
  // The old secret still authenticates, and the change is in force at once on this instance.
  t.is(decodeProtectedHeader(await clientCredentialsToken(server.url, client, 'reports.write')).alg, 'RS256');

  const refused = await api(server, 'PATCH', `/admin/clients/${client.client_id}`, { token: admin.token, body: { token_endpoint_auth_method: 'none' } });
  t.is(refused.status, 400, 'a confidential client cannot become public');
  t.is(refused.body.error, 'invalid_request');
  t.is((await api(server, 'PATCH', '/admin/clients/no-such-client', { token: admin.token, body: { scope: 'x' } })).status, 404);

  const audit = await api(server, 'GET', '/admin/audit?event=client.updated', { token: admin.token });
  t.deepEqual(audit.body.events.map((e: { actor_id: string; detail: { client_id: string } }) => [e.actor_id, e.detail.client_id]), [[admin.id, client.client_id]]);
});
