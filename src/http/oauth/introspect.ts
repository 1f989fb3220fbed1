// RFC 7662 introspection: any authenticated confidential client may ask about any token of ours.
// Anything not active is exactly `{"active":false}`.
import type { ClientAuthenticator } from '../../domain/clients/client-authentication.js';
import type { Introspection } from '../../domain/tokens/introspection.js';
import { OAuthError } from '../../errors/oauth-error.js';
import type { Metrics } from '../../metrics/metrics.js';
import type { AppContext } from '../context.js';
import { readForm } from '../middleware/form-body.js';
import { setNoStore } from '../middleware/security-headers.js';
import { authenticateCaller } from './client-auth.js';

export function introspectEndpoint(authenticator: ClientAuthenticator, introspection: Introspection, metrics: Metrics, bodyLimit: number) {
  return async function introspect(ctx: AppContext) {
    setNoStore(ctx);
    const form = await readForm(ctx, bodyLimit);
    ctx.state.client = await authenticateCaller(ctx, authenticator, form, { allowPublic: false });
    const { token } = form;
    if (token === undefined) throw new OAuthError('invalid_request', 'token is required');
    // token_type_hint is only a hint (RFC 7662 §2.1): every kind is tried whatever it says.
    const result = await introspection.introspect(token);
    metrics.countIntrospection(result.active);
    ctx.body = result;
  };
}
