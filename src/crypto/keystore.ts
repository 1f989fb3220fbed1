// The signing keys as one process sees them: private keys imported once as KeyObjects, the JWKS
// body and its ETag computed once per change, lookups by kid for verification. Fed by
// reload() with the keys read from the database (see key-scheduler.ts); it never queries by itself, so a
// flood of unknown `kid`s costs nothing (RFC 8725 §3.10).
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import type { JWK } from 'jose';
import type { JsonWebKey } from 'node:crypto';
import type { KeyAlg, KeyStatus } from '../storage/schema.js';
import type { Sealer } from './sealing.js';
import { privateJwkAssociatedData, type SigningKey } from './signing-key.js';

export interface VerificationKey {
  kid: string;
  alg: KeyAlg;
  status: KeyStatus;
  key: KeyObject;
}

/** The key an algorithm signs with now (not the stored key: that is `SigningKey`, signing-key.ts). */
export interface ActiveSigningKey {
  kid: string;
  alg: KeyAlg;
  key: KeyObject;
  activatedAt: number;
}

export interface Jwks {
  /** Encoded once per key change, so serving it costs no encoding (the ETag is HTTP's: oauth/jwks.ts). */
  body: string;
}

interface LoadedKey {
  fingerprint: string;
  verification: VerificationKey;
  signing: KeyObject;
}

export class Keystore {
  private keys = new Map<string, LoadedKey>();
  private active = new Map<KeyAlg, ActiveSigningKey>();
  private jwks: Jwks = { body: '{"keys":[]}' };
  private stateFingerprint = '';
  private loadedAt = 0;

  constructor(private readonly sealer: Sealer) {}

  /**
   * Adopts the given keys as the current key state. Keys seen before are not decrypted or imported
   * again. Returns whether anything changed.
   */
  reload(stored: readonly SigningKey[], now = Date.now()): boolean {
    this.loadedAt = now;
    const fingerprint = stored.map((k) => `${k.kid}:${k.status}:${k.activatedAt}`).join(',');
    if (fingerprint === this.stateFingerprint) return false;

    const keys = new Map<string, LoadedKey>();
    for (const key of stored) {
      const known = this.keys.get(key.kid);
      const keyFingerprint = `${key.kid}:${key.status}`;
      if (known && known.fingerprint === keyFingerprint) {
        keys.set(key.kid, known);
        continue;
      }
      const signing = known?.signing ?? importPrivate(this.sealer, key);
      const verify = known?.verification.key ?? createPublicKey({ key: JSON.parse(key.publicJwk) as JsonWebKey, format: 'jwk' });
      keys.set(key.kid, { fingerprint: keyFingerprint, signing, verification: { kid: key.kid, alg: key.alg, status: key.status, key: verify } });
    }

    const active = new Map<KeyAlg, ActiveSigningKey>();
    for (const key of stored) {
      if (key.status === 'active') active.set(key.alg, { kid: key.kid, alg: key.alg, key: keys.get(key.kid)!.signing, activatedAt: key.activatedAt ?? key.createdAt });
    }

    // RFC 7517: public members only. Every next, active and retired key; never a revoked one.
    const published = stored
      .filter((k) => k.status !== 'revoked')
      .map((k) => {
        const { kty, crv, x, y, n, e } = JSON.parse(k.publicJwk) as JWK;
        return kty === 'EC' ? { kty, kid: k.kid, use: 'sig', alg: k.alg, crv, x, y } : { kty, kid: k.kid, use: 'sig', alg: k.alg, n, e };
      });
    const body = JSON.stringify({ keys: published });

    this.keys = keys;
    this.active = active;
    this.jwks = { body };
    this.stateFingerprint = fingerprint;
    return true;
  }

  /** The active key of an algorithm; every algorithm has one once keys are initialised. */
  signingKey(alg: KeyAlg): ActiveSigningKey {
    const key = this.active.get(alg);
    if (!key) throw new Error(`no active ${alg} signing key loaded`);
    return key;
  }

  /** A key that may verify tokens: known and not revoked. */
  verificationKey(kid: string): VerificationKey | undefined {
    const loaded = this.keys.get(kid);
    return loaded && loaded.verification.status !== 'revoked' ? loaded.verification : undefined;
  }

  get jwksDocument(): Jwks {
    return this.jwks;
  }

  get activeKeys(): ActiveSigningKey[] {
    return [...this.active.values()];
  }

  get ready(): boolean {
    return this.active.size > 0;
  }

  /** When the key state was last read from the database (for /readyz and the staleness bound). */
  get lastLoadedAt(): number {
    return this.loadedAt;
  }
}

function importPrivate(sealer: Sealer, key: SigningKey): KeyObject {
  const jwk = JSON.parse(sealer.unseal(key.privateJwkSealed, privateJwkAssociatedData(key.kid))) as JsonWebKey;
  return createPrivateKey({ key: jwk, format: 'jwk' });
}
