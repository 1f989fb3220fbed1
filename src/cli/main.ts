// `npx tessera …`: the admin CLI. Exit codes: 0 done, 1 refused or failed, 2 bad configuration or
// key-encryption key, 64 usage.
import { ConfigError, loadConfig, loadDotEnv } from '../config/config.js';
import { KekError } from '../crypto/kek.js';
import { isOAuthError } from '../errors/oauth-error.js';
import { backupDatabase } from './backup.js';
import { COMMANDS, USAGE, UsageError } from './commands.js';
import { openCliContext, type CliContext } from './context.js';
import { print } from './output.js';
import { packageVersion } from './version.js';

function usage(message: string): number {
  process.stderr.write(`tessera: ${message}\n`);
  return 64;
}

export async function runCli(argv: string[]): Promise<number> {
  const [group, command, ...args] = argv;
  const json = argv.includes('--json');
  if (!group || group === 'help' || group === '--help' || group === '-h') {
    process.stdout.write(`${USAGE}\n`);
    return group ? 0 : 64;
  }
  // Needs neither configuration nor database, so that it answers on any machine.
  if ((group === '--version' || command === '--version') && argv.length <= 2 && argv.every((arg) => arg === '--version' || arg === '--json')) {
    const version = packageVersion();
    if (json) print({ version }, true);
    else process.stdout.write(`tessera ${version}\n`);
    return 0;
  }
  // `backup FILE`: the database file only, neither migrated nor opened through the services.
  const backupFile = group === 'backup' ? [command, ...args].filter((arg): arg is string => arg !== undefined && arg !== '--json') : undefined;
  if (backupFile && (backupFile.length !== 1 || backupFile[0]!.startsWith('-'))) return usage('usage: tessera backup FILE [--json]');
  const run = group === 'migrate' || backupFile ? undefined : COMMANDS[group]?.[command ?? ''];
  if (group !== 'migrate' && !backupFile && !run) {
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

  let context: CliContext | undefined;
  try {
    if (backupFile) {
      print(await backupDatabase(config, backupFile[0]!), json);
      return 0;
    }
    context = await openCliContext(config, { migrateOnly: group === 'migrate' });
    if (group === 'migrate') {
      print({ applied: context.migrated }, json);
      return 0;
    }
    const result = await run!(context, args);
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
    await context?.close();
  }
}
