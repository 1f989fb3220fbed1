// High-entropy identifiers and secrets, and the one hash used to store them.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 256 bits of randomness as base64url (43 characters). */
export const randomSecret = (): string => randomBytes(32).toString('base64url');

// Identifiers are cut from a pool of random bytes, refilled 4 KiB at a time: each call to the
// CSPRNG costs several microseconds whatever its size, and every token issued needs an id. Bytes
// are taken once and never reused (crypto.randomUUID keeps a cache the same way).
const POOL_SIZE = 4096;
let pool = Buffer.alloc(0);
let poolOffset = 0;

/** An identifier that need not be secret but must not collide (128 bits). */
export function randomId(): string {
  if (poolOffset + 16 > pool.length) {
    pool = randomBytes(POOL_SIZE);
    poolOffset = 0;
  }
  const id = pool.toString('base64url', poolOffset, poolOffset + 16);
  poolOffset += 16;
  // Ids are typed on the command line (`tessera users unlock <id>`), where a leading '-' reads as an
  // option: one id in 64 would need `--` before it. Folding '-' into 'A' there costs 1/64 of a bit.
  return id.charCodeAt(0) === 0x2d ? `A${id.slice(1)}` : id;
}

/** SHA-256, base64url: right for 256-bit random secrets (docs/decisions.md, Tokens); never for passwords. */
export const sha256 = (value: string): string => createHash('sha256').update(value, 'utf8').digest('base64url');

/** Constant-time comparison of two hashes of equal length. */
export function hashesEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}
