// `tessera keys rekey`, the middle step of a key-encryption-key rotation (docs/keys.md, Rotating
// the key-encryption key): every secret sealed at rest that the previous KEK (KEYS_KEK_PREVIOUS)
// sealed is sealed again under the current one, in one transaction, so after it the previous KEK
// can be dropped. Running servers are unaffected: they hold the signing keys opened in memory,
// and with both KEKs configured they open TOTP secrets sealed under either.
import { audit, type Actor } from '../../audit/audit-log.js';
import type { Clock } from '../../clock.js';
import { KekError } from '../../crypto/kek.js';
import { UnsealError, type Sealer } from '../../crypto/sealing.js';
import { privateJwkAssociatedData, signingKeyFromRow } from '../../crypto/signing-key.js';
import type { Db } from '../../storage/db.js';
import { listSealedTotpSecrets, resealTotpSecret, type SealedTotpColumn } from '../../storage/repositories/mfa.js';
import { listSigningKeys, resealSigningKey } from '../../storage/repositories/signing-keys.js';
import { bumpSyncVersion } from '../../storage/repositories/sync-state.js';
import { totpAssociatedData } from '../mfa/totp.js';
import { listSealedUpstreamSecrets, resealUpstreamSecret } from '../../storage/repositories/upstreams.js';
import { upstreamSecretData } from '../upstreams/upstream.js';

export interface RekeyResult {
  /** How many sealed values were sealed again under the current KEK. */
  resealed: number;
}

/** One sealed value at rest, wherever it is stored. */
interface SealedValue {
  /** What the operator is told when it cannot be opened. */
  describe: string;
  sealed: string;
  associatedData: string;
  /** Writes the re-sealed value if the stored one is still `sealed`. */
  replace: (resealed: string) => Promise<boolean>;
}

const TOTP_COLUMNS: ReadonlyArray<{ column: SealedTotpColumn; name: string }> = [
  { column: 'totp_secret_sealed', name: 'TOTP secret' },
  { column: 'totp_pending_sealed', name: 'pending TOTP secret' },
];

/**
 * Re-seals under the current KEK everything another configured KEK sealed. Refuses, changing
 * nothing, when some value opens with neither KEK: dropping the previous KEK after a partial
 * rekey would lose those secrets for good.
 */
export async function rekeyStoredSecrets(db: Db, sealer: Sealer, clock: Clock, actor: Actor): Promise<RekeyResult> {
  let counts = { signingKeys: 0, totpSecrets: 0, upstreamSecrets: 0 };
  await db.transaction().execute(async (tx) => {
    counts = { signingKeys: 0, totpSecrets: 0, upstreamSecrets: 0 }; // a retried transaction starts over
    // The keys lock: no rotation makes or deletes a key while we go through them, and two
    // rekeys run one after the other.
    await bumpSyncVersion(tx, 'keys');

    const values: Array<SealedValue & { kind: keyof typeof counts }> = [];
    for (const key of (await listSigningKeys(tx)).map(signingKeyFromRow)) {
      values.push({
        kind: 'signingKeys',
        describe: `signing key ${key.kid}`,
        sealed: key.privateJwkSealed,
        associatedData: privateJwkAssociatedData(key.kid),
        replace: (resealed) => resealSigningKey(tx, key.kid, key.privateJwkSealed, resealed),
      });
    }
    for (const user of await listSealedTotpSecrets(tx)) {
      for (const { column, name } of TOTP_COLUMNS) {
        const sealed = user[column];
        if (sealed === null) continue;
        values.push({
          kind: 'totpSecrets',
          describe: `${name} of user ${user.id}`,
          sealed,
          associatedData: totpAssociatedData(user.id),
          replace: (resealed) => resealTotpSecret(tx, user.id, column, sealed, resealed),
        });
      }
    }

    for (const upstream of await listSealedUpstreamSecrets(tx)) {
      values.push({
        kind: 'upstreamSecrets',
        describe: `client secret of upstream ${upstream.name}`,
        sealed: upstream.client_secret_sealed,
        associatedData: upstreamSecretData(upstream.name),
        replace: (resealed) => resealUpstreamSecret(tx, upstream.name, upstream.client_secret_sealed, resealed),
      });
    }

    const unopened: string[] = [];
    for (const value of values) {
      let resealed: string | undefined;
      try {
        resealed = sealer.reseal(value.sealed, value.associatedData);
      } catch (error) {
        if (!(error instanceof UnsealError)) throw error;
        unopened.push(value.describe);
        continue;
      }
      if (resealed !== undefined && (await value.replace(resealed))) counts[value.kind] += 1;
    }
    if (unopened.length > 0) {
      const current = `the current key-encryption key (id ${sealer.currentId})`;
      const kek = sealer.previousId === undefined ? `${current}, and KEYS_KEK_PREVIOUS is not set` : `${current} or KEYS_KEK_PREVIOUS (id ${sealer.previousId})`;
      const shown = unopened.slice(0, 5).join(', ') + (unopened.length > 5 ? `, and ${unopened.length - 5} more` : '');
      throw new KekError(`${unopened.length} stored secret(s) cannot be decrypted with ${kek}: ${shown}; nothing was re-sealed`);
    }

    await audit(
      tx,
      {
        event: 'key.rekeyed',
        actorId: actor.id,
        meta: actor.meta,
        // KEK ids are HMAC outputs, not secrets (sealing.ts).
        detail: {
          resealed: counts.signingKeys + counts.totpSecrets + counts.upstreamSecrets,
          signing_keys: counts.signingKeys,
          totp_secrets: counts.totpSecrets,
          upstream_secrets: counts.upstreamSecrets,
          kek_id: sealer.currentId,
          previous_kek_id: sealer.previousId ?? null,
        },
      },
      clock.now(),
    );
  });
  return { resealed: counts.signingKeys + counts.totpSecrets + counts.upstreamSecrets };
}
