// A message in the mail outbox as the worker sees it (docs/decisions.md, Storage and background work): camelCase, numbers for
// times (PostgreSQL hands BIGINT columns back as strings). Rows are mapped here, once
// (docs/architecture.md, "Rows stay in storage").
import type { OutboxRow } from '../storage/schema.js';

export interface OutboxMessage {
  id: string;
  toAddress: string;
  subject: string;
  textBody: string;
  htmlBody: string;
  createdAt: number;
  /** Delivery attempts so far. */
  attempts: number;
  nextAttemptAt: number;
  /** A worker's claim on the message, so that two instances do not send it twice. */
  lockedUntil: number | null;
  sentAt: number | null;
  lastError: string | null;
}

const numberOrNull = (value: number | null): number | null => (value === null ? null : Number(value));

export function outboxMessageFromRow(row: OutboxRow): OutboxMessage {
  return {
    id: row.id,
    toAddress: row.to_address,
    subject: row.subject,
    textBody: row.text_body,
    htmlBody: row.html_body,
    createdAt: Number(row.created_at),
    attempts: row.attempts,
    nextAttemptAt: Number(row.next_attempt_at),
    lockedUntil: numberOrNull(row.locked_until),
    sentAt: numberOrNull(row.sent_at),
    lastError: row.last_error,
  };
}
