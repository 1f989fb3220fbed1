// Administering signing keys: the one code path behind `tessera keys …` and /admin/keys
// (docs/keys.md), so both leave the same audit trail. The lifecycle writes its own events
// (key.created, key.activated, …) with the actor; a rotation adds `key.rotated` with what it made.
import { audit, type Actor } from '../../audit/audit-log.js';
import type { Clock } from '../../clock.js';
import type { KeyLifecycle } from '../../crypto/key-lifecycle.js';
import type { Sealer } from '../../crypto/sealing.js';
import { KEY_ALGS } from '../../crypto/key-policy.js';
import { keyView } from '../../crypto/key-view.js';
import { signingKeyFromRow, type SigningKey } from '../../crypto/signing-key.js';
import type { Db } from '../../storage/db.js';
import { listSigningKeys } from '../../storage/repositories/signing-keys.js';
import type { KeyAlg } from '../../storage/schema.js';
import { rekeyStoredSecrets, type RekeyResult } from './kek-rotation.js';

export type KeyView = ReturnType<typeof keyView>;
export type { KeyAlg };
export { KEY_ALGS };

export const isKeyAlg = (value: string): value is KeyAlg => KEY_ALGS.includes(value as KeyAlg);

export class KeyAdmin {
  constructor(
    private readonly db: Db,
    private readonly lifecycle: KeyLifecycle,
    private readonly sealer: Sealer,
    private readonly clock: Clock,
    /** Re-reads key state at once after a change here (the server's key scheduler), not at its next tick. */
    private readonly keysChanged: () => Promise<void> = async () => {},
  ) {}

  /** Every key, oldest first, as `keys list` and `GET /admin/keys` show it. */
  async list(): Promise<KeyView[]> {
    return (await this.keys()).map(keyView);
  }

  /**
   * Queues (or with `force`, activates at once) a new key for each algorithm; returns the new
   * keys. Their tokens are not signed before the keys are published long enough (docs/keys.md).
   */
  async rotate(algs: readonly KeyAlg[] | undefined, force: boolean, actor: Actor): Promise<KeyView[]> {
    const { kids } = await this.lifecycle.rotate(algs ?? KEY_ALGS, force, actor.id);
    await audit(this.db, { event: 'key.rotated', actorId: actor.id, meta: actor.meta, detail: { kids: kids.join(','), force } }, this.clock.now());
    await this.keysChanged();
    const keys = await this.keys();
    return kids.map((kid) => keyView(keys.find((key) => key.kid === kid)!));
  }

  /** Revokes a key: its tokens die at once. Throws KeyNotFoundError for an unknown kid. */
  async revoke(kid: string, actor: Actor): Promise<KeyView> {
    await this.lifecycle.revoke(kid, actor.id);
    await this.keysChanged();
    const key = (await this.keys()).find((candidate) => candidate.kid === kid)!;
    return keyView(key);
  }

  /**
   * `keys rekey`: seals again under the current key-encryption key every secret that
   * KEYS_KEK_PREVIOUS sealed (docs/keys.md, Rotating the key-encryption key). Audited as `key.rekeyed`.
   */
  async rekey(actor: Actor): Promise<RekeyResult> {
    return rekeyStoredSecrets(this.db, this.sealer, this.clock, actor);
  }

  private async keys(): Promise<SigningKey[]> {
    return (await listSigningKeys(this.db)).map(signingKeyFromRow);
  }
}
