// OIDC Core §5.3 UserInfo, GET and POST with an access token that carries `openid`, sent as Bearer
// or, for a DPoP-bound token, with the DPoP scheme and a proof (RFC 9449 §7); the claims come from
// the domain (domain/tokens/userinfo.ts), errors as RFC 6750 §3 and RFC 9449 §7.1 describe.
import type { DpopProofs } from '../../domain/tokens/dpop.js';
import type { UserInfo } from '../../domain/tokens/userinfo.js';
import { OAuthError } from '../../errors/oauth-error.js';
import type { AppContext } from '../context.js';
import { NO_TOKEN_CHALLENGE, presentedToken, resourceError, resourceProof } from '../dpop.js';

export interface UserinfoHandlerDeps {
  userInfo: UserInfo;
  dpopProofs: DpopProofs;
  issuer: string;
}

/** The UserInfo endpoint; registered for GET and POST, behind no-store. */
export function userinfoHandler({ userInfo, dpopProofs, issuer }: UserinfoHandlerDeps) {
  return async function userinfo(ctx: AppContext) {
    const presented = presentedToken(ctx.get('Authorization'));
    if (!presented) throw new OAuthError('invalid_token', 'a Bearer or DPoP access token is required', { headers: { 'WWW-Authenticate': NO_TOKEN_CHALLENGE } });
    const jkt = await resourceProof(ctx, dpopProofs, issuer, presented.scheme, presented.token);
    const outcome = await userInfo.forAccessToken(presented.token, jkt);
    if (!outcome.ok) throw resourceError(outcome.error, outcome.description, outcome.dpop || presented.scheme === 'DPoP' ? 'DPoP' : 'Bearer');
    ctx.body = outcome.claims;
  };
}
