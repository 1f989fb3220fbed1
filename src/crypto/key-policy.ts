// The numbers that govern the signing-key lifecycle (docs/decisions.md, Signing keys), derived once from
// the configuration.
import type { Config } from '../config/config.js';

export const KEY_ALGS = ['ES256', 'RS256'] as const;

/**
 * How long after a key is written every instance serves it: instances reload key state at least
 * every 5 s, so a key counts as published 5 s after it is written.
 */
export const PROPAGATION_MS = 5_000;

/**
 * What the policy reads of the configuration. `keyPropagationMs` is never set by the environment:
 * only a test sets it (StartOptions.keyPropagationMs, through withKeyPropagation) to see rotations
 * in seconds rather than minutes, together with a faster scheduler tick.
 */
export type KeyPolicyConfig = Pick<Config, 'keyRotationInterval' | 'keyPublishLead' | 'accessTokenTtl' | 'idTokenTtl'> & {
  readonly keyPropagationMs?: number;
};

/** The configuration with another propagation delay (tests only; see KeyPolicyConfig). */
export function withKeyPropagation<C extends Config>(config: C, propagationMs: number): C & { readonly keyPropagationMs: number } {
  if (!Number.isSafeInteger(propagationMs) || propagationMs < 1) throw new RangeError(`key propagation must be a positive whole number of ms, not ${propagationMs}`);
  return Object.freeze({ ...config, keyPropagationMs: propagationMs });
}

export interface KeyPolicy {
  rotationIntervalMs: number;
  publishLeadMs: number;
  propagationMs: number;
  /** The longest lifetime of anything a signing key signs (access and ID tokens). */
  maxTokenLifetimeMs: number;
  /** How many `next` keys keep the one due next published for the lead. */
  queueLength: number;
  /** JWKS `Cache-Control: max-age`: at most half the lead, so caches refresh before a key signs. */
  jwksMaxAgeSeconds: number;
}

export function keyPolicy(config: KeyPolicyConfig): KeyPolicy {
  const rotationIntervalMs = config.keyRotationInterval * 1000;
  const publishLeadMs = config.keyPublishLead * 1000;
  const propagationMs = config.keyPropagationMs ?? PROPAGATION_MS;
  return {
    rotationIntervalMs,
    publishLeadMs,
    propagationMs,
    maxTokenLifetimeMs: Math.max(config.accessTokenTtl, config.idTokenTtl) * 1000,
    // A key made at a rotation joins the end of the queue and is due `queueLength` intervals
    // later; it must have been published (propagation + lead) by then.
    queueLength: Math.max(1, Math.ceil((propagationMs + publishLeadMs) / rotationIntervalMs)),
    jwksMaxAgeSeconds: Math.floor(config.keyPublishLead / 2),
  };
}
