// Step of the /auth and /admin routes: an access token that is active right now (the whole
// introspection check), issued to a first-party client for a user, with Tessera as its audience
// (docs/accounts.md; docs/decisions.md: aud is checked where Tessera is the audience). Sent as
// Bearer, or with the DPoP scheme and a proof when it is DPoP-bound (RFC 9449 §7).
import { bindingProblem, type DpopProofs } from '../../domain/tokens/dpop.js';
import type { Introspection } from '../../domain/tokens/introspection.js';
import { OAuthError } from '../../errors/oauth-error.js';
import type { AppContext, Next } from '../context.js';
import { NO_TOKEN_CHALLENGE, presentedToken, resourceError, resourceProof, type TokenScheme } from '../dpop.js';

export function requireUser(introspection: Introspection, issuer: string, dpopProofs: DpopProofs) {
  return async function authenticateBearer(ctx: AppContext, next: Next) {
    const header = ctx.get('Authorization');
    if (!header) {
      throw new OAuthError('invalid_token', 'a Bearer or DPoP access token is required', { headers: { 'WWW-Authenticate': NO_TOKEN_CHALLENGE } });
    }
    const presented = presentedToken(header);
    if (!presented) throw resourceError('invalid_token', 'malformed Authorization header', 'Bearer');
    const scheme: TokenScheme = presented.scheme;
    const invalidToken = (description: string) => resourceError('invalid_token', description, scheme);
    const jkt = await resourceProof(ctx, dpopProofs, issuer, scheme, presented.token);
    const active = await introspection.activeAccessToken(presented.token);
    if (!active) throw invalidToken('the access token is invalid, expired or revoked');
    const unbound = bindingProblem(active.claims.cnf, jkt);
    if (unbound !== undefined) throw resourceError('invalid_token', unbound, 'DPoP');
    const audiences = Array.isArray(active.claims.aud) ? active.claims.aud : [active.claims.aud];
    if (!audiences.includes(issuer)) throw invalidToken('the access token is not meant for Tessera');
    if (!active.client.firstParty) throw invalidToken('only tokens of first-party clients open this API');
    if (!active.session) throw invalidToken('the access token does not belong to a signed-in user');
    // A token got by token exchange (RFC 8693) is a service acting for the person at another
    // service; it never opens the person's own account or the admin API.
    if (active.claims.act !== undefined) throw invalidToken('a delegated token does not open this API');
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
