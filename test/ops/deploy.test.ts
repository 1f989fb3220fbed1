// The systemd unit in docs/deploy.md is one systemd accepts: `systemd-analyze verify` on it as
// written, where systemd-analyze exists (skipped with a message elsewhere).
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { REPO_ROOT } from '../helpers/cli.js';
import { tempDir } from '../helpers/env.js';

function unitFromDocs(): string {
  const doc = readFileSync(join(REPO_ROOT, 'docs/deploy.md'), 'utf8');
  const section = doc.slice(doc.indexOf('\n## systemd'));
  const match = /```ini\n([\s\S]*?)```/.exec(section);
  if (!match) throw new Error('docs/deploy.md has no ```ini block under ## systemd');
  return match[1]!;
}

function systemdAnalyze(): string | undefined {
  try {
    return execFileSync('sh', ['-c', 'command -v systemd-analyze']).toString().trim() || undefined;
  } catch {
    return undefined;
  }
}

test('the unit in docs/deploy.md has what the server needs to stop cleanly', (t) => {
  const unit = unitFromDocs();
  const value = (name: string) => new RegExp(`^${name}=(.*)$`, 'm').exec(unit)?.[1];
  t.is(value('Type'), 'simple');
  t.is(value('KillSignal'), 'SIGTERM');
  t.true(Number(value('TimeoutStopSec')) > 10, 'above the 10 s drain');
  t.is(value('Restart'), 'on-failure');
  t.regex(value('ExecStart') ?? '', /^\/\S*node dist\/src\/main\.js$/, 'an absolute node path, the production command');
  for (const name of ['WorkingDirectory', 'EnvironmentFile', 'User', 'NoNewPrivileges', 'ProtectSystem']) t.truthy(value(name), name);
});

test('systemd-analyze verify accepts the unit in docs/deploy.md', async (t) => {
  const analyze = systemdAnalyze();
  if (!analyze) {
    t.log('systemd-analyze is not installed: the unit in docs/deploy.md was not verified (apt-get install systemd)');
    t.pass();
    return;
  }
  let unit = unitFromDocs();
  // verify checks that ExecStart's program exists: where node lives elsewhere, use this one.
  const node = /^ExecStart=(\S+)/m.exec(unit)![1]!;
  if (!existsSync(node)) {
    t.log(`${node} does not exist here: verifying with ${process.execPath}`);
    unit = unit.replace(`ExecStart=${node}`, `ExecStart=${process.execPath}`);
  }
  const file = join(tempDir(t), 'tessera.service');
  writeFileSync(file, unit);
  const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
    execFile(analyze, ['verify', '--man=no', file], (error, out, err) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout: out, stderr: err })),
  );
  t.is(code, 0, `${stdout}${stderr}`);
  // verify exits 0 on some warnings (an unknown directive is "ignoring"): none about this unit.
  t.false(stderr.includes('tessera.service'), stderr);
});
