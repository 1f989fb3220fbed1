// Where does Tessera spend its time on one row of the bench? Starts Tessera (from dist/, pinned to
// core 1, like the bench) under `node --cpu-prof`, drives one row with autocannon from core 0, stops
// Tessera cleanly so the profile is written, and prints the top functions by self time and the
// share of each package.
//
//   node bench/profile.js ROW [--seconds=10] [--log=warn|info] [--connections=N] [--perf]
//   ROW: discovery | jwks | token-es256 | token-rs256 | introspection | login | overload
//
// The summary is also written to bench/results/profile-ROW.md, the raw profile to
// bench/results/profile-ROW.cpuprofile (open it in Chrome DevTools or speedscope).
//
// --perf samples with Linux `perf record` instead (cpu-clock, call graphs, Tessera started with
// --perf-basic-prof-only-functions so that JIT frames have names): kernel and native frames too,
// and no bias toward system calls (V8's sampler lands on syscall boundaries, so --cpu-prof
// over-counts writev). Writes bench/results/perf-ROW.md; needs perf (Debian: linux-perf).
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runLoad } from './lib/load.js';
import { installCleanup, pinSelf, stop } from './lib/procs.js';
import { basic, benchDir, checks, FORM, LOADER_CORE, repo, SERVER_CORE, startTessera } from './lib/servers.js';

const argv = process.argv.slice(2);
const row = argv.find((a) => !a.startsWith('--'));
const flag = (name, fallback) => argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const seconds = Number(flag('seconds', '10'));
const logLevel = flag('log', 'warn');
const usePerf = argv.includes('--perf');
const ROWS = ['discovery', 'jwks', 'token-es256', 'token-rs256', 'introspection', 'login', 'overload'];
if (!ROWS.includes(row)) {
  process.stderr.write(`usage: node bench/profile.js ${ROWS.join('|')} [--seconds=10] [--log=warn|info] [--connections=N] [--perf]\n`);
  process.exit(64);
}
const connections = Number(flag('connections', row === 'login' ? '20' : row === 'overload' ? '200' : '50'));

installCleanup();
pinSelf(LOADER_CORE);
const profDir = path.join(os.tmpdir(), `tessera-prof-${process.pid}`);
mkdirSync(profDir, { recursive: true });
const nodeArgs = usePerf ? ['--perf-basic-prof-only-functions'] : ['--cpu-prof', `--cpu-prof-dir=${profDir}`, '--cpu-prof-interval=500'];
const tessera = await startTessera('tessera', logLevel, { nodeArgs });
const T = tessera.base;
const es = basic(tessera.clients.es256.client_id, tessera.clients.es256.client_secret);
const rs = basic(tessera.clients.rs256.client_id, tessera.clients.rs256.client_secret);

let target;
switch (row) {
  case 'discovery':
    target = { url: `${T}/.well-known/openid-configuration`, checkBody: checks.discovery(T) };
    break;
  case 'jwks':
    target = { url: `${T}/.well-known/jwks.json`, checkBody: checks.jwks };
    break;
  case 'token-es256':
  case 'token-rs256':
    target = { url: `${T}/token`, method: 'POST', headers: { Authorization: row === 'token-es256' ? es : rs, 'Content-Type': FORM }, body: 'grant_type=client_credentials&scope=api%3Aread', checkBody: checks.token };
    break;
  case 'introspection': {
    const response = await fetch(`${T}/token`, { method: 'POST', headers: { Authorization: es, 'Content-Type': FORM }, body: 'grant_type=client_credentials&scope=api%3Aread' });
    const { access_token: token } = await response.json();
    target = { url: `${T}/introspect`, method: 'POST', headers: { Authorization: es, 'Content-Type': FORM }, body: `token=${encodeURIComponent(token)}`, checkBody: checks.active };
    break;
  }
  default:
    target = {
      url: `${T}/auth/login`,
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: 'bench@example.com', password: 'bench passphrase 123' }),
      checkBody: row === 'overload' ? checks.loginOrBusy : checks.login,
      okStatuses: row === 'overload' ? [200, 503, 429] : [200],
    };
}

