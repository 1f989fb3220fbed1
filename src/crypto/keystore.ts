// The signing keys as one process sees them: private keys imported once as KeyObjects, the JWKS
// body and its ETag computed once per change, lookups by kid for verification. Fed by
// reload() with rows from the database (see key-scheduler.ts); it never queries by itself, so a
// flood of unknown `kid`s costs nothing (security.md, Tokens).
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import type { JWK } from 'jose';
import type { JsonWebKey } from 'node:crypto';
import type { KeyAlg, KeyStatus, SigningKeyRow } from '../storage/schema.js';
import { unseal } from './sealing.js';

export interface VerificationKey {
  kid: string;
  alg: KeyAlg;
  status: KeyStatus;
  key: KeyObject;
}

export interface SigningKey {
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
  private active = new Map<KeyAlg, SigningKey>();
  private jwks: Jwks = { body: '{"keys":[]}' };
  private stateFingerprint = '';
  private loadedAt = 0;

  constructor(private readonly kek: Buffer) {}

  /**
   * Adopts the given rows as the current key state. Keys seen before are not decrypted or imported
   * again. Returns whether anything changed.
   */
  reload(rows: readonly SigningKeyRow[], now = Date.now()): boolean {
    this.loadedAt = now;
    const fingerprint = rows.map((r) => `${r.kid}:${r.status}:${r.activated_at}`).join(',');
    if (fingerprint === this.stateFingerprint) return false;

    const keys = new Map<string, LoadedKey>();
    for (const row of rows) {
      const known = this.keys.get(row.kid);
      const rowFingerprint = `${row.kid}:${row.status}`;
      if (known && known.fingerprint === rowFingerprint) {
        keys.set(row.kid, known);
        continue;
      }
      const signing = known?.signing ?? importPrivate(this.kek, row);
      const verify = known?.verification.key ?? createPublicKey({ key: JSON.parse(row.public_jwk) as JsonWebKey, format: 'jwk' });
      keys.set(row.kid, { fingerprint: rowFingerprint, signing, verification: { kid: row.kid, alg: row.alg, status: row.status, key: verify } });
    }

    const active = new Map<KeyAlg, SigningKey>();
    for (const row of rows) {
      if (row.status === 'active') active.set(row.alg, { kid: row.kid, alg: row.alg, key: keys.get(row.kid)!.signing, activatedAt: row.activated_at ?? row.created_at });
    }

    // RFC 7517: public members only. Every next, active and retired key; never a revoked one.
    const published = rows
      .filter((r) => r.status !== 'revoked')
      .map((r) => {
        const { kty, crv, x, y, n, e } = JSON.parse(r.public_jwk) as JWK;
        return kty === 'EC' ? { kty, kid: r.kid, use: 'sig', alg: r.alg, crv, x, y } : { kty, kid: r.kid, use: 'sig', alg: r.alg, n, e };
      });
    const body = JSON.stringify({ keys: published });

    this.keys = keys;
    this.active = active;
    this.jwks = { body };
    this.stateFingerprint = fingerprint;
    return true;
  }

  /** The active key of an algorithm; every algorithm has one once keys are initialised. */
  signingKey(alg: KeyAlg): SigningKey {
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

  get activeKeys(): SigningKey[] {
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

function importPrivate(kek: Buffer, row: SigningKeyRow): KeyObject {
  const jwk = JSON.parse(unseal(kek, row.private_jwk_sealed, `signing-key:${row.kid}`)) as JsonWebKey;
  return createPrivateKey({ key: jwk, format: 'jwk' });
}
