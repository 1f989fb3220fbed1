// `npm run bench`: Tessera against oidc-provider v9 and two bare "hello" servers, each server pinned
// to core 1, the load generator (autocannon, in this process) pinned to core 0. Every response is
// checked. Results go to bench/results/latest.{md,json}; see docs/performance.md.
//
//   node bench/run.js            3 × 10 s per row after a warm-up, medians (12–15 minutes)
//   node bench/run.js --quick    1 × 3 s per row, for development (writes bench/results/quick.*)
//   node bench/run.js --only=token,login    only the rows whose id contains one of the words
//
// Everything talks to 127.0.0.1 only. Every process the bench starts is killed when it ends,
// whether it ends well, fails, or is interrupted.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { clientAssertions, dpopProofs, dpopTokenCheck, es256Key, jwkThumbprint } from './lib/client-proofs.js';
import { runLoad } from './lib/load.js';
import { PEER_CLIENTS } from './lib/peer-clients.js';
import { coreMonitor, installCleanup, pinSelf, rssSampler, runPinned, stop, waitQuiet, waitReady } from './lib/procs.js';
import { CEILING, distBuilt, gitDescribe, writeResults } from './lib/report.js';
import { baseEnv, basic, benchDir, checks, FORM, LOADER_CORE, repo, SERVER_CORE, startHelper, startTessera } from './lib/servers.js';

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const only = argv.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',').filter(Boolean);
const unknown = argv.filter((a) => a !== '--quick' && !a.startsWith('--only='));
if (unknown.length > 0) {
  process.stderr.write(`usage: node bench/run.js [--quick] [--only=word,word]\nunknown: ${unknown.join(' ')}\n`);
  process.exit(64);
}

const plan = quick
  ? { rounds: 1, duration: 3, warmup: 1, limitSeconds: 1, limitRounds: 1, argon2Seconds: 2, argon2Rounds: 1 }
  : { rounds: 3, duration: 10, warmup: 3, limitSeconds: 3, limitRounds: 3, argon2Seconds: 5, argon2Rounds: 3 };
const CONNECTIONS = 50;
const LOGIN_CONNECTIONS = 20;
const OVERLOAD_CONNECTIONS = 200;
const CRYPTO_CONCURRENCY = 16;

