// Child processes of the bench: spawn pinned to a core, wait until ready, sample RSS and CPU from
// /proc, and kill every one of them when the bench ends, however it ends.
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';

const children = new Set();
const tempDirs = new Set();

/** A temporary directory to delete when the bench ends, however it ends. */
export function registerTempDir(dir) {
  tempDirs.add(dir);
}

function removeTempDirs() {
  for (const dir of tempDirs) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // best effort
    }
  }
  tempDirs.clear();
}

/** Kills every child still alive. Synchronous, so it works from an 'exit' handler too. */
export function killAll(signal = 'SIGKILL') {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        child.kill(signal);
      } catch {
        // already gone
      }
    }
  }
  children.clear();
}

let installed = false;
/** Whatever happens (error, Ctrl-C, SIGTERM), no server outlives the bench. */
export function installCleanup() {
  if (installed) return;
  installed = true;
  process.on('exit', () => {
    killAll();
    removeTempDirs();
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      process.stderr.write(`\nbench: ${signal}, stopping every server it started\n`);
      killAll();
      process.exit(130);
    });
  }
  process.on('uncaughtException', (error) => {
    process.stderr.write(`bench: ${error?.stack ?? error}\n`);
    killAll();
    process.exit(1);
  });
  process.on('unhandledRejection', (error) => {
    process.stderr.write(`bench: ${error?.stack ?? error}\n`);
    killAll();
    process.exit(1);
  });
}

/** Pins this process (every thread it has) to `core`, so the load generator keeps to its own core. */
export function pinSelf(core) {
  execFileSync('taskset', ['-a', '-p', '-c', String(core), String(process.pid)], { stdio: 'ignore' });
}

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts `node ARGS…` under `taskset -c CORE` (taskset execs node, so the pid is node's own).
 * Output is kept (the last 64 kB) for error reports; stdin stays an open pipe so the bench's own
 * helper servers can exit when it closes.
 */
export function spawnPinned(name, core, args, { cwd, env, logFile }) {
  // A server's log can go to a file (`logFile`), so that reading it costs the load generator nothing.
  const logFd = logFile ? openSync(logFile, 'a') : undefined;
  const stdio = logFd === undefined ? ['pipe', 'pipe', 'pipe'] : ['pipe', logFd, logFd];
  const child = spawn('taskset', ['-c', String(core), process.execPath, ...args], { cwd, env, stdio });
  if (logFd !== undefined) closeSync(logFd);
  children.add(child);
  const proc = { name, child, pid: child.pid, exited: false, logFile, buffered: '' };
  Object.defineProperty(proc, 'output', {
    get() {
      if (!logFile) return proc.buffered;
      try {
        return readFileSync(logFile, 'utf8').slice(-65_536);
      } catch {
        return '';
      }
    },
  });
  const keep = (chunk) => {
    proc.buffered = (proc.buffered + chunk.toString()).slice(-65_536);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.stdin.on('error', () => {});
  child.on('exit', (code, signal) => {
    proc.exited = true;
    proc.exitInfo = signal ?? `exit code ${code}`;
    children.delete(child);
  });
  return proc;
}

/** Stops one child: SIGTERM, then SIGKILL after `graceMs`. */
export async function stop(proc, graceMs = 5000) {
  if (proc.exited) return;
  const gone = new Promise((resolve) => proc.child.once('exit', resolve));
  proc.child.kill('SIGTERM');
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), graceMs);
  await gone;
  clearTimeout(timer);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
export { sleep };

/**
 * Waits until `url` answers 200 (and, if given, the output contains `line`, or the URL answers:
 * whichever comes first). Throws with the child's output if it exits or the time runs out.
 */
export async function waitReady(proc, url, { line, timeoutMs = 30_000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.exited) throw new Error(`${proc.name} exited (${proc.exitInfo}) before it was ready:\n${proc.output}`);
    if (line && proc.output.includes(line)) return 'line';
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await response.arrayBuffer();
      if (response.status === 200) return 'http';
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`${proc.name} was not ready within ${timeoutMs} ms:\n${proc.output}`);
}

