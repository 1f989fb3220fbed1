// The parsers behind loadConfig (README, Configuration): each variable's syntax, default and bounds, and a
// ConfigError that names the variable. loadConfig reads only the record it is given.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { ConfigError, loadConfig } from '../../src/config/config.js';

const refused = (t: ExecutionContext, env: Record<string, string>, variable: string, message?: RegExp) => {
  const error = t.throws(() => loadConfig(env), { instanceOf: ConfigError }, JSON.stringify(env));
  t.is(error?.variable, variable);
  t.true(error?.message.startsWith(`${variable}: `));
  if (message) t.regex(error?.message ?? '', message);
};

test('the defaults', (t) => {
  const config = loadConfig({});
  t.is(config.port, 3000);
  t.is(config.host, '0.0.0.0');
  t.is(config.issuer, 'http://localhost:3000');
  t.is(config.databaseUrl, 'sqlite:data/tessera.db');
  t.is(config.accessTokenTtl, 900);
  t.is(config.refreshTokenTtl, 7 * 86_400);
  t.is(config.idTokenTtl, 3600);
  t.is(config.keyRotationInterval, 30 * 86_400);
  t.is(config.keyPublishLead, 3600);
  t.is(config.bodyLimit, 100 * 1024);
  t.false(config.trustProxy);
  t.deepEqual(config.corsOrigins, []);
  t.is(config.smtpUrl, undefined);
  t.is(config.keysKek, undefined);
  t.deepEqual(config.warnings, []);
  t.true(Object.isFrozen(config));
});

test('sizes: bytes, kb and mb, at least 1kb', (t) => {
  t.is(loadConfig({ BODY_LIMIT: '4096' }).bodyLimit, 4096);
  t.is(loadConfig({ BODY_LIMIT: '1kb' }).bodyLimit, 1024);
  t.is(loadConfig({ BODY_LIMIT: '1 KB' }).bodyLimit, 1024, 'case and a space are allowed');
  t.is(loadConfig({ BODY_LIMIT: '2mb' }).bodyLimit, 2 * 1024 * 1024);
  t.is(loadConfig({ BODY_LIMIT: '1024b' }).bodyLimit, 1024);
  t.is(loadConfig({ BODY_LIMIT: '   ' }).bodyLimit, 100 * 1024, 'blank means unset');
  refused(t, { BODY_LIMIT: '1023' }, 'BODY_LIMIT', /at least 1kb/);
  for (const text of ['lots', '1gb', '1.5mb', '-1kb', '1234567890']) refused(t, { BODY_LIMIT: text }, 'BODY_LIMIT', /not a size/);
});

test('durations: each variable parses, and refuses bad text and values under its minimum', (t) => {
  t.is(loadConfig({ ACCESS_TOKEN_TTL: '5m' }).accessTokenTtl, 300);
  t.is(loadConfig({ KEY_ROTATION_INTERVAL: '6s' }).keyRotationInterval, 6);
  refused(t, { ACCESS_TOKEN_TTL: '15 minutes' }, 'ACCESS_TOKEN_TTL', /not a duration/);
  refused(t, { SESSION_MAX_TTL: '0' }, 'SESSION_MAX_TTL', /at least 1s/);
  refused(t, { KEY_PUBLISH_LEAD: '0s' }, 'KEY_PUBLISH_LEAD', /at least 1s/);
});

test('a publish lead under the verifiers\' 30 s cool-down is allowed with a warning', (t) => {
  t.deepEqual(loadConfig({ KEY_PUBLISH_LEAD: '30s' }).warnings, []);
  const { warnings } = loadConfig({ KEY_PUBLISH_LEAD: '29s' });
  t.is(warnings.length, 1);
  t.regex(warnings[0]!, /^KEY_PUBLISH_LEAD=29s is under the 30s/);
});

test('whole numbers within bounds', (t) => {
  t.is(loadConfig({ PORT: '0' }).port, 0);
  t.is(loadConfig({ PORT: '65535' }).port, 65535);
  t.is(loadConfig({ RATE_LIMIT_PER_IP: '0' }).rateLimitPerIp, 0);
  refused(t, { PORT: '65536' }, 'PORT', /outside 0\.\.65535/);
  for (const text of ['-1', '1.5', '80a', '0x50']) refused(t, { PORT: text }, 'PORT', /not a whole number/);
  refused(t, { LOCKOUT_THRESHOLD: '1001' }, 'LOCKOUT_THRESHOLD');
});

test('booleans', (t) => {
  for (const text of ['true', 'TRUE', '1', 'yes']) t.true(loadConfig({ TRUST_PROXY: text }).trustProxy, text);
  for (const text of ['false', '0', 'no', 'No']) t.false(loadConfig({ TRUST_PROXY: text }).trustProxy, text);
  refused(t, { TRUST_PROXY: 'maybe' }, 'TRUST_PROXY');
});

