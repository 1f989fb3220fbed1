// Warnings at start-up (README, Operations): one pino warn line each for what is allowed but rarely
// meant in production, and MAIL_FROM refused at configuration load like any bad value.
import { spawn } from 'node:child_process';
import test from 'ava';
import { ConfigError, deploymentWarnings, isLoopbackHost, loadConfig } from '../../src/config/config.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { tempDir } from '../helpers/env.js';
import { startTestServer } from '../helpers/server.js';

const warnLines = (logs: string[]) =>
  logs.map((line) => JSON.parse(line) as { level: number; msg: string }).filter((line) => line.level === 40);

test('an http:// ISSUER is warned about unless HOST is loopback', (t) => {
  const issuerWarning = (env: Record<string, string>) =>
    deploymentWarnings(loadConfig({ SMTP_URL: 'smtp://mail.example.com', ...env })).filter((w) => w.startsWith('ISSUER'));
  t.is(issuerWarning({}).length, 1, 'the defaults: http://localhost:3000 on 0.0.0.0');
  t.regex(issuerWarning({ HOST: '10.0.0.5', ISSUER: 'http://id.example.com' })[0]!, /^ISSUER http:\/\/id\.example\.com is http:\/\/ while HOST=10\.0\.0\.5/);
  t.deepEqual(issuerWarning({ HOST: '::', ISSUER: 'https://id.example.com' }), []);
  for (const host of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost']) {
    t.true(isLoopbackHost(host), host);
    t.deepEqual(issuerWarning({ HOST: host }), [], host);
  }
  t.false(isLoopbackHost('0.0.0.0'));
  t.false(isLoopbackHost('192.168.1.1'));
});

test('mail written to a folder is warned about; SMTP_URL silences it', (t) => {
  const base = { HOST: '127.0.0.1' };
  t.deepEqual(deploymentWarnings(loadConfig({ ...base, SMTP_URL: 'smtps://u:p@mail.example.com:465' })), []);
  t.deepEqual(deploymentWarnings(loadConfig({ ...base, MAIL_OUTBOX_DIR: '/var/mail/tessera' })), [
    'SMTP_URL is not set: mails are written as .eml files to /var/mail/tessera, not sent',
  ]);
});

test('the server logs each start-up warning once, as a warn line', async (t) => {
  const server = await startTestServer(t, { env: { HOST: '0.0.0.0' } });
  const warnings = warnLines(server.logs).map((line) => line.msg);
  t.is(warnings.filter((msg) => /^ISSUER http:\/\/localhost:\d+ is http:\/\/ while HOST=0\.0\.0\.0/.test(msg)).length, 1, warnings.join('\n'));
  t.is(warnings.filter((msg) => msg.startsWith('SMTP_URL is not set')).length, 1, warnings.join('\n'));
});

test('X-Forwarded-For with TRUST_PROXY off is warned about once per process, at the first such request', async (t) => {
  const server = await startTestServer(t);
  await fetch(`${server.url}/healthz`);
  const proxied = (line: { msg: string }) => line.msg.includes('X-Forwarded-For');
  t.is(warnLines(server.logs).filter(proxied).length, 0, 'not before such a request');
  for (let i = 0; i < 3; i += 1) await fetch(`${server.url}/healthz`, { headers: { 'x-forwarded-for': `203.0.113.${i}` } });
  const lines = warnLines(server.logs).filter(proxied);
  t.is(lines.length, 1);
  t.regex(lines[0]!.msg, /TRUST_PROXY is off/);

  const trusting = await startTestServer(t, { env: { TRUST_PROXY: 'true' } });
  await fetch(`${trusting.url}/healthz`, { headers: { 'x-forwarded-for': '203.0.113.7' } });
  t.is(warnLines(trusting.logs).filter(proxied).length, 0, 'no warning when the proxy is trusted');
});

test('MAIL_FROM: an address, optionally with a display name; anything else is a configuration error', (t) => {
  for (const value of ['accounts@example.com', 'Example Accounts <accounts@example.com>', '"Example, Inc." <no-reply@mail.example.com>', '<a@example.com>']) {
    t.is(loadConfig({ MAIL_FROM: value }).mailFrom, value);
  }
  t.is(loadConfig({}).mailFrom, 'Tessera <no-reply@localhost>');
  for (const value of ['not an address', 'a@', '@example.com', 'Example <a@example.com', 'a@example.com, b@example.com', 'x <a@example.com>\r\nBcc: c@example.com', 'a b@example.com']) {
    const error = t.throws(() => loadConfig({ MAIL_FROM: value }), { instanceOf: ConfigError }, value);
    t.is(error?.variable, 'MAIL_FROM');
    t.false(error?.message.includes('\n'), 'one line');
  }
});

test('a bad MAIL_FROM stops the server with exit 2 and one line naming MAIL_FROM', async (t) => {
  const dir = tempDir(t);
  const child = spawn(process.execPath, [`${REPO_ROOT}dist/src/main.js`], { cwd: dir, env: { PATH: process.env.PATH, MAIL_FROM: 'accounts at example.com' } });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  t.is(code, 2);
  t.is(stderr.trim().split('\n').length, 1, stderr);
  t.regex(stderr, /^tessera: invalid configuration: MAIL_FROM: "accounts at example\.com" is not a mail address/);
});
