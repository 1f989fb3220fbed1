// Reading the hosted pages without a browser: requests that carry a cookie jar and a language,
// the links and hidden fields of a page, and an authorization request that starts a sign-in.
import * as oidc from 'openid-client';
import type { AccountServer } from '../../helpers/accounts.js';
import type { CookieJar } from '../../helpers/browserless.js';
import { registerClient } from '../../helpers/server.js';

export const REDIRECT = 'https://app.example.com/callback';

export interface PageRequest {
  form?: Record<string, string>;
  /** Accept-Language */
  language?: string;
}

/** One request as a browser sends it: the jar's cookies, no redirect followed. */
export async function request(jar: CookieJar, url: string, options: PageRequest = {}): Promise<Response> {
  const headers: Record<string, string> = { cookie: jar.header() };
  if (options.language) headers['accept-language'] = options.language;
  if (options.form) headers['content-type'] = 'application/x-www-form-urlencoded';
  const response = await fetch(url, {
    method: options.form ? 'POST' : 'GET',
    redirect: 'manual',
    headers,
    ...(options.form ? { body: new URLSearchParams(options.form).toString() } : {}),
  });
  jar.store(response);
  return response;
}

const unescape = (text: string) => text.replace(/&#38;/g, '&').replace(/&amp;/g, '&').replace(/&#34;/g, '"').replace(/&#39;/g, "'").replace(/&#60;/g, '<').replace(/&#62;/g, '>');

/** The links of a page: their text (tags dropped, spaces collapsed) and href. */
export function linksOf(html: string): Array<{ text: string; href: string }> {
  return [...html.matchAll(/<a\b[^>]*\bhref="([^"]*)"[^>]*>([\s\S]*?)<\/a>/g)].map((match) => ({
    href: unescape(match[1]!),
    text: unescape(match[2]!.replace(/<[^>]+>/g, '')).replace(/\s+/g, ' ').trim(),
  }));
}

/** The href of the link with this text; throws when there is none. */
export function linkTo(html: string, text: string): string {
  const link = linksOf(html).find((candidate) => candidate.text === text);
  if (!link) throw new Error(`no link "${text}" among ${JSON.stringify(linksOf(html))}`);
  return link.href;
}

/** The hidden fields of the form whose action is `action` (the first form when not given). */
export function formFields(html: string, action?: string): Record<string, string> {
  const forms = [...html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)];
  const form = action === undefined ? forms[0] : forms.find((match) => match[1]!.includes(`action="${action}"`));
  if (!form) throw new Error(`no form ${action ?? ''}`);
  const fields: Record<string, string> = {};
  for (const match of form[2]!.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) fields[match[1]!] = unescape(match[2]!);
  return fields;
}

export const htmlLang = (html: string) => /<html lang="([^"]+)">/.exec(html)?.[1];
export const heading = (html: string) => unescape(/<h1>([\s\S]*?)<\/h1>/.exec(html)?.[1] ?? '');
export const alertOf = (html: string) => unescape(/role="alert">([\s\S]*?)<\/p>/.exec(html)?.[1] ?? '');

/** A registered code-flow client and its openid-client configuration. */
export async function codeClient(server: AccountServer, options: Parameters<typeof registerClient>[1] = {}) {
  const client = await registerClient(server, { name: 'my-app', redirectUris: [REDIRECT], firstParty: true, ...options });
  const config = await oidc.discovery(new URL(server.config.issuer), client.client_id, client.client_secret, oidc.ClientSecretBasic(client.client_secret), { execute: [oidc.allowInsecureRequests] });
  return { client, config };
}

/** An authorization request with PKCE; `extra` adds parameters such as ui_locales. */
export async function authorizeUrl(config: oidc.Configuration, extra: Record<string, string> = {}) {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT,
    scope: 'openid profile email',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    ...extra,
  });
  return { url: url.toString(), verifier, state };
}

/** Starts a sign-in at the authorize endpoint; returns the login page's path (with its interaction) and HTML. */
export async function startSignIn(server: AccountServer, jar: CookieJar, authorize: string, language?: string) {
  const redirected = await request(jar, authorize, { language });
  if (redirected.status !== 303) throw new Error(`authorize answered ${redirected.status}`);
  const location = new URL(redirected.headers.get('location')!, server.url);
  if (location.pathname !== '/login') throw new Error(`authorize sent the browser to ${location.pathname}`);
  const interaction = location.searchParams.get('interaction')!;
  const page = await request(jar, location.toString(), { language });
  return { interaction, loginPath: `${location.pathname}${location.search}`, response: page, html: await page.text() };
}
