// RFC 6749 §4.1.3 with PKCE (RFC 7636): a code, bound to its client, redirect_uri and verifier,
// becomes tokens once; an ID token joins them when `openid` was granted.
import type { AuthorizationFlow } from '../../../domain/oidc/authorization-flow.js';
import type { Metrics } from '../../../metrics/metrics.js';
import type { Grant } from './grant.js';

export function authorizationCodeGrant(flow: AuthorizationFlow, metrics: Metrics): Grant {
  return async ({ client, form, meta, dpop }) => {
    const tokens = await flow.redeemCode(client, form, meta, dpop?.jkt);
    metrics.countTokenIssued('authorization_code', client.accessTokenAlg);
    return tokens;
  };
}
