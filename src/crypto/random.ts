// High-entropy identifiers and secrets, and the one hash used to store them.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 256 bits of randomness as base64url (43 characters). */
export const randomSecret = (): string => randomBytes(32).toString('base64url');

/** An identifier that need not be secret but must not collide (128 bits). */
export const randomId = (): string => randomBytes(16).toString('base64url');

/** SHA-256, base64url: right for 256-bit random secrets (design.md, Tokens); never for passwords. */
export const sha256 = (value: string): string => createHash('sha256').update(value, 'utf8').digest('base64url');

/** Constant-time comparison of two hashes of equal length. */
export function hashesEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}
