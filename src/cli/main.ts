// `npx tessera …`: the admin CLI. Exit codes: 0 done, 1 refused or failed, 2 bad configuration or
// key-encryption key, 64 usage.
import { systemClock } from '../clock.js';
import { ConfigError, loadConfig, loadDotEnv, type Config } from '../config/config.js';
import { KekError } from '../crypto/kek.js';
import { isOAuthError } from '../errors/oauth-error.js';
import { openDatabase, type Db } from '../storage/db.js';
import { migrateToLatest } from '../storage/migrate.js';
import { readServedIssuer } from '../storage/repositories/served-issuer.js';
import { COMMANDS, pendingWrites, USAGE, UsageError } from './commands.js';
import { print, warn } from './output.js';

export async function runCli(argv: string[]): Promise<number> {
  const [group, command, ...args] = argv;
  const json = argv.includes('--json');
  if (!group || group === 'help' || group === '--help' || group === '-h') {
    process.stdout.write(`${USAGE}\n`);
    return group ? 0 : 64;
  }
  const run = group === 'migrate' ? undefined : COMMANDS[group]?.[command ?? ''];
  if (group !== 'migrate' && !run) {
    process.stderr.write(`tessera: unknown command "${[group, command].filter(Boolean).join(' ')}"\n${USAGE}\n`);
    return 64;
  }

  let config;
  try {
    loadDotEnv();
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`tessera: invalid configuration: ${error.message}\n`);
      return 2;
    }
    throw error;
  }

  const { db } = openDatabase(config.databaseUrl);
  try {
    const applied = await migrateToLatest(db);
    if (group === 'migrate') {
      print({ applied }, json);
      return 0;
    }
    const result = await run!({ config: await withServedIssuer(config, db), db, clock: systemClock }, args);
    for (const flush of pendingWrites.splice(0)) await flush();
    print(result, json);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`tessera: ${error.message}\n`);
      return 64;
    }
    if (error instanceof KekError) {
      process.stderr.write(`tessera: ${error.message}\n`);
      return 2;
    }
    if (isOAuthError(error)) {
      process.stderr.write(`tessera: ${error.description}\n`);
      return 1;
    }
    process.stderr.write(`tessera: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    await db.destroy();
  }
}

/**
 * The CLI's issuer (what it prints as a client's default `audience`, docs/keys.md): the one the
 * server recorded at start-up, since the CLI's own default (http://localhost:$PORT of the CLI's
 * environment) need not be the server's. An ISSUER set here (environment or .env) still wins,
 * with a warning when it differs from the server's.
 */
async function withServedIssuer(config: Config, db: Db): Promise<Config> {
  const served = await readServedIssuer(db);
  if (served === undefined || served === config.issuer) return config;
  // Read as loadConfig reads it (blank is unset): whether ISSUER was given is not in the Config.
  if (process.env.ISSUER?.trim()) {
    warn(`ISSUER=${config.issuer} differs from the issuer the server recorded at start-up (${served}); using ${config.issuer}`);
    return config;
  }
  return Object.freeze({ ...config, issuer: served });
}
