// The browser harness: Debian's Chromium driven by playwright-core (no browser download), one
// browser per test file and a fresh context (cookies, storage) per test, plus a tiny "app" on
// loopback that plays the relying party's redirect_uri. Without Chromium the tests are skipped
// with a warning, except on CI (CI=true), where they fail and say why.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import anyTest, { type ExecutionContext, type ImplementationFn } from 'ava';
import * as oidc from 'openid-client';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import type { TestServer } from '../helpers/server.js';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const chromiumFound = existsSync(CHROMIUM_PATH);
const onCi = process.env.CI === 'true';
const MISSING = `Chromium is not installed at ${CHROMIUM_PATH} (install Debian's "chromium" package, or set CHROMIUM_PATH)`;

if (!chromiumFound && !onCi) {
  // One warning per ava run, not one per file: each file runs in its own process under ava's.
  try {
    writeFileSync(join(tmpdir(), `tessera-no-chromium-${process.ppid}`), '', { flag: 'wx' });
    console.warn(`\n!!! ${MISSING}: the browser tests (test/browser/) are SKIPPED. On CI (CI=true) they fail instead.\n`);
  } catch {
    // another file already warned
  }
}

/** `test` for a browser test: registered normally when Chromium is there (or on CI, to fail), else skipped. */
export function browserTest(title: string, implementation: ImplementationFn<[]>): void {
  if (chromiumFound || onCi) anyTest(title, implementation);
  else anyTest.skip(title, implementation);
}

let launched: Promise<Browser> | undefined;
anyTest.after.always(async () => {
  if (launched) await (await launched.catch(() => undefined))?.close();
});

function browser(): Promise<Browser> {
  if (!chromiumFound) return Promise.reject(new Error(`${MISSING}; CI=true, so the browser tests fail rather than skip`));
  launched ??= chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
  return launched;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * A new browser context for this test (closed at its end) and a page in it. Requests that would
 * leave the machine are aborted, so a wrong redirect to evil.com fails fast and offline.
 */
export async function openPage(t: ExecutionContext, options: BrowserContextOptions = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await (await browser()).newContext({ viewport: { width: 800, height: 900 }, colorScheme: 'light', locale: 'en-GB', ...options });
  t.teardown(() => context.close());
  await context.route((url) => !LOOPBACK.has(url.hostname), (route) => route.abort('blockedbyclient'));
  context.setDefaultTimeout(30_000);
  return { context, page: await context.newPage() };
}

export interface App {
  origin: string;
  callback: string;
  bye: string;
  /** Every URL the browser asked the app for, in order. */
  requests: URL[];
}

/** The relying party's side of the browser flow: records each request and answers 200 "ok". */
export async function startApp(t: ExecutionContext): Promise<App> {
  const requests: URL[] = [];
  const server = createServer((request, response) => {
    requests.push(new URL(request.url ?? '/', origin));
    response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
    response.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  t.teardown(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { origin, callback: `${origin}/callback`, bye: `${origin}/bye`, requests };
}

/** The browser is at the app's callback (or bye) page. */
export const atApp = (app: App, path = '/callback') => (url: URL) => url.origin === app.origin && url.pathname === path;

/** Fills and sends the hosted sign-in form the page is showing. */
export async function submitPassword(page: Page, person: { email: string; password: string }): Promise<void> {
  await page.fill('input[name=email]', person.email);
  await page.fill('input[name=password]', person.password);
  await page.click('button[type=submit]');
}

/** Opens an authorize URL, signs in on the hosted page and returns the callback URL. */
export async function signInThroughBrowser(page: Page, app: App, authorizeUrl: URL | string, person: { email: string; password: string }): Promise<URL> {
  await page.goto(authorizeUrl.toString());
  await page.waitForURL((url) => url.pathname === '/login');
  await submitPassword(page, person);
  await page.waitForURL(atApp(app));
  return new URL(page.url());
}

/** Main-frame navigations, redirects included, from now on (to see that no page came in between). */
export function recordNavigations(page: Page): URL[] {
  const urls: URL[] = [];
  page.on('request', (request) => {
    if (request.isNavigationRequest() && request.frame() === page.mainFrame()) urls.push(new URL(request.url()));
  });
  return urls;
}

/** An openid-client configuration for a registered client (confidential unless no secret). */
export async function discover(server: TestServer, client: { client_id: string; client_secret?: string }): Promise<oidc.Configuration> {
  const auth = client.client_secret ? oidc.ClientSecretBasic(client.client_secret) : oidc.None();
  return oidc.discovery(new URL(server.config.issuer), client.client_id, client.client_secret || undefined, auth, { execute: [oidc.allowInsecureRequests] });
}

export interface PreparedRequest {
  url: URL;
  verifier: string;
  state: string;
  nonce: string;
}

/** An authorization request with PKCE S256, state and nonce, as a relying party builds it. */
export async function authorizationRequest(config: oidc.Configuration, redirectUri: string, extra: Record<string, string> = {}): Promise<PreparedRequest> {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: 'openid profile email',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...extra,
  });
  return { url, verifier, state, nonce };
}

/** Redeems the code at the callback with openid-client, which checks state, iss, nonce and the ID token. */
export function redeem(config: oidc.Configuration, callback: URL, request: PreparedRequest, checks: { maxAge?: number } = {}) {
  return oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce, ...checks });
}

/** axe-core's own bundle. The pages' CSP forbids inline scripts, so it goes in through CDP (page.evaluate). */
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown[]; failureSummary?: string }>;
}

/** Runs axe-core on the page as it is; returns the serious and critical violations. */
export async function seriousA11yViolations(page: Page): Promise<AxeViolation[]> {
  if (!(await page.evaluate(() => 'axe' in globalThis))) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const result = await (globalThis as unknown as { axe: { run: () => Promise<{ violations: AxeViolation[] }> } }).axe.run();
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })) }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}
