// OIDC Core §5.3 UserInfo, GET and POST with a Bearer access token that carries `openid`; the
// claims come from the domain (domain/tokens/userinfo.ts), errors as RFC 6750 §3 describes.
import type { UserInfo } from '../../domain/tokens/userinfo.js';
import { OAuthError } from '../../errors/oauth-error.js';
import type { AppContext } from '../context.js';

const bearerError = (code: 'invalid_token' | 'insufficient_scope', description: string) =>
  new OAuthError(code, description, { headers: { 'WWW-Authenticate': `Bearer realm="tessera", error="${code}", error_description="${description}"` } });

export interface UserinfoHandlerDeps {
  userInfo: UserInfo;
}

/** The UserInfo endpoint; registered for GET and POST, behind no-store. */
export function userinfoHandler({ userInfo }: UserinfoHandlerDeps) {
  return async function userinfo(ctx: AppContext) {
    const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(ctx.get('Authorization'));
    if (!match) throw new OAuthError('invalid_token', 'a Bearer access token is required', { headers: { 'WWW-Authenticate': 'Bearer realm="tessera"' } });
    const outcome = await userInfo.forAccessToken(match[1]!);
    if (!outcome.ok) throw bearerError(outcome.error, outcome.description);
    ctx.body = outcome.claims;
  };
}
