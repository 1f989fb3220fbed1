// The token endpoint (RFC 6749 §3.2), as a short list of named steps:
// noStore → formBody → parseGrantType → authenticateClient → checkGrantAllowed → dispatchGrant.
import type { ClientRegistry } from '../../domain/clients/client-registry.js';
import type { GrantType } from '../../domain/clients/client.js';
import { OAuthError } from '../../errors/oauth-error.js';
import type { AppContext, Next } from '../context.js';
import { formBody } from '../middleware/form-body.js';
import { requestMeta } from '../request-meta.js';
import { noStore } from '../middleware/security-headers.js';
import { clientAuth } from './client-auth.js';
import type { Grant } from './grants/grant.js';

export function tokenEndpoint(registry: ClientRegistry, grants: Partial<Record<GrantType, Grant>>, bodyLimit: number) {
  async function parseGrantType(ctx: AppContext, next: Next) {
    const grantType = ctx.state.form.grant_type;
    if (grantType === undefined) throw new OAuthError('invalid_request', 'grant_type is required');
    if (!Object.hasOwn(grants, grantType)) {
      throw new OAuthError('unsupported_grant_type', `grant_type ${JSON.stringify(grantType.slice(0, 64))} is not supported`);
    }
    await next();
  }

  async function checkGrantAllowed(ctx: AppContext, next: Next) {
    const grantType = ctx.state.form.grant_type as GrantType;
    if (!ctx.state.client!.grantTypes.includes(grantType)) {
      throw new OAuthError('unauthorized_client', `the client is not allowed the ${grantType} grant`);
    }
    await next();
  }

  async function dispatchGrant(ctx: AppContext) {
    const grant = grants[ctx.state.form.grant_type as GrantType]!;
    ctx.body = await grant({ client: ctx.state.client!, form: ctx.state.form, meta: requestMeta(ctx) });
  }

  return [noStore, formBody(bodyLimit), parseGrantType, clientAuth(registry, { allowPublic: true }), checkGrantAllowed, dispatchGrant];
}
