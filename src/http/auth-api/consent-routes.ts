// The consents a user gave to (third-party) applications: list and revoke (docs/accounts.md; the domain
// remembers them per client and scope set). Both routes expect the Bearer check before them.
import type { ConsentService } from '../../domain/consents/consent-service.js';
import type { AppContext, RouteContext } from '../context.js';
import { requestMeta } from '../request-meta.js';

export interface ConsentHandlerDeps {
  consents: ConsentService;
}

export function consentHandlers({ consents }: ConsentHandlerDeps) {
  return {
    async listConsents(ctx: AppContext) {
      const granted = await consents.list(ctx.state.user!.id);
      ctx.body = {
        consents: granted.map((consent) => ({
          client_id: consent.clientId,
          client_name: consent.clientName,
          scope: consent.scope,
          granted_at: new Date(consent.grantedAt).toISOString(),
        })),
      };
    },

    /** Revoking also ends that application's sessions. */
    async revokeConsent(ctx: RouteContext) {
      await consents.revoke({ id: ctx.state.user!.id, meta: requestMeta(ctx) }, ctx.params.client_id ?? '');
      ctx.status = 204;
    },
  };
}
