// An upstream identity provider as the domain sees it (read from storage once, by
// `upstreamFromRow`), as the admin API and the CLI show it (`upstreamView`, never the secret), the
// presets for Google, Microsoft Entra ID and GitHub, and the rules for what an admin may register.
import type { UpstreamRow } from '../../storage/repositories/upstreams.js';
import { OAuthError } from '../../errors/oauth-error.js';

export const PRESETS = ['google', 'microsoft', 'github'] as const;
export type Preset = (typeof PRESETS)[number];
export const isPreset = (value: string): value is Preset => (PRESETS as readonly string[]).includes(value);

export interface Upstream {
  name: string;
  displayName: string;
  issuer: string;
  clientId: string;
  /** Sealed under the key-encryption key (upstreamSecretData binds it to this upstream). */
  clientSecretSealed: string;
  scopes: string[];
  preset: Preset | null;
  createdAt: number;
  updatedAt: number;
}

export function upstreamFromRow(row: UpstreamRow): Upstream {
  return {
    name: row.name,
    displayName: row.display_name,
    issuer: row.issuer,
    clientId: row.client_id,
    clientSecretSealed: row.client_secret_sealed,
    scopes: row.scope.split(' ').filter(Boolean),
    preset: row.preset,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

/** The associated data of a sealed client secret: it opens only as this upstream's. */
export const upstreamSecretData = (name: string): string => `upstream client secret:${name}`;

/** Where the upstream sends the browser back: what the admin registers there. */
export const upstreamRedirectUri = (issuer: string, name: string): string => `${issuer}/upstream/${name}/callback`;

/** The JSON of an upstream for /admin/upstreams and `tessera upstreams` (docs/upstreams.md). */
export interface UpstreamView {
  name: string;
  display_name: string;
  issuer: string;
  client_id: string;
  scope: string;
  preset: Preset | null;
  redirect_uri: string;
  created_at: string;
}

export function upstreamView(upstream: Upstream, issuer: string): UpstreamView {
  return {
    name: upstream.name,
    display_name: upstream.displayName,
    issuer: upstream.issuer,
    client_id: upstream.clientId,
    scope: upstream.scopes.join(' '),
    preset: upstream.preset,
    redirect_uri: upstreamRedirectUri(issuer, upstream.name),
    created_at: new Date(upstream.createdAt).toISOString(),
  };
}

/** What each preset fills in when the admin leaves it out. */
export const PRESET_DEFAULTS: Readonly<Record<Preset, { issuer: string; displayName: string; scope: string }>> = {
  // https://developers.google.com/identity/openid-connect/openid-connect#discovery
  google: { issuer: 'https://accounts.google.com', displayName: 'Google', scope: 'openid email profile' },
  // Microsoft identity platform v2.0; `common` takes work, school and personal accounts, a tenant
  // id only that tenant's (https://learn.microsoft.com/entra/identity-platform/v2-protocols-oidc).
  microsoft: { issuer: 'https://login.microsoftonline.com/common/v2.0', displayName: 'Microsoft', scope: 'openid email profile' },
  // OAuth 2.0 apps (no OpenID Connect): the user API needs these scopes for the profile and emails.
  github: { issuer: 'https://github.com', displayName: 'GitHub', scope: 'read:user user:email' },
};

const NAME = /^[a-z0-9][a-z0-9-]{0,39}$/;

export function checkUpstreamName(name: string): string {
  if (!NAME.test(name)) throw new OAuthError('invalid_request', 'name must be 1 to 40 lower-case letters, digits or dashes, starting with a letter or digit');
  return name;
}

export function checkDisplayName(raw: string): string {
  const name = raw.trim().replace(/\s+/g, ' ');
  if (name.length === 0 || name.length > 100 || /[\u0000-\u001f\u007f]/.test(name)) throw new OAuthError('invalid_request', 'display_name must be 1 to 100 printable characters');
  return name;
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;

/**
 * An issuer is an https URL without query or fragment (OIDC Discovery §4.1; RFC 8414 §2); plain
 * http only on this machine, for trying things out and for the tests.
 */
export function checkIssuer(raw: string, preset: Preset | null): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new OAuthError('invalid_request', 'issuer must be an absolute URL');
  }
  if (raw.length > 2048 || url.search || url.hash || url.username || url.password) throw new OAuthError('invalid_request', 'issuer must have no query, fragment or credentials');
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.test(url.hostname))) {
    throw new OAuthError('invalid_request', 'issuer must be https (http only for localhost and loopback addresses)');
  }
  if (preset === 'microsoft' && !(url.origin === 'https://login.microsoftonline.com' && /^\/[^/]+\/v2\.0$/.test(url.pathname))) {
    throw new OAuthError('invalid_request', 'a microsoft issuer is https://login.microsoftonline.com/TENANT/v2.0 (TENANT: a tenant id, common, organizations or consumers)');
  }
  // Issuers are compared exactly (OIDC Discovery §4.3): keep what the admin typed, without a trailing slash for a bare origin.
  return url.pathname === '/' && !raw.endsWith('/') ? url.origin : raw;
}

export function checkScope(raw: string, preset: Preset | null): string[] {
  const scopes = raw.split(' ').filter(Boolean);
  if (scopes.length === 0 || raw.length > 1000 || scopes.some((scope) => !/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(scope))) {
    throw new OAuthError('invalid_request', 'scope must be space-separated scope tokens (RFC 6749 §3.3)');
  }
  if (preset !== 'github' && !scopes.includes('openid')) throw new OAuthError('invalid_request', 'scope must include openid for an OpenID Connect provider');
  return scopes;
}

export function checkClientId(raw: string): string {
  if (raw.length === 0 || raw.length > 255 || /[\u0000-\u001f\u007f]/.test(raw)) throw new OAuthError('invalid_request', 'client_id must be 1 to 255 printable characters');
  return raw;
}

export function checkClientSecret(raw: string): string {
  if (raw.length === 0 || raw.length > 1024) throw new OAuthError('invalid_request', 'client_secret must be 1 to 1024 characters');
  return raw;
}
