// The commands of `tessera GROUP COMMAND`. Each receives the opened context (context.ts) and its
// arguments, calls the same domain services as the admin API, and returns what to print.
import { readFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { KeyNotFoundError } from '../crypto/key-lifecycle.js';
import { clientMetadata } from '../domain/clients/client.js';
import { OAuthError } from '../errors/oauth-error.js';
import { CLI_ACTOR } from '../audit/audit-log.js';
import type { ClientChanges } from '../domain/clients/client-service.js';
import { isKeyAlg, KEY_ALGS } from '../domain/keys/key-admin.js';
import { upstreamView } from '../domain/upstreams/upstream.js';
import type { CliContext } from './context.js';
import { readStdinLine } from './stdin.js';

export class UsageError extends Error {}

export type { CliContext } from './context.js';

type Command = (context: CliContext, args: string[]) => Promise<unknown>;

const list = (value: string | undefined) => (value === undefined ? undefined : value.split(',').map((item) => item.trim()).filter(Boolean));

type Options = NonNullable<ParseArgsConfig['options']>;

function parse(args: string[], options: Options, positionals = 0): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  try {
    const parsed = parseArgs({ args, options: { ...options, json: { type: 'boolean' } }, allowPositionals: positionals > 0, strict: true }) as {
      values: Record<string, string | boolean | undefined>;
      positionals: string[];
    };
    if (parsed.positionals.length !== positionals) throw new UsageError(`expected ${positionals} argument(s), got ${parsed.positionals.length}`);
    return parsed;
  } catch (error) {
    throw error instanceof UsageError ? error : new UsageError((error as Error).message);
  }
}

/** The flags of `clients create`, and of `clients update`, which takes any of them (README, The admin CLI). */
const CLIENT_FLAGS: Options = {
  name: { type: 'string' },
  'grant-types': { type: 'string' },
  'redirect-uris': { type: 'string' },
  'post-logout-redirect-uris': { type: 'string' },
  scope: { type: 'string' },
  public: { type: 'boolean' },
  'auth-method': { type: 'string' },
  'access-token-alg': { type: 'string' },
  'id-token-alg': { type: 'string' },
  audience: { type: 'string' },
  'first-party': { type: 'boolean' },
  jwks: { type: 'string' },
  'jwks-uri': { type: 'string' },
  'dpop-bound': { type: 'boolean' },
  'no-dpop-bound': { type: 'boolean' },
  'require-par': { type: 'boolean' },
  'no-require-par': { type: 'boolean' },
  'exchange-audiences': { type: 'string' },
  'backchannel-logout-uri': { type: 'string' },
};

/** `--jwks FILE`: the client's public JWK Set, read from a file (keys do not fit on a command line). */
function readJwksFile(file: string | undefined): unknown {
  if (file === undefined) return undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read --jwks ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new UsageError(`--jwks ${file} is not JSON`);
  }
}

/** A switch with its `--no-` form (for `clients update`); both at once is a mistake. */
function toggle(values: Record<string, string | boolean | undefined>, name: string): boolean | undefined {
  if (values[name] && values[`no-${name}`]) throw new UsageError(`--${name} and --no-${name} contradict each other`);
  return values[name] ? true : values[`no-${name}`] ? false : undefined;
}

function clientChanges(values: Record<string, string | boolean | undefined>): ClientChanges {
  return {
    name: values.name as string | undefined,
    grantTypes: list(values['grant-types'] as string | undefined),
    redirectUris: list(values['redirect-uris'] as string | undefined),
    postLogoutRedirectUris: list(values['post-logout-redirect-uris'] as string | undefined),
    scope: values.scope as string | undefined,
    public: values.public as boolean | undefined,
    authMethod: values['auth-method'] as string | undefined,
    accessTokenAlg: values['access-token-alg'] as string | undefined,
    idTokenAlg: values['id-token-alg'] as string | undefined,
    audience: values.audience as string | undefined,
    firstParty: values['first-party'] as boolean | undefined,
    jwks: readJwksFile(values.jwks as string | undefined),
    jwksUri: values['jwks-uri'] as string | undefined,
    dpopBound: toggle(values, 'dpop-bound'),
    requirePar: toggle(values, 'require-par'),
    exchangeAudiences: list(values['exchange-audiences'] as string | undefined),
    backchannelLogoutUri: values['backchannel-logout-uri'] as string | undefined,
  };
}

