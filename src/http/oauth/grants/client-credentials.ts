// RFC 6749 §4.4: a confidential client gets an access token for itself (sub = client_id).
import type { Client } from '../../../domain/clients/client.js';
import { parseScope } from '../../../domain/clients/scope.js';
import type { AccessTokens } from '../../../domain/tokens/access-tokens.js';
import { OAuthError } from '../../../errors/oauth-error.js';
import type { Metrics } from '../../../metrics/metrics.js';
import type { Grant } from './grant.js';

/** Scopes that mean a user signed in; a client acting for itself may not ask for them. */
const USER_ONLY_SCOPES = new Set(['openid', 'offline_access']);

export function clientCredentialsGrant(accessTokens: AccessTokens, issuer: string, metrics: Metrics): Grant {
  return async ({ client, form, dpop }) => {
    const scopes = grantedScopes(client, form.scope);
    const issued = await accessTokens.issue({
      alg: client.accessTokenAlg,
      sub: client.clientId,
      clientId: client.clientId,
      audience: client.audience ?? issuer,
      scopes,
      ...(dpop === undefined ? {} : { dpopJkt: dpop.jkt }),
    });
    metrics.countTokenIssued('client_credentials', client.accessTokenAlg);
    return {
      access_token: issued.token,
      token_type: dpop === undefined ? 'Bearer' : 'DPoP',
      expires_in: issued.expiresIn,
      ...(scopes.length > 0 ? { scope: scopes.join(' ') } : {}),
    };
  };
}

/** No scope: every registered one (less the user-only ones); else a subset of them (RFC 6749 §3.3). */
function grantedScopes(client: Client, requested: string | undefined): string[] {
  if (requested === undefined) return client.scopes.filter((scope) => !USER_ONLY_SCOPES.has(scope));
  const scopes = parseScope(requested);
  if (!scopes) throw new OAuthError('invalid_scope', 'the scope is malformed');
  for (const scope of scopes) {
    if (USER_ONLY_SCOPES.has(scope)) throw new OAuthError('invalid_scope', `"${scope}" needs a signed-in user; client_credentials has none`);
    if (!client.scopes.includes(scope)) throw new OAuthError('invalid_scope', `the client is not registered for the scope "${scope.slice(0, 64)}"`);
  }
  return scopes;
}
