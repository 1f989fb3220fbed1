// OIDC Core §5.3 UserInfo, GET and POST with a Bearer access token that carries `openid`: `sub`,
// plus `email` and `email_verified` with the email scope and `name` with profile (contract §3).
import type Router from '@koa/router';
import { OAuthError } from '../../errors/oauth-error.js';
import { findUserById } from '../../storage/repositories/users.js';
import type { Services } from '../../services.js';
import type { AppContext, AppState } from '../context.js';
import { noStore } from '../middleware/security-headers.js';
import { ENDPOINT_PATHS } from './discovery.js';

const bearerError = (code: 'invalid_token' | 'insufficient_scope', description: string) =>
  new OAuthError(code, description, { headers: { 'WWW-Authenticate': `Bearer realm="tessera", error="${code}", error_description="${description}"` } });

export function userinfoRoutes(router: Router<AppState>, services: Services): void {
  async function userinfo(ctx: AppContext) {
    const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(ctx.get('Authorization'));
    if (!match) throw new OAuthError('invalid_token', 'a Bearer access token is required', { headers: { 'WWW-Authenticate': 'Bearer realm="tessera"' } });
    const active = await services.introspection.activeAccessToken(match[1]!);
    if (!active || !active.session) throw bearerError('invalid_token', 'the access token is invalid, expired or revoked');
    const audiences = Array.isArray(active.claims.aud) ? active.claims.aud : [active.claims.aud];
    if (!audiences.includes(services.config.issuer)) throw bearerError('invalid_token', 'the access token is not meant for Tessera');
    const scopes = active.claims.scope.split(' ');
    if (!scopes.includes('openid')) throw bearerError('insufficient_scope', 'the access token lacks the openid scope');
    const user = await findUserById(services.db, active.claims.sub);
    if (!user) throw bearerError('invalid_token', 'the account no longer exists');
    ctx.body = {
      sub: user.id,
      ...(scopes.includes('email') ? { email: user.email, email_verified: user.email_verified === 1 } : {}),
      ...(scopes.includes('profile') ? { name: user.name } : {}),
    };
  }
  router.get(ENDPOINT_PATHS.userinfo, noStore, userinfo);
  router.post(ENDPOINT_PATHS.userinfo, noStore, userinfo);
}
