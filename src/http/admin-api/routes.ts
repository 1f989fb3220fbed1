// The admin API (contract §5): users, clients, keys and the audit log, for users whose role,
// read from the database on every request, is `admin`.
import type Router from '@koa/router';
import { keyView } from '../../crypto/key-view.js';
import { KEY_ALGS } from '../../crypto/key-policy.js';
import { KeyNotFoundError } from '../../crypto/key-lifecycle.js';
import { audit } from '../../audit/audit-log.js';
import { clientMetadata } from '../../domain/clients/client.js';
import type { ClientChanges } from '../../domain/clients/client-service.js';
import { decodeCursor, encodeCursor } from '../../domain/paging-cursor.js';
import { OAuthError } from '../../errors/oauth-error.js';
import { listAudit } from '../../storage/repositories/audit.js';
import { listSigningKeys } from '../../storage/repositories/signing-keys.js';
import type { KeyAlg } from '../../storage/schema.js';
import type { Services } from '../../services.js';
import type { AppContext, AppState } from '../context.js';
import { requestMeta } from '../request-meta.js';
import { optionalBoolean, optionalString, requiredString } from '../auth-api/fields.js';

const actorOf = (ctx: AppContext) => ({ id: ctx.state.user!.id, meta: requestMeta(ctx) });
const stringList = (value: unknown, name: string): string[] | undefined => {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) throw new OAuthError('invalid_request', `${name} must be an array of strings`);
  return value as string[];
};
/** The RFC 7591 names of a client in a request body, as the domain's input; absent stays absent. */
const clientFields = (body: Readonly<Record<string, unknown>>): ClientChanges => ({
  name: optionalString(body, 'client_name'),
  grantTypes: stringList(body.grant_types, 'grant_types'),
  redirectUris: stringList(body.redirect_uris, 'redirect_uris'),
  postLogoutRedirectUris: stringList(body.post_logout_redirect_uris, 'post_logout_redirect_uris'),
  scope: optionalString(body, 'scope'),
  authMethod: optionalString(body, 'token_endpoint_auth_method'),
  accessTokenAlg: optionalString(body, 'access_token_alg'),
  idTokenAlg: optionalString(body, 'id_token_signed_response_alg'),
  audience: optionalString(body, 'audience'),
  firstParty: optionalBoolean(body, 'first_party'),
});
const query = (ctx: AppContext, name: string): string | undefined => {
  const value = ctx.query[name];
  if (Array.isArray(value)) throw new OAuthError('invalid_request', `${name} is repeated`);
  return value === undefined || value === '' ? undefined : value;
};
const limitOf = (ctx: AppContext) => {
  const text = query(ctx, 'limit');
  if (text === undefined) return undefined;
  if (!/^\d{1,4}$/.test(text)) throw new OAuthError('invalid_request', 'limit must be a number');
  return Number(text);
};

