// Backup codes: 10 per set, 25 base32 characters each (125 bits, over the 112 that make SHA-256
// storage right: ASVS 6.5.2), shown in groups of five, stored only as hashes, single use.
import { randomBytes } from 'node:crypto';
import { randomId, sha256 } from '../../crypto/random.js';

export const BACKUP_CODE_COUNT = 10;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const LENGTH = 25;

/** Upper-case, without the spaces and dashes people type or copy along. */
export const normalizeBackupCode = (code: string): string => code.toUpperCase().replace(/[\s-]/g, '');

export const looksLikeBackupCode = (code: string): boolean => new RegExp(`^[${ALPHABET}]{${LENGTH}}$`).test(normalizeBackupCode(code));

export const hashBackupCode = (code: string): string => sha256(`backup-code:${normalizeBackupCode(code)}`);

export function newBackupCodes(): Array<{ id: string; code: string; hash: string }> {
  return Array.from({ length: BACKUP_CODE_COUNT }, () => {
    const bytes = randomBytes(LENGTH);
    // 32 symbols: each byte's low five bits are uniform.
    const raw = [...bytes].map((byte) => ALPHABET[byte & 31]).join('');
    const code = raw.match(/.{5}/g)!.join('-');
    return { id: randomId(), code, hash: hashBackupCode(code) };
  });
}