if (usePerf) {
  await runLoad({ ...target, connections, duration: 2 }); // warm-up: JIT, caches
  const data = path.join(profDir, 'perf.data');
  const recorder = spawn('perf', ['record', '-q', '-e', 'cpu-clock', '-F', '4000', '-g', '-p', String(tessera.proc.pid), '-o', data, '--', 'sleep', String(Math.max(1, seconds - 1))], { stdio: 'ignore' });
  const recorded = new Promise((resolve, reject) => recorder.on('exit', resolve).on('error', reject));
  const result = await runLoad({ ...target, connections, duration: seconds, serverPid: tessera.proc.pid, cores: { loader: LOADER_CORE, server: SERVER_CORE } });
  await recorded;
  await stop(tessera.proc, 20_000);
  const report = (children) =>
    execFileSync('perf', ['report', '-i', data, children ? '--children' : '--no-children', '--sort', 'sym', '-g', 'none', '--stdio'], { encoding: 'utf8', maxBuffer: 64 << 20 })
      .split('\n')
      .filter((line) => /^\s+\d/.test(line))
      .map((line) => line.replace(/\/[^ ]*\/(node_modules|dist)\//g, '$1/').replace(/file:\/\//g, '').trimEnd());
  const summary = `# perf profile of Tessera: ${row}

- ${seconds} s, ${connections} connections, LOG_LEVEL=${logLevel}, Tessera pinned to core ${SERVER_CORE}, autocannon on core ${LOADER_CORE}; \`perf record -e cpu-clock -F 4000 -g\` on Tessera's process (all threads, kernel included)
- ${result.rps.toFixed(0)} req/s, p50 ${result.p50?.toFixed(2)} ms, p99 ${result.p99?.toFixed(1)} ms, errors ${result.errors}, failed checks ${result.failedChecks}
- per request at ~100% of one core: ${(1e6 / result.rps).toFixed(0)} µs; multiply a share below by it for µs per request
- \`JS:*name\` is optimised JavaScript, \`[k]\` the kernel (for a response: \`tcp_sendmsg\`, which on loopback also runs the receiving side)

## Inclusive (the function and what it calls)

\`\`\`
${report(true).slice(0, 60).join('\n')}
\`\`\`

## Self

\`\`\`
${report(false).slice(0, 30).join('\n')}
\`\`\`
`;
  mkdirSync(path.join(benchDir, 'results'), { recursive: true });
  writeFileSync(path.join(benchDir, 'results', `perf-${row}.md`), summary);
  rmSync(profDir, { recursive: true, force: true });
  rmSync(tessera.dir, { recursive: true, force: true });
  process.stdout.write(`${summary}\nwritten: bench/results/perf-${row}.md\n`);
  process.exit(0);
}

// The window of the load, in the clock of V8's profiler (CLOCK_MONOTONIC, µs), to leave out start-up.
const windowStart = Number(process.hrtime.bigint() / 1000n);
const result = await runLoad({ ...target, connections, duration: seconds, serverPid: tessera.proc.pid, cores: { loader: LOADER_CORE, server: SERVER_CORE } });
const windowEnd = windowStart + seconds * 1e6;
await stop(tessera.proc, 20_000);
const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
if (!file) throw new Error(`no profile written in ${profDir}:\n${tessera.proc.output}`);
const profile = JSON.parse(readFileSync(path.join(profDir, file), 'utf8'));

// Self time per node from samples × time deltas, inside the load window only (if the clocks agree;
// else every sample), and without (idle).
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const inWindow = (from, to) => {
  const self = new Map();
  let t = profile.startTime;
  profile.samples.forEach((id, i) => {
    t += profile.timeDeltas[i] ?? 0;
    if (t >= from && t <= to) self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  return self;
};
let self = inWindow(windowStart, windowEnd);
const windowed = self.size > 0;
if (!windowed) self = inWindow(-Infinity, Infinity);
const idleId = profile.nodes.find((n) => n.callFrame.functionName === '(idle)')?.id;
const idle = self.get(idleId) ?? 0;
self.delete(idleId);
const total = [...self.values()].reduce((a, b) => a + b, 0);

const where = (url) => {
  if (!url) return '(native / V8)';
  if (url.startsWith('node:')) return 'node: (core)';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + '/node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (url.includes('/dist/src/')) return `tessera: ${url.slice(url.indexOf('/dist/src/') + '/dist/src/'.length).split('/').slice(0, -1).join('/') || '.'}`;
  return url;
};
const byFunction = new Map();
const byPlace = new Map();
for (const [id, micros] of self) {
  const { callFrame } = nodes.get(id);
  const name = callFrame.functionName || '(anonymous)';
  const file = callFrame.url ? callFrame.url.replace(/^file:\/\//, '').replace(repo + '/', '') : '';
  const key = `${name}  ${file ? `${file}:${callFrame.lineNumber + 1}` : ''}`.trim();
  byFunction.set(key, (byFunction.get(key) ?? 0) + micros);
  const place = ['(garbage collector)', '(idle)', '(program)'].includes(name) ? name : where(callFrame.url);
  byPlace.set(place, (byPlace.get(place) ?? 0) + micros);
}
const top = (map, n) =>
  [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, v]) => `| ${((v / total) * 100).toFixed(1)}% | \`${k.replace(/\|/g, '\\|')}\` |`)
    .join('\n');

const summary = `# CPU profile of Tessera: ${row}

- ${seconds} s, ${connections} connections, LOG_LEVEL=${logLevel}, Tessera pinned to core ${SERVER_CORE}, autocannon on core ${LOADER_CORE}; node --cpu-prof (500 µs sampling) slows the server somewhat
- ${result.rps.toFixed(0)} req/s, p50 ${result.p50?.toFixed(2)} ms, p99 ${result.p99?.toFixed(1)} ms, errors ${result.errors}, failed checks ${result.failedChecks}, statuses ${JSON.stringify(Object.fromEntries(Object.entries(result.statuses).map(([s, v]) => [s, v.count])))}
- server CPU ${(result.serverCpu * 100).toFixed(0)}% of core ${SERVER_CORE}; other processes took ${(result.othersServerCore * 100).toFixed(0)}% of it
- ${windowed ? 'samples of the load window only' : 'all samples (the clocks did not line up), start-up included'}; percentages are of the main thread's non-idle samples (${((total / (total + idle)) * 100).toFixed(0)}% of the window; idle ${((idle / (total + idle)) * 100).toFixed(0)}%)
- V8 samples the main thread by wall clock: while a libuv pool thread (argon2, WebCrypto sign/verify) runs on the same single core, the main thread is descheduled and its samples land in whatever JS frame it was in (typically the job's \`run()\` in node:internal/crypto/util, or idle)

## By package

| self | where |
|--:|---|
${top(byPlace, 20)}

## Top functions

| self | function |
|--:|---|
${top(byFunction, 30)}
`;
mkdirSync(path.join(benchDir, 'results'), { recursive: true });
writeFileSync(path.join(benchDir, 'results', `profile-${row}.md`), summary);
copyFileSync(path.join(profDir, file), path.join(benchDir, 'results', `profile-${row}.cpuprofile`));
rmSync(profDir, { recursive: true, force: true });
rmSync(tessera.dir, { recursive: true, force: true });
process.stdout.write(`${summary}\nwritten: bench/results/profile-${row}.md, bench/results/profile-${row}.cpuprofile\n`);
process.exit(0);