const wanted = (id) => !only || only.some((word) => id.includes(word));
const log = (line) => process.stdout.write(`${line}\n`);
const median = (values) => {
  const sorted = values.filter((v) => v !== undefined).sort((a, b) => a - b);
  if (sorted.length === 0) return undefined;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** One request before any load: a misconfigured row fails here, loudly, not as a fast "win". */
async function preflight(label, target) {
  const request = target.setupRequest ? target.setupRequest({ headers: { ...target.headers }, body: target.body }) : target;
  const response = await fetch(target.url, { method: target.method ?? 'GET', headers: request.headers, body: request.body });
  const body = await response.text();
  if (response.status !== 200 || !target.checkBody(body)) {
    throw new Error(`preflight of ${label} failed: ${target.method ?? 'GET'} ${target.url} → ${response.status} ${body.slice(0, 300)}`);
  }
  return body;
}

async function fetchToken(url, headers, body) {
  const response = await fetch(url, { method: 'POST', headers: { ...headers, 'Content-Type': FORM }, body });
  const json = await response.json();
  if (response.status !== 200 || typeof json.access_token !== 'string') throw new Error(`could not get a token from ${url}: ${response.status} ${JSON.stringify(json)}`);
  return json.access_token;
}

// ---------------------------------------------------------------------------------------------
// Rows

/**
 * Runs one group of targets (each target is one line of the table): a warm-up per target, then
 * `rounds` rounds, each running every target of the group once in turn. Interleaving means a slow
 * minute of the machine hurts every side of a comparison alike, which matters on a VM: a ratio is
 * only ever computed between targets of one group. Medians per target.
 */
async function runGroup(group) {
  log(`\n▶ ${group.title}`);
  for (const target of group.targets) {
    if (target.before) await target.before(target);
    if (!target.inProcess) await preflight(`${target.title} / ${target.server}`, target);
  }
  for (const target of group.targets) {
    if (target.inProcess) continue; // the in-process scripts warm up by themselves
    await quiet();
    await runLoad({ ...target, duration: plan.warmup });
  }
  const runs = new Map(group.targets.map((t) => [t, []]));
  for (let round = 0; round < plan.rounds; round += 1) {
    for (const target of group.targets) {
      const label = `${target.label ?? target.server}`.padEnd(26);
      let result;
      for (let attempt = 1; ; attempt += 1) {
        const calm = await quiet();
        if (target.inProcess) {
          result = await target.run(plan.duration);
        } else {
          const sampler = target.serverPid ? rssSampler(target.serverPid) : undefined;
          result = await runLoad({ ...target, duration: plan.duration, cores: { loader: LOADER_CORE, server: SERVER_CORE } });
          result.rssPeak = sampler?.stop();
        }
        result.attempt = attempt;
        result.startedQuiet = calm.quiet;
        result.disturbed = disturbed(result);
        if (!result.disturbed || attempt > MAX_RETRIES || retriesLeft <= 0) break;
        retriesLeft -= 1;
        log(`  ${label} round ${round + 1}: disturbed (other processes took ${pct(result.othersServerCore)} of core ${SERVER_CORE}, ${pct(result.othersLoaderCore)} of core ${LOADER_CORE}, steal ${pct(result.steal)}): again`);
      }
      runs.get(target).push(result);
      const rejected = Object.entries(result.statuses).filter(([s]) => s !== '200').map(([s, v]) => `${s}×${v.count}`).join(' ');
      log(
        `  ${label} round ${round + 1}: ${result.rps.toFixed(target.inProcess ? 1 : 0).padStart(7)} ${target.inProcess ? 'ops/s' : 'req/s'}` +
          (target.inProcess ? '' : `  p50 ${fmtMs(result.p50)}  p99 ${fmtMs(result.p99)}  errors ${result.errors}  failed checks ${result.failedChecks}${rejected ? `  [${rejected}]` : ''}`) +
          `  cpu server ${pct(result.serverCpu)} loader ${pct(result.loaderCpu)} others ${pct(result.othersServerCore)}/${pct(result.othersLoaderCore)}${result.steal > 0.02 ? ` steal ${pct(result.steal)}` : ''}` +
          `${result.rssPeak ? `  rss ${(result.rssPeak / 2 ** 20).toFixed(0)} MB` : ''}${result.disturbed ? '  DISTURBED' : ''}`,
      );
    }
  }
  return group.targets.map((target) => summarize(target, runs.get(target)));
}

function summarize(target, runs) {
  const statusTotals = {};
  for (const run of runs) {
    for (const [status, v] of Object.entries(run.statuses)) statusTotals[status] = (statusTotals[status] ?? 0) + v.count;
  }
  return {
    row: target.row,
    title: target.title,
    server: target.server,
    inProcess: Boolean(target.inProcess),
    connections: target.connections,
    url: target.url?.replace(/^http:\/\/127\.0\.0\.1:\d+/, ''),
    rps: median(runs.map((r) => r.rps)),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    errors: runs.reduce((n, r) => n + r.errors, 0),
    failedChecks: runs.reduce((n, r) => n + r.failedChecks, 0),
    statusTotals,
    statusLatency: medianStatusLatency(runs),
    serverCpu: median(runs.map((r) => r.serverCpu)),
    othersServerCore: Math.max(...runs.map((r) => r.othersServerCore ?? 0)),
    othersLoaderCore: Math.max(...runs.map((r) => r.othersLoaderCore ?? 0)),
    steal: Math.max(...runs.map((r) => r.steal ?? 0)),
    disturbedRuns: runs.filter((r) => r.disturbed).length,
    retries: runs.reduce((n, r) => n + r.attempt - 1, 0),
    loaderCpu: median(runs.map((r) => r.loaderCpu)),
    rssPeak: Math.max(...runs.map((r) => r.rssPeak ?? 0)) || undefined,
    ...(target.extra ? { extra: target.extra } : {}),
    runs: runs.map(({ rps, p50, p99, max, errors, socketErrors, timeouts, unexpectedStatus, failedChecks, statuses, serverCpu, loaderCpu, othersServerCore, othersLoaderCore, steal, rssPeak, responses, attempt, disturbed }) => ({
      rps, p50, p99, max, responses, errors, socketErrors, timeouts, unexpectedStatus, failedChecks, statuses, serverCpu, loaderCpu, othersServerCore, othersLoaderCore, steal, rssPeak, attempt, disturbed,
    })),
  };
}

function medianStatusLatency(runs) {
  const statuses = new Set(runs.flatMap((r) => Object.keys(r.statuses)));
  const out = {};
  for (const status of statuses) {
    const present = runs.map((r) => r.statuses[status]).filter(Boolean);
    out[status] = { p50: median(present.map((v) => v.p50)), p99: median(present.map((v) => v.p99)) };
  }
  return out;
}

/**
 * The machine may be shared: before each run, wait (at most QUIET_MAX_MS) until both cores are
 * nearly idle, which also lets a server finish work left over from the previous run. A run during
 * which other processes took a noticeable share of either core is repeated, at most MAX_RETRIES times.
 */
const QUIET_MAX_MS = 30_000;
const MAX_RETRIES = 2;
/** …and at most this many repeats in a whole run, so that a noisy machine cannot stretch it past ~15 min. */
const RETRY_BUDGET = 10;
let retriesLeft = RETRY_BUDGET;
const DISTURBED_SERVER_CORE = 0.05;
const DISTURBED_LOADER_CORE = 0.1;
const DISTURBED_STEAL = 0.15;
const disturbed = (r) => r.othersServerCore > DISTURBED_SERVER_CORE || r.othersLoaderCore > DISTURBED_LOADER_CORE || r.steal > DISTURBED_STEAL;
let quietWaits = 0;
/** All the waiting for others in one run; once spent, a wait lasts at most QUIET_MIN_MS. */
const QUIET_BUDGET_MS = 180_000;
const QUIET_MIN_MS = 3_000;
let quietLeftMs = QUIET_BUDGET_MS;
async function quiet() {
  const calm = await waitQuiet([LOADER_CORE, SERVER_CORE], { maxMs: Math.max(QUIET_MIN_MS, Math.min(QUIET_MAX_MS, quietLeftMs)) });
  quietLeftMs -= calm.waitedMs;
  if (!calm.quiet) {
    quietWaits += 1;
    log(`  (cores still busy after ${Math.round(calm.waitedMs / 1000)} s: core ${LOADER_CORE} ${pct(calm.busy[LOADER_CORE])}, core ${SERVER_CORE} ${pct(calm.busy[SERVER_CORE])}; going on)`);
  }
  return calm;
}

/** What Tessera logged at warn or above (it runs at LOG_LEVEL=warn): counts per kind of line. */
function summarizeLog(text) {
  const LEVELS = { 40: 'warn', 50: 'error', 60: 'fatal' };
  const kinds = new Map();
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    let entry;
    try {
      entry = JSON.parse(line);
    } catch {
      continue;
    }
    if (!(entry.level >= 40)) continue;
    const parts = [LEVELS[entry.level] ?? entry.level, JSON.stringify(entry.msg)];
    if (entry.err) parts.push(`err ${entry.err.type}: ${entry.err.message}${entry.err.stack ? ' (with stack trace)' : ''}`);
    if (entry.status) parts.push(`${entry.method} ${entry.path} → ${entry.status}`);
    const key = parts.join(' ');
    kinds.set(key, (kinds.get(key) ?? 0) + 1);
  }
  return [...kinds.entries()].sort((a, b) => b[1] - a[1]).map(([kind, count]) => ({ kind, count }));
}

