// /auth/passkeys routes (docs/accounts.md, Passkeys; docs/passkeys.md): a first-party app's own
// passkey ceremonies. Sign-in is two calls, options then verification, tied by `ceremony_id`, and
// ends in tokens as /auth/login does; adding, listing, renaming and removing a passkey need the
// Bearer token of the signed-in person.
import type { Config } from '../../config/config.js';
import type { SignInService } from '../../domain/accounts/sign-in.js';
import type { PasskeyService } from '../../domain/passkeys/passkey-service.js';
import { passkeyView } from '../../domain/passkeys/passkey.js';
import { OAuthError } from '../../errors/oauth-error.js';
import type { AppContext, RouteContext } from '../context.js';
import { requestMeta } from '../request-meta.js';
import { field, optionalBoolean, optionalString, requiredString } from './fields.js';
import { answerTokens } from './refresh-cookie.js';

export interface PasskeyHandlerDeps {
  config: Config;
  signIn: SignInService;
  passkeys: PasskeyService;
}

/** The browser's answer, as @simplewebauthn/browser returns it: an object (a JSON string is accepted too). */
const credentialOf = (body: Readonly<Record<string, unknown>>): unknown => {
  const value = field(body, 'credential');
  if (value === undefined || value === null) throw new OAuthError('invalid_request', 'credential is required');
  return value;
};

export function passkeyHandlers({ config, signIn, passkeys }: PasskeyHandlerDeps) {
  const userId = (ctx: AppContext) => ctx.state.user!.id;

  return {
    /** POST /auth/passkeys/sign-in/options: a discoverable sign-in for the first-party client named (or the built-in one). */
    async signInOptions(ctx: AppContext) {
      const client = await signIn.firstPartyClient(optionalString(ctx.state.body, 'client_id'));
      ctx.body = await passkeys.signInOptions(`api:${client.clientId}`, requestMeta(ctx));
    },

    /** POST /auth/passkeys/sign-in/verify: the assertion; tokens as /auth/login answers them (`cookie` as there). */
    async signInVerify(ctx: AppContext) {
      const { body } = ctx.state;
      const meta = requestMeta(ctx);
      const client = await signIn.firstPartyClient(optionalString(body, 'client_id'));
      const cookie = optionalBoolean(body, 'cookie') ?? false;
      const passed = await passkeys.verifySignIn(`api:${client.clientId}`, requiredString(body, 'ceremony_id'), credentialOf(body), meta);
      answerTokens(ctx, config, await signIn.complete(passed.user, client, passed.amr, meta), cookie);
    },

    /** GET /auth/passkeys */
    async list(ctx: AppContext) {
      ctx.body = { passkeys: (await passkeys.list(userId(ctx))).map(passkeyView) };
    },

    /** POST /auth/passkeys/register/options: bound to the session of the Bearer token. */
    async registerOptions(ctx: AppContext) {
      ctx.body = await passkeys.registrationOptions(userId(ctx), `token:${ctx.state.user!.sid}`);
    },

    /** POST /auth/passkeys/register/verify */
    async registerVerify(ctx: AppContext) {
      const { body } = ctx.state;
      const passkey = await passkeys.register(userId(ctx), `token:${ctx.state.user!.sid}`, requiredString(body, 'ceremony_id'), credentialOf(body), optionalString(body, 'name'), requestMeta(ctx));
      ctx.status = 201;
      ctx.body = passkeyView(passkey);
    },

    /** PATCH /auth/passkeys/:id */
    async rename(ctx: RouteContext) {
      ctx.body = passkeyView(await passkeys.rename(userId(ctx), ctx.params.id ?? '', requiredString(ctx.state.body, 'name'), requestMeta(ctx)));
    },

    /** DELETE /auth/passkeys/:id: with the current password, as turning 2FA off asks. */
    async remove(ctx: RouteContext) {
      await passkeys.remove(userId(ctx), ctx.params.id ?? '', requestMeta(ctx), requiredString(ctx.state.body, 'password'));
      ctx.status = 204;
    },
  };
}
