// The Apache harness for the mod_auth_openidc interop tests: Debian's apache2 run in the
// foreground from a config file written into the test's own temp folder, on a loopback port, and
// killed when the test ends. Also a TLS-terminating proxy in front of Tessera, because
// mod_auth_openidc takes only https URLs for OIDCOAuthVerifyJwksUri and
// OIDCOAuthIntrospectionEndpoint (it refuses the config otherwise: `'http://…' cannot be parsed as
// a "https" URL`). Without apache2, the module or openssl the tests are skipped with one warning,
// except on CI (CI=true), where they fail and say why, as test/browser/chromium.ts does.
import { execFile, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import anyTest, { type ExecutionContext, type ImplementationFn } from 'ava';
import { freePort } from '../helpers/env.js';

export const APACHE_PATH = process.env.APACHE_PATH ?? '/usr/sbin/apache2';
export const MOD_AUTH_OPENIDC = process.env.MOD_AUTH_OPENIDC ?? '/usr/lib/apache2/modules/mod_auth_openidc.so';
const MODULES_DIR = dirname(MOD_AUTH_OPENIDC);
const OPENSSL = '/usr/bin/openssl';

const missing = [
  existsSync(APACHE_PATH) ? undefined : `apache2 is not installed at ${APACHE_PATH} (Debian's "apache2" package, or set APACHE_PATH)`,
  existsSync(MOD_AUTH_OPENIDC) ? undefined : `mod_auth_openidc is not at ${MOD_AUTH_OPENIDC} (Debian's "libapache2-mod-auth-openidc", or set MOD_AUTH_OPENIDC)`,
  existsSync(OPENSSL) ? undefined : `openssl is not at ${OPENSSL} (Debian's "openssl"; it makes the TLS proxy's certificate)`,
].filter((reason): reason is string => reason !== undefined);
const onCi = process.env.CI === 'true';

if (missing.length > 0 && !onCi) {
  // One warning per ava run, not one per file (each file runs in its own process under ava's).
  try {
    writeFileSync(join(tmpdir(), `tessera-no-apache-${process.ppid}`), '', { flag: 'wx' });
    console.warn(`\n!!! ${missing.join('; ')}: the mod_auth_openidc tests (test/interop/) are SKIPPED. On CI (CI=true) they fail instead.\n`);
  } catch {
    // another file already warned
  }
}

/** `test` for an Apache test: registered when Apache is there (or on CI, to fail), else skipped. */
export function apacheTest(title: string, implementation: ImplementationFn<[]>): void {
  if (missing.length === 0 || onCi) anyTest(title, implementation);
  else anyTest.skip(title, implementation);
}

/**
 * A temp folder Apache's children can read. As root, Apache serves as `User www-data`, and
 * mkdtemp's folders are 0700; the folder holds nothing secret beyond this test's throwaway config.
 */
function readableTempDir(t: ExecutionContext, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o755);
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface Apache {
  origin: string;
  dir: string;
  /** Apache's error log so far, for failure messages. */
  errorLog(): string;
}

export interface ApacheSite {
  /** Directives after the fixed preamble (modules, Listen, logs, DocumentRoot = `${dir}/htdocs`). */
  directives: string;
  /** Files under htdocs/ (folders made as needed), with their mode (0755 for CGI scripts). */
  files?: Record<string, { content: string; mode?: number }>;
}

/** A CGI script that prints what mod_auth_openidc handed to the app: REMOTE_USER and the claims. */
export const SHOW_CLAIMS_CGI = {
  mode: 0o755,
  content: `#!/bin/sh
printf 'Content-Type: text/plain\\r\\n\\r\\n'
printf 'REMOTE_USER=%s\\n' "$REMOTE_USER"
env | grep '^OIDC_CLAIM_' | sort
`,
};

const isRoot = process.getuid?.() === 0;

function preamble(dir: string, port: number): string {
  const module = (name: string, file: string) => `LoadModule ${name}_module ${join(MODULES_DIR, file)}`;
  return [
    `ServerRoot ${dir}`,
    `ServerName 127.0.0.1`,
    // prefork, so plain mod_cgi works (mod_cgid would need its own daemon and socket).
    module('mpm_prefork', 'mod_mpm_prefork.so'),
    module('authn_core', 'mod_authn_core.so'), // AuthType
    module('authz_core', 'mod_authz_core.so'), // Require
    module('authz_user', 'mod_authz_user.so'), // Require valid-user
    module('cgi', 'mod_cgi.so'),
    `LoadModule auth_openidc_module ${MOD_AUTH_OPENIDC}`,
    ...(isRoot ? ['User www-data', 'Group www-data'] : []),
    `Listen 127.0.0.1:${port}`,
    `PidFile ${dir}/apache.pid`,
    `DefaultRuntimeDir ${dir}`,
    `Mutex file:${dir} default`,
    `ErrorLog ${dir}/error.log`,
    `LogLevel warn`,
    `StartServers 2`,
    `DocumentRoot ${dir}/htdocs`,
    `<Directory ${dir}/htdocs>`,
    `  Options +ExecCGI`,
    `  <Files "*.cgi">`,
    `    SetHandler cgi-script`,
    `  </Files>`,
    `</Directory>`,
  ].join('\n');
}

const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });

