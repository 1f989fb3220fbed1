// Rows of account_mails: one per verification or reset mail sent to an account, for the hourly quota.
import { randomId } from '../../crypto/random.js';
import type { DbOrTx } from '../db.js';

export async function countAccountMails(db: DbOrTx, userId: string, since: number): Promise<number> {
  const row = await db
    .selectFrom('account_mails')
    .select((eb) => eb.fn.countAll<number | string | bigint>().as('count'))
    .where('user_id', '=', userId)
    .where('sent_at', '>', since)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export async function insertAccountMail(db: DbOrTx, userId: string, kind: string, now: number): Promise<void> {
  await db.insertInto('account_mails').values({ id: randomId(), user_id: userId, kind, sent_at: now }).execute();
}

export async function purgeAccountMails(db: DbOrTx, before: number): Promise<void> {
  await db.deleteFrom('account_mails').where('sent_at', '<=', before).execute();
}
