// Step of the /auth and /admin routes: a Bearer access token that is active right now (the whole
// introspection check), issued to a first-party client for a user, with Tessera as its audience
// (docs/accounts.md; docs/decisions.md: aud is checked where Tessera is the audience).
import type { Introspection } from '../../domain/tokens/introspection.js';
import { OAuthError } from '../../errors/oauth-error.js';
import type { AppContext, Next } from '../context.js';

const invalidToken = (description: string) =>
  new OAuthError('invalid_token', description, {
    headers: { 'WWW-Authenticate': `Bearer realm="tessera", error="invalid_token", error_description="${description}"` },
  });

export function requireUser(introspection: Introspection, issuer: string) {
  return async function authenticateBearer(ctx: AppContext, next: Next) {
    const header = ctx.get('Authorization');
    if (!header) {
      throw new OAuthError('invalid_token', 'a Bearer access token is required', { headers: { 'WWW-Authenticate': 'Bearer realm="tessera"' } });
    }
    const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(header);
    if (!match) throw invalidToken('malformed Authorization header');
    const active = await introspection.activeAccessToken(match[1]!);
    if (!active) throw invalidToken('the access token is invalid, expired or revoked');
    const audiences = Array.isArray(active.claims.aud) ? active.claims.aud : [active.claims.aud];
    if (!audiences.includes(issuer)) throw invalidToken('the access token is not meant for Tessera');
    if (!active.client.firstParty) throw invalidToken('only tokens of first-party clients open this API');
    if (!active.session) throw invalidToken('the access token does not belong to a signed-in user');
    ctx.state.user = { id: active.session.userId, sid: active.session.sessionId, role: active.session.role, client: active.client };
    await next();
  };
}

/** /admin: the role is read from the database on every request (the session join), never the token. */
export function requireRole(role: string) {
  return async function checkRole(ctx: AppContext, next: Next) {
    if (ctx.state.user?.role !== role) throw new OAuthError('insufficient_role', `this needs the ${role} role`);
    await next();
  };
}
