// The CLI prints the issuer the server serves (recorded in the database at start-up), not one made
// from its own environment: run with another PORT, its default ISSUER would be another URL. And
// the server's start-up reports the address it really listens on (the `tessera listening` line).
import test from 'ava';
import { cliJson, runCli } from '../helpers/cli.js';
import { DIALECTS } from '../helpers/env.js';
import { startTestServer } from '../helpers/server.js';

for (const dialect of DIALECTS) {
  test(`${dialect}: the CLI run with another PORT prints the server's issuer as a client's audience`, async (t) => {
    const server = await startTestServer(t, { dialect }); // no ISSUER: http://localhost:<its port>
    t.is(server.config.issuer, `http://localhost:${server.listening.port}`);
    // The CLI's own environment: the same database and keys, another PORT, no ISSUER.
    const env = { DATABASE_URL: server.config.databaseUrl, KEYS_DIR: server.config.keysDir, PORT: String(server.listening.port + 1) };

    const created = await runCli(['clients', 'create', '--name', 'orders', '--json'], env);
    t.is(created.code, 0, created.stderr);
    t.is(created.stderr, '', 'no warning: ISSUER was not set');
    const client = JSON.parse(created.stdout);
    t.is(client.audience, server.config.issuer);

    // An explicit ISSUER equal to the server's is quiet; a different one is used, with a warning.
    const same = await runCli(['clients', 'show', client.client_id, '--json'], { ...env, ISSUER: server.config.issuer });
    t.is(same.stderr, '');
    const other = await runCli(['clients', 'show', client.client_id, '--json'], { ...env, ISSUER: 'https://id.example.com' });
    t.is(other.code, 0);
    t.is(JSON.parse(other.stdout).audience, 'https://id.example.com');
    t.regex(other.stderr, /^tessera: warning: ISSUER=https:\/\/id\.example\.com differs from the issuer the server recorded at start-up \(http:\/\/localhost:\d+\)/);
    t.is((await cliJson(['clients', 'show', client.client_id], env)).audience, server.config.issuer, 'the plain CLI still agrees');
  });
}

test('the server reports the address it really listens on, and a loopback URL to reach it', async (t) => {
  const server = await startTestServer(t, { env: { HOST: '0.0.0.0' } });
  t.deepEqual(server.listening, { host: '0.0.0.0', port: Number(new URL(server.url).port) });
  t.is(new URL(server.url).hostname, '127.0.0.1');
  t.is((await fetch(`${server.url}/.well-known/openid-configuration`)).status, 200);
});
