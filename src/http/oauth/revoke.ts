// RFC 7009 revocation: 200 with an empty body for any token, known or not (§2.2).
import type { ClientRegistry } from '../../domain/clients/client-registry.js';
import type { Revocation } from '../../domain/tokens/revocation.js';
import { OAuthError } from '../../errors/oauth-error.js';
import type { AppContext } from '../context.js';
import { formBody } from '../middleware/form-body.js';
import { noStore } from '../middleware/security-headers.js';
import { clientAuth } from './client-auth.js';

export function revokeEndpoint(registry: ClientRegistry, revocation: Revocation, bodyLimit: number) {
  async function revoke(ctx: AppContext) {
    const { token } = ctx.state.form;
    if (token === undefined) throw new OAuthError('invalid_request', 'token is required');
    const outcome = await revocation.revoke(token, ctx.state.client!);
    ctx.state.log.info({ outcome, clientId: ctx.state.client!.clientId }, 'token revocation');
    ctx.status = 200;
    ctx.body = '';
  }
  return [noStore, formBody(bodyLimit), clientAuth(registry, { allowPublic: true }), revoke];
}
