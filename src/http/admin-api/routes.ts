// The admin API (docs/accounts.md, The admin API): users, clients, keys and the audit log, for users whose role,
// read from the database on every request, is `admin`. Every handler expects the Bearer check and
// the role check before it; every change names the admin as its actor.
import type { AuditQuery } from '../../audit/audit-query.js';
import { KeyNotFoundError } from '../../crypto/key-lifecycle.js';
import type { PasswordService } from '../../domain/accounts/passwords.js';
import type { UserAdminService } from '../../domain/accounts/user-admin.js';
import { clientMetadata } from '../../domain/clients/client.js';
import type { ClientChanges, ClientService } from '../../domain/clients/client-service.js';
import { isKeyAlg, KEY_ALGS, type KeyAdmin } from '../../domain/keys/key-admin.js';
import type { MfaService } from '../../domain/mfa/mfa-service.js';
import type { PasskeyService } from '../../domain/passkeys/passkey-service.js';
import { OAuthError } from '../../errors/oauth-error.js';
import type { AppContext, RouteContext } from '../context.js';
import { requestMeta } from '../request-meta.js';
import { field, optionalBoolean, optionalString, requiredString } from '../auth-api/fields.js';

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
  // RFC 7591 §2: the JWK Set itself, checked by the domain; RFC 9449 §5.2; RFC 9126 §6.
  jwks: field(body, 'jwks') ?? undefined,
  jwksUri: optionalString(body, 'jwks_uri'),
  dpopBound: optionalBoolean(body, 'dpop_bound_access_tokens'),
  requirePar: optionalBoolean(body, 'require_pushed_authorization_requests'),
  // RFC 8693 (docs/delegation.md); OIDC Back-Channel Logout 1.0 §2.2 (null or '' clears it).
  exchangeAudiences: stringList(body.exchange_audiences, 'exchange_audiences'),
  backchannelLogoutUri: body.backchannel_logout_uri === null ? '' : optionalString(body, 'backchannel_logout_uri'),
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

export interface AdminHandlerDeps {
  /** Tessera's issuer: the default audience a client's metadata shows. */
  issuer: string;
  users: UserAdminService;
  /** The reset link an admin sends (the mail of forgot-password). */
  passwords: PasswordService;
  mfa: MfaService;
  passkeys: PasskeyService;
  clients: ClientService;
  keyAdmin: KeyAdmin;
  auditLog: AuditQuery;
}