const fmtMs = (ms) => (ms === undefined ? '—' : `${ms < 10 ? ms.toFixed(2) : ms.toFixed(1)} ms`.padStart(9));
const pct = (f) => (f === undefined ? '—' : `${Math.round(f * 100)}%`);

// ---------------------------------------------------------------------------------------------
// In-process limits

/** Runs a limit script pinned to the server core; repeats it if other processes took part of that core. */
async function pinnedLimit(args, { retry = true } = {}) {
  for (let attempt = 1; ; attempt += 1) {
    if (retry) await quiet();
    const monitor = coreMonitor([SERVER_CORE]);
    const out = await runPinned(SERVER_CORE, args, { cwd: repo, env: baseEnv({}) });
    const result = JSON.parse(out.trim().split('\n').pop());
    result.othersServerCore = monitor.stop({ [SERVER_CORE]: result.cpuSeconds })[SERVER_CORE].others;
    result.attempt = attempt;
    result.disturbed = result.othersServerCore > DISTURBED_SERVER_CORE;
    if (!retry || !result.disturbed || attempt > MAX_RETRIES || retriesLeft <= 0) return result;
    retriesLeft -= 1;
    log(`  disturbed (other processes took ${pct(result.othersServerCore)} of core ${SERVER_CORE}): again`);
  }
}

