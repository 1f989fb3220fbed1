// The one configuration of a Tessera process (README, Configuration): read from the environment once at
// start-up, validated, frozen, and passed down explicitly. Nothing else reads process.env.
import { existsSync } from 'node:fs';
import { formatDuration, parseDuration } from './duration.js';

export interface Config {
  readonly port: number;
  readonly host: string;
  /** No trailing slash; the base of every URL in discovery. */
  readonly issuer: string;
  readonly databaseUrl: string;
  /** Seconds to keep retrying an unreachable database at start-up before exiting 1 (README, Operations). */
  readonly databaseStartupTimeout: number;
  readonly keysDir: string;
  /** The key-encryption key given in the environment, overriding `keys/kek`. */
  readonly keysKek: Buffer | undefined;
  /**
   * The key-encryption key being rotated away from (docs/keys.md): it still opens what it sealed,
   * and never seals anything new.
   */
  readonly keysKekPrevious: Buffer | undefined;
  /** Lifetimes, in seconds. */
  readonly accessTokenTtl: number;
  readonly refreshTokenTtl: number;
  readonly idTokenTtl: number;
  readonly sessionMaxTtl: number;
  readonly keyRotationInterval: number;
  readonly keyPublishLead: number;
  readonly lockoutThreshold: number;
  readonly lockoutDuration: number;
  readonly rateLimitPerIp: number;
  readonly rateLimitPerAccount: number;
  /** Verification and reset mails per account per hour (docs/accounts.md; 0 = off). */
  readonly mailLimitPerAccount: number;
  /** Seconds a device code and its user code live (RFC 8628 §3.2 `expires_in`; docs/devices.md). */
  readonly deviceCodeTtl: number;
  /** Bytes. */
  readonly bodyLimit: number;
  readonly trustProxy: boolean;
  readonly consentVersion: string;
  readonly corsOrigins: readonly string[];
  readonly smtpUrl: string | undefined;
  readonly mailFrom: string;
  readonly mailOutboxDir: string;
  readonly logLevel: string;
  /** `json` lines (the default) or `pretty`, rendered by pino-pretty for a person at a terminal. */
  readonly logFormat: 'json' | 'pretty';
  /** When set, /metrics is served on this port of `metricsHost` only, and not on the main port. */
  readonly metricsPort: number | undefined;
  readonly metricsHost: string;
  /** The product name on hosted pages and in mails (docs/account.md, Branding). */
  readonly brandName: string;
  /** `#rrggbb`: buttons, links and focus rings; made readable on light and dark backgrounds. */
  readonly brandAccent: string | undefined;
  /** A logo file (SVG or PNG) shown on the pages, served from our own origin. */
  readonly brandLogo: { path: string; type: 'image/svg+xml' | 'image/png' } | undefined;
  /** The issuer name authenticator apps show next to a TOTP entry. */
  readonly totpIssuer: string;
  /**
   * The WebAuthn relying-party id of passkeys (docs/passkeys.md): the issuer's host or a
   * registrable suffix of it. Passkeys are bound to it: changing it orphans them.
   */
  readonly webauthnRpId: string;
  /** Things an operator should hear about at start-up, though they are allowed. */
  readonly warnings: readonly string[];
}

/** A bad configuration value: start-up prints `message` as one line and exits 2. */
export class ConfigError extends Error {
  constructor(readonly variable: string, problem: string) {
    super(`${variable}: ${problem}`);
    this.name = 'ConfigError';
  }
}

/**
 * Common JWKS verifiers (jose's createRemoteJWKSet) refetch on an unknown `kid` at most once per
 * 30 s, so a lead shorter than that can make a verifier fail (docs/decisions.md, Signing keys).
 */
const VERIFIER_COOLDOWN_SECONDS = 30;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

type Env = Record<string, string | undefined>;

/** Reads `.env` from the working directory into process.env, without overriding what is set. */
export function loadDotEnv(path = '.env'): void {
  if (existsSync(path)) process.loadEnvFile(path);
}

