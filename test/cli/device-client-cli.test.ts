// `tessera clients create --grant-types` with the device code grant (RFC 8628): a public CLI client,
// the usual case, registered by the real CLI and then asking for a user code.
import test from 'ava';
import { cliEnv, cliJson, runCli } from '../helpers/cli.js';
import { postForm } from '../helpers/http.js';
import { startTestServer } from '../helpers/server.js';

const DEVICE_CODE = 'urn:ietf:params:oauth:grant-type:device_code';

test('clients create registers a public device-flow client, which then gets a user code', async (t) => {
  const server = await startTestServer(t);
  const env = cliEnv(server);
  const created = await cliJson(['clients', 'create', '--name', 'my-cli', '--public', '--grant-types', `${DEVICE_CODE},refresh_token`], env);
  t.like(created, { client_name: 'my-cli', grant_types: [DEVICE_CODE, 'refresh_token'], token_endpoint_auth_method: 'none', scope: 'openid profile email', redirect_uris: [] });
  t.false('client_secret' in created);

  const response = await postForm(`${server.config.issuer}/device_authorization`, { client_id: created.client_id, scope: 'openid' });
  t.is(response.status, 200);
  t.like(await response.json(), { verification_uri: `${server.config.issuer}/device`, interval: 5 });

  const refreshOnly = await runCli(['clients', 'create', '--name', 'x', '--public', '--grant-types', 'refresh_token', '--json'], env);
  t.not(refreshOnly.code, 0, 'refresh_token alone signs nobody in');
  t.regex(refreshOnly.stderr, /device code grant/);
});