const clientCommands: Record<string, Command> = {
  async create({ config, clients, actor }, args) {
    const { values } = parse(args, CLIENT_FLAGS);
    if (values.name === undefined) throw new UsageError('--name is required');
    const { client, secret } = await clients.create({ ...clientChanges(values), name: values.name as string }, actor);
    return clientMetadata(client, config.issuer, secret);
  },
  async update({ config, clients, actor }, args) {
    const { values, positionals } = parse(args, CLIENT_FLAGS, 1);
    const changes = clientChanges(values);
    if (Object.values(changes).every((value) => value === undefined)) throw new UsageError('nothing to change: give at least one flag of clients create');
    return clientMetadata(await clients.update(positionals[0]!, changes, actor), config.issuer);
  },
  async list({ config, clients }, args) {
    parse(args, {});
    return (await clients.list()).map((client) => clientMetadata(client, config.issuer));
  },
  async show({ config, clients }, args) {
    const { positionals } = parse(args, {}, 1);
    return clientMetadata(await clients.get(positionals[0]!), config.issuer);
  },
  async delete({ config, clients, actor }, args) {
    const { positionals } = parse(args, {}, 1);
    return clientMetadata(await clients.delete(positionals[0]!, actor), config.issuer);
  },
  async 'rotate-secret'({ config, clients, actor }, args) {
    const { positionals } = parse(args, {}, 1);
    const { client, secret } = await clients.rotateSecret(positionals[0]!, actor);
    return clientMetadata(client, config.issuer, secret);
  },
};

/** The same key administration as /admin/keys, so both leave the same audit events (docs/keys.md). */
const keyCommands: Record<string, Command> = {
  async list(context, args) {
    parse(args, {});
    return (await context.keys()).list();
  },
  async rotate(context, args) {
    const { values } = parse(args, { alg: { type: 'string' }, force: { type: 'boolean' } });
    const alg = values.alg as string | undefined;
    if (alg !== undefined && !isKeyAlg(alg)) throw new UsageError(`--alg must be one of ${KEY_ALGS.join(', ')}`);
    return (await context.keys()).rotate(alg ? [alg] : undefined, values.force === true, context.actor);
  },
  async revoke(context, args) {
    const { positionals } = parse(args, {}, 1);
    const keys = await context.keys();
    try {
      return await keys.revoke(positionals[0]!, context.actor);
    } catch (error) {
      if (error instanceof KeyNotFoundError) throw new OAuthError('not_found', error.message);
      throw error;
    }
  },
  /** Re-seals under KEYS_KEK what KEYS_KEK_PREVIOUS sealed (docs/keys.md, Rotating the key-encryption key). */
  async rekey(context, args) {
    parse(args, {});
    return (await context.keys()).rekey(context.actor);
  },
};

async function passwordFromStdin(): Promise<string> {
  try {
    const password = await readStdinLine();
    if (password === '') throw new Error('standard input is empty');
    return password;
  } catch (error) {
    throw new UsageError(`--password-stdin: ${(error as Error).message}`);
  }
}

/** Users need the account services (password hashing, sessions, lockout): the context's. */
const userServices = (context: CliContext) => context.accounts();

