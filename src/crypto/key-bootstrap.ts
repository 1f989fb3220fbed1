// Brings up the signing keys of a process (server or CLI): resolves the key-encryption key, makes
// the first keys on an empty table, and proves the KEK opens what is stored. A KEK that does not
// fit is fatal: we never quietly make new keys over old ones (docs/decisions.md, Signing keys).
import type { Clock } from '../clock.js';
import type { Config } from '../config/config.js';
import type { Db } from '../storage/db.js';
import { countSigningKeys, listSigningKeys } from '../storage/repositories/signing-keys.js';
import { bumpSyncVersion } from '../storage/repositories/sync-state.js';
import { createKekFile, KekError, kekPath, readKekFile } from './kek.js';
import { KeyLifecycle, type KeyEvent } from './key-lifecycle.js';
import { keyPolicy, type KeyPolicy } from './key-policy.js';
import { Keystore } from './keystore.js';
import { UnsealError } from './sealing.js';
import { signingKeyFromRow } from './signing-key.js';

export interface Keys {
  /** The key-encryption key, also for other secrets sealed at rest (TOTP secrets). */
  kek: Buffer;
  policy: KeyPolicy;
  lifecycle: KeyLifecycle;
  keystore: Keystore;
}

export async function openKeys(db: Db, config: Config, clock: Clock, onEvent?: (event: KeyEvent) => void): Promise<Keys> {
  // Under the keys lock, so that of two processes starting on an empty database only one makes
  // the KEK file and the first keys.
  const kek = await db.transaction().execute(async (tx) => {
    await bumpSyncVersion(tx, 'keys');
    const stored = await countSigningKeys(tx);
    const given = config.keysKek ?? readKekFile(config.keysDir);
    if (given) return given;
    if (stored > 0) {
      throw new KekError(
        `the database holds ${stored} signing keys but there is no key-encryption key: set KEYS_KEK or restore ${kekPath(config.keysDir)}`,
      );
    }
    return createKekFile(config.keysDir);
  });

  const policy = keyPolicy(config);
  const lifecycle = new KeyLifecycle(db, kek, policy, clock, onEvent);
  const keystore = new Keystore(kek);
  let rows = await listSigningKeys(db);
  if (lifecycle.needsMaintenance(rows)) {
    await lifecycle.maintain();
    rows = await listSigningKeys(db);
  }
  try {
    keystore.reload(rows.map(signingKeyFromRow), clock.now());
  } catch (error) {
    if (error instanceof UnsealError) {
      throw new KekError(
        `stored signing keys cannot be decrypted with the key-encryption key in ${config.keysKek ? 'KEYS_KEK' : kekPath(config.keysDir)} (wrong or replaced KEK)`,
      );
    }
    throw error;
  }
  return { kek, policy, lifecycle, keystore };
}
