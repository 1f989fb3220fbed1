// The token endpoint (RFC 6749 §3.2), as a short list of named steps: no-store → read the form →
// grant type → authenticate the client → the client may use that grant → its DPoP proof, if any
// (RFC 9449 §5) → the grant.
import type { ClientAuthenticator } from '../../domain/clients/client-authentication.js';
import type { Client, GrantType } from '../../domain/clients/client.js';
import type { DpopProofs } from '../../domain/tokens/dpop.js';
import { OAuthError } from '../../errors/oauth-error.js';
import type { AppContext } from '../context.js';
import { tokenRequestProof } from '../dpop.js';
import { readForm } from '../middleware/form-body.js';
import { setNoStore } from '../middleware/security-headers.js';
import { requestMeta } from '../request-meta.js';
import { authenticateCaller } from './client-auth.js';
import type { Grant } from './grants/grant.js';

/** DPoP at the token endpoint: the checker, and the endpoint's URL as the issuer names it (`htu`). */
export interface TokenEndpointDpop {
  proofs: DpopProofs;
  url: string;
}

export function tokenEndpoint(authenticator: ClientAuthenticator, grants: Partial<Record<GrantType, Grant>>, bodyLimit: number, dpop: TokenEndpointDpop) {
  function grantFor(form: Readonly<Record<string, string>>): [GrantType, Grant] {
    const grantType = form.grant_type;
    if (grantType === undefined) throw new OAuthError('invalid_request', 'grant_type is required');
    if (!Object.hasOwn(grants, grantType)) {
      throw new OAuthError('unsupported_grant_type', `grant_type ${JSON.stringify(grantType.slice(0, 64))} is not supported`);
    }
    return [grantType as GrantType, grants[grantType as GrantType]!];
  }

  function checkGrantAllowed(client: Client, grantType: GrantType) {
    if (!client.grantTypes.includes(grantType)) {
      throw new OAuthError('unauthorized_client', `the client is not allowed the ${grantType} grant`);
    }
  }

  return async function token(ctx: AppContext) {
    setNoStore(ctx);
    const form = await readForm(ctx, bodyLimit);
    const [grantType, grant] = grantFor(form);
    const client = await authenticateCaller(ctx, authenticator, form, { allowPublic: true });
    ctx.state.client = client;
    checkGrantAllowed(client, grantType);
    const proof = await tokenRequestProof(ctx, dpop.proofs, dpop.url, client.dpopBoundAccessTokens);
    ctx.body = await grant({ client, form, meta: requestMeta(ctx), ...(proof === undefined ? {} : { dpop: proof }) });
  };
}
