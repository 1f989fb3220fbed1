// The device authorization endpoint (RFC 8628 §3.1–3.2): the client authenticates as at the token
// endpoint (public clients, the usual CLI, send their client_id), asks for scopes, and gets a
// device code to poll with and a user code for the person. Errors are JSON (§3.2, RFC 6749 §5.2).
import type { ClientAuthenticator } from '../../domain/clients/client-authentication.js';
import type { DeviceAuthorizations } from '../../domain/devices/device-authorizations.js';
import type { AppContext } from '../context.js';
import { readForm } from '../middleware/form-body.js';
import { setNoStore } from '../middleware/security-headers.js';
import { requestMeta } from '../request-meta.js';
import { authenticateCaller } from './client-auth.js';

export function deviceAuthorizationEndpoint(authenticator: ClientAuthenticator, devices: DeviceAuthorizations, bodyLimit: number) {
  return async function deviceAuthorization(ctx: AppContext) {
    setNoStore(ctx);
    const form = await readForm(ctx, bodyLimit);
    const client = await authenticateCaller(ctx, authenticator, form, { allowPublic: true });
    ctx.state.client = client;
    ctx.body = await devices.start(client, form, requestMeta(ctx));
  };
}