test('the issuer: http(s), no query or fragment, trailing slashes dropped (RFC 8414 §2)', (t) => {
  t.is(loadConfig({ ISSUER: 'https://id.example/' }).issuer, 'https://id.example');
  t.is(loadConfig({ ISSUER: 'https://id.example/tenant//' }).issuer, 'https://id.example/tenant');
  t.is(loadConfig({ PORT: '8080' }).issuer, 'http://localhost:8080', 'the default follows PORT');
  refused(t, { ISSUER: 'not a url' }, 'ISSUER', /not a URL/);
  refused(t, { ISSUER: 'ftp://id.example' }, 'ISSUER', /http\(s\)/);
  refused(t, { ISSUER: 'https://id.example/?a=1' }, 'ISSUER', /query or fragment/);
  refused(t, { ISSUER: 'https://id.example/#' }, 'ISSUER', /query or fragment/);
});

test('database URLs', (t) => {
  for (const url of ['sqlite::memory:', 'sqlite:/var/lib/tessera.db', 'postgres://u@h/db', 'postgresql://u@h/db']) {
    t.is(loadConfig({ DATABASE_URL: url }).databaseUrl, url);
  }
  refused(t, { DATABASE_URL: 'mysql://x' }, 'DATABASE_URL');
  const error = t.throws(() => loadConfig({ DATABASE_URL: 'mysql://user:secret@host/db' }), { instanceOf: ConfigError });
  t.false(error?.message.includes('secret'), 'credentials are not repeated in the message');
});

test('the KEK: exactly 32 bytes of base64url', (t) => {
  const kek = Buffer.alloc(32, 7);
  t.deepEqual(loadConfig({ KEYS_KEK: kek.toString('base64url') }).keysKek, kek);
  refused(t, { KEYS_KEK: 'short' }, 'KEYS_KEK', /32 bytes/);
  refused(t, { KEYS_KEK: Buffer.alloc(31).toString('base64url') }, 'KEYS_KEK');
  refused(t, { KEYS_KEK: kek.toString('base64') + '+/' }, 'KEYS_KEK');
});

test('CORS origins: a comma-separated list of exact origins', (t) => {
  t.deepEqual(loadConfig({ CORS_ORIGINS: 'https://a.example, http://localhost:5173' }).corsOrigins, ['https://a.example', 'http://localhost:5173']);
  refused(t, { CORS_ORIGINS: 'https://a.example/' }, 'CORS_ORIGINS', /not an origin/);
  refused(t, { CORS_ORIGINS: 'a.example' }, 'CORS_ORIGINS', /not an origin/);
});

test('SMTP URL and log level', (t) => {
  t.is(loadConfig({ SMTP_URL: 'smtps://mail.example:465' }).smtpUrl, 'smtps://mail.example:465');
  refused(t, { SMTP_URL: 'http://mail.example' }, 'SMTP_URL', /smtp: or smtps:/);
  refused(t, { SMTP_URL: 'nope' }, 'SMTP_URL', /not a URL/);
  t.is(loadConfig({ LOG_LEVEL: 'debug' }).logLevel, 'debug');
  refused(t, { LOG_LEVEL: 'verbose' }, 'LOG_LEVEL');
});

test('the brand: a name of at most 60 characters, an accent like #1f6feb, a logo file that exists', (t) => {
  const defaults = loadConfig({});
  t.is(defaults.brandName, 'Tessera');
  t.is(defaults.brandAccent, undefined);
  t.is(defaults.brandLogo, undefined);
  t.is(loadConfig({ BRAND_NAME: 'Acme Login' }).brandName, 'Acme Login');
  refused(t, { BRAND_NAME: 'x'.repeat(61) }, 'BRAND_NAME');
  refused(t, { BRAND_NAME: 'Acme\r\nBcc: someone' }, 'BRAND_NAME', /control characters/);

  t.is(loadConfig({ BRAND_ACCENT: '#1F6FEB' }).brandAccent, '#1f6feb');
  for (const bad of ['1f6feb', '#fff', 'red', '#12345g', '#1f6feb80', 'rgb(0,0,0)']) refused(t, { BRAND_ACCENT: bad }, 'BRAND_ACCENT', /not a colour/);

  const dir = mkdtempSync(join(tmpdir(), 'tessera-brand-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const svg = join(dir, 'logo.svg');
  writeFileSync(svg, '<svg xmlns="http://www.w3.org/2000/svg"/>');
  t.deepEqual(loadConfig({ BRAND_LOGO: svg }).brandLogo, { path: svg, type: 'image/svg+xml' });
  refused(t, { BRAND_LOGO: join(dir, 'missing.svg') }, 'BRAND_LOGO', /does not exist/);
  refused(t, { BRAND_LOGO: join(dir, 'logo.gif') }, 'BRAND_LOGO', /\.svg or \.png/);
});
