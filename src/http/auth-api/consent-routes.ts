// The consents a user gave to (third-party) applications: list and revoke (issue: remembered per
// client and scope set, revocable later). Revoking also ends that application's sessions.
import type Router from '@koa/router';
import { audit } from '../../audit/audit-log.js';
import { OAuthError } from '../../errors/oauth-error.js';
import { deleteClientConsent, listClientConsents } from '../../storage/repositories/oidc.js';
import type { Services } from '../../services.js';
import type { AppContext, AppState, Next } from '../context.js';
import { requestMeta } from '../request-meta.js';

export function consentRoutes(router: Router<AppState>, services: Services, requireUser: (ctx: AppContext, next: Next) => Promise<void>): void {
  router.get('/auth/consents', requireUser, async (ctx) => {
    const rows = await listClientConsents(services.db, ctx.state.user!.id);
    const consents = [];
    for (const row of rows) {
      const client = await services.clientRegistry.find(row.client_id);
      consents.push({ client_id: row.client_id, client_name: client?.name ?? null, scope: row.scope, granted_at: new Date(Number(row.granted_at)).toISOString() });
    }
    ctx.body = { consents };
  });

  router.delete('/auth/consents/:client_id', requireUser, async (ctx) => {
    const user = ctx.state.user!;
    const clientId = ctx.params.client_id ?? '';
    await services.db.transaction().execute(async (tx) => {
      if (!(await deleteClientConsent(tx, user.id, clientId))) throw new OAuthError('not_found', 'no consent for that application');
      await tx.updateTable('sessions').set({ ended_at: services.clock.now(), end_reason: 'consent_revoked' }).where('user_id', '=', user.id).where('client_id', '=', clientId).where('parent_id', 'is not', null).where('ended_at', 'is', null).execute();
      await audit(tx, { event: 'user.consent_revoked', userId: user.id, meta: requestMeta(ctx), detail: { client_id: clientId } }, services.clock.now());
    });
    ctx.status = 204;
  });
}
