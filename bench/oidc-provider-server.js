// The peer of the benchmark: oidc-provider v9 configured as close to Tessera's token service as it
// allows. Run as its own process, pinned to one core by bench/run.js.
//
// - two confidential clients (client_secret_basic, client_credentials only, scope api:read), one per
//   signing algorithm, like Tessera's per-client access_token_alg;
// - one EC P-256 and one RSA 2048 signing key, generated with jose at start;
// - JWT access tokens (RFC 9068) through resource indicators: `resource=urn:bench:es256` gives an
//   ES256-signed JWT, `resource=urn:bench:rs256` an RS256-signed one. A request without `resource`
//   gets oidc-provider's default opaque token, which is what its introspection row uses, because
//   oidc-provider does not introspect its own JWT access tokens;
// - introspection and revocation on; the default in-memory adapter (no database at all);
// - for the DPoP and private_key_jwt rows: DPoP on (no nonces, like Tessera) and a client bound to it
//   (dpop_bound_access_tokens), and a private_key_jwt client whose public JWK Set comes from the
//   runner in PEER_PKJWT_JWKS; both get ES256 JWT access tokens (`resource=urn:bench:es256`).
//
// Prints one line `oidc-provider listening on PORT` when ready. Exits when its stdin closes.
import http from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { errors } from 'oidc-provider';
import { PEER_CLIENTS } from './lib/peer-clients.js';

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;
const TTL = 15 * 60; // Tessera's ACCESS_TOKEN_TTL default

const CLIENTS = PEER_CLIENTS;
const RESOURCE_ALG = { 'urn:bench:es256': 'ES256', 'urn:bench:rs256': 'RS256' };
const CLIENT_RESOURCE = Object.fromEntries(Object.values(CLIENTS).map((c) => [c.id, c.resource]));

async function signingJwk(alg, kid) {
  const options = alg === 'RS256' ? { modulusLength: 2048, extractable: true } : { extractable: true };
  const { privateKey } = await generateKeyPair(alg, options);
  return { ...(await exportJWK(privateKey)), alg, use: 'sig', kid };
}

const jwks = { keys: [await signingJwk('ES256', 'bench-ec-p256'), await signingJwk('RS256', 'bench-rsa-2048')] };

const client = ({ id, secret }) => ({
  client_id: id,
  client_secret: secret,
  grant_types: ['client_credentials'],
  redirect_uris: [],
  response_types: [],
  token_endpoint_auth_method: 'client_secret_basic',
  scope: 'api:read',
});

const pkjwtJwks = process.env.PEER_PKJWT_JWKS ? JSON.parse(process.env.PEER_PKJWT_JWKS) : undefined;
const clients = [
  client(CLIENTS.es256),
  client(CLIENTS.rs256),
  { ...client(CLIENTS.dpop), dpop_bound_access_tokens: true },
  ...(pkjwtJwks
    ? [{ ...client(CLIENTS.pkjwt), client_secret: undefined, token_endpoint_auth_method: 'private_key_jwt', token_endpoint_auth_signing_alg: 'ES256', jwks: pkjwtJwks }]
    : []),
];

const provider = new Provider(issuer, {
  clients,
  jwks,
  scopes: ['api:read'],
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    // oidc-provider's default, stated: proofs without server nonces, each jti once (in memory).
    dPoP: { enabled: true, allowReplay: false },
    // Like Tessera: any authenticated confidential client may introspect any token of this issuer,
    // and a client revokes its own tokens (oidc-provider's default policy, stated so it does not warn).
    introspection: { enabled: true, allowedPolicy: async (ctx, caller) => caller.clientAuthMethod !== 'none' },
    revocation: { enabled: true, allowedPolicy: async (ctx, caller, token) => token.clientId === caller.clientId },
    resourceIndicators: {
      enabled: true,
      // No `resource` parameter: no resource server, so the default opaque format.
      defaultResource: async (ctx, _client, oneOf) => oneOf,
      useGrantedResource: async () => false,
      getResourceServerInfo: async (ctx, resourceIndicator, caller) => {
        const alg = RESOURCE_ALG[resourceIndicator];
        if (!alg || CLIENT_RESOURCE[caller.clientId] !== resourceIndicator) throw new errors.InvalidTarget();
        return { scope: 'api:read', audience: resourceIndicator, accessTokenTTL: TTL, accessTokenFormat: 'jwt', jwt: { sign: { alg } } };
      },
    },
  },
  ttl: {
    AccessToken: TTL,
    ClientCredentials: TTL,
    // The rest are not used by the bench; set only so that oidc-provider does not print notices.
    AuthorizationCode: 60,
    IdToken: 3600,
    RefreshToken: 14 * 24 * 3600,
    Interaction: 3600,
    Session: 14 * 24 * 3600,
    Grant: 14 * 24 * 3600,
  },
  clientBasedCORS: () => false,
  // No request log and no rendering of errors beyond the JSON oidc-provider always sends.
});

// Surface real failures (a 500 would be counted by the bench anyway).
provider.on('server_error', (ctx, error) => process.stderr.write(`oidc-provider server_error: ${error?.stack ?? error}\n`));

const server = http.createServer(provider.callback());
server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1', () => process.stdout.write(`oidc-provider listening on ${port}\n`));

// Die with the bench: the runner holds our stdin open (BENCH_WATCH_STDIN=1) and it closes when the runner exits.
if (process.env.BENCH_WATCH_STDIN === '1') process.stdin.on('end', () => process.exit(0)).on('error', () => process.exit(0)).resume();
