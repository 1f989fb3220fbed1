// `clients create/update --exchange-audiences a,b --backchannel-logout-uri URL` (README, The admin
// CLI) and the same fields through the admin API, printed with their RFC 7591 / OIDC Back-Channel
// Logout names; refused where they make no sense.
import test from 'ava';
import { TOKEN_EXCHANGE_GRANT } from '../../src/domain/clients/client.js';
import { api, signedInAdmin, startAccountServer } from '../helpers/accounts.js';
import { cliEnv, cliJson, runCli } from '../helpers/cli.js';

test('clients create --exchange-audiences and --backchannel-logout-uri, then update clears and replaces them', async (t) => {
  const server = await startAccountServer(t);
  const env = cliEnv(server);
  const service = await cliJson(['clients', 'create', '--name', 'orders', '--grant-types', `client_credentials,${TOKEN_EXCHANGE_GRANT}`, '--exchange-audiences', 'https://billing.example.com, https://ledger.example.com'], env);
  t.deepEqual(service.grant_types, ['client_credentials', TOKEN_EXCHANGE_GRANT]);
  t.deepEqual(service.exchange_audiences, ['https://billing.example.com', 'https://ledger.example.com']);
  t.false('backchannel_logout_uri' in service);

  const app = await cliJson(['clients', 'create', '--name', 'app', '--redirect-uris', 'https://app.example.com/cb', '--backchannel-logout-uri', 'https://app.example.com/logout'], env);
  t.is(app.backchannel_logout_uri, 'https://app.example.com/logout');
  t.is(app.backchannel_logout_session_required, true);
  t.deepEqual(app.exchange_audiences, []);

  const moved = await cliJson(['clients', 'update', app.client_id, '--backchannel-logout-uri', 'http://localhost:8080/logout'], env);
  t.is(moved.backchannel_logout_uri, 'http://localhost:8080/logout');
  const cleared = await cliJson(['clients', 'update', app.client_id, '--backchannel-logout-uri', ''], env);
  t.false('backchannel_logout_uri' in cleared);
  const narrowed = await cliJson(['clients', 'update', service.client_id, '--exchange-audiences', 'https://billing.example.com'], env);
  t.deepEqual(narrowed.exchange_audiences, ['https://billing.example.com']);

  for (const args of [
    ['--backchannel-logout-uri', 'http://app.example.com/logout'],
    ['--backchannel-logout-uri', 'https://app.example.com/logout#x'],
    ['--exchange-audiences', 'https://billing.example.com'],
  ]) {
    const refused = await runCli(['clients', 'update', app.client_id, ...args], env);
    t.is(refused.code, 1, args.join(' '));
  }
});

test('the admin API takes exchange_audiences and backchannel_logout_uri', async (t) => {
  const server = await startAccountServer(t);
  const admin = await signedInAdmin(server);
  const created = await api(server, 'POST', '/admin/clients', {
    token: admin.token,
    body: { client_name: 'orders', grant_types: [TOKEN_EXCHANGE_GRANT], exchange_audiences: ['https://billing.example.com'], backchannel_logout_uri: 'https://orders.example.com/logout' },
  });
  t.is(created.status, 201);
  t.deepEqual(created.body.exchange_audiences, ['https://billing.example.com']);
  t.is(created.body.backchannel_logout_uri, 'https://orders.example.com/logout');
  const cleared = await api(server, 'PATCH', `/admin/clients/${created.body.client_id}`, { token: admin.token, body: { backchannel_logout_uri: null } });
  t.is(cleared.status, 200);
  t.false('backchannel_logout_uri' in cleared.body);
  const refused = await api(server, 'PATCH', `/admin/clients/${created.body.client_id}`, { token: admin.token, body: { exchange_audiences: [] } });
  t.is(refused.status, 400);
});
