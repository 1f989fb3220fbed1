// RFC 8693 §2.1: token exchange, delegation only (docs/delegation.md). The form becomes the
// domain's request; the domain checks the audience, the scope and the subject token.
import type { TokenExchange } from '../../../domain/tokens/token-exchange.js';
import type { Metrics } from '../../../metrics/metrics.js';
import type { Grant } from './grant.js';

export function tokenExchangeGrant(exchange: TokenExchange, metrics: Metrics): Grant {
  return async ({ client, form, meta, dpop }) => {
    const issued = await exchange.exchange(
      client,
      {
        subjectToken: form.subject_token,
        subjectTokenType: form.subject_token_type,
        audience: form.audience,
        resource: form.resource,
        scope: form.scope,
        requestedTokenType: form.requested_token_type,
        actorToken: form.actor_token,
        actorTokenType: form.actor_token_type,
      },
      meta,
      dpop?.jkt,
    );
    metrics.countTokenIssued('token_exchange', client.accessTokenAlg);
    return issued;
  };
}
