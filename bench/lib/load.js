// One load run: autocannon against one URL, with every response checked (status and body), and
// latencies recorded per status with sub-millisecond precision.
import autocannon from 'autocannon';
import { coreMonitor, cpuSeconds } from './procs.js';

/** A growable array of latencies (ms). */
class Samples {
  constructor() {
    this.values = new Float64Array(4096);
    this.length = 0;
  }
  push(value) {
    if (this.length === this.values.length) {
      const bigger = new Float64Array(this.values.length * 2);
      bigger.set(this.values);
      this.values = bigger;
    }
    this.values[this.length++] = value;
  }
  sorted() {
    return this.values.slice(0, this.length).sort();
  }
}

/** Nearest-rank percentile of a sorted array. */
export function percentile(sorted, p) {
  if (sorted.length === 0) return undefined;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/**
 * Runs autocannon once.
 *
 * @param {object} o
 * @param {string} o.url
 * @param {string} [o.method]
 * @param {Record<string,string>} [o.headers]
 * @param {string} [o.body]
 * @param {number} o.connections
 * @param {number} o.duration seconds
 * @param {(body: string) => boolean} o.checkBody  the body of a good answer
 * @param {(req: {headers: Record<string,string>, body?: string}) => object} [o.setupRequest]  for
 *   requests that must differ each time (a fresh DPoP proof or client assertion): called
 *   synchronously before every request is written, returns the request to send
 * @param {number[]} [o.okStatuses]  statuses that count as answers (default [200]); any other is an error
 * @param {number} [o.serverPid]  to measure the server's CPU use during the run
 * @param {{loader: number, server: number}} [o.cores]  to measure what other processes took of both cores
 * @returns {Promise<object>}
 */
export function runLoad(o) {
  const okStatuses = new Set(o.okStatuses ?? [200]);
  const all = new Samples();
  const byStatus = new Map();
  let unexpectedStatus = 0;

  return new Promise((resolve, reject) => {
    const cpuBefore = process.cpuUsage();
    const serverCpuBefore = o.serverPid ? cpuSeconds(o.serverPid) : undefined;
    const monitor = o.cores ? coreMonitor([o.cores.loader, o.cores.server]) : undefined;
    const started = performance.now();
    const instance = autocannon(
      {
        url: o.url,
        method: o.method ?? 'GET',
        headers: o.headers ?? {},
        body: o.body,
        connections: o.connections,
        duration: o.duration,
        // autocannon rebuilds a request with a setupRequest hook before each send; without one it
        // sends the same bytes every time.
        ...(o.setupRequest ? { requests: [{ setupRequest: (req) => o.setupRequest(req) }] } : {}),
        pipelining: 1,
        timeout: 10,
        // Failed body checks are counted by autocannon as "mismatches".
        verifyBody: (body) => o.checkBody(body),
      },
      (error, result) => {
        if (error) {
          reject(error);
          return;
        }
        const elapsed = (performance.now() - started) / 1000;
        const cpu = process.cpuUsage(cpuBefore);
        const serverCpuAfter = o.serverPid ? cpuSeconds(o.serverPid) : undefined;
        const serverSeconds = serverCpuBefore !== undefined && serverCpuAfter !== undefined ? serverCpuAfter - serverCpuBefore : undefined;
        const loaderSeconds = (cpu.user + cpu.system) / 1e6;
        const cores = monitor?.stop({ [o.cores.loader]: loaderSeconds, [o.cores.server]: serverSeconds ?? 0 });
        const sortedAll = all.sorted();
        const statuses = {};
        for (const [status, samples] of [...byStatus.entries()].sort((a, b) => a[0] - b[0])) {
          const sorted = samples.sorted();
          statuses[status] = { count: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] };
        }
        resolve({
          responses: all.length,
          seconds: elapsed,
          rps: all.length / o.duration,
          p50: percentile(sortedAll, 50),
          p99: percentile(sortedAll, 99),
          max: sortedAll[sortedAll.length - 1],
          // errors: socket errors and timeouts (autocannon's `errors` includes timeouts), plus answers
          // with a status outside okStatuses.
          socketErrors: result.errors - result.timeouts,
          timeouts: result.timeouts,
          unexpectedStatus,
          errors: result.errors + unexpectedStatus,
          failedChecks: result.mismatches,
          statuses,
          loaderCpu: loaderSeconds / elapsed,
          serverCpu: serverSeconds === undefined ? undefined : serverSeconds / elapsed,
          // What other processes (and the hypervisor) took of each core meanwhile: a shared machine.
          othersLoaderCore: cores?.[o.cores.loader].others,
          othersServerCore: cores?.[o.cores.server].others,
          steal: cores ? Math.max(cores[o.cores.loader].steal, cores[o.cores.server].steal) : undefined,
        });
      },
    );
    // autocannon stops at the first 1 s tick after `duration`, so a run can last up to a second
    // longer: only responses inside the window [start, start + duration] count toward req/s and
    // latency (errors and failed checks count whenever they happen).
    const windowEnd = started + o.duration * 1000;
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (!okStatuses.has(statusCode)) unexpectedStatus += 1;
      if (performance.now() > windowEnd) return;
      all.push(responseTime);
      let samples = byStatus.get(statusCode);
      if (!samples) byStatus.set(statusCode, (samples = new Samples()));
      samples.push(responseTime);
    });
  });
}
