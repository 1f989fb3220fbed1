// Runs the real CLI (`bin/tessera.js`, the compiled build) as a child process, as an admin would.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/tessera.js', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], env: Record<string, string>, cwd = REPO_ROOT): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH, ...env }, cwd, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs a `--json` command that must succeed and returns its document. */
export async function cliJson<T = any>(args: string[], env: Record<string, string>): Promise<T> {
  // `--json` goes before a `--` (after which everything is positional, as a kid beginning with
  // `-` must be: docs/keys.md).
  const end = args.indexOf('--');
  const result = await runCli(end === -1 ? [...args, '--json'] : [...args.slice(0, end), '--json', ...args.slice(end)], env);
  if (result.code !== 0) throw new Error(`tessera ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

/** The environment that points the CLI at a test server's database and keys. */
export function cliEnv(server: { config: { databaseUrl: string; keysDir: string; issuer: string } }, extra: Record<string, string> = {}) {
  return { DATABASE_URL: server.config.databaseUrl, KEYS_DIR: server.config.keysDir, ISSUER: server.config.issuer, ...extra };
}
