// Tessera behind Apache's mod_auth_openidc (Debian 12's 2.4.12.3), the way operators put a sign-in
// in front of an app they cannot change, or guard an API: as an OpenID Connect relying party
// (`AuthType openid-connect`, Chromium signs in) and as an OAuth 2.0 resource server
// (`AuthType oauth20`), once verifying JWTs against the JWKS and once asking the RFC 7662
// introspection endpoint. Directives: /etc/apache2/mods-available/auth_openidc.conf of the package.
import { randomBytes } from 'node:crypto';
import { decodeProtectedHeader, generateKeyPair, SignJWT } from 'jose';
import { signUp, startAccountServer } from '../helpers/accounts.js';
import { clientCredentialsToken, revoke } from '../helpers/http.js';
import { registerClient, startTestServer, type TestServer } from '../helpers/server.js';
import { openPage, submitPassword } from '../browser/chromium.js';
import { apacheTest, SHOW_CLAIMS_CGI, startApache, startTlsProxy } from './apache.js';

async function discovery(server: TestServer): Promise<Record<string, string>> {
  return (await (await fetch(`${server.url}/.well-known/openid-configuration`)).json()) as Record<string, string>;
}

/** A protected resource as a client of the API calls it: 200 with the CGI's output, or 401. */
async function callApi(url: string, token?: string): Promise<{ status: number; body: string; challenge: string | null }> {
  const response = await fetch(url, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
  return { status: response.status, body: await response.text(), challenge: response.headers.get('www-authenticate') };
}

// browserTest's Chromium, but registered with apacheTest: the Apache requirement is the rarer one
// (openPage itself fails, not skips, when Chromium is missing on CI).
apacheTest('mod_auth_openidc signs a person in through Tessera (code flow, PKCE S256) and passes the UserInfo claims to the app', async (t) => {
  const server = await startAccountServer(t);
  const person = await signUp(server);
  const apache = await startApache(t, async (origin) => {
    // An API audience on purpose: mod_auth_openidc calls UserInfo with the code flow's access
    // token, which must still name the issuer in its `aud` (OIDC Core §5.3).
    const client = await registerClient(server, {
      name: 'apache',
      redirectUris: [`${origin}/protected/redirect_uri`],
      audience: 'https://api.example',
      firstParty: true, // no consent page in the way; consent has its own browser tests
    });
    return {
      files: { 'protected/claims.cgi': SHOW_CLAIMS_CGI },
      directives: `
# Plain http is accepted here with a warning in the log; use https outside loopback.
OIDCProviderMetadataURL ${server.config.issuer}/.well-known/openid-configuration
OIDCClientID "${client.client_id}"
OIDCClientSecret "${client.client_secret}"
# The registered method; Tessera accepts no other for this client.
OIDCProviderTokenEndpointAuth client_secret_basic
# Tessera requires PKCE with S256 of every client; mod_auth_openidc sends none unless told.
OIDCPKCEMethod S256
# A virtual path inside the protected location; mod_auth_openidc answers it itself.
OIDCRedirectURI ${origin}/protected/redirect_uri
OIDCCryptoPassphrase "${randomBytes(32).toString('base64url')}"
OIDCScope "openid email profile"
# Tessera's ID token holds no email or name: they come from UserInfo, as OIDC_CLAIM_* (the default).
OIDCPassUserInfoAs claims
OIDCRemoteUserClaim sub
<Location /protected>
  AuthType openid-connect
  Require valid-user
</Location>`,
    };
  });

  const { page } = await openPage(t);
  await page.goto(`${apache.origin}/protected/claims.cgi`);
  await page.waitForURL((url) => url.origin === new URL(server.config.issuer).origin && url.pathname === '/login');
  await submitPassword(page, person);
  // Back at Apache: the page, or mod_auth_openidc's error page at the redirect URI.
  await page.waitForURL((url) => url.origin === apache.origin); // redirects are followed before a URL commits
  const shown = (await page.textContent('body')) ?? '';
  t.is(new URL(page.url()).pathname, '/protected/claims.cgi', `${shown}\n${apache.errorLog()}`);
  t.regex(shown, new RegExp(`^REMOTE_USER=${person.id}$`, 'm'), 'the ID token was accepted: REMOTE_USER is its sub');
  t.regex(shown, new RegExp(`^OIDC_CLAIM_email=${person.email.replace(/\./g, '\\.')}$`, 'm'), 'the email came from UserInfo');
  t.regex(shown, new RegExp(`^OIDC_CLAIM_name=${person.name}$`, 'm'), 'the name came from UserInfo');
});

apacheTest('mod_auth_openidc as an API guard verifies Tessera access tokens against the JWKS (https only)', async (t) => {
  const server = await startTestServer(t);
  const service = await registerClient(server, { name: 'service' });
  // mod_auth_openidc refuses an http OIDCOAuthVerifyJwksUri at config time, so the JWKS is served
  // through a TLS proxy whose self-signed certificate Apache is told to trust (OIDCCABundlePath):
  // certificate checking stays on, as it would be in production.
  const proxy = await startTlsProxy(t, server.url);
  const jwksPath = new URL((await discovery(server)).jwks_uri!).pathname;
  const apache = await startApache(t, () => ({
    files: { 'api/claims.cgi': SHOW_CLAIMS_CGI },
    directives: `
OIDCCABundlePath ${proxy.caFile}
OIDCOAuthVerifyJwksUri ${proxy.origin}${jwksPath}
<Location /api>
  AuthType oauth20
  Require valid-user
</Location>`,
  }));
  const api = `${apache.origin}/api/claims.cgi`;

  const token = await clientCredentialsToken(server.url, service);
  const accepted = await callApi(api, token);
  t.is(accepted.status, 200, apache.errorLog());
  t.regex(accepted.body, new RegExp(`^OIDC_CLAIM_client_id=${service.client_id}$`, 'm'));

  t.is((await callApi(api)).status, 401, 'no token');
  const garbage = await callApi(api, 'not-a-jwt');
  t.is(garbage.status, 401);
  t.regex(garbage.challenge ?? '', /^Bearer/);

  // Same header (kid, alg) and claims, signed by a key that is not Tessera's: only the signature differs.
  const { kid, alg } = decodeProtectedHeader(token);
  const { privateKey } = await generateKeyPair(alg!);
  const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
  const forged = await new SignJWT(claims).setProtectedHeader({ alg: alg!, kid: kid!, typ: 'at+jwt' }).sign(privateKey);
  t.is((await callApi(api, forged)).status, 401, 'a token signed by another key');
});

apacheTest('mod_auth_openidc as an API guard asks Tessera\'s introspection endpoint, and refuses a token once it is revoked (RFC 7009)', async (t) => {
  const server = await startTestServer(t);
  const service = await registerClient(server, { name: 'service' });
  const resourceServer = await registerClient(server, { name: 'apache resource server' });
  const proxy = await startTlsProxy(t, server.url); // https only, as for the JWKS above
  const introspectionPath = new URL((await discovery(server)).introspection_endpoint!).pathname;
  const apache = await startApache(t, () => ({
    files: { 'api/claims.cgi': SHOW_CLAIMS_CGI, 'cached/claims.cgi': SHOW_CLAIMS_CGI },
    directives: `
OIDCCABundlePath ${proxy.caFile}
OIDCOAuthIntrospectionEndpoint ${proxy.origin}${introspectionPath}
OIDCOAuthClientID "${resourceServer.client_id}"
OIDCOAuthClientSecret "${resourceServer.client_secret}"
OIDCOAuthIntrospectionEndpointAuth client_secret_basic
# By default (interval 0) an introspection result is cached until the token's "exp": a revoked
# token keeps working for up to ACCESS_TOKEN_TTL. -1 turns the cache off, so every request is
# introspected and a revocation takes effect at once. /cached keeps the default, to show the risk.
<Location /api>
  AuthType oauth20
  Require valid-user
  OIDCOAuthTokenIntrospectionInterval -1
</Location>
<Location /cached>
  AuthType oauth20
  Require valid-user
</Location>`,
  }));

  const token = await clientCredentialsToken(server.url, service);
  const cached = await callApi(`${apache.origin}/cached/claims.cgi`, token);
  t.is(cached.status, 200, apache.errorLog());
  const live = await callApi(`${apache.origin}/api/claims.cgi`, token);
  t.is(live.status, 200, apache.errorLog());
  t.regex(live.body, new RegExp(`^OIDC_CLAIM_client_id=${service.client_id}$`, 'm'));
  t.is((await callApi(`${apache.origin}/api/claims.cgi`, 'no-such-token')).status, 401);

  t.is(await revoke(server.url, service, token), 200);
  t.is((await callApi(`${apache.origin}/api/claims.cgi`, token)).status, 401, 'introspected again: revoked');
  t.is((await callApi(`${apache.origin}/cached/claims.cgi`, token)).status, 200, 'the default cache still answers from before the revocation');
});
