// WEBAUTHN_RP_ID (docs/passkeys.md, README Configuration): the issuer's host by default, or a
// registrable domain the host belongs to (WebAuthn §5.1.2); anything else stops start-up.
import test from 'ava';
import { ConfigError, loadConfig } from '../../src/config/config.js';

const rpId = (env: Record<string, string>) => loadConfig({ DATABASE_URL: 'sqlite::memory:', ...env }).webauthnRpId;

test('the RP id defaults to the issuer host, and may be a registrable suffix of it', (t) => {
  t.is(rpId({ PORT: '4000' }), 'localhost');
  t.is(rpId({ ISSUER: 'https://login.example.com' }), 'login.example.com');
  t.is(rpId({ ISSUER: 'https://login.example.com', WEBAUTHN_RP_ID: 'example.com' }), 'example.com');
  t.is(rpId({ ISSUER: 'https://login.example.com', WEBAUTHN_RP_ID: 'Login.Example.COM' }), 'login.example.com');
});

test('an RP id that is not the issuer host or a domain it belongs to is refused with one line naming the variable', (t) => {
  for (const value of ['other.example', 'ample.com', 'com', 'example.com.', '127.0.0.1', 'https://example.com', 'exa mple.com']) {
    const error = t.throws(() => rpId({ ISSUER: 'https://login.example.com', WEBAUTHN_RP_ID: value }), { instanceOf: ConfigError }, value);
    t.regex(error!.message, /^WEBAUTHN_RP_ID: /);
    t.false(error!.message.includes('\n'));
  }
});
