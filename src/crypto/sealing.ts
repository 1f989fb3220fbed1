// AES-256-GCM sealing of secrets at rest (private signing keys, TOTP secrets) under the
// key-encryption key. The associated data binds a sealed value to the row it belongs to, so a
// database writer cannot swap one sealed value for another.
//
// Two formats, both read for good (docs/keys.md, Rotating the key-encryption key):
//   v1.<iv>.<ciphertext+tag>           written before KEK rotation existed; names no KEK
//   v2.<kek id>.<iv>.<ciphertext+tag>  written now; the KEK id picks the KEK without trial
// The KEK id is a hint, not a credential: the GCM tag decides whether a KEK opens a value, and
// the associated data is the same in both formats.
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

const V1 = 'v1';
const V2 = 'v2';

export class UnsealError extends Error {
  constructor() {
    super('sealed value cannot be opened: wrong key-encryption key or corrupted data');
    this.name = 'UnsealError';
  }
}

/**
 * A short public name for a KEK: 48 bits of HMAC-SHA256 keyed with the KEK, so it can be stored,
 * logged and audited without saying anything about the key. 48 bits tell the two configured KEKs
 * apart with room to spare.
 */
export function kekId(kek: Buffer): string {
  return createHmac('sha256', kek).update('tessera key-encryption key id').digest().subarray(0, 6).toString('base64url');
}

interface Parsed {
  /** Absent for v1 values. */
  kekId: string | undefined;
  iv: Buffer;
  body: Buffer;
}

function parse(sealed: string): Parsed {
  const parts = sealed.split('.');
  let parsed: { kekId: string | undefined; iv: string | undefined; body: string | undefined };
  if (parts[0] === V1 && parts.length === 3) parsed = { kekId: undefined, iv: parts[1], body: parts[2] };
  else if (parts[0] === V2 && parts.length === 4 && parts[1]) parsed = { kekId: parts[1], iv: parts[2], body: parts[3] };
  else throw new UnsealError();
  if (!parsed.iv || !parsed.body) throw new UnsealError();
  const body = Buffer.from(parsed.body, 'base64url');
  if (body.length < 17) throw new UnsealError();
  return { kekId: parsed.kekId, iv: Buffer.from(parsed.iv, 'base64url'), body };
}

function open(kek: Buffer, parsed: Parsed, associatedData: string): string {
  try {
    const decipher = createDecipheriv('aes-256-gcm', kek, parsed.iv);
    decipher.setAAD(Buffer.from(associatedData, 'utf8'));
    decipher.setAuthTag(parsed.body.subarray(parsed.body.length - 16));
    return Buffer.concat([decipher.update(parsed.body.subarray(0, parsed.body.length - 16)), decipher.final()]).toString('utf8');
  } catch {
    throw new UnsealError();
  }
}

/** Seals under one KEK, in the current (v2) format. */
export function seal(kek: Buffer, plaintext: string, associatedData: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', kek, iv);
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return `${V2}.${kekId(kek)}.${iv.toString('base64url')}.${body.toString('base64url')}`;
}

/** Opens a value of either format with one KEK; a v2 value naming another KEK does not open. */
export function unseal(kek: Buffer, sealed: string, associatedData: string): string {
  const parsed = parse(sealed);
  if (parsed.kekId !== undefined && parsed.kekId !== kekId(kek)) throw new UnsealError();
  return open(kek, parsed, associatedData);
}

/** The KEK id a value names: undefined for a v1 value; throws UnsealError for a malformed one. */
export function sealedKekId(sealed: string): string | undefined {
  return parse(sealed).kekId;
}

/**
 * The KEKs of one process: the current one (KEYS_KEK or keys/kek), which seals everything new, and
 * during a rotation the previous one (KEYS_KEK_PREVIOUS), which only opens. Opening picks the KEK
 * by the id a v2 value names; a v1 value is tried with the current KEK first, then the previous.
 */
export class Sealer {
  readonly currentId: string;
  readonly previousId: string | undefined;
  private readonly byId: ReadonlyMap<string, Buffer>;
  /** Trial order for v1 values: current first. */
  private readonly keks: readonly Buffer[];

  constructor(current: Buffer, previous?: Buffer) {
    this.currentId = kekId(current);
    // The same KEK given twice is one KEK.
    const distinctPrevious = previous && !previous.equals(current) ? previous : undefined;
    this.previousId = distinctPrevious ? kekId(distinctPrevious) : undefined;
    this.keks = distinctPrevious ? [current, distinctPrevious] : [current];
    this.byId = new Map(this.keks.map((kek) => [kekId(kek), kek]));
  }

  seal(plaintext: string, associatedData: string): string {
    return seal(this.keks[0]!, plaintext, associatedData);
  }

  unseal(sealed: string, associatedData: string): string {
    return this.open(sealed, associatedData).plaintext;
  }

  /**
   * For `keys rekey`: the value sealed again under the current KEK when another KEK sealed it, or
   * undefined when the current one already does (in either format). Throws UnsealError when no
   * configured KEK opens it.
   */
  reseal(sealed: string, associatedData: string): string | undefined {
    const { plaintext, current } = this.open(sealed, associatedData);
    return current ? undefined : this.seal(plaintext, associatedData);
  }

  private open(sealed: string, associatedData: string): { plaintext: string; current: boolean } {
    const parsed = parse(sealed);
    if (parsed.kekId !== undefined) {
      const kek = this.byId.get(parsed.kekId);
      if (!kek) throw new UnsealError();
      return { plaintext: open(kek, parsed, associatedData), current: kek === this.keks[0] };
    }
    for (const kek of this.keks) {
      try {
        return { plaintext: open(kek, parsed, associatedData), current: kek === this.keks[0] };
      } catch {
        // a v1 value names no KEK: the next one may open it
      }
    }
    throw new UnsealError();
  }
}