async function cryptoLimit(alg, op, impl) {
  const result = await pinnedLimit([path.join(benchDir, 'limits-crypto.js'), alg, op, String(plan.limitSeconds), String(plan.limitRounds), String(CRYPTO_CONCURRENCY), impl]);
  const rate = median(result.rates);
  log(`  ${alg} ${op} (${impl}): ${rate.toFixed(0)}/s (rounds: ${result.rates.map((r) => r.toFixed(0)).join(', ')})${result.disturbed ? '  DISTURBED' : ''}`);
  const how = impl === 'jose' ? 'jose (WebCrypto), as Tessera' : 'node:crypto sync, for comparison';
  return { id: `limit-${alg.toLowerCase()}-${op}-${impl}`, title: `${alg} ${op}: ${how}`, rate, rates: result.rates, concurrency: result.concurrency, othersServerCore: result.othersServerCore, disturbed: result.disturbed };
}

/**
 * The raw argon2 rate as a target of the login group, so that it is measured round by round between
 * the login runs: one process pinned to the server core, Tessera's parameters, as many verifies at
 * once as libuv's pool allows.
 */
let argon2Options; // Tessera's ARGON2_OPTIONS, read from dist/ once at the start
function argon2Target() {
  const target = {
    row: 'argon2-raw',
    title: 'argon2id verify, raw (in-process)',
    server: 'in-process',
    label: 'argon2 raw (in-process)',
    inProcess: true,
    async run(seconds) {
      const result = await pinnedLimit([path.join(benchDir, 'limits-argon2.js'), String(seconds), '1', argon2Options], { retry: false });
      target.extra = { options: result.options, concurrency: result.concurrency };
      return { rps: result.rates[0], p50: undefined, p99: undefined, errors: 0, failedChecks: 0, statuses: {}, othersServerCore: result.othersServerCore, othersLoaderCore: 0, steal: 0 };
    },
  };
  return target;
}

// ---------------------------------------------------------------------------------------------

