// OIDC Core §5.3 UserInfo: the claims a user access token that carries `openid` may read: `sub`,
// plus `email` and `email_verified` with the email scope and `name` with profile (README, Endpoints).
// The token must be active right now (the whole introspection check) and meant for Tessera.
import type { Db } from '../../storage/db.js';
import { findUserById } from '../../storage/repositories/users.js';
import { userFromRow } from '../accounts/user.js';
import { bindingProblem } from './dpop.js';
import type { Introspection } from './introspection.js';

export interface UserInfoClaims {
  sub: string;
  email?: string;
  email_verified?: boolean;
  name?: string;
}

/**
 * RFC 6750 §3.1 error codes; the HTTP layer puts them into WWW-Authenticate, with the DPoP scheme
 * when `dpop` says the token or the request was DPoP's (RFC 9449 §7.1).
 */
export type UserInfoOutcome =
  | { ok: true; claims: UserInfoClaims }
  | { ok: false; error: 'invalid_token' | 'insufficient_scope'; description: string; dpop?: true };

export class UserInfo {
  constructor(
    private readonly db: Db,
    private readonly issuer: string,
    private readonly introspection: Introspection,
  ) {}

  /** `dpopJkt`: the key of the request's checked DPoP proof; undefined for a Bearer token. */
  async forAccessToken(token: string, dpopJkt?: string): Promise<UserInfoOutcome> {
    const active = await this.introspection.activeAccessToken(token);
    if (!active || !active.session) return { ok: false, error: 'invalid_token', description: 'the access token is invalid, expired or revoked' };
    const unbound = bindingProblem(active.claims.cnf, dpopJkt);
    if (unbound !== undefined) return { ok: false, error: 'invalid_token', description: unbound, dpop: true };
    const audiences = Array.isArray(active.claims.aud) ? active.claims.aud : [active.claims.aud];
    if (!audiences.includes(this.issuer)) return { ok: false, error: 'invalid_token', description: 'the access token is not meant for Tessera' };
    const scopes = active.claims.scope.split(' ');
    if (!scopes.includes('openid')) return { ok: false, error: 'insufficient_scope', description: 'the access token lacks the openid scope' };
    const claims = await this.claimsOf(active.claims.sub, scopes);
    if (!claims) return { ok: false, error: 'invalid_token', description: 'the account no longer exists' };
    return { ok: true, claims };
  }

  /** The claims of a user for the granted scopes; undefined when the account is gone. */
  async claimsOf(userId: string, scopes: readonly string[]): Promise<UserInfoClaims | undefined> {
    const row = await findUserById(this.db, userId);
    if (!row) return undefined;
    const user = userFromRow(row);
    return {
      sub: user.id,
      ...(scopes.includes('email') ? { email: user.email, email_verified: user.emailVerified } : {}),
      ...(scopes.includes('profile') ? { name: user.name } : {}),
    };
  }
}
