// /admin/upstreams (docs/upstreams.md): the upstream identity providers, for admins. The same
// domain service as `tessera upstreams`, so both leave the same audit events; the client secret
// goes in and never comes out.
import type { UpstreamAdmin } from '../../domain/upstreams/upstream-admin.js';
import { upstreamView } from '../../domain/upstreams/upstream.js';
import type { AppContext, RouteContext } from '../context.js';
import { requestMeta } from '../request-meta.js';
import { optionalString, requiredString } from '../auth-api/fields.js';

const actorOf = (ctx: AppContext) => ({ id: ctx.state.user!.id, meta: requestMeta(ctx) });

export function upstreamAdminHandlers({ issuer, upstreams }: { issuer: string; upstreams: UpstreamAdmin }) {
  return {
    async list(ctx: AppContext) {
      ctx.body = { upstreams: (await upstreams.list()).map((upstream) => upstreamView(upstream, issuer)) };
    },
    async create(ctx: AppContext) {
      const body = ctx.state.body;
      const upstream = await upstreams.add(
        {
          name: requiredString(body, 'name'),
          issuer: optionalString(body, 'issuer'),
          clientId: requiredString(body, 'client_id'),
          clientSecret: requiredString(body, 'client_secret'),
          displayName: optionalString(body, 'display_name'),
          scope: optionalString(body, 'scope'),
          preset: optionalString(body, 'preset'),
        },
        actorOf(ctx),
      );
      ctx.status = 201;
      ctx.body = upstreamView(upstream, issuer);
    },
    async get(ctx: RouteContext) {
      ctx.body = upstreamView(await upstreams.get(ctx.params.name!), issuer);
    },
    async update(ctx: RouteContext) {
      const body = ctx.state.body;
      const changes = {
        displayName: optionalString(body, 'display_name'),
        clientId: optionalString(body, 'client_id'),
        clientSecret: optionalString(body, 'client_secret'),
        scope: optionalString(body, 'scope'),
      };
      ctx.body = upstreamView(await upstreams.update(ctx.params.name!, changes, actorOf(ctx)), issuer);
    },
    async delete(ctx: RouteContext) {
      await upstreams.delete(ctx.params.name!, actorOf(ctx));
      ctx.status = 204;
    },
  };
}
