// `npx tessera …`: the admin CLI. Exit codes: 0 done, 1 refused or failed, 2 bad configuration or
// key-encryption key, 64 usage.
import { ConfigError, loadConfig, loadDotEnv } from '../config/config.js';
import { KekError } from '../crypto/kek.js';
import { isOAuthError } from '../errors/oauth-error.js';
import { COMMANDS, USAGE, UsageError } from './commands.js';
import { openCliContext, type CliContext } from './context.js';
import { print } from './output.js';

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

  let context: CliContext | undefined;
  try {
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
