// AES-256-GCM sealing of secrets at rest (private signing keys, later TOTP secrets) under the
// key-encryption key. The associated data binds a sealed value to the row it belongs to, so a
// database writer cannot swap one sealed value for another.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION = 'v1';

export class UnsealError extends Error {
  constructor() {
    super('sealed value cannot be opened: wrong key-encryption key or corrupted data');
    this.name = 'UnsealError';
  }
}

export function seal(kek: Buffer, plaintext: string, associatedData: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', kek, iv);
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return `${VERSION}.${iv.toString('base64url')}.${body.toString('base64url')}`;
}

export function unseal(kek: Buffer, sealed: string, associatedData: string): string {
  const [version, ivText, bodyText] = sealed.split('.');
  if (version !== VERSION || !ivText || !bodyText) throw new UnsealError();
  const body = Buffer.from(bodyText, 'base64url');
  if (body.length < 17) throw new UnsealError();
  try {
    const decipher = createDecipheriv('aes-256-gcm', kek, Buffer.from(ivText, 'base64url'));
    decipher.setAAD(Buffer.from(associatedData, 'utf8'));
    decipher.setAuthTag(body.subarray(body.length - 16));
    return Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]).toString('utf8');
  } catch {
    throw new UnsealError();
  }
}
