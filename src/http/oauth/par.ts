// The pushed authorization request endpoint (RFC 9126 §2): the client authenticates as at the
// token endpoint (public clients send their client_id), posts the authorization parameters, and
// gets a request_uri for /authorize. Errors are JSON (§2.3), never a redirect.
import type { ClientAuthenticator } from '../../domain/clients/client-authentication.js';
import type { PushedAuthorizations } from '../../domain/oidc/pushed-authorization.js';
import type { AppContext } from '../context.js';
import { readForm } from '../middleware/form-body.js';
import { setNoStore } from '../middleware/security-headers.js';
import { authenticateCaller } from './client-auth.js';

export function parEndpoint(authenticator: ClientAuthenticator, pushed: PushedAuthorizations, bodyLimit: number) {
  return async function pushAuthorizationRequest(ctx: AppContext) {
    setNoStore(ctx);
    const form = await readForm(ctx, bodyLimit);
    const client = await authenticateCaller(ctx, authenticator, form, { allowPublic: true });
    ctx.state.client = client;
    const { requestUri, expiresIn } = await pushed.push(form, client);
    // RFC 9126 §2.2: 201 Created.
    ctx.status = 201;
    ctx.body = { request_uri: requestUri, expires_in: expiresIn };
  };
}