export function loadConfig(env: Env = process.env): Config {
  const read = new EnvReader(env);
  const port = read.integer('PORT', 3000, 0, 65535);
  const warnings: string[] = [];

  const keyPublishLead = read.duration('KEY_PUBLISH_LEAD', '1h', 1);
  if (keyPublishLead < VERIFIER_COOLDOWN_SECONDS) {
    warnings.push(
      `KEY_PUBLISH_LEAD=${formatDuration(keyPublishLead)} is under the ${VERIFIER_COOLDOWN_SECONDS}s refetch ` +
        'cool-down of common JWKS verifiers: some may fail to verify new keys (for tests and demos only)',
    );
  }

  const issuer = read.issuer('ISSUER', `http://localhost:${port}`);
  const config: Config = {
    port,
    host: read.string('HOST', '0.0.0.0'),
    issuer,
    databaseUrl: read.databaseUrl('DATABASE_URL', 'sqlite:data/tessera.db'),
    databaseStartupTimeout: read.duration('DATABASE_STARTUP_TIMEOUT', '60s', 1),
    keysDir: read.string('KEYS_DIR', 'keys'),
    keysKek: read.kek('KEYS_KEK'),
    keysKekPrevious: read.kek('KEYS_KEK_PREVIOUS'),
    accessTokenTtl: read.duration('ACCESS_TOKEN_TTL', '15m', 1),
    refreshTokenTtl: read.duration('REFRESH_TOKEN_TTL', '7d', 1),
    idTokenTtl: read.duration('ID_TOKEN_TTL', '1h', 1),
    sessionMaxTtl: read.duration('SESSION_MAX_TTL', '30d', 1),
    keyRotationInterval: read.duration('KEY_ROTATION_INTERVAL', '30d', 1),
    keyPublishLead,
    lockoutThreshold: read.integer('LOCKOUT_THRESHOLD', 5, 0, 1000),
    lockoutDuration: read.duration('LOCKOUT_DURATION', '15m', 1),
    rateLimitPerIp: read.integer('RATE_LIMIT_PER_IP', 30, 0, 1_000_000),
    rateLimitPerAccount: read.integer('RATE_LIMIT_PER_ACCOUNT', 10, 0, 1_000_000),
    mailLimitPerAccount: read.integer('MAIL_LIMIT_PER_ACCOUNT', 3, 0, 1000),
    deviceCodeTtl: read.duration('DEVICE_CODE_TTL', '10m', 1),
    bodyLimit: read.bytes('BODY_LIMIT', '100kb'),
    trustProxy: read.boolean('TRUST_PROXY', false),
    consentVersion: read.string('CONSENT_VERSION', '1'),
    corsOrigins: read.origins('CORS_ORIGINS'),
    smtpUrl: read.optionalUrl('SMTP_URL', ['smtp:', 'smtps:']),
    mailFrom: read.mailbox('MAIL_FROM', 'Tessera <no-reply@localhost>'),
    mailOutboxDir: read.string('MAIL_OUTBOX_DIR', 'data/outbox'),
    logLevel: read.oneOf('LOG_LEVEL', 'info', LOG_LEVELS),
    logFormat: read.oneOf('LOG_FORMAT', 'json', ['json', 'pretty']) as 'json' | 'pretty',
    metricsPort: read.optionalInteger('METRICS_PORT', 0, 65535),
    metricsHost: read.string('METRICS_HOST', '127.0.0.1'),
    brandName: read.brandName('BRAND_NAME', 'Tessera'),
    brandAccent: read.colour('BRAND_ACCENT'),
    brandLogo: read.logo('BRAND_LOGO'),
    totpIssuer: read.string('TOTP_ISSUER', 'Tessera'),
    webauthnRpId: read.rpId('WEBAUTHN_RP_ID', issuer),
    warnings,
  };
  return Object.freeze(config);
}

/** HOST values that only this machine can reach (RFC 1122 §3.2.1.3 for 127/8, RFC 4291 §2.5.3 for ::1). */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127(\.\d{1,3}){3}$/.test(bare) || /^::ffff:127(\.\d{1,3}){3}$/.test(bare);
}

