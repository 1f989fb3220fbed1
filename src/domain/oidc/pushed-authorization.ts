// Pushed authorization requests (RFC 9126): an authenticated client posts its authorization
// parameters to the PAR endpoint and gets a `request_uri` that stands for them at /authorize, once,
// for 60 seconds, and only for that client. The parameters never pass through the browser, so
// they can be neither read nor changed there (RFC 9126 §1).
import type { Clock } from '../../clock.js';
import { randomSecret, sha256 } from '../../crypto/random.js';
import { OAuthError } from '../../errors/oauth-error.js';
import type { Db } from '../../storage/db.js';
import { insertPushedRequest, takePushedRequest } from '../../storage/repositories/pushed-requests.js';
import type { Client } from '../clients/client.js';
import type { ClientRegistry } from '../clients/client-registry.js';
import { parseAuthorizationRequest, RedirectableError, UntrustedRequestError } from './authorization-request.js';

/** RFC 9126 §2.2: the URN prefix of a request_uri. */
export const REQUEST_URI_PREFIX = 'urn:ietf:params:oauth:request_uri:';
/** RFC 9126 §2.2 suggests a short life: long enough to redirect the browser, no more. */
export const PUSHED_REQUEST_TTL_S = 60;

/** Client authentication parameters: they authenticated the push and are never stored. */
const CREDENTIAL_PARAMETERS = ['client_secret', 'client_assertion', 'client_assertion_type'];

export type AuthorizationParams = Record<string, string | string[] | undefined>;

export interface PushedRequest {
  requestUri: string;
  expiresIn: number;
}

export class PushedAuthorizations {
  constructor(
    private readonly db: Db,
    private readonly clients: ClientRegistry,
    private readonly clock: Clock,
  ) {}

  /**
   * Checks the parameters exactly as /authorize will (RFC 9126 §2.1) and stores them. Every
   * failure is a JSON error to the client (§2.3), never a redirect: the client itself is calling.
   */
  async push(form: Readonly<Record<string, string>>, client: Client): Promise<PushedRequest> {
    // RFC 9126 §2.1: a request_uri cannot itself be pushed.
    if (form.request_uri !== undefined) throw new OAuthError('invalid_request', 'request_uri is not allowed in a pushed authorization request');
    if (form.request !== undefined) throw new OAuthError('invalid_request', 'request objects are not supported');
    if (form.client_id !== undefined && form.client_id !== client.clientId) {
      throw new OAuthError('invalid_request', 'client_id differs from the authenticated client');
    }
    const params: Record<string, string> = {};
    for (const [name, value] of Object.entries(form)) if (!CREDENTIAL_PARAMETERS.includes(name)) params[name] = value;
    params.client_id = client.clientId;
    try {
      await parseAuthorizationRequest(params, this.clients, { pushed: true });
    } catch (error) {
      if (error instanceof UntrustedRequestError) throw new OAuthError('invalid_request', error.description);
      if (error instanceof RedirectableError) {
        const code = error.code === 'login_required' || error.code === 'consent_required' || error.code === 'interaction_required' ? 'invalid_request' : error.code;
        throw new OAuthError(code, error.description);
      }
      throw error;
    }
    const requestUri = `${REQUEST_URI_PREFIX}${randomSecret()}`;
    const now = this.clock.now();
    await insertPushedRequest(this.db, {
      request_uri_hash: sha256(requestUri),
      client_id: client.clientId,
      params: JSON.stringify(params),
      created_at: now,
      expires_at: now + PUSHED_REQUEST_TTL_S * 1000,
      used_at: null,
    });
    return { requestUri, expiresIn: PUSHED_REQUEST_TTL_S };
  }

  /**
   * The parameters /authorize works with. With a `request_uri`: the pushed parameters, and of the
   * query only `client_id`, which must be the pushing client's (RFC 9126 §4); the request_uri is
   * spent at once, so a second use finds nothing. Without one: the query itself, `pushed: false`
   * (parseAuthorizationRequest refuses it for a client that must push, RFC 9126 §6).
   */
  async resolve(params: AuthorizationParams): Promise<{ params: AuthorizationParams; pushed: boolean }> {
    const requestUri = params.request_uri;
    if (requestUri === undefined || requestUri === '') return { params, pushed: false };
    if (Array.isArray(requestUri)) throw new UntrustedRequestError('request_uri is repeated');
    const clientId = params.client_id;
    if (typeof clientId !== 'string' || clientId === '') throw new UntrustedRequestError('client_id is missing');
    if (!requestUri.startsWith(REQUEST_URI_PREFIX) || requestUri.length > 256) {
      throw new UntrustedRequestError('request_uri was not issued by this server (only pushed authorization requests are supported)');
    }
    const stored = await takePushedRequest(this.db, sha256(requestUri), clientId, this.clock.now());
    // Unknown, expired, used, or pushed by another client: the same page, as no redirect_uri of
    // this request has been checked yet.
    if (stored === undefined) throw new UntrustedRequestError('request_uri is unknown, expired or already used');
    return { params: JSON.parse(stored) as Record<string, string>, pushed: true };
  }
}
