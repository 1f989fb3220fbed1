// Lockout counters, keyed by a hash of the email address (see the migration for why).
import type { DbOrTx } from '../db.js';

export const findLockout = (db: DbOrTx, subject: string) =>
  db.selectFrom('lockouts').selectAll().where('subject', '=', subject).executeTakeFirst();

/** Counts one failed step and returns the new count. */
export async function countFailure(db: DbOrTx, subject: string, now: number): Promise<number> {
  const row = await db
    .insertInto('lockouts')
    .values({ subject, failed_attempts: 1, locked_until: null, updated_at: now })
    .onConflict((oc) => oc.column('subject').doUpdateSet((eb) => ({ failed_attempts: eb('lockouts.failed_attempts', '+', 1), updated_at: now })))
    .returning('failed_attempts')
    .executeTakeFirstOrThrow();
  return Number(row.failed_attempts);
}

export async function lock(db: DbOrTx, subject: string, until: number, now: number): Promise<void> {
  await db.updateTable('lockouts').set({ locked_until: until, failed_attempts: 0, updated_at: now }).where('subject', '=', subject).execute();
}

export async function clearLockout(db: DbOrTx, subject: string): Promise<boolean> {
  const result = await db.deleteFrom('lockouts').where('subject', '=', subject).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function purgeStaleLockouts(db: DbOrTx, before: number): Promise<void> {
  await db
    .deleteFrom('lockouts')
    .where('updated_at', '<', before)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', before)]))
    .execute();
}