/**
 * Allowed, but rarely meant in production: the server logs each as one warn line at start-up
 * (README, Operations). Apart from `warnings`, which the CLI shares, since they concern serving.
 */
export function deploymentWarnings(config: Config): string[] {
  const warnings: string[] = [];
  if (config.issuer.startsWith('http://') && !isLoopbackHost(config.host)) {
    // Tokens, codes and passwords would cross the network in clear (RFC 6749 §3.1, §10.9; RFC 8414 §2).
    warnings.push(
      `ISSUER ${config.issuer} is http:// while HOST=${config.host} is reachable from other machines: ` +
        'put TLS in front and set ISSUER to the https:// URL clients use',
    );
  }
  if (config.smtpUrl === undefined) {
    warnings.push(`SMTP_URL is not set: mails are written as .eml files to ${config.mailOutboxDir}, not sent`);
  }
  return warnings;
}

/** Each method reads one variable, applies its default, and throws ConfigError naming it. */
class EnvReader {
  constructor(private readonly env: Env) {}

  private raw(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  }

  string(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }

  brandName(name: string, fallback: string): string {
    const text = this.raw(name) ?? fallback;
    if (text.length > 60 || /[\u0000-\u001f\u007f]/.test(text)) throw new ConfigError(name, 'must be at most 60 characters, without control characters');
    return text;
  }

  colour(name: string): string | undefined {
    const text = this.raw(name);
    if (text === undefined) return undefined;
    if (!/^#[0-9a-fA-F]{6}$/.test(text)) throw new ConfigError(name, `"${text}" is not a colour like #1f6feb`);
    return text.toLowerCase();
  }

  logo(name: string): { path: string; type: 'image/svg+xml' | 'image/png' } | undefined {
    const path = this.raw(name);
    if (path === undefined) return undefined;
    const type = /\.svg$/i.test(path) ? 'image/svg+xml' : /\.png$/i.test(path) ? 'image/png' : undefined;
    if (!type) throw new ConfigError(name, `"${path}" must be an .svg or .png file`);
    if (!existsSync(path)) throw new ConfigError(name, `"${path}" does not exist`);
    return { path, type };
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const text = this.raw(name);
    if (text === undefined) return fallback;
    if (!/^\d+$/.test(text)) throw new ConfigError(name, `"${text}" is not a whole number`);
    const value = Number(text);
    if (value < min || value > max) throw new ConfigError(name, `${value} is outside ${min}..${max}`);
    return value;
  }

  duration(name: string, fallback: string, minSeconds: number): number {
    const text = this.raw(name) ?? fallback;
    const seconds = parseDuration(text);
    if (seconds === undefined) {
      throw new ConfigError(name, `"${text}" is not a duration (examples: 90s, 15m, 12h, 7d, or seconds)`);
    }
    if (seconds < minSeconds) throw new ConfigError(name, `must be at least ${minSeconds}s`);
    return seconds;
  }

  bytes(name: string, fallback: string): number {
    const text = (this.raw(name) ?? fallback).toLowerCase();
    const match = /^(\d{1,9})\s*(b|kb|mb)?$/.exec(text);
    if (!match) throw new ConfigError(name, `"${text}" is not a size (examples: 100kb, 1mb, 4096)`);
    const value = Number(match[1]) * ({ b: 1, kb: 1024, mb: 1024 * 1024 }[match[2] ?? 'b'] ?? 1);
    if (value < 1024) throw new ConfigError(name, 'must be at least 1kb');
    return value;
  }

  boolean(name: string, fallback: boolean): boolean {
    const text = this.raw(name)?.toLowerCase();
    if (text === undefined) return fallback;
    if (['true', '1', 'yes'].includes(text)) return true;
    if (['false', '0', 'no'].includes(text)) return false;
    throw new ConfigError(name, `"${text}" is not true or false`);
  }

  optionalInteger(name: string, min: number, max: number): number | undefined {
    return this.raw(name) === undefined ? undefined : this.integer(name, 0, min, max);
  }

  /**
   * A mailbox for a From header (RFC 5322 §3.4): `addr@domain`, or `Display Name <addr@domain>`
   * with the name optionally quoted. No line breaks, so the value cannot add a header.
   */
  mailbox(name: string, fallback: string): string {
    const text = this.raw(name) ?? fallback;
    const address = String.raw`[^\s@<>()\[\]\\,;:"]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*`;
    const displayName = String.raw`(?:"[^"\r\n]*"|[^"<>\r\n@]*?)`;
    if (new RegExp(`^${address}$`).test(text) || new RegExp(`^${displayName}\\s*<${address}>$`).test(text)) return text;
    throw new ConfigError(name, `${JSON.stringify(text)} is not a mail address (examples: accounts@example.com, Example <accounts@example.com>)`);
  }

  oneOf(name: string, fallback: string, allowed: readonly string[]): string {
    const text = this.raw(name) ?? fallback;
    if (!allowed.includes(text)) throw new ConfigError(name, `"${text}" is not one of ${allowed.join(', ')}`);
    return text;
  }

  issuer(name: string, fallback: string): string {
    const text = this.raw(name) ?? fallback;
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new ConfigError(name, `"${text}" is not a URL`);
    }
    // RFC 8414 §2: an https URL with no query or fragment (http is tolerated for development).
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError(name, 'must be an http(s) URL');
    if (url.search || url.hash || text.includes('#')) throw new ConfigError(name, 'must not have a query or fragment');
    return text.replace(/\/+$/, '');
  }