export function adminHandlers({ issuer, users, passwords, mfa, passkeys, clients, keyAdmin, auditLog }: AdminHandlerDeps) {
  return {
    async listUsers(ctx: AppContext) {
      ctx.body = await users.list({ limit: limitOf(ctx), cursor: query(ctx, 'cursor'), role: query(ctx, 'role'), email: query(ctx, 'email') });
    },
    /** The same account as `tessera users create`, with the same validation (password policy, role, a taken email is 409). */
    async createUser(ctx: AppContext) {
      const { body } = ctx.state;
      const user = await users.create(
        {
          email: requiredString(body, 'email'),
          password: requiredString(body, 'password'),
          name: optionalString(body, 'name'),
          role: optionalString(body, 'role'),
          verified: optionalBoolean(body, 'email_verified') ?? false,
        },
        actorOf(ctx),
      );
      ctx.status = 201;
      ctx.body = user;
    },
    async getUser(ctx: RouteContext) {
      ctx.body = await users.get(ctx.params.id!);
    },
    /** As `DELETE /auth/me`, without the user's password: every session and token of the user ends. */
    async deleteUser(ctx: RouteContext) {
      await users.delete(ctx.params.id!, actorOf(ctx));
      ctx.status = 204;
    },
    /** 202: the reset mail is in the outbox (delivered after the commit, docs/decisions.md). */
    async resetPassword(ctx: RouteContext) {
      await passwords.sendResetLink(ctx.params.id!, actorOf(ctx));
      ctx.status = 202;
      ctx.body = { status: 'accepted' };
    },
    async updateUser(ctx: RouteContext) {
      const { body } = ctx.state;
      const role = optionalString(body, 'role');
      const disabled = optionalBoolean(body, 'disabled');
      if (role === undefined && disabled === undefined) throw new OAuthError('invalid_request', 'nothing to change: send role and/or disabled');
      if (role !== undefined) await users.setRole(ctx.params.id!, role, actorOf(ctx));
      if (disabled !== undefined) await users.setDisabled(ctx.params.id!, disabled, actorOf(ctx));
      ctx.body = await users.get(ctx.params.id!);
    },
    async disableUser(ctx: RouteContext) {
      ctx.body = await users.setDisabled(ctx.params.id!, true, actorOf(ctx));
    },
    async enableUser(ctx: RouteContext) {
      ctx.body = await users.setDisabled(ctx.params.id!, false, actorOf(ctx));
    },
    async unlockUser(ctx: RouteContext) {
      ctx.body = await users.unlock(ctx.params.id!, actorOf(ctx));
    },
    /** A person who lost their devices: TOTP, backup codes and passkeys all go (docs/passkeys.md). */
    async resetMfa(ctx: RouteContext) {
      await mfa.adminReset(ctx.params.id!, actorOf(ctx));
      await passkeys.adminRemoveAll(ctx.params.id!, actorOf(ctx));
      ctx.body = await users.get(ctx.params.id!);
    },
    /** Every passkey of the user, and nothing else. */
    async removePasskeys(ctx: RouteContext) {
      const removed = await passkeys.adminRemoveAll(ctx.params.id!, actorOf(ctx));
      ctx.body = { removed };
    },

    async listClients(ctx: AppContext) {
      ctx.body = { clients: (await clients.list()).map((client) => clientMetadata(client, issuer)) };
    },
    async createClient(ctx: AppContext) {
      const { client, secret } = await clients.create({ ...clientFields(ctx.state.body), name: requiredString(ctx.state.body, 'client_name') }, actorOf(ctx));
      ctx.status = 201;
      ctx.body = clientMetadata(client, issuer, secret);
    },
    async getClient(ctx: RouteContext) {
      ctx.body = clientMetadata(await clients.get(ctx.params.id!), issuer);
    },
    async updateClient(ctx: RouteContext) {
      ctx.body = clientMetadata(await clients.update(ctx.params.id!, clientFields(ctx.state.body), actorOf(ctx)), issuer);
    },
    async deleteClient(ctx: RouteContext) {
      await clients.delete(ctx.params.id!, actorOf(ctx));
      ctx.status = 204;
    },
    async rotateClientSecret(ctx: RouteContext) {
      const { client, secret } = await clients.rotateSecret(ctx.params.id!, actorOf(ctx));
      ctx.body = clientMetadata(client, issuer, secret);
    },

    async listKeys(ctx: AppContext) {
      ctx.body = { keys: await keyAdmin.list() };
    },
    async rotateKeys(ctx: AppContext) {
      const alg = optionalString(ctx.state.body, 'alg');
      if (alg !== undefined && !isKeyAlg(alg)) throw new OAuthError('invalid_request', `alg must be one of ${KEY_ALGS.join(', ')}`);
      const force = optionalBoolean(ctx.state.body, 'force') ?? false;
      ctx.body = { keys: await keyAdmin.rotate(alg ? [alg] : undefined, force, actorOf(ctx)) };
    },
    async revokeKey(ctx: RouteContext) {
      try {
        ctx.body = await keyAdmin.revoke(ctx.params.kid!, actorOf(ctx));
      } catch (error) {
        if (error instanceof KeyNotFoundError) throw new OAuthError('not_found', 'no such key');
        throw error;
      }
    },

    async listAudit(ctx: AppContext) {
      ctx.body = await auditLog.list({ userId: query(ctx, 'user_id'), event: query(ctx, 'event'), limit: limitOf(ctx), cursor: query(ctx, 'cursor') });
    },
  };
}
