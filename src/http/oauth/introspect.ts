// RFC 7662 introspection: any authenticated confidential client may ask about any token of ours.
// Anything not active is exactly `{"active":false}`.
import type { ClientRegistry } from '../../domain/clients/client-registry.js';
import type { Introspection } from '../../domain/tokens/introspection.js';
import { OAuthError } from '../../errors/oauth-error.js';
import type { Metrics } from '../../metrics/metrics.js';
import type { AppContext } from '../context.js';
import { formBody } from '../middleware/form-body.js';
import { noStore } from '../middleware/security-headers.js';
import { clientAuth } from './client-auth.js';

export function introspectEndpoint(registry: ClientRegistry, introspection: Introspection, metrics: Metrics, bodyLimit: number) {
  async function introspect(ctx: AppContext) {
    const { token } = ctx.state.form;
    if (token === undefined) throw new OAuthError('invalid_request', 'token is required');
    // token_type_hint is only a hint (RFC 7662 §2.1): every kind is tried whatever it says.
    const result = await introspection.introspect(token);
    metrics.introspections.inc({ result: result.active ? 'active' : 'inactive' });
    ctx.body = result;
  }
  return [noStore, formBody(bodyLimit), clientAuth(registry, { allowPublic: false }), introspect];
}
