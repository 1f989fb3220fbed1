// Turns one bench run into bench/results/NAME.md and NAME.json, and judges the acceptance criteria.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const MB = 2 ** 20;

function version(repo, pkg) {
  try {
    return JSON.parse(readFileSync(path.join(repo, 'node_modules', pkg, 'package.json'), 'utf8')).version;
  } catch {
    return 'not installed';
  }
}

function cpuModel() {
  try {
    return /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? os.cpus()[0]?.model ?? 'unknown';
  } catch {
    return os.cpus()[0]?.model ?? 'unknown';
  }
}

export function gitDescribe(repo) {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repo, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'migrations', 'bin', 'scripts'], { cwd: repo, encoding: 'utf8' }).trim() !== '';
    return dirty ? `commit ${head} + uncommitted changes in src/, migrations/, bin/ or scripts/` : `commit ${head}`;
  } catch {
    return 'unknown';
  }
}

export function distBuilt(repo) {
  try {
    return statSync(path.join(repo, 'dist/src/main.js')).mtime.toISOString();
  } catch {
    return 'unknown';
  }
}

/** The server name of bench/ceiling-endpoints.js: bare node:http doing only a row's unavoidable work. */
export const CEILING = 'node:http, unavoidable work only';

const num = (n) => (n === undefined ? '—' : n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1));
const ms = (n) => (n === undefined ? '—' : n < 10 ? n.toFixed(2) : n < 100 ? n.toFixed(1) : Math.round(n).toLocaleString('en-US'));
const x = (r) => (r === undefined || !Number.isFinite(r) ? '—' : `${r.toFixed(2)}×`);
const pct = (f) => (f === undefined ? '—' : `${Math.round(f * 100)}%`);

