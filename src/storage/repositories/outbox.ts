// The mail outbox (docs/decisions.md, Storage and background work): messages written in the transaction of the change they
// report, then claimed and delivered by a worker in any instance.
import { randomId } from '../../crypto/random.js';
import type { MailMessage } from '../../mail/message.js';
import type { DbOrTx } from '../db.js';
import type { OutboxRow } from '../schema.js';

/** The width of `outbox.last_error`; PostgreSQL refuses a longer value. */
const LAST_ERROR_MAX_LENGTH = 500;

export async function insertOutboxMessage(db: DbOrTx, message: MailMessage, now: number): Promise<string> {
  const id = randomId();
  await db
    .insertInto('outbox')
    .values({
      id,
      to_address: message.to,
      subject: message.subject,
      text_body: message.text,
      html_body: message.html,
      created_at: now,
      attempts: 0,
      next_attempt_at: now,
      locked_until: null,
      sent_at: null,
      last_error: null,
    })
    .execute();
  return id;
}

/**
 * Claims up to `limit` unsent messages that are due and not leased by another worker, leasing them
 * until `now + leaseMs`. Each claim is a conditional UPDATE that only one worker can win, so two
 * instances polling at once never get the same message; a worker that dies mid-send gives its
 * messages back when the lease runs out.
 */
export async function claimDueMessages(db: DbOrTx, now: number, limit: number, leaseMs: number): Promise<OutboxRow[]> {
  const candidates = await db
    .selectFrom('outbox')
    .selectAll()
    .where('sent_at', 'is', null)
    .where('next_attempt_at', '<=', now)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
    .orderBy('next_attempt_at')
    .limit(limit)
    .execute();

  const lockedUntil = now + leaseMs;
  const claimed: OutboxRow[] = [];
  for (const row of candidates) {
    const result = await db
      .updateTable('outbox')
      .set({ locked_until: lockedUntil })
      .where('id', '=', row.id)
      // Checked again here: another worker may have claimed or even sent it since the SELECT.
      .where('sent_at', 'is', null)
      .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 1) claimed.push({ ...row, locked_until: lockedUntil });
  }
  return claimed;
}

/**
 * Records delivery and blanks the bodies: they carry single-use tokens, which the rest of the
 * database keeps only as hashes (docs/decisions.md, Tokens).
 */
export async function markSent(db: DbOrTx, id: string, now: number): Promise<void> {
  await db
    .updateTable('outbox')
    .set((eb) => ({
      sent_at: now,
      attempts: eb('attempts', '+', 1),
      locked_until: null,
      last_error: null,
      text_body: '',
      html_body: '',
    }))
    .where('id', '=', id)
    .execute();
}

export async function markFailed(db: DbOrTx, id: string, attempts: number, nextAttemptAt: number, error: string): Promise<void> {
  await db
    .updateTable('outbox')
    .set({
      attempts,
      next_attempt_at: nextAttemptAt,
      locked_until: null,
      last_error: error.slice(0, LAST_ERROR_MAX_LENGTH),
    })
    .where('id', '=', id)
    .execute();
}

/**
 * When the oldest message not yet sent was written (epoch ms), undefined when every message is
 * sent: the age of the outbox's backlog, read when /metrics is scraped. The `outbox_due` index
 * (sent_at first) keeps this to the unsent rows.
 */
export async function oldestUndeliveredAt(db: DbOrTx): Promise<number | undefined> {
  const row = await db
    .selectFrom('outbox')
    .select((eb) => eb.fn.min('created_at').as('oldest'))
    .where('sent_at', 'is', null)
    .executeTakeFirst();
  return row?.oldest == null ? undefined : Number(row.oldest);
}
