// The commands of `tessera GROUP COMMAND`. Each receives the opened context and its arguments and
// returns what to print; the CLI talks to the database, not to a running server (contract §2).
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Config } from '../config/config.js';
import { openKeys } from '../crypto/key-bootstrap.js';
import { KeyNotFoundError } from '../crypto/key-lifecycle.js';
import { KEY_ALGS } from '../crypto/key-policy.js';
import { keyView } from '../crypto/key-view.js';
import { clientMetadata } from '../domain/clients/client.js';
import { OAuthError } from '../errors/oauth-error.js';
import { CLI_ACTOR } from '../audit/audit-log.js';
import { createLogger } from '../log/logger.js';
import { createServices, keyEventRecorder } from '../services.js';
import { ClientService, type ClientChanges } from '../domain/clients/client-service.js';
import type { Clock } from '../clock.js';
import type { Db } from '../storage/db.js';
import { listSigningKeys } from '../storage/repositories/signing-keys.js';
import type { KeyAlg } from '../storage/schema.js';

export class UsageError extends Error {}

export interface CliContext {
  config: Config;
  db: Db;
  clock: Clock;
}

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

/** The flags of `clients create`, and of `clients update`, which takes any of them (contract §2). */
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
};

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
  };
}

const clientCommands: Record<string, Command> = {
  async create({ config, db, clock }, args) {
    const { values } = parse(args, CLIENT_FLAGS);
    if (values.name === undefined) throw new UsageError('--name is required');
    const { client, secret } = await new ClientService(db, clock).create({ ...clientChanges(values), name: values.name as string }, CLI_ACTOR);
    return clientMetadata(client, config.issuer, secret);
  },
  async update({ config, db, clock }, args) {
    const { values, positionals } = parse(args, CLIENT_FLAGS, 1);
    const changes = clientChanges(values);
    if (Object.values(changes).every((value) => value === undefined)) throw new UsageError('nothing to change: give at least one flag of clients create');
    return clientMetadata(await new ClientService(db, clock).update(positionals[0]!, changes, CLI_ACTOR), config.issuer);
  },
  async list({ config, db, clock }, args) {
    parse(args, {});
    return (await new ClientService(db, clock).list()).map((client) => clientMetadata(client, config.issuer));
  },
  async show({ config, db, clock }, args) {
    const { positionals } = parse(args, {}, 1);
    return clientMetadata(await new ClientService(db, clock).get(positionals[0]!), config.issuer);
  },
  async delete({ config, db, clock }, args) {
    const { positionals } = parse(args, {}, 1);
    return clientMetadata(await new ClientService(db, clock).delete(positionals[0]!, CLI_ACTOR), config.issuer);
  },
  async 'rotate-secret'({ config, db, clock }, args) {
    const { positionals } = parse(args, {}, 1);
    const { client, secret } = await new ClientService(db, clock).rotateSecret(positionals[0]!, CLI_ACTOR);
    return clientMetadata(client, config.issuer, secret);
  },
};

/** The CLI's key changes reach the audit log like the server's, with `cli` as the actor. */
function cliKeyEvents(db: Db, clock: Clock) {
  const recorder = keyEventRecorder(db, clock, createLogger('silent'), 'cli');
  pendingWrites.push(recorder.flush);
  return recorder.onEvent;
}

/** Writes that must finish before the CLI closes the database. */
export const pendingWrites: Array<() => Promise<void>> = [];

const keyCommands: Record<string, Command> = {
  async list({ config, db, clock }, args) {
    parse(args, {});
    await openKeys(db, config, clock, cliKeyEvents(db, clock));
    return (await listSigningKeys(db)).map(keyView);
  },
  async rotate({ config, db, clock }, args) {
    const { values } = parse(args, { alg: { type: 'string' }, force: { type: 'boolean' } });
    const alg = values.alg as string | undefined;
    if (alg !== undefined && !KEY_ALGS.includes(alg as KeyAlg)) throw new UsageError(`--alg must be one of ${KEY_ALGS.join(', ')}`);
    const { lifecycle } = await openKeys(db, config, clock, cliKeyEvents(db, clock));
    const { kids } = await lifecycle.rotate(alg ? [alg as KeyAlg] : KEY_ALGS, values.force === true);
    const rows = await listSigningKeys(db);
    return kids.map((kid) => keyView(rows.find((row) => row.kid === kid)!));
  },
  async revoke({ config, db, clock }, args) {
    const { positionals } = parse(args, {}, 1);
    const { lifecycle } = await openKeys(db, config, clock, cliKeyEvents(db, clock));
    const kid = positionals[0]!;
    try {
      await lifecycle.revoke(kid);
    } catch (error) {
      if (error instanceof KeyNotFoundError) throw new OAuthError('not_found', error.message);
      throw error;
    }
    const rows = await listSigningKeys(db);
    return keyView(rows.find((row) => row.kid === kid)!);
  },
};

/** Users need the account services (password hashing, sessions, lockout), so the CLI builds them. */
async function userServices({ config, db, clock }: CliContext) {
  return createServices(config, db, dialectOf(config.databaseUrl), clock, createLogger('silent'), 'cli');
}
const dialectOf = (url: string) => (url.startsWith('postgres') ? ('postgres' as const) : ('sqlite' as const));

const userCommands: Record<string, Command> = {
  async create(context, args) {
    const { values } = parse(args, { email: { type: 'string' }, password: { type: 'string' }, name: { type: 'string' }, role: { type: 'string' }, verified: { type: 'boolean' } });
    if (values.email === undefined || values.password === undefined) throw new UsageError('--email and --password are required');
    const { users } = await userServices(context);
    return users.create(
      { email: values.email as string, password: values.password as string, name: values.name as string | undefined, role: values.role as string | undefined, verified: values.verified === true },
      CLI_ACTOR,
    );
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
    const { mfa, users } = await userServices(context);
    await mfa.adminReset(positionals[0]!, CLI_ACTOR);
    return users.get(positionals[0]!);
  },
};

export const COMMANDS: Record<string, Record<string, Command>> = {
  clients: clientCommands,
  keys: keyCommands,
  users: userCommands,
};

export const USAGE = `usage: tessera GROUP COMMAND [flags] [--json]

  tessera migrate
  tessera clients create --name N [--grant-types a,b] [--redirect-uris u1,u2]
                         [--post-logout-redirect-uris u1,u2] [--scope "s1 s2"] [--public]
                         [--auth-method client_secret_basic|client_secret_post|none]
                         [--access-token-alg ES256|RS256] [--id-token-alg ES256|RS256]
                         [--audience A] [--first-party]
  tessera clients update ID [any flag of clients create]
  tessera clients list | show ID | delete ID | rotate-secret ID
  tessera users create --email E --password P [--name N] [--role user|admin|enterprise_admin] [--verified]
  tessera users list [--role R] | set-role ID ROLE | disable ID | enable ID | unlock ID | reset-2fa ID
  tessera keys list
  tessera keys rotate [--alg ES256|RS256] [--force]
  tessera keys revoke KID

Configuration comes from the environment and .env, as for the server.`;