  /**
   * WebAuthn §5.1.2 (RP id): the issuer's host or a registrable domain suffix of it (HTML,
   * "is a registrable domain suffix of or is equal to"). Without a public suffix list, a single
   * label other than `localhost` (a top-level domain) and an IP address are refused.
   */
  rpId(name: string, issuer: string): string {
    const host = new URL(issuer).hostname.toLowerCase();
    const text = this.raw(name)?.toLowerCase();
    if (text === undefined) return host;
    const ip = /^\d{1,3}(\.\d{1,3}){3}$/.test(text) || text.includes(':') || text.startsWith('[');
    const valid = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(text) && !ip && (text.includes('.') || text === 'localhost');
    if (!valid || (host !== text && !host.endsWith(`.${text}`))) throw new ConfigError(name, `"${text}" is not the host of ISSUER (${host}) or a registrable domain it belongs to`);
    return text;
  }

  databaseUrl(name: string, fallback: string): string {
    const text = this.raw(name) ?? fallback;
    if (text === 'sqlite::memory:') return text;
    if (/^sqlite:.+/.test(text)) return text;
    if (/^postgres(ql)?:\/\/.+/.test(text)) return text;
    throw new ConfigError(name, `"${text.replace(/\/\/[^@]*@/, '//…@')}" is not sqlite:PATH, sqlite::memory: or postgres://…`);
  }

  kek(name: string): Buffer | undefined {
    const text = this.raw(name);
    if (text === undefined) return undefined;
    const bytes = /^[A-Za-z0-9_-]+$/.test(text) ? Buffer.from(text, 'base64url') : Buffer.alloc(0);
    if (bytes.length !== 32) throw new ConfigError(name, 'must be 32 bytes, base64url-encoded (43 characters)');
    return bytes;
  }

  origins(name: string): string[] {
    const text = this.raw(name);
    if (text === undefined) return [];
    return text.split(',').map((item) => {
      const origin = item.trim();
      let url: URL;
      try {
        url = new URL(origin);
      } catch {
        throw new ConfigError(name, `"${origin}" is not an origin`);
      }
      if (url.origin !== origin) throw new ConfigError(name, `"${origin}" is not an origin (scheme://host[:port])`);
      return origin;
    });
  }

  optionalUrl(name: string, protocols: readonly string[]): string | undefined {
    const text = this.raw(name);
    if (text === undefined) return undefined;
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new ConfigError(name, 'is not a URL');
    }
    if (!protocols.includes(url.protocol)) throw new ConfigError(name, `must start with ${protocols.join(' or ')}//`);
    return text;
  }
}
