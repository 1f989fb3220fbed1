// The key-encryption key: `KEYS_KEK` from the environment (how instances sharing a database share
// it), else `keys/kek`. The file is created (0600) only when the key table is empty, by the caller
// holding the key lock, so a lost KEK never silently becomes a new one (docs/decisions.md, Signing keys).
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export class KekError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KekError';
  }
}

export const kekPath = (keysDir: string): string => join(keysDir, 'kek');

/** Reads the KEK file; undefined when there is none. */
export function readKekFile(keysDir: string): Buffer | undefined {
  let text: string;
  try {
    text = readFileSync(kekPath(keysDir), 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new KekError(`cannot read ${kekPath(keysDir)}: ${(error as Error).message}`);
  }
  const kek = Buffer.from(text, 'base64url');
  if (kek.length !== 32) throw new KekError(`${kekPath(keysDir)} does not hold a 32-byte base64url key`);
  return kek;
}

/** Creates a fresh KEK file, readable by the owner only; fails if one appeared meanwhile. */
export function createKekFile(keysDir: string): Buffer {
  // Owner-only, whatever the umask: anyone who can write the folder can replace keys/kek.
  mkdirSync(keysDir, { recursive: true, mode: 0o700 });
  const kek = randomBytes(32);
  writeFileSync(kekPath(keysDir), `${kek.toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  return kek;
}
