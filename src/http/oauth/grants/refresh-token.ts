// RFC 6749 §6 for OIDC clients: the same rotation and reuse detection as the JSON API, the token
// bound to its client, a narrower scope allowed, a wider one invalid_scope; a fresh ID token
// when the grant includes `openid`.
import { parseScope } from '../../../domain/clients/scope.js';
import type { Sessions } from '../../../domain/sessions/sessions.js';
import type { IdTokens } from '../../../domain/tokens/id-tokens.js';
import { OAuthError } from '../../../errors/oauth-error.js';
import type { Metrics } from '../../../metrics/metrics.js';
import type { Grant } from './grant.js';

export function refreshTokenGrant(sessions: Sessions, idTokens: IdTokens, metrics: Metrics): Grant {
  return async ({ client, form, meta, dpop }) => {
    if (!form.refresh_token) throw new OAuthError('invalid_request', 'refresh_token is required');
    const scope = form.scope === undefined ? undefined : parseScope(form.scope);
    if (scope === undefined && form.scope !== undefined) throw new OAuthError('invalid_scope', 'the scope is malformed');
    // invalid_grant keeps its default 400 here (RFC 6749 §5.2); only the /auth API answers it with 401.
    const { state, ...pair } = await sessions.refresh(form.refresh_token, client.clientId, scope, meta, dpop?.jkt);
    metrics.countTokenIssued('refresh_token', client.accessTokenAlg);
    if (!pair.scope.split(' ').includes('openid')) return pair;
    const idToken = await idTokens.issue({
      sub: state.userId,
      clientId: client.clientId,
      alg: client.idTokenAlg,
      authTime: state.authTime,
      sid: state.parentId ?? state.sessionId,
      amr: state.amr,
      accessToken: pair.access_token,
    });
    return { ...pair, id_token: idToken };
  };
}
