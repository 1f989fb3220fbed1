// The public keys that verify a private_key_jwt client's assertions (RFC 7523 §2.2): its registered
// `jwks`, or the set published at its `jwks_uri`. A `jwks_uri` is an outbound call to wherever an
// admin registered it (README, Outbound calls), so each fetch is bounded in time and size, follows
// no redirect, and is cached: refetched when its Cache-Control max-age (within bounds) has passed,
// or once on a `kid` it does not hold, at most once per cool-down, never per request (RFC 8725
// §3.10's key-flood concern; RFC 7591 §2 expects clients to rotate keys by publishing new ones).
import { createLocalJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import type { Clock } from '../../clock.js';
import { OAuthError } from '../../errors/oauth-error.js';
import type { Client } from './client.js';
import { cacheLifetimeMs, readCapped } from '../outbound-responses.js';
import { usableFetchedKeys } from './client-jwks.js';

export interface JwksFetchPolicy {
  /** The whole fetch, connect to last byte. */
  timeoutMs: number;
  /** Larger bodies are refused; a JWK Set of ten 4096-bit RSA keys is about 10 kB. */
  maxBytes: number;
  /** Without Cache-Control max-age; and the bounds a max-age is held within. */
  defaultMaxAgeMs: number;
  minMaxAgeMs: number;
  maxMaxAgeMs: number;
  /** The least time between two fetches of one set (an unknown kid, a failed fetch). */
  cooldownMs: number;
}

export const JWKS_FETCH_POLICY: JwksFetchPolicy = {
  timeoutMs: 5_000,
  maxBytes: 64 * 1024,
  defaultMaxAgeMs: 10 * 60_000,
  minMaxAgeMs: 60_000,
  maxMaxAgeMs: 24 * 3600_000,
  cooldownMs: 30_000,
};

/** Bounds memory: one entry per private_key_jwt client that authenticated since the last clear. */
const MAX_ENTRIES = 10_000;

interface Entry {
  /** The client registration the entry was built from: any update makes a new entry. */
  version: string;
  keys: JWTVerifyGetKey;
}

/** A key lookup failed for a reason that is not the client's assertion: logged, answered invalid_client. */
const keysUnavailable = (detail: string) => new OAuthError('invalid_client', 'client authentication failed', { detail });

export class ClientKeySets {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly clock: Clock,
    private readonly policy: JwksFetchPolicy = JWKS_FETCH_POLICY,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  /** The key lookup for `jwtVerify` of this client's assertions. */
  keysOf(client: Client): JWTVerifyGetKey {
    // Keyed by client with its registration time: `clients update` (new keys, a new jwks_uri)
    // gives a new entry at once, without waiting for a cache to expire.
    const version = `${client.updatedAt} ${client.jwksUri ?? ''}`;
    const cached = this.entries.get(client.clientId);
    if (cached?.version === version) return cached.keys;
    let keys: JWTVerifyGetKey;
    if (client.jwks !== null) keys = createLocalJWKSet(forBothEdNames(client.jwks));
    else if (client.jwksUri !== null) keys = new RemoteKeySet(client.jwksUri, this.clock, this.policy, this.fetchImpl).getKey;
    else throw keysUnavailable('private_key_jwt client has neither jwks nor jwks_uri');
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(client.clientId, { version, keys });
    return keys;
  }
}

/** One client's `jwks_uri`: its last good set, when it goes stale, and the fetch under way. */
class RemoteKeySet {
  private local: JWTVerifyGetKey | undefined;
  private staleAt = 0;
  private lastAttemptAt = Number.NEGATIVE_INFINITY;
  private lastAttemptFailed = false;
  private pending: Promise<void> | undefined;

  constructor(
    private readonly uri: string,
    private readonly clock: Clock,
    private readonly policy: JwksFetchPolicy,
    private readonly fetchImpl: typeof fetch,
  ) {}

  readonly getKey: JWTVerifyGetKey = async (header, token) => {
    if (!this.local || this.clock.now() >= this.staleAt) await this.reload();
    try {
      return await this.local!(header, token);
    } catch (error) {
      // A kid we have not seen: the client may have rotated. One refetch, unless one was just made.
      if ((error as { code?: string }).code === 'ERR_JWKS_NO_MATCHING_KEY' && !this.coolingDown()) {
        await this.reload();
        return this.local!(header, token);
      }
      throw error;
    }
  };

  private coolingDown(): boolean {
    return this.clock.now() < this.lastAttemptAt + this.policy.cooldownMs;
  }

  private async reload(): Promise<void> {
    // A failed or recent attempt is not repeated within the cool-down: a jwks_uri that hangs or
    // fails costs one fetch per cool-down, not one per token request. Fails closed meanwhile: the
    // keys it last gave may be the ones the client has since withdrawn.
    if (!this.pending && this.coolingDown()) {
      if (this.lastAttemptFailed || !this.local) throw keysUnavailable('jwks_uri fetch failed recently; in cool-down');
      return;
    }
    this.pending ??= this.fetchSet().finally(() => {
      this.pending = undefined;
    });
    await this.pending;
  }

  private async fetchSet(): Promise<void> {
    this.lastAttemptAt = this.clock.now();
    this.lastAttemptFailed = true;
    let body: Uint8Array;
    let maxAgeMs: number;
    try {
      const response = await this.fetchImpl(this.uri, {
        method: 'GET',
        redirect: 'manual',
        headers: { accept: 'application/jwk-set+json, application/json' },
        signal: AbortSignal.timeout(this.policy.timeoutMs),
      });
      if (response.status !== 200) {
        await response.body?.cancel();
        throw new Error(`jwks_uri answered ${response.status}`);
      }
      body = await readCapped(response, this.policy.maxBytes);
      maxAgeMs = cacheLifetimeMs(response.headers.get('cache-control'), {
        fallbackMs: this.policy.defaultMaxAgeMs,
        minMs: this.policy.minMaxAgeMs,
        maxMs: this.policy.maxMaxAgeMs,
      });
    } catch (error) {
      throw keysUnavailable(`jwks_uri fetch failed: ${(error as Error).message}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder().decode(body));
    } catch {
      throw keysUnavailable('jwks_uri did not answer JSON');
    }
    const set: JSONWebKeySet = usableFetchedKeys(json);
    this.local = createLocalJWKSet(forBothEdNames(set));
    this.staleAt = this.clock.now() + maxAgeMs;
    this.lastAttemptFailed = false;
  }
}

/**
 * An Ed25519 key registered with `alg: "EdDSA"` also verifies assertions whose header says
 * `Ed25519` (RFC 9864), and the other way round: the set as jose matches it has no `alg` on OKP
 * keys. The algorithm stays pinned: jwtVerify's allowlist, and jose's check of alg against kty and crv.
 */
function forBothEdNames(set: JSONWebKeySet): JSONWebKeySet {
  return { keys: set.keys.map(({ alg, ...key }) => (key.kty === 'OKP' ? key : { ...key, ...(alg === undefined ? {} : { alg }) })) };
}
