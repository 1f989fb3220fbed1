// Token exchange (RFC 8693; docs/delegation.md): a service that received a person's access token
// gets a token for the next service in the chain, for the same person, saying who acts. Delegation
// only (§1.1): the new token keeps the subject's `sub` and `sid` and carries `act` with the calling
// client, nested over any `act` the subject token had (§4.1). Impersonation (a token without
// `act`) is not offered, nor actor tokens: the actor is the authenticated client.
//
// The new token belongs to the subject's sign-in session (its `sid`), so it dies with that session,
// a logout-all or the user's disabling, like every token of the session (domain/tokens/introspection.ts);
// it also never outlives the subject token.
import { audit, type RequestMeta } from '../../audit/audit-log.js';
import { OAuthError } from '../../errors/oauth-error.js';
import type { Db } from '../../storage/db.js';
import type { Client } from '../clients/client.js';
import { parseScope } from '../clients/scope.js';
import type { TokenType } from '../sessions/sessions.js';
import type { AccessTokens, ActorClaim } from './access-tokens.js';
import type { Introspection } from './introspection.js';
import type { Clock } from '../../clock.js';

/** RFC 8693 §3: the one token type taken and issued here. */
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
/** A chain of services longer than this is a loop, not a design. */
export const MAX_DELEGATION_DEPTH = 10;

export interface ExchangeRequest {
  subjectToken?: string;
  subjectTokenType?: string;
  audience?: string;
  resource?: string;
  scope?: string;
  requestedTokenType?: string;
  actorToken?: string;
  actorTokenType?: string;
}

/** RFC 8693 §2.2.1. */
export interface ExchangedToken {
  access_token: string;
  issued_token_type: typeof ACCESS_TOKEN_TYPE;
  token_type: TokenType;
  expires_in: number;
  scope: string;
}

const invalidRequest = (description: string) => new OAuthError('invalid_request', description);

/** The depth of a chain of `act` claims (1 for one actor). */
export function delegationDepth(act: ActorClaim | undefined): number {
  let depth = 0;
  for (let current = act; current !== undefined; current = current.act) depth += 1;
  return depth;
}

/**
 * RFC 8693 §4.4: a subject token with `may_act` names who may act for the subject; anyone else is
 * refused. Without it, the client's registration (the grant and its audiences) decides.
 */
export function mayActFor(mayAct: unknown, clientId: string): boolean {
  if (mayAct === undefined) return true;
  if (typeof mayAct !== 'object' || mayAct === null || Array.isArray(mayAct)) return false;
  return (mayAct as { sub?: unknown }).sub === clientId;
}

export class TokenExchange {
  constructor(
    private readonly db: Db,
    private readonly introspection: Introspection,
    private readonly accessTokens: AccessTokens,
    private readonly clock: Clock,
  ) {}

  /** `dpopJkt`: the key of the request's DPoP proof, which the new token is bound to (RFC 9449 §5). */
  async exchange(client: Client, request: ExchangeRequest, meta: RequestMeta, dpopJkt?: string): Promise<ExchangedToken> {
    if (request.subjectToken === undefined) throw invalidRequest('subject_token is required');
    if (request.subjectTokenType === undefined) throw invalidRequest('subject_token_type is required');
    if (request.subjectTokenType !== ACCESS_TOKEN_TYPE) throw invalidRequest(`subject_token_type must be ${ACCESS_TOKEN_TYPE}`);
    if (request.actorToken !== undefined || request.actorTokenType !== undefined) {
      throw invalidRequest('actor tokens are not accepted: the authenticated client is the actor');
    }
    if (request.requestedTokenType !== undefined && request.requestedTokenType !== ACCESS_TOKEN_TYPE) {
      throw invalidRequest(`requested_token_type must be ${ACCESS_TOKEN_TYPE}`);
    }
    // §2.2.2: a target the client may not ask for is invalid_target; Tessera names targets by
    // audience only, each registered per client.
    if (request.resource !== undefined) throw new OAuthError('invalid_target', 'name the target with audience; resource is not supported here');
    const audience = request.audience;
    if (audience === undefined) throw new OAuthError('invalid_target', 'audience is required');
    if (!client.exchangeAudiences.includes(audience)) {
      throw new OAuthError('invalid_target', 'the client may not exchange tokens for this audience', { detail: `audience ${JSON.stringify(audience.slice(0, 200))}` });
    }
    const asked = request.scope === undefined ? undefined : parseScope(request.scope);
    if (request.scope !== undefined && asked === undefined) throw new OAuthError('invalid_scope', 'the scope is malformed');

    // The whole check of introspection: signature, expiry, revocation, the client, the session and
    // the user. Anything else is a subject token that grants nothing.
    const subject = request.subjectToken.length <= 16 * 1024 ? await this.introspection.activeAccessToken(request.subjectToken) : undefined;
    if (!subject) throw new OAuthError('invalid_grant', 'the subject token is invalid, expired or revoked');
    const { claims, session } = subject;
    if (!session || claims.sid === undefined) throw new OAuthError('invalid_grant', 'the subject token does not belong to a signed-in person');
    if (!mayActFor(claims.may_act, client.clientId)) throw new OAuthError('invalid_grant', 'the subject token does not allow this client to act for its subject');
    if (delegationDepth(claims.act) >= MAX_DELEGATION_DEPTH) throw new OAuthError('invalid_grant', 'the delegation chain is too long');

    const granted = claims.scope.split(' ').filter(Boolean);
    // §2.1: the scope asked for may narrow the subject token's, never widen it.
    if (asked && !asked.every((scope) => granted.includes(scope))) throw new OAuthError('invalid_scope', 'the scope is wider than the subject token\'s');
    const scopes = asked ?? granted;
    const act: ActorClaim = claims.act === undefined ? { sub: client.clientId } : { sub: client.clientId, act: claims.act };

    const issued = await this.accessTokens.issue({
      alg: client.accessTokenAlg,
      sub: claims.sub,
      clientId: client.clientId,
      audience,
      scopes,
      extra: { role: session.role, sid: claims.sid },
      act,
      notAfter: claims.exp,
      ...(dpopJkt === undefined ? {} : { dpopJkt }),
    });
    await audit(
      this.db,
      {
        event: 'token.exchanged',
        userId: claims.sub,
        actorId: `client:${client.clientId}`,
        meta,
        detail: { client_id: client.clientId, audience, scope: scopes.join(' '), subject_client_id: claims.client_id, session: claims.sid, jti: issued.jti },
      },
      this.clock.now(),
    );
    return {
      access_token: issued.token,
      issued_token_type: ACCESS_TOKEN_TYPE,
      token_type: dpopJkt === undefined ? 'Bearer' : 'DPoP',
      expires_in: issued.expiresIn,
      scope: scopes.join(' '),
    };
  }
}
