// Step of the token, introspection, revocation and PAR endpoints: who is calling. Credentials come
// in the Basic header (RFC 6749 §2.3.1, each part form-urlencoded), the body, or as a
// client_assertion in the body (RFC 7523 §2.2); never more than one (RFC 6749 §2.3).
import { CLIENT_ASSERTION_TYPE } from '../../domain/clients/client-assertion.js';
import { invalidClient, type ClientAuthenticator, type ClientCredentials } from '../../domain/clients/client-authentication.js';
import type { Client } from '../../domain/clients/client.js';
import { OAuthError } from '../../errors/oauth-error.js';
import type { AppContext } from '../context.js';
import { formUrlDecode } from '../middleware/form-body.js';
import { requestMeta } from '../request-meta.js';

/** The client calling the token, introspection, revocation or PAR endpoint, authenticated. */
export function authenticateCaller(ctx: AppContext, authenticator: ClientAuthenticator, form: Readonly<Record<string, string>>, options: { allowPublic: boolean }): Promise<Client> {
  return authenticator.authenticate(() => {
    const credentials = readCredentials(ctx, form);
    if (credentials.method === 'none' && !options.allowPublic) throw invalidClient('client authentication required');
    return credentials;
  }, () => requestMeta(ctx));
}

function readCredentials(ctx: AppContext, form: Readonly<Record<string, string>>): ClientCredentials {
  const header = ctx.req.headers.authorization;
  if (form.client_assertion !== undefined || form.client_assertion_type !== undefined) {
    if (header !== undefined || form.client_secret !== undefined) {
      throw new OAuthError('invalid_request', 'more than one client authentication method was used');
    }
    if (form.client_assertion_type !== CLIENT_ASSERTION_TYPE || !form.client_assertion) throw invalidClient('unsupported or incomplete client assertion');
    return { method: 'private_key_jwt', clientId: form.client_id, assertion: form.client_assertion, endpointPath: ctx.path };
  }
  if (header) {
    if (form.client_secret !== undefined) {
      throw new OAuthError('invalid_request', 'client credentials were sent in both the header and the body');
    }
    const basic = parseBasic(header);
    if (form.client_id !== undefined && form.client_id !== basic.clientId) {
      throw new OAuthError('invalid_request', 'client_id in the body differs from the Authorization header');
    }
    return { method: 'client_secret_basic', ...basic };
  }
  if (form.client_id === undefined) throw invalidClient('no client credentials');
  if (form.client_secret !== undefined) return { method: 'client_secret_post', clientId: form.client_id, secret: form.client_secret };
  return { method: 'none', clientId: form.client_id, secret: undefined };
}

function parseBasic(header: string): { clientId: string; secret: string } {
  const match = /^Basic +([A-Za-z0-9+/]+=*) *$/i.exec(header);
  if (!match) throw invalidClient('malformed Authorization header');
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) throw invalidClient('malformed Basic credentials');
  try {
    // RFC 6749 §2.3.1: each part is form-urlencoded.
    return { clientId: formUrlDecode(decoded.slice(0, colon)), secret: formUrlDecode(decoded.slice(colon + 1)) };
  } catch {
    throw invalidClient('malformed Basic credentials');
  }
}
