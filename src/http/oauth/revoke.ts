// RFC 7009 revocation: 200 with an empty body for any token, known or not (§2.2).
import type { ClientAuthenticator } from '../../domain/clients/client-authentication.js';
import type { Revocation } from '../../domain/tokens/revocation.js';
import { OAuthError } from '../../errors/oauth-error.js';
import type { AppContext } from '../context.js';
import { readForm } from '../middleware/form-body.js';
import { setNoStore } from '../middleware/security-headers.js';
import { authenticateCaller } from './client-auth.js';

export function revokeEndpoint(authenticator: ClientAuthenticator, revocation: Revocation, bodyLimit: number) {
  return async function revoke(ctx: AppContext) {
    setNoStore(ctx);
    const form = await readForm(ctx, bodyLimit);
    const client = await authenticateCaller(ctx, authenticator, form, { allowPublic: true });
    ctx.state.client = client;
    const { token } = form;
    if (token === undefined) throw new OAuthError('invalid_request', 'token is required');
    const outcome = await revocation.revoke(token, client);
    ctx.state.log.info({ outcome, clientId: client.clientId }, 'token revocation');
    ctx.status = 200;
    ctx.body = '';
  };
}
