// Brings up the signing keys of a process (server or CLI): resolves the key-encryption key, makes
// the first keys on an empty table, and proves the KEK opens what is stored. A KEK that does not
// fit is fatal: we never quietly make new keys over old ones (docs/decisions.md, Signing keys).
// During a KEK rotation KEYS_KEK_PREVIOUS opens what the old KEK sealed (docs/keys.md).
import type { Clock } from '../clock.js';
import type { Config } from '../config/config.js';
import type { Db } from '../storage/db.js';
import { countSigningKeys, listSigningKeys } from '../storage/repositories/signing-keys.js';
import { bumpSyncVersion } from '../storage/repositories/sync-state.js';
import { createKekFile, KekError, kekPath, readKekFile } from './kek.js';
import { KeyLifecycle, type KeyEvent } from './key-lifecycle.js';
import { keyPolicy, type KeyPolicy } from './key-policy.js';
import { Keystore } from './keystore.js';
import { Sealer, sealedKekId, UnsealError } from './sealing.js';
import { signingKeyFromRow, type SigningKey } from './signing-key.js';

export interface Keys {
  /** Seals and opens under the key-encryption key(s), also other secrets at rest (TOTP secrets). */
  sealer: Sealer;
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

  const sealer = new Sealer(kek, config.keysKekPrevious);
  const policy = keyPolicy(config);
  const lifecycle = new KeyLifecycle(db, sealer, policy, clock, onEvent);
  const keystore = new Keystore(sealer);
  let rows = await listSigningKeys(db);
  // The stored keys are opened before any maintenance, which may seal new keys: a wrong KEK must
  // stop us before it seals anything the right one could not open.
  const load = () => {
    const keys = rows.map(signingKeyFromRow);
    try {
      keystore.reload(keys, clock.now());
    } catch (error) {
      if (error instanceof UnsealError) throw new KekError(cannotDecrypt(config, sealer, keys));
      throw error;
    }
  };
  load();
  if (lifecycle.needsMaintenance(rows)) {
    await lifecycle.maintain();
    rows = await listSigningKeys(db);
    load();
  }
  return { sealer, policy, lifecycle, keystore };
}

/** Which KEKs were tried, and which ones the stored keys name, so the operator sees the mismatch. */
function cannotDecrypt(config: Config, sealer: Sealer, keys: readonly SigningKey[]): string {
  const current = `${config.keysKek ? 'KEYS_KEK' : kekPath(config.keysDir)} (id ${sealer.currentId})`;
  const tried = sealer.previousId === undefined ? current : `${current} or KEYS_KEK_PREVIOUS (id ${sealer.previousId})`;
  const named = new Set<string>();
  for (const key of keys) {
    try {
      const id = sealedKekId(key.privateJwkSealed);
      if (id !== undefined) named.add(id);
    } catch {
      // malformed: the message below still says the keys cannot be decrypted
    }
  }
  const sealedUnder = named.size > 0 ? `; they name KEK id ${[...named].join(', ')}` : '';
  return `stored signing keys cannot be decrypted with the key-encryption key in ${tried} (wrong or replaced KEK${sealedUnder})`;
}