/**
 * Starts Apache with the site `build` returns for the origin it will listen on (so a test can
 * register that origin's redirect URI first). A port taken in between means another attempt.
 */
export async function startApache(t: ExecutionContext, build: (origin: string) => ApacheSite | Promise<ApacheSite>): Promise<Apache> {
  if (missing.length > 0) throw new Error(`${missing.join('; ')}; CI=true, so the mod_auth_openidc tests fail rather than skip`);
  for (let attempt = 1; ; attempt += 1) {
    const dir = readableTempDir(t, 'tessera-apache-');
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    const site = await build(origin);
    mkdirSync(join(dir, 'htdocs'), { mode: 0o755 });
    for (const [name, file] of Object.entries(site.files ?? {})) {
      mkdirSync(dirname(join(dir, 'htdocs', name)), { recursive: true, mode: 0o755 });
      writeFileSync(join(dir, 'htdocs', name), file.content);
      chmodSync(join(dir, 'htdocs', name), file.mode ?? 0o644);
    }
    writeFileSync(join(dir, 'apache.conf'), `${preamble(dir, port)}\n${site.directives}\n`);
    const errorLog = () => (existsSync(join(dir, 'error.log')) ? readFileSync(join(dir, 'error.log'), 'utf8') : '');

    // detached: its own process group. On SIGTERM prefork's parent signals its whole process group
    // (killpg), which without this would be the ava worker running the test.
    const child = spawn(APACHE_PATH, ['-DFOREGROUND', '-f', join(dir, 'apache.conf')], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const killOnExit = () => child.kill('SIGTERM'); // a detached Apache would outlive a crashed worker
    process.once('exit', killOnExit);
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    t.teardown(async () => {
      process.off('exit', killOnExit);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    });

    const started = Date.now();
    let up = false;
    while (!up && child.exitCode === null && Date.now() - started < 10_000) {
      up = await listening(port);
      if (!up) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    if (up) return { origin, dir, errorLog };
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
    const why = `${output}\n${errorLog()}`;
    if (!/Address already in use/.test(why) || attempt >= 5) throw new Error(`apache2 did not start:\n${why}`);
  }
}

export interface TlsProxy {
  origin: string;
  /** The proxy's self-signed certificate (PEM): the CA bundle to trust, OIDCCABundlePath. */
  caFile: string;
}

/**
 * An https origin on loopback that forwards every request to `target` (plain http). Its
 * certificate is made here with the openssl CLI (node:crypto cannot issue X.509), self-signed
 * for IP 127.0.0.1, so Apache verifies it for real against OIDCCABundlePath instead of running
 * with OIDCSSLValidateServer Off.
 */
export async function startTlsProxy(t: ExecutionContext, target: string): Promise<TlsProxy> {
  const dir = readableTempDir(t, 'tessera-tls-');
  const keyFile = join(dir, 'key.pem');
  const caFile = join(dir, 'cert.pem');
  await promisify(execFile)(OPENSSL, [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyFile, '-out', caFile,
  ]);
  chmodSync(caFile, 0o644);
  const upstream = new URL(target);
  const server = createHttpsServer({ key: readFileSync(keyFile), cert: readFileSync(caFile) }, (request, response) => {
    const forwarded = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: request.method, path: request.url, headers: request.headers },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    forwarded.on('error', () => response.writeHead(502).end());
    request.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { origin: `https://127.0.0.1:${(server.address() as { port: number }).port}`, caFile };
}
