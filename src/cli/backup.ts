// `tessera backup FILE` (README, Operations, Backups): a consistent copy of a SQLite database,
// taken with SQLite's online backup API through the driver, so it is safe while the server runs.
// PostgreSQL has its own tool for that (pg_dump). The copy holds password hashes, client secret
// hashes and the sealed signing keys, so it is created readable by its owner only; without the
// key-encryption key it cannot sign, and the KEK is backed up apart from it.
import { chmodSync, closeSync, existsSync, openSync, statSync, unlinkSync } from 'node:fs';
import type { Config } from '../config/config.js';
import { OAuthError } from '../errors/oauth-error.js';
import { isPostgresUrl, openDatabase } from '../storage/db.js';

export async function backupDatabase(config: Config, file: string): Promise<{ backup: string; bytes: number }> {
  if (isPostgresUrl(config.databaseUrl)) {
    throw new OAuthError('invalid_request', 'tessera backup copies SQLite databases; for PostgreSQL use pg_dump (README, Operations, Backups)');
  }
  const source = config.databaseUrl.slice('sqlite:'.length);
  // Opening a missing SQLite file would create an empty database and back that up.
  if (source === ':memory:' || !existsSync(source)) throw new OAuthError('not_found', `no SQLite database at ${source}`);
  // Created here, exclusively and 0600, before SQLite writes into it: an existing file is refused
  // rather than overwritten, and the copy is never readable by others, not even for a moment.
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new OAuthError('invalid_request', `${file} exists; choose a new file`);
    throw error;
  }
  closeSync(fd);
  const { db, backup } = openDatabase(config.databaseUrl);
  try {
    await backup!(file);
    chmodSync(file, 0o600);
    return { backup: file, bytes: statSync(file).size };
  } catch (error) {
    unlinkSync(file);
    throw error;
  } finally {
    await db.destroy();
  }
}