/** Resident set size of `pid` in bytes (VmRSS of /proc/PID/status), or undefined if it is gone. */
export function rssBytes(pid) {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

const CLOCK_TICKS = 100; // USER_HZ on Linux
/** CPU seconds (user + system) used so far by `pid`, all its threads. */
export function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS; // utime, stime (fields 14, 15)
  } catch {
    return undefined;
  }
}

/** Samples the RSS of `pid` every `everyMs` until stopped; returns the peak in bytes. */
export function rssSampler(pid, everyMs = 50) {
  let peak = rssBytes(pid) ?? 0;
  const timer = setInterval(() => {
    const rss = rssBytes(pid);
    if (rss !== undefined && rss > peak) peak = rss;
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      const rss = rssBytes(pid);
      if (rss !== undefined && rss > peak) peak = rss;
      return peak;
    },
  };
}

/** Runs a short node script pinned to `core` and returns its stdout (it must exit 0). */
export function runPinned(core, args, { cwd, env, timeoutMs = 600_000 } = {}) {
  return new Promise((resolve, reject) => {
    const proc = spawnPinned(args[0], core, args, { cwd, env });
    let stdout = '';
    proc.child.stdout.on('data', (chunk) => {
      stdout += chunk.toString();
    });
    proc.child.stdin.end();
    const timer = setTimeout(() => proc.child.kill('SIGKILL'), timeoutMs);
    proc.child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout);
      else reject(new Error(`${args.join(' ')} failed (${signal ?? `exit ${code}`}):\n${proc.output}`));
    });
  });
}

/** Jiffies per state of cpuN from /proc/stat. */
function coreJiffies(core) {
  const line = readFileSync('/proc/stat', 'utf8').split('\n').find((l) => l.startsWith(`cpu${core} `));
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1, 9).map(Number);
  return { user, nice, system, idle, iowait, irq, softirq, steal };
}

/**
 * Starts measuring what else runs on `cores`: call the result's `stop({ core: ownCpuSeconds })` with
 * the CPU seconds our own processes used on each core meanwhile, and it returns per core the
 * fraction of the core that other processes (and the hypervisor: steal) took.
 */
export function coreMonitor(cores) {
  const before = new Map(cores.map((c) => [c, coreJiffies(c)]));
  const started = performance.now();
  return {
    stop(own = {}) {
      const seconds = (performance.now() - started) / 1000;
      const out = {};
      for (const core of cores) {
        const a = before.get(core);
        const b = coreJiffies(core);
        const busy = (b.user - a.user + (b.nice - a.nice) + (b.system - a.system)) / CLOCK_TICKS;
        const steal = (b.steal - a.steal) / CLOCK_TICKS;
        const irq = (b.irq - a.irq + (b.softirq - a.softirq)) / CLOCK_TICKS;
        const mine = own[core] ?? 0;
        out[core] = { others: Math.max(0, busy - mine) / seconds, steal: steal / seconds, irq: irq / seconds, busy: (busy + steal + irq) / seconds };
      }
      return out;
    },
  };
}

/**
 * Waits until both cores are quiet (each under `threshold` busy, over `sampleMs`), at most `maxMs`.
 * Used before every measured run: it lets a server finish the backlog of the previous run (argon2
 * work queued by connections that are gone) and lets other people's jobs on a shared machine pass.
 */
export async function waitQuiet(cores, { threshold = 0.1, sampleMs = 500, maxMs = 30_000 } = {}) {
  const started = performance.now();
  let last;
  for (;;) {
    const monitor = coreMonitor(cores);
    await sleep(sampleMs);
    last = monitor.stop();
    if (cores.every((c) => last[c].busy < threshold)) return { quiet: true, waitedMs: performance.now() - started };
    if (performance.now() - started > maxMs) return { quiet: false, waitedMs: performance.now() - started, busy: Object.fromEntries(cores.map((c) => [c, last[c].busy])) };
  }
}
