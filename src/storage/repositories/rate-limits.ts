// Fixed-window request counters shared by every instance (docs/decisions.md: limits hold across instances).
import type { DbOrTx } from '../db.js';

/** Counts one request in the window starting at `windowStart` and returns the count so far. */
export async function hitWindow(db: DbOrTx, key: string, windowStart: number): Promise<number> {
  const row = await db
    .insertInto('rate_limits')
    .values({ key, window_start: windowStart, count: 1 })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet((eb) => ({
        count: eb.case().when('rate_limits.window_start', '=', windowStart).then(eb('rate_limits.count', '+', 1)).else(1).end(),
        window_start: windowStart,
      })),
    )
    .returning('count')
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** The count of `key` in the window starting at `windowStart`, without counting anything. */
export async function windowCount(db: DbOrTx, key: string, windowStart: number): Promise<number> {
  const row = await db.selectFrom('rate_limits').select(['count', 'window_start']).where('key', '=', key).executeTakeFirst();
  return row !== undefined && Number(row.window_start) === windowStart ? Number(row.count) : 0;
}

export async function purgeOldWindows(db: DbOrTx, before: number): Promise<void> {
  await db.deleteFrom('rate_limits').where('window_start', '<', before).execute();
}
