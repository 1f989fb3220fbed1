// The HTTP side of DPoP (RFC 9449) and of the access tokens our resources take (UserInfo, /auth,
// /admin): the DPoP header(s), the Authorization schemes, and the challenges answered on a refusal
// (RFC 6750 §3 for Bearer, RFC 9449 §7.1 for DPoP). The checks themselves are in the domain
// (domain/tokens/dpop.ts). A request without DPoP pays for none of it beyond one header lookup.
import { DPOP_ALGS_PARAMETER, type DpopProof, type DpopProofs } from '../domain/tokens/dpop.js';
import { isOAuthError, OAuthError } from '../errors/oauth-error.js';
import type { AppContext } from './context.js';

/**
 * Every `DPoP` header of the request, one entry each (RFC 9449 §4.3 (1): more than one is an
 * error, which the joined `headers.dpop` would hide); undefined when there is none.
 */
export function dpopHeaders(ctx: AppContext): readonly string[] | undefined {
  if (ctx.req.headers.dpop === undefined) return undefined;
  return ctx.req.headersDistinct.dpop ?? [];
}

export type TokenScheme = 'Bearer' | 'DPoP';

/** `Authorization: Bearer <token>` (RFC 6750 §2.1) or `DPoP <token>` (RFC 9449 §7.1), schemes in any case. */
const AUTHORIZATION = /^(Bearer|DPoP) +([A-Za-z0-9\-._~+/]+=*) *$/i;

export function presentedToken(header: string): { scheme: TokenScheme; token: string } | undefined {
  const match = AUTHORIZATION.exec(header);
  if (!match) return undefined;
  return { scheme: match[1]!.length === 4 ? 'DPoP' : 'Bearer', token: match[2]! };
}

/** The challenge when no token came at all: either scheme will do (RFC 9449 §7.1). */
export const NO_TOKEN_CHALLENGE = `Bearer realm="tessera", DPoP algs="${DPOP_ALGS_PARAMETER}"`;

export type ResourceErrorCode = 'invalid_token' | 'insufficient_scope' | 'invalid_dpop_proof';

/**
 * A refusal at a resource, with its challenge: the DPoP scheme (and the algorithms we take) when
 * the request used it or the token is DPoP-bound, else Bearer.
 */
export function resourceError(code: ResourceErrorCode, description: string, scheme: TokenScheme): OAuthError {
  const challenge =
    scheme === 'DPoP'
      ? `DPoP error="${code}", error_description="${description}", algs="${DPOP_ALGS_PARAMETER}"`
      : `Bearer realm="tessera", error="${code}", error_description="${description}"`;
  // RFC 9449 §7.1: a bad proof at a resource is 401, where the token endpoint answers 400.
  return new OAuthError(code, description, { status: code === 'insufficient_scope' ? 403 : 401, headers: { 'WWW-Authenticate': challenge } });
}

/**
 * At a resource: the proof of a token sent with the DPoP scheme, checked against this request
 * (method, the URL the issuer names it by, `ath` of the token); its key's thumbprint. A Bearer
 * token has none to check (undefined); whether it may be sent as Bearer is the token's binding.
 */
export async function resourceProof(ctx: AppContext, proofs: DpopProofs, issuer: string, scheme: TokenScheme, token: string): Promise<string | undefined> {
  if (scheme === 'Bearer') return undefined;
  try {
    const proof = await proofs.verify({ headers: dpopHeaders(ctx) ?? [], method: ctx.method, url: `${issuer}${ctx.path}`, accessToken: token });
    return proof.jkt;
  } catch (error) {
    if (isOAuthError(error) && error.code === 'invalid_dpop_proof') throw resourceError('invalid_dpop_proof', error.description, 'DPoP');
    throw error;
  }
}

/**
 * At the token endpoint (RFC 9449 §5): the checked proof of the request, if it sent one; a client
 * registered with `dpop_bound_access_tokens` (§5.2) gets nothing without one.
 */
export async function tokenRequestProof(ctx: AppContext, proofs: DpopProofs, url: string, required: boolean): Promise<DpopProof | undefined> {
  const headers = dpopHeaders(ctx);
  if (headers === undefined) {
    if (required) throw new OAuthError('invalid_dpop_proof', 'this client must send a DPoP proof (dpop_bound_access_tokens)');
    return undefined;
  }
  return proofs.verify({ headers, method: ctx.method, url });
}
