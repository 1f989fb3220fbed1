// Rows of signing_keys. Plain functions taking the database or a transaction first.
import type { DbOrTx } from '../db.js';
import type { KeyAlg, NewSigningKeyRow, SigningKeyRow, SigningKeyUpdate } from '../schema.js';

export const listSigningKeys = (db: DbOrTx): Promise<SigningKeyRow[]> =>
  db.selectFrom('signing_keys').selectAll().orderBy('created_at').orderBy('kid').execute();

export const listSigningKeysOf = (db: DbOrTx, alg: KeyAlg): Promise<SigningKeyRow[]> =>
  db.selectFrom('signing_keys').selectAll().where('alg', '=', alg).orderBy('created_at').orderBy('kid').execute();

export const findSigningKey = (db: DbOrTx, kid: string): Promise<SigningKeyRow | undefined> =>
  db.selectFrom('signing_keys').selectAll().where('kid', '=', kid).executeTakeFirst();

export async function insertSigningKey(db: DbOrTx, row: NewSigningKeyRow): Promise<void> {
  await db.insertInto('signing_keys').values(row).execute();
}

export async function updateSigningKey(db: DbOrTx, kid: string, changes: SigningKeyUpdate): Promise<void> {
  await db.updateTable('signing_keys').set(changes).where('kid', '=', kid).execute();
}

export async function deleteSigningKey(db: DbOrTx, kid: string): Promise<void> {
  await db.deleteFrom('signing_keys').where('kid', '=', kid).execute();
}

export async function countSigningKeys(db: DbOrTx): Promise<number> {
  const row = await db.selectFrom('signing_keys').select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Replaces a key's sealed private JWK, only if it is still `from` (`keys rekey`): false when the
 * key was deleted meanwhile.
 */
export async function resealSigningKey(db: DbOrTx, kid: string, from: string, to: string): Promise<boolean> {
  const result = await db.updateTable('signing_keys').set({ private_jwk_sealed: to }).where('kid', '=', kid).where('private_jwk_sealed', '=', from).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