export function adminRoutes(router: Router<AppState>, services: Services, afterKeyChange: () => Promise<void>): void {
  const { config } = services;

  router.get('/admin/users', async (ctx) => {
    ctx.body = await services.users.list({ limit: limitOf(ctx), cursor: query(ctx, 'cursor'), role: query(ctx, 'role'), email: query(ctx, 'email') });
  });
  router.get('/admin/users/:id', async (ctx) => {
    ctx.body = await services.users.get(ctx.params.id!);
  });
  router.patch('/admin/users/:id', async (ctx) => {
    const { body } = ctx.state;
    const role = optionalString(body, 'role');
    const disabled = optionalBoolean(body, 'disabled');
    if (role === undefined && disabled === undefined) throw new OAuthError('invalid_request', 'nothing to change: send role and/or disabled');
    if (role !== undefined) await services.users.setRole(ctx.params.id!, role, actorOf(ctx));
    if (disabled !== undefined) await services.users.setDisabled(ctx.params.id!, disabled, actorOf(ctx));
    ctx.body = await services.users.get(ctx.params.id!);
  });
  router.post('/admin/users/:id/disable', async (ctx) => {
    ctx.body = await services.users.setDisabled(ctx.params.id!, true, actorOf(ctx));
  });
  router.post('/admin/users/:id/enable', async (ctx) => {
    ctx.body = await services.users.setDisabled(ctx.params.id!, false, actorOf(ctx));
  });
  router.post('/admin/users/:id/unlock', async (ctx) => {
    ctx.body = await services.users.unlock(ctx.params.id!, actorOf(ctx));
  });

  router.delete('/admin/users/:id/2fa', async (ctx) => {
    await services.mfa.adminReset(ctx.params.id!, actorOf(ctx));
    ctx.body = await services.users.get(ctx.params.id!);
  });

  router.get('/admin/clients', async (ctx) => {
    ctx.body = { clients: (await services.clients.list()).map((client) => clientMetadata(client, config.issuer)) };
  });
  router.post('/admin/clients', async (ctx) => {
    const { client, secret } = await services.clients.create({ ...clientFields(ctx.state.body), name: requiredString(ctx.state.body, 'client_name') }, actorOf(ctx));
    ctx.status = 201;
    ctx.body = clientMetadata(client, config.issuer, secret);
  });
  router.get('/admin/clients/:id', async (ctx) => {
    ctx.body = clientMetadata(await services.clients.get(ctx.params.id!), config.issuer);
  });
  router.patch('/admin/clients/:id', async (ctx) => {
    ctx.body = clientMetadata(await services.clients.update(ctx.params.id!, clientFields(ctx.state.body), actorOf(ctx)), config.issuer);
  });
  router.delete('/admin/clients/:id', async (ctx) => {
    await services.clients.delete(ctx.params.id!, actorOf(ctx));
    ctx.status = 204;
  });
  router.post('/admin/clients/:id/rotate-secret', async (ctx) => {
    const { client, secret } = await services.clients.rotateSecret(ctx.params.id!, actorOf(ctx));
    ctx.body = clientMetadata(client, config.issuer, secret);
  });

  router.get('/admin/keys', async (ctx) => {
    ctx.body = { keys: (await listSigningKeys(services.db)).map(keyView) };
  });
  router.post('/admin/keys/rotate', async (ctx) => {
    const alg = optionalString(ctx.state.body, 'alg');
    if (alg !== undefined && !KEY_ALGS.includes(alg as KeyAlg)) throw new OAuthError('invalid_request', `alg must be one of ${KEY_ALGS.join(', ')}`);
    const force = optionalBoolean(ctx.state.body, 'force') ?? false;
    const { kids } = await services.keys.lifecycle.rotate(alg ? [alg as KeyAlg] : KEY_ALGS, force, ctx.state.user!.id);
    await audit(services.db, { event: 'key.rotated', actorId: ctx.state.user!.id, meta: requestMeta(ctx), detail: { kids: kids.join(','), force } }, services.clock.now());
    await afterKeyChange();
    const rows = await listSigningKeys(services.db);
    ctx.body = { keys: kids.map((kid) => keyView(rows.find((row) => row.kid === kid)!)) };
  });
  router.post('/admin/keys/:kid/revoke', async (ctx) => {
    const kid = ctx.params.kid!;
    try {
      await services.keys.lifecycle.revoke(kid, ctx.state.user!.id);
    } catch (error) {
      if (error instanceof KeyNotFoundError) throw new OAuthError('not_found', 'no such key');
      throw error;
    }
    await afterKeyChange();
    const row = (await listSigningKeys(services.db)).find((candidate) => candidate.kid === kid)!;
    ctx.body = keyView(row);
  });

  router.get('/admin/audit', async (ctx) => {
    const limit = Math.min(Math.max(limitOf(ctx) ?? 100, 1), 500);
    const cursor = query(ctx, 'cursor');
    const before = cursor ? decodeCursor(cursor) : undefined;
    const rows = await listAudit(services.db, { userId: query(ctx, 'user_id'), event: query(ctx, 'event'), limit: limit + 1, ...(before ? { before } : {}) });
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    ctx.body = {
      events: page.map((row) => ({
        id: row.id,
        event: row.event,
        user_id: row.user_id,
        actor_id: row.actor_id,
        ip: row.ip,
        user_agent: row.user_agent,
        detail: JSON.parse(row.detail) as unknown,
        created_at: new Date(Number(row.created_at)).toISOString(),
      })),
      next_cursor: rows.length > limit && last ? encodeCursor(last) : null,
    };
  });
}