async function main() {
  installCleanup();
  if (os.cpus().length < 2) throw new Error('the bench needs at least 2 cores (load generator on core 0, servers on core 1)');
  if (!existsSync(path.join(repo, 'dist/src/main.js'))) throw new Error('dist/src/main.js is missing: run `npm run build` first (npm run bench does)');
  pinSelf(LOADER_CORE);
  const started = new Date();
  // What is measured: the commit and the build as they are now (others may rebuild dist/ meanwhile;
  // the servers keep the build they started with).
  const build = { git: gitDescribe(repo), dist: distBuilt(repo) };
  const { ARGON2_OPTIONS } = await import(pathToFileURL(path.join(repo, 'dist/src/domain/accounts/password-hasher.js')).href);
  argon2Options = JSON.stringify(ARGON2_OPTIONS);
  log(`Tessera bench (${quick ? 'quick: 1 × 3 s per row' : `${plan.rounds} × ${plan.duration} s per row, medians`}); load generator on core ${LOADER_CORE}, servers on core ${SERVER_CORE}`);

  const temps = [];
  try {
    log('\nstarting servers…');
    const httpHello = await startHelper('hello-http', 'hello-http.js');
    const koaHello = await startHelper('hello-koa', 'hello-koa.js');
    // The DPoP and private_key_jwt rows: one ES256 proof key and one ES256 client key, held here in
    // the load generator; the servers get the client key's public half.
    const dpopKey = es256Key();
    const pkjwtKey = es256Key('bench-pkjwt-1');
    const clientJwks = { keys: [pkjwtKey.publicJwk] };
    const peer = await startHelper('oidc-provider', 'oidc-provider-server.js', { PEER_PKJWT_JWKS: JSON.stringify(clientJwks) });
    const ceiling = await startHelper('ceiling', 'ceiling-endpoints.js');
    await waitReady(ceiling.proc, `${ceiling.base}/`, { line: 'listening' });
    await waitReady(httpHello.proc, `${httpHello.base}/`, { line: 'listening' });
    await waitReady(koaHello.proc, `${koaHello.base}/`, { line: 'listening' });
    await waitReady(peer.proc, `${peer.base}/.well-known/openid-configuration`);
    const tessera = await startTessera('tessera', 'warn', { clientJwks });
    temps.push(tessera.dir);
    const info = wanted('token-es256') ? await startTessera('tessera-info', 'info') : undefined;
    if (info) temps.push(info.dir);
    log(`  node:http :${httpHello.port}  koa :${koaHello.port}  oidc-provider :${peer.port}  tessera :${tessera.port} (LOG_LEVEL=warn)${info ? `  tessera :${info.port} (LOG_LEVEL=info)` : ''}`);

    const T = tessera.base;
    const P = peer.base;
    const tAuth = { es256: basic(tessera.clients.es256.client_id, tessera.clients.es256.client_secret), rs256: basic(tessera.clients.rs256.client_id, tessera.clients.rs256.client_secret) };
    const pAuth = { es256: basic(PEER_CLIENTS.es256.id, PEER_CLIENTS.es256.secret), rs256: basic(PEER_CLIENTS.rs256.id, PEER_CLIENTS.rs256.secret) };
    const tTarget = (extra) => ({ server: 'tessera', serverPid: tessera.proc.pid, connections: CONNECTIONS, ...extra });
    const pTarget = (extra) => ({ server: 'oidc-provider', serverPid: peer.proc.pid, connections: CONNECTIONS, ...extra });
    // bench/ceiling-endpoints.js: bare node:http doing only the unavoidable work of the row.
    const cTarget = (extra) => ({ server: CEILING, serverPid: ceiling.proc.pid, connections: CONNECTIONS, ...extra });
    const C = ceiling.base;
    const cAuth = basic('bench', 'bench-secret');
    const tokenTarget = (base, auth, body) => ({ url: `${base}/token`, method: 'POST', headers: { Authorization: auth, 'Content-Type': FORM }, body, checkBody: checks.token });
    const CC = 'grant_type=client_credentials&scope=api%3Aread';
    // A fresh proof (DPoP) or assertion (private_key_jwt) for every request, made in autocannon's
    // per-request hook (bench/lib/client-proofs.js): each has its own jti, which both servers
    // accept only once. The answer must be a DPoP-bound token whose cnf.jkt is the proof key's.
    const jkt = jwkThumbprint(dpopKey.publicJwk);
    const dpopTokenTarget = (base, auth, body) => {
      const proof = dpopProofs(dpopKey, 'POST', `${base}/token`);
      return { ...tokenTarget(base, auth, body), checkBody: dpopTokenCheck(jkt), setupRequest: (req) => ({ ...req, headers: { ...req.headers, DPoP: proof() } }) };
    };
    const pkjwtTokenTarget = (base, clientId, body) => {
      const assertion = clientAssertions(pkjwtKey, clientId, base);
      const form = `${body}&client_id=${encodeURIComponent(clientId)}&client_assertion_type=${encodeURIComponent('urn:ietf:params:oauth:client-assertion-type:jwt-bearer')}&client_assertion=`;
      return { url: `${base}/token`, method: 'POST', headers: { 'Content-Type': FORM }, body: form, checkBody: checks.token, setupRequest: (req) => ({ ...req, body: `${form}${assertion()}` }) };
    };
    const loginBody = JSON.stringify({ email: 'bench@example.com', password: 'bench passphrase 123' });
    const loginTarget = (extra) => tTarget({ url: `${T}/auth/login`, method: 'POST', headers: { 'Content-Type': 'application/json' }, body: loginBody, ...extra });

    const hello = { row: 'hello', title: 'hello (bare HTTP ceiling)' };
    const discovery = { row: 'discovery', title: 'discovery' };
    const jwks = { row: 'jwks', title: 'JWKS' };
    const es256 = { row: 'token-es256', title: 'token (client_credentials, ES256 JWT)' };
    const rs256 = { row: 'token-rs256', title: 'token (client_credentials, RS256 JWT)' };
    const dpop = { row: 'token-dpop', title: 'token (client_credentials, DPoP proof ES256, ES256 JWT)' };
    const pkjwt = { row: 'token-pkjwt', title: 'token (client_credentials, private_key_jwt ES256, ES256 JWT)' };
    const introspection = { row: 'introspection', title: 'introspection of a valid token' };
    /** Introspection of a token fetched from `tokenUrl` (client_credentials) just before the row. */
    const introspectTarget = (url, auth, tokenUrl) => ({
      ...introspection,
      url,
      method: 'POST',
      headers: { Authorization: auth, 'Content-Type': FORM },
      checkBody: checks.active,
      async before(target) {
        const token = await fetchToken(tokenUrl, { Authorization: auth }, CC);
        target.body = `token=${encodeURIComponent(token)}`;
      },
    });
    const groups = [
      {
        // The ceiling and the two static documents in one group: their ratio to bare Koa is a criterion.
        title: 'HTTP ceiling, discovery, JWKS',
        targets: [
          { ...hello, server: 'node:http', serverPid: httpHello.proc.pid, connections: CONNECTIONS, url: `${httpHello.base}/`, checkBody: checks.hello },
          { ...hello, server: 'koa', serverPid: koaHello.proc.pid, connections: CONNECTIONS, url: `${koaHello.base}/`, checkBody: checks.hello },
          tTarget({ ...discovery, label: 'tessera discovery', url: `${T}/.well-known/openid-configuration`, checkBody: checks.discovery(T) }),
          pTarget({ ...discovery, label: 'oidc-provider discovery', url: `${P}/.well-known/openid-configuration`, checkBody: checks.discovery(P) }),
          tTarget({ ...jwks, label: 'tessera JWKS', url: `${T}/.well-known/jwks.json`, checkBody: checks.jwks }),
          pTarget({ ...jwks, label: 'oidc-provider JWKS', url: `${P}/jwks`, checkBody: checks.jwks }),
        ].filter((t) => wanted(t.row)),
      },
      {
        title: es256.title,
        targets: [
          tTarget({ ...es256, ...tokenTarget(T, tAuth.es256, CC) }),
          pTarget({ ...es256, ...tokenTarget(P, pAuth.es256, `${CC}&resource=${encodeURIComponent(PEER_CLIENTS.es256.resource)}`) }),
          cTarget({ ...es256, ...tokenTarget(C, cAuth, CC), url: `${C}/token?alg=ES256` }),
          // The same row at LOG_LEVEL=info (a second Tessera, same core): what the request log costs.
          ...(info
            ? [{ ...es256, server: 'tessera (LOG_LEVEL=info)', serverPid: info.proc.pid, connections: CONNECTIONS, ...tokenTarget(info.base, basic(info.clients.es256.client_id, info.clients.es256.client_secret), CC) }]
            : []),
        ].filter((t) => wanted(t.row)),
      },
      {
        title: rs256.title,
        targets: [
          tTarget({ ...rs256, ...tokenTarget(T, tAuth.rs256, CC) }),
          pTarget({ ...rs256, ...tokenTarget(P, pAuth.rs256, `${CC}&resource=${encodeURIComponent(PEER_CLIENTS.rs256.resource)}`) }),
          cTarget({ ...rs256, ...tokenTarget(C, cAuth, CC), url: `${C}/token?alg=RS256` }),
        ].filter((t) => wanted(t.row)),
      },
      {
        title: dpop.title,
        targets: [
          tTarget({ ...dpop, ...dpopTokenTarget(T, basic(tessera.clients.dpop.client_id, tessera.clients.dpop.client_secret), CC) }),
          pTarget({ ...dpop, ...dpopTokenTarget(P, basic(PEER_CLIENTS.dpop.id, PEER_CLIENTS.dpop.secret), `${CC}&resource=${encodeURIComponent(PEER_CLIENTS.dpop.resource)}`) }),
        ].filter((t) => wanted(t.row)),
      },
      {
        title: pkjwt.title,
        targets: [
          tTarget({ ...pkjwt, ...pkjwtTokenTarget(T, tessera.clients.pkjwt.client_id, CC) }),
          pTarget({ ...pkjwt, ...pkjwtTokenTarget(P, PEER_CLIENTS.pkjwt.id, `${CC}&resource=${encodeURIComponent(PEER_CLIENTS.pkjwt.resource)}`) }),
        ].filter((t) => wanted(t.row)),
      },
      {
        title: introspection.title,
        targets: [
          tTarget(introspectTarget(`${T}/introspect`, tAuth.es256, `${T}/token`)),
          // oidc-provider's token without `resource` is its default opaque token, kept in its
          // in-memory adapter: it cannot introspect its JWT access tokens.
          pTarget(introspectTarget(`${P}/token/introspection`, pAuth.es256, `${P}/token`)),
          cTarget(introspectTarget(`${C}/introspect`, cAuth, `${C}/token?alg=ES256`)),
        ].filter((t) => wanted(t.row)),
      },
      {
        // Login is argon2-bound: the raw argon2 rate is measured in the same rounds, in between.
        title: `login (/auth/login, ${LOGIN_CONNECTIONS} connections) and the raw argon2 rate`,
        targets: wanted('login') ? [argon2Target(), loginTarget({ row: 'login', title: `login (/auth/login, argon2-bound, ${LOGIN_CONNECTIONS} connections)`, connections: LOGIN_CONNECTIONS, checkBody: checks.login })] : [],
      },
      {
        title: `login overload (${OVERLOAD_CONNECTIONS} connections)`,
        targets: wanted('overload')
          ? [loginTarget({ row: 'login-overload', title: `login overload (${OVERLOAD_CONNECTIONS} connections)`, connections: OVERLOAD_CONNECTIONS, checkBody: checks.loginOrBusy, okStatuses: [200, 503, 429] })]
          : [],
      },
    ];

    const results = [];
    const limits = [];
    if (wanted('limit')) {
      log('\n▶ in-process limits (one process pinned to core 1, servers idle)');
      for (const impl of ['jose', 'node']) for (const alg of ['ES256', 'RS256']) for (const op of ['sign', 'verify']) limits.push(await cryptoLimit(alg, op, impl));
    }
    for (const group of groups) if (group.targets.length > 0) results.push(...(await runGroup(group)));

    const tesseraLog = readFileSync(tessera.proc.logFile, 'utf8');
    await Promise.all([stop(tessera.proc), stop(peer.proc), stop(ceiling.proc), stop(httpHello.proc), stop(koaHello.proc), ...(info ? [stop(info.proc)] : [])]);

    const report = writeResults({
      repo,
      outDir: path.join(benchDir, 'results'),
      name: quick ? 'quick' : only ? 'partial' : 'latest',
      started,
      finished: new Date(),
      build,
      plan: { ...plan, connections: CONNECTIONS, loginConnections: LOGIN_CONNECTIONS, overloadConnections: OVERLOAD_CONNECTIONS, cryptoConcurrency: CRYPTO_CONCURRENCY, loaderCore: LOADER_CORE, serverCore: SERVER_CORE, quick, only: only ?? null },
      results,
      limits,
      quietWaits,
      retries: { budget: RETRY_BUDGET, used: RETRY_BUDGET - retriesLeft },
      tesseraWarnings: summarizeLog(tesseraLog),
    });
    log(`\n${report.summary}`);
    log(`\nwritten: ${report.files.join(', ')}`);
  } finally {
    for (const dir of temps) rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`\nbench failed: ${error?.stack ?? error}\n`);
    process.exit(1);
  },
);
