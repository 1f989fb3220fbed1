// Runs Tessera as its own process (`node dist/src/main.js`, what `npm start` runs), for what only
// a process shows: exit codes, signals, and several processes on one database.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../dist/src/main.js', import.meta.url));
/**
 * The arguments that run server-entry.ts instead: main.ts plus a test's key tick and propagation
 * delay. tsx by absolute URL, because the child's working folder is the test's temporary one.
 */
export const TEST_ENTRY_ARGS = ['--import', import.meta.resolve('tsx'), fileURLToPath(new URL('./server-entry.ts', import.meta.url))];

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(): Promise<void>;
}

export function spawnServer(env: Record<string, string>, cwd: string, args: readonly string[] = [MAIN]): Promise<ServerProcess> {
  const child = spawn(process.execPath, args, { cwd, env: { PATH: process.env.PATH, HOST: '127.0.0.1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /"url":"(http:\/\/[^"]+)"[^\n]*"msg":"tessera listening"/.exec(output);
      if (match) {
        const url = match[1]!;
        resolve({
          child,
          url,
          output: () => output,
          exited,
          async stop() {
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
            await exited;
          },
        });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then(({ code }) => reject(new Error(`server exited (${code}) before listening:\n${output}`)));
  });
}
