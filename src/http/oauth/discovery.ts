// OpenID Connect Discovery 1.0 and RFC 8414 metadata: one precomputed body, served for both
// well-known paths. Endpoint paths are ours to choose (README, Endpoints); clients read them from here.
import type { Config } from '../../config/config.js';
import { CLIENT_ASSERTION_ALGS, DEVICE_CODE_GRANT, TOKEN_EXCHANGE_GRANT } from '../../domain/clients/client.js';
import { DPOP_ALGS } from '../../domain/tokens/dpop.js';
import type { AppContext } from '../context.js';
import { jsonDocument, sendDocument } from './document.js';

export const ENDPOINT_PATHS = {
  authorization: '/authorize',
  token: '/token',
  userinfo: '/userinfo',
  jwks: '/.well-known/jwks.json',
  introspection: '/introspect',
  revocation: '/revoke',
  endSession: '/end-session',
  pushedAuthorization: '/par',
  deviceAuthorization: '/device_authorization',
} as const;

export function discoveryDocument(config: Config): Record<string, unknown> {
  const url = (path: string) => `${config.issuer}${path}`;
  const authMethods = ['client_secret_basic', 'client_secret_post', 'private_key_jwt'];
  // RFC 8414 §2: the algorithms of private_key_jwt assertions, wherever clients authenticate.
  const authSigningAlgs = [...CLIENT_ASSERTION_ALGS];
  return {
    issuer: config.issuer,
    authorization_endpoint: url(ENDPOINT_PATHS.authorization),
    token_endpoint: url(ENDPOINT_PATHS.token),
    userinfo_endpoint: url(ENDPOINT_PATHS.userinfo),
    jwks_uri: url(ENDPOINT_PATHS.jwks),
    introspection_endpoint: url(ENDPOINT_PATHS.introspection),
    revocation_endpoint: url(ENDPOINT_PATHS.revocation),
    end_session_endpoint: url(ENDPOINT_PATHS.endSession),
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials', TOKEN_EXCHANGE_GRANT, DEVICE_CODE_GRANT],
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: [...authMethods, 'none'],
    token_endpoint_auth_signing_alg_values_supported: authSigningAlgs,
    introspection_endpoint_auth_methods_supported: authMethods,
    introspection_endpoint_auth_signing_alg_values_supported: authSigningAlgs,
    revocation_endpoint_auth_methods_supported: authMethods,
    revocation_endpoint_auth_signing_alg_values_supported: authSigningAlgs,
    // RFC 9126 §5: a client may push its authorization request; per client it may have to.
    pushed_authorization_request_endpoint: url(ENDPOINT_PATHS.pushedAuthorization),
    require_pushed_authorization_requests: false,
    // RFC 8628 §4: where devices ask for a device code and a user code.
    device_authorization_endpoint: url(ENDPOINT_PATHS.deviceAuthorization),
    id_token_signing_alg_values_supported: ['ES256', 'RS256'],
    subject_types_supported: ['public'],
    claims_supported: ['iss', 'sub', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'at_hash', 'sid', 'amr', 'email', 'email_verified', 'name'],
    prompt_values_supported: ['none', 'login', 'consent'],
    authorization_response_iss_parameter_supported: true,
    request_parameter_supported: false,
    request_uri_parameter_supported: false,
    // RFC 9449 §5.1.
    dpop_signing_alg_values_supported: [...DPOP_ALGS],
    // OIDC Back-Channel Logout 1.0 §2.1: logout tokens to a registered URL, always with `sid`.
    backchannel_logout_supported: true,
    backchannel_logout_session_supported: true,
  };
}

export function discovery(config: Config) {
  const document = jsonDocument(JSON.stringify(discoveryDocument(config)));
  return function serveDiscovery(ctx: AppContext) {
    sendDocument(ctx, document, 'application/json; charset=utf-8', 'public, max-age=3600');
  };
}