export function writeResults({ repo, outDir, name, started, finished, build, plan, results, limits, quietWaits, retries, tesseraWarnings }) {
  const get = (row, server) => results.find((r) => r.row === row && r.server === server);
  const ratio = (a, b) => (a && b && b.rps ? a.rps / b.rps : undefined);

  const koa = get('hello', 'koa');
  const nodeHttp = get('hello', 'node:http');
  const argon2 = get('argon2-raw', 'in-process');
  const warnToken = get('token-es256', 'tessera');
  const infoToken = get('token-es256', 'tessera (LOG_LEVEL=info)');

  // ---- the ratio column
  for (const r of results) {
    const peer = r.server === 'tessera' || r.server === CEILING ? get(r.row, 'oidc-provider') : undefined;
    const ceiling = r.server === 'tessera' ? get(r.row, CEILING) : undefined;
    const parts = [];
    if (r.server === CEILING) parts.push('ceiling');
    if (r.row === 'hello') parts.push(r.server === 'node:http' ? 'ceiling' : `${x(ratio(r, nodeHttp))} node:http`);
    if (peer) parts.push(`${x(ratio(r, peer))} oidc-provider`);
    if (ceiling) parts.push(`${x(ratio(r, ceiling))} ceiling`);
    if ((r.row === 'discovery' || r.row === 'jwks') && koa) parts.push(`${x(ratio(r, koa))} bare Koa`);
    if (r.server === 'oidc-provider' && r.row !== 'discovery' && r.row !== 'jwks') parts.push('peer');
    if (r === infoToken && warnToken) parts.push(`${x(ratio(r, warnToken))} the same at LOG_LEVEL=warn`);
    if (r.row === 'login' && argon2) parts.push(`${x(ratio(r, argon2))} raw argon2 verify`);
    if (r === argon2) parts.push('login\'s reference');
    if (r.row === 'login-overload') {
      const refused = (r.statusTotals['503'] ?? 0) + (r.statusTotals['429'] ?? 0);
      parts.push(`${refused.toLocaleString('en-US')} refused (503/429)`);
    }
    r.ratioText = parts.join(' · ') || '—';
  }

  // ---- criteria
  const criteria = [];
  const criterion = (name, pass, detail) => criteria.push({ name, pass, detail });
  const need = (...things) => things.every(Boolean);
  // What any server on this stack could reach at best: the bare ceiling's ratio to the peer.
  const reachable = (row, peer) => {
    const c = get(row, CEILING);
    return c ? `; the ceiling (bare node:http, unavoidable work only) reaches ${x(ratio(c, peer))}` : '';
  };
  {
    const t = get('token-es256', 'tessera');
    const p = get('token-es256', 'oidc-provider');
    if (need(t, p)) {
      const rr = ratio(t, p);
      criterion('token ES256 ≥ 3.0 × oidc-provider req/s, with a lower p99', rr >= 3.0 && t.p99 < p.p99, `${x(rr)} (${num(t.rps)} vs ${num(p.rps)} req/s); p99 ${ms(t.p99)} vs ${ms(p.p99)} ms${reachable('token-es256', p)}`);
    } else criterion('token ES256 ≥ 3.0 × oidc-provider req/s, with a lower p99', undefined, 'not measured in this run');
  }
  {
    const t = get('token-rs256', 'tessera');
    const p = get('token-rs256', 'oidc-provider');
    criterion('token RS256 ≥ 1.6 × oidc-provider req/s', need(t, p) ? ratio(t, p) >= 1.6 : undefined, need(t, p) ? `${x(ratio(t, p))} (${num(t.rps)} vs ${num(p.rps)} req/s); p99 ${ms(t.p99)} vs ${ms(p.p99)} ms${reachable('token-rs256', p)}` : 'not measured in this run');
  }
  {
    const t = get('introspection', 'tessera');
    const p = get('introspection', 'oidc-provider');
    criterion('introspection ≥ 3.0 × oidc-provider req/s', need(t, p) ? ratio(t, p) >= 3.0 : undefined, need(t, p) ? `${x(ratio(t, p))} (${num(t.rps)} vs ${num(p.rps)} req/s; oidc-provider introspects an opaque token)${reachable('introspection', p)}` : 'not measured in this run');
  }
  for (const row of ['jwks', 'discovery']) {
    const t = get(row, 'tessera');
    const label = row === 'jwks' ? 'JWKS' : 'discovery';
    criterion(`${label} ≥ 0.8 × bare Koa hello req/s`, need(t, koa) ? ratio(t, koa) >= 0.8 : undefined, need(t, koa) ? `${x(ratio(t, koa))} (${num(t.rps)} vs ${num(koa.rps)} req/s)` : 'not measured in this run');
  }
  {
    const t = get('login', 'tessera');
    criterion('login ≥ 0.9 × raw argon2 verify rate (same run)', need(t, argon2) ? t.rps >= 0.9 * argon2.rps : undefined, need(t, argon2) ? `${x(ratio(t, argon2))} (${num(t.rps)} logins/s vs ${num(argon2.rps)} verifies/s, measured in alternate rounds)` : 'not measured in this run');
  }
  const overload = get('login-overload', 'tessera');
  if (overload) {
    const refused = (overload.statusTotals['503'] ?? 0) + (overload.statusTotals['429'] ?? 0);
    const refusedP99 = Math.max(overload.statusLatency['503']?.p99 ?? 0, overload.statusLatency['429']?.p99 ?? 0) || undefined;
    criterion(`overload (${plan.overloadConnections} connections on /auth/login): RSS peak < 300 MB`, overload.rssPeak < 300 * MB, `peak VmRSS ${(overload.rssPeak / MB).toFixed(0)} MB`);
    criterion('overload: excess load is refused with 503/429, quickly (p99 of the refusals < 250 ms)', refused > 0 && refusedP99 < 250, `${refused.toLocaleString('en-US')} refused; p99 of refusals ${ms(refusedP99)} ms`);
    const admittedP99 = overload.statusLatency['200']?.p99;
    criterion(
      'overload: no multi-second latency (p99 of all answers, and of the admitted 200s, < 2 s)',
      overload.p99 < 2000 && (admittedP99 === undefined || admittedP99 < 2000),
      `p99 of all answers ${ms(overload.p99)} ms; 200s: ${(overload.statusTotals['200'] ?? 0).toLocaleString('en-US')}, p50 ${ms(overload.statusLatency['200']?.p50)}, p99 ${ms(admittedP99)} ms`,
    );
  } else {
    criterion('overload: bounded queue', undefined, 'not measured in this run');
  }
  {
    const bad = results.filter((r) => r.errors > 0 || r.failedChecks > 0);
    criterion('0 errors and 0 failed body checks in every row', results.length > 0 && bad.length === 0, bad.length === 0 ? `${results.length} rows clean` : bad.map((r) => `${r.title} / ${r.server}: ${r.errors} errors, ${r.failedChecks} failed checks`).join('; '));
  }

  // ---- documents
  const pkg = JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8'));
  const meta = {
    date: started.toISOString(),
    durationMinutes: Math.round(((finished - started) / 60_000) * 10) / 10,
    node: process.version,
    cpu: cpuModel(),
    cores: os.cpus().length,
    kernel: `${os.type()} ${os.release()}`,
    tessera: `${pkg.version} (${build.git} when the run started; dist/ built ${build.dist})`,
    versions: Object.fromEntries(['oidc-provider', 'koa', 'jose', 'autocannon', 'argon2'].map((p) => [p, version(repo, p)])),
  };

  const table = [
    '| row | server | req/s | p50 ms | p99 ms | errors | failed checks | ratio |',
    '|---|---|--:|--:|--:|--:|--:|---|',
    ...results.map((r) =>
      r.inProcess
        ? `| ${r.title} | in-process, core ${plan.serverCore}, ${r.extra?.concurrency ?? '?'} at once | ${num(r.rps)} ops/s | — | — | — | — | ${r.ratioText} |`
        : `| ${r.title} | ${r.server}${r.row === 'introspection' && r.server === 'oidc-provider' ? ' (opaque token)' : ''} | ${num(r.rps)} | ${ms(r.p50)} | ${ms(r.p99)} | ${r.errors} | ${r.failedChecks} | ${r.ratioText} |`,
    ),
    ...limits.map((l) => `| ${l.title} | in-process, core ${plan.serverCore}, ${l.concurrency} at once | ${num(l.rate)} ops/s | — | — | — | — | limit |`),
  ].join('\n');

  const verdict = (c) => (c.pass === undefined ? 'N/A ' : c.pass ? 'PASS' : 'FAIL');
  const criteriaLines = criteria.map((c) => `${verdict(c)}  ${c.name}: ${c.detail}`).join('\n');

  const cpuTable = [
    `| row | server | server CPU (core ${plan.serverCore}) | load generator CPU (core ${plan.loaderCore}) | other processes, worst run (core ${plan.serverCore} / core ${plan.loaderCore}); hypervisor steal | runs repeated | server RSS peak |`,
    '|---|---|--:|--:|--:|--:|--:|',
    ...results.map(
      (r) =>
        `| ${r.title} | ${r.server} | ${pct(r.serverCpu)} | ${pct(r.loaderCpu)} | ${pct(r.othersServerCore)} / ${pct(r.othersLoaderCore)}; ${pct(r.steal)}${r.disturbedRuns ? ` (${r.disturbedRuns} disturbed)` : ''} | ${r.retries} | ${r.rssPeak ? `${(r.rssPeak / MB).toFixed(0)} MB` : '—'} |`,
    ),
    ...limits.map((l) => `| ${l.title} | in-process | — | — | ${pct(l.othersServerCore)} / —${l.disturbed ? ' (disturbed)' : ''} | — | — |`),
  ].join('\n');

  const notes = [];
  notes.push(
    `Each server ran alone on core ${plan.serverCore} (\`taskset -c ${plan.serverCore}\`); autocannon ran in the bench process on core ${plan.loaderCore}. ` +
      `${plan.rounds} × ${plan.duration} s per row after a ${plan.warmup} s warm-up. Rows that are compared take turns round by round (the ceiling, discovery and JWKS rows of all servers; the two servers of a token or introspection row; login and the raw argon2 rate), so a slow minute of the machine hits both sides of a ratio; req/s, p50 and p99 are the medians of the rounds; errors and failed checks are summed over the rounds. ` +
      `${plan.connections} connections (login ${plan.loginConnections}, overload ${plan.overloadConnections}), no pipelining, keep-alive.`,
  );
  notes.push('Latencies are measured per response in the load generator (autocannon\'s own timer), over every answer, whatever its status; req/s counts the answers inside the measured window.');
  notes.push(
    'Every answer is checked: a status other than 200 (overload row: 200, 503 or 429) is an error, and each body must pass a check (token: `"access_token":"ey…"` and `"token_type":"Bearer"`; introspection: `"active":true`; discovery: `"issuer":"<its issuer>"`; JWKS: `"keys":[{`; login: an access and a refresh token; hello: the exact body). ' +
      'Each target is also requested once before its row, and the bench stops if that answer is wrong.',
  );
  notes.push(
    'Tessera ran from `dist/src/main.js` in a fresh temporary directory (its own SQLite file and keys), at LOG_LEVEL=warn: no per-request log line (the request log is an info line; errors would still be logged). ' +
      'The bench turns the sign-in limits off: RATE_LIMIT_PER_IP=0, RATE_LIMIT_PER_ACCOUNT=0, LOCKOUT_THRESHOLD=0. A second Tessera at LOG_LEVEL=info (request log written to a file) takes part in the ES256 token rounds: the "tessera (LOG_LEVEL=info)" line shows what the request log costs.',
  );
  notes.push(
    'oidc-provider ran with its default in-memory adapter (no database at all), two clients (client_secret_basic, client_credentials), one EC P-256 and one RSA 2048 key, JWT access tokens through resource indicators ' +
      '(`resource=urn:bench:es256` → ES256, `resource=urn:bench:rs256` → RS256), introspection and revocation on. oidc-provider cannot introspect its own JWT access tokens, so its introspection row introspects an opaque token (a token request without `resource`), a lookup in its in-memory store. ' +
      'Tessera introspects an ES256 JWT: signature check plus a revocation-list read in SQLite and a client lookup. Tessera\'s JWKS holds 4 keys (active and next, per algorithm); oidc-provider\'s holds 2.',
  );
  if (results.some((r) => r.row === 'token-dpop' || r.row === 'token-pkjwt')) {
    notes.push(
      'DPoP and private_key_jwt rows: client_credentials with an ES256 JWT access token on both servers (oidc-provider: `resource=urn:bench:es256`). DPoP: a client registered as DPoP-bound (`--dpop-bound`; oidc-provider: `dpop_bound_access_tokens`), Basic auth, and a fresh DPoP proof (ES256) in every request; the answer must say `"token_type":"DPoP"` and its access token must carry `cnf.jkt`, the thumbprint of the proof key. private_key_jwt: a client that authenticates with a fresh client assertion (ES256, `aud` the issuer, 60 s) in every request, and no secret. ' +
        'Every proof and assertion has its own `jti` and the current `iat`, and both servers accept each `jti` only once (Tessera records it in SQLite, oidc-provider in its memory). They are made in the load generator before each request (node:crypto\'s synchronous ES256 signature), which costs it the same for both servers.',
    );
  }
  if (results.some((r) => r.server === CEILING)) {
    notes.push(
      `"${CEILING}" (bench/ceiling-endpoints.js) is the ceiling of the token and introspection rows: bare node:http doing only what those endpoints cannot avoid (read the form body, SHA-256 the Basic secret; sign one JWT with node:crypto; or look up an already verified token and read the revocation list in SQLite), with no framework, routing, validation, error handling, headers beyond Content-Type and Cache-Control, metrics or logging. ` +
        'No server on this machine and stack can beat it; its ratio to oidc-provider is the most any implementation could show in that row.',
    );
  }
  if (Number(process.version.slice(1).split('.')[0]) < 22) {
    notes.push(`oidc-provider ${meta.versions['oidc-provider']} warns "Unsupported runtime. Use Node.js v22.x LTS" on ${process.version}; it works, and every answer was checked.`);
  }
  if (argon2) {
    const o = argon2.extra?.options ?? {};
    notes.push(
      `argon2 raw rate: argon2id (memoryCost ${o.memoryCost}, timeCost ${o.timeCost}, parallelism ${o.parallelism}: Tessera's ARGON2_OPTIONS, imported from dist/), ${argon2.extra?.concurrency} verifies at once (libuv's pool size: as many as the pool allows; Tessera's own hasher admits fewer at once per core, see src/domain/accounts/password-hasher.ts), one process pinned to core ${plan.serverCore}, measured in rounds alternating with the login rounds: ${argon2.runs.map((r) => r.rps.toFixed(1)).join(', ')}/s; login ${get('login', 'tessera')?.runs.map((r) => r.rps.toFixed(1)).join(', ') ?? '—'}/s.`,
    );
  }
  if (limits.some((l) => /^limit-(es|rs)256/.test(l.id))) {
    notes.push(
      `JWT limits: an RFC 9068 payload like Tessera's, ${plan.cryptoConcurrency} operations in flight, one process pinned to core ${plan.serverCore}; "jose" is jose ${meta.versions.jose} with node:crypto KeyObjects, exactly how Tessera (and oidc-provider) sign and verify: jose 6 runs on WebCrypto, whose sign/verify are jobs on libuv's thread pool; "node:crypto sync" builds the same compact JWS by hand with the synchronous \`crypto.sign\`/\`crypto.verify\`, to show what the thread hop and promises cost on one core.`,
    );
  }
  if (overload) {
    const statuses = Object.entries(overload.statusTotals).map(([s, n]) => `${s}: ${n.toLocaleString('en-US')}`).join(', ');
    const perStatus = Object.entries(overload.statusLatency).map(([s, v]) => `${s} p50 ${ms(v.p50)} / p99 ${ms(v.p99)} ms`).join('; ');
    notes.push(`Overload row (${plan.overloadConnections} connections on /auth/login): answers over all rounds ${statuses}; latency by status (median of rounds) ${perStatus}; Tessera's peak VmRSS (sampled every 50 ms from /proc/<pid>/status) ${(overload.rssPeak / MB).toFixed(0)} MB.`);
  }
  {
    const disturbedRows = results.filter((r) => r.disturbedRuns > 0);
    const disturbedLimits = limits.filter((l) => l.disturbed);
    notes.push(
      `Shared machine guard: before each run the bench waits (up to 30 s) until both cores are idle, which also lets a server finish work queued by the previous run; it measures from /proc/stat what other processes took of both cores during the run, and repeats a run (at most twice, at most ${retries?.budget} times in all) if other processes took over 5% of core ${plan.serverCore} or 10% of core ${plan.loaderCore}, or the hypervisor (steal) over 15% of either; ${retries?.used ?? 0} runs were repeated. ` +
        (disturbedRows.length + disturbedLimits.length === 0 && !quietWaits
          ? 'No run of this report was disturbed.'
          : `This run: ${quietWaits ?? 0} waits ended with the cores still busy; disturbed even after repeats: ${[...disturbedRows.map((r) => `${r.title} / ${r.server} (${r.disturbedRuns})`), ...disturbedLimits.map((l) => l.title)].join(', ') || 'none'}.`),
    );
  }
  if (tesseraWarnings.length > 0) {
    notes.push(`Tessera (LOG_LEVEL=warn) logged at warn or above during the run: ${tesseraWarnings.map((w) => `${w.count.toLocaleString('en-US')} × ${w.kind}`).join('; ')}.`);
  } else {
    notes.push('Tessera (LOG_LEVEL=warn) logged nothing at warn or above during the run.');
  }
  if (distBuilt(repo) !== build.dist) {
    notes.push(`dist/ was rebuilt while the bench ran (now ${distBuilt(repo)}); every server had started from the build of ${build.dist} and kept it.`);
  }
  notes.push('Same machine, loopback, one core per side: see docs/performance.md for what these numbers do and do not say.');

  const header = [
    `# Tessera benchmark${plan.quick ? ' (--quick: 1 × 3 s per row, indicative only)' : ''}`,
    '',
    `- date: ${meta.date} (${meta.durationMinutes} min)`,
    `- node: ${meta.node}; ${meta.kernel}`,
    `- CPU: ${meta.cpu} (${meta.cores} cores; servers on core ${plan.serverCore}, load generator on core ${plan.loaderCore})`,
    `- tessera ${meta.tessera}; ${Object.entries(meta.versions).map(([k, v]) => `${k} ${v}`).join('; ')}`,
    `- Tessera at LOG_LEVEL=warn (request log off) unless the row says otherwise; sign-in rate limits and lockout turned off for the bench`,
    `- ${plan.rounds} × ${plan.duration} s per row after a ${plan.warmup} s warm-up, medians; ${plan.connections} connections unless the row says otherwise`,
    ...(plan.only ? [`- partial run: only rows matching ${plan.only.join(', ')}`] : []),
  ].join('\n');

  const md = `${header}

## Results

${table}

## Acceptance criteria

\`\`\`
${criteriaLines}
\`\`\`

## CPU and memory per row

${cpuTable}

A server CPU near 100% means the server's core was the limit; a load generator near 100% with the server below it means autocannon was.

## Notes

${notes.map((n) => `- ${n}`).join('\n')}
`;

  mkdirSync(outDir, { recursive: true });
  const mdFile = path.join(outDir, `${name}.md`);
  const jsonFile = path.join(outDir, `${name}.json`);
  writeFileSync(mdFile, md);
  writeFileSync(jsonFile, `${JSON.stringify({ meta, plan, results, limits, criteria, notes }, null, 2)}\n`);

  const summary = `${table}\n\n${criteriaLines}`;
  return { summary, files: [path.relative(repo, mdFile), path.relative(repo, jsonFile)], criteria };
}