const userCommands: Record<string, Command> = {
  async create(context, args) {
    const { values } = parse(args, {
      email: { type: 'string' },
      password: { type: 'string' },
      'password-stdin': { type: 'boolean' },
      name: { type: 'string' },
      role: { type: 'string' },
      verified: { type: 'boolean' },
    });
    if (values.password !== undefined && values['password-stdin'] === true) throw new UsageError('give --password or --password-stdin, not both');
    if (values.email === undefined || (values.password === undefined && values['password-stdin'] !== true)) {
      throw new UsageError('--email and --password (or --password-stdin) are required');
    }
    const password = values['password-stdin'] === true ? await passwordFromStdin() : (values.password as string);
    const { users } = await userServices(context);
    return users.create(
      { email: values.email as string, password, name: values.name as string | undefined, role: values.role as string | undefined, verified: values.verified === true },
      CLI_ACTOR,
    );
  },
  async show(context, args) {
    const { positionals } = parse(args, {}, 1);
    return (await userServices(context)).users.find(positionals[0]!);
  },
  /** As DELETE /auth/me without the password (docs/accounts.md): prints the account as it was. */
  async delete(context, args) {
    const { positionals } = parse(args, {}, 1);
    return (await userServices(context)).users.delete(positionals[0]!, CLI_ACTOR);
  },
  async list(context, args) {
    const { values } = parse(args, { role: { type: 'string' } });
    const { users } = await userServices(context);
    const all = [];
    let cursor: string | undefined;
    do {
      const page = await users.list({ limit: 200, cursor, role: values.role as string | undefined });
      all.push(...page.users);
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    return all;
  },
  async 'set-role'(context, args) {
    const { positionals } = parse(args, {}, 2);
    return (await userServices(context)).users.setRole(positionals[0]!, positionals[1]!, CLI_ACTOR);
  },
  async disable(context, args) {
    const { positionals } = parse(args, {}, 1);
    return (await userServices(context)).users.setDisabled(positionals[0]!, true, CLI_ACTOR);
  },
  async enable(context, args) {
    const { positionals } = parse(args, {}, 1);
    return (await userServices(context)).users.setDisabled(positionals[0]!, false, CLI_ACTOR);
  },
  async unlock(context, args) {
    const { positionals } = parse(args, {}, 1);
    return (await userServices(context)).users.unlock(positionals[0]!, CLI_ACTOR);
  },
  async 'reset-2fa'(context, args) {
    const { positionals } = parse(args, {}, 1);
    const { mfa, passkeys, users } = await userServices(context);
    await mfa.adminReset(positionals[0]!, CLI_ACTOR);
    // The person lost their devices: their passkeys go with the TOTP secret (docs/passkeys.md).
    await passkeys.adminRemoveAll(positionals[0]!, CLI_ACTOR);
    return users.get(positionals[0]!);
  },
};

/** Upstream identity providers (docs/upstreams.md): the secret goes in, and is never printed again. */
const upstreamCommands: Record<string, Command> = {
  async add(context, args) {
    const { values } = parse(args, {
      name: { type: 'string' },
      issuer: { type: 'string' },
      'client-id': { type: 'string' },
      'client-secret': { type: 'string' },
      'client-secret-stdin': { type: 'boolean' },
      'display-name': { type: 'string' },
      scope: { type: 'string' },
      preset: { type: 'string' },
    });
    if (values['client-secret'] !== undefined && values['client-secret-stdin'] === true) throw new UsageError('give --client-secret or --client-secret-stdin, not both');
    if (values.name === undefined || values['client-id'] === undefined || (values['client-secret'] === undefined && values['client-secret-stdin'] !== true)) {
      throw new UsageError('--name, --client-id and --client-secret (or --client-secret-stdin) are required');
    }
    if (values.issuer === undefined && values.preset === undefined) throw new UsageError('--issuer is required (a --preset may fill it in)');
    const clientSecret = values['client-secret-stdin'] === true ? await passwordFromStdin() : (values['client-secret'] as string);
    const { upstreams } = await userServices(context);
    const upstream = await upstreams.add(
      {
        name: values.name as string,
        issuer: values.issuer as string | undefined,
        clientId: values['client-id'] as string,
        clientSecret,
        displayName: values['display-name'] as string | undefined,
        scope: values.scope as string | undefined,
        preset: values.preset as string | undefined,
      },
      context.actor,
    );
    return upstreamView(upstream, context.config.issuer);
  },
  async list(context, args) {
    parse(args, {});
    const { upstreams } = await userServices(context);
    return (await upstreams.list()).map((upstream) => upstreamView(upstream, context.config.issuer));
  },
  async show(context, args) {
    const { positionals } = parse(args, {}, 1);
    const { upstreams } = await userServices(context);
    return upstreamView(await upstreams.get(positionals[0]!), context.config.issuer);
  },
  /** Its button and callback go at once; the local accounts stay (docs/upstreams.md). */
  async delete(context, args) {
    const { positionals } = parse(args, {}, 1);
    const { upstreams } = await userServices(context);
    return upstreamView(await upstreams.delete(positionals[0]!, context.actor), context.config.issuer);
  },
};

export const COMMANDS: Record<string, Record<string, Command>> = {
  clients: clientCommands,
  keys: keyCommands,
  users: userCommands,
  upstreams: upstreamCommands,
};

export const USAGE = `usage: tessera GROUP COMMAND [flags] [--json]

  tessera migrate
  tessera clients create --name N [--grant-types a,b] [--redirect-uris u1,u2]
                         [--post-logout-redirect-uris u1,u2] [--scope "s1 s2"] [--public]
                         [--auth-method client_secret_basic|client_secret_post|private_key_jwt|none]
                         [--jwks FILE | --jwks-uri URL]   (with private_key_jwt: the client's public keys)
                         [--access-token-alg ES256|RS256] [--id-token-alg ES256|RS256]
                         [--audience A] [--first-party] [--dpop-bound] [--require-par]
                         [--exchange-audiences a,b]   (with the token exchange grant: RFC 8693)
                         [--backchannel-logout-uri URL]   ('' clears it)
  tessera clients update ID [any flag of clients create] [--no-dpop-bound] [--no-require-par]
  tessera clients list | show ID | delete ID | rotate-secret ID
  tessera users create --email E (--password P | --password-stdin) [--name N] [--role user|admin|enterprise_admin] [--verified]
  tessera users list [--role R] | show ID|EMAIL | delete ID
  tessera users set-role ID ROLE | disable ID | enable ID | unlock ID | reset-2fa ID
  tessera upstreams add --name N (--issuer URL | --preset google|microsoft|github) --client-id ID
                        (--client-secret S | --client-secret-stdin) [--display-name "Company SSO"]
                        [--scope "openid email profile"] [--preset google|microsoft|github]
  tessera upstreams list | show NAME | delete NAME
  tessera keys list
  tessera keys rotate [--alg ES256|RS256] [--force]
  tessera keys revoke KID
  tessera keys rekey
  tessera backup FILE            (SQLite; for PostgreSQL use pg_dump)
  tessera --version

Configuration comes from the environment and .env, as for the server.`;
