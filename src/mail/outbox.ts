// Mail leaves through the outbox (docs/decisions.md, Storage and background work): a request writes the message in the
// transaction of the change it reports, and a worker in every instance delivers it, retrying with
// backoff. So a failing SMTP server loses no mail, and a request takes the same time whether or
// not it sends one. Delivery is at least once: a crash between the SMTP server's "OK" and markSent
// resends the mail, with the same Message-ID.
//
// Logs name a message by its id only: subjects and bodies carry links with tokens.
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { PollingWorker } from '../concurrency/polling-worker.js';
import type { Db, DbOrTx } from '../storage/db.js';
import { claimDueMessages, insertOutboxMessage, markFailed, markSent } from '../storage/repositories/outbox.js';
import type { MailMessage } from './message.js';
import { outboxMessageFromRow, type OutboxMessage } from './outbox-message.js';
import type { MailTransport } from './transport.js';

export const OUTBOX_POLL_MS = 1_000;
const BATCH_SIZE = 10;
/** How long a claim keeps other instances off a message; far above one send's timeouts. */
const LEASE_MS = 5 * 60_000;
/** A send is not started on a claim with less time than this left, so it cannot outlive the claim. */
const SEND_BUDGET_MS = 60_000;
const MAX_RETRY_DELAY_MS = 60 * 60_000;
/** From here on a failing message is retried hourly and each failure is logged as an error. */
const ATTEMPTS_BEFORE_ALARM = 10;

/**
 * What the worker tells whoever watches the process (the server's metrics). Defined here, not in
 * domain/events.ts, because mail/ sits below the domain (docs/architecture.md, The layers).
 */
export interface OutboxEvents {
  /** The SMTP server accepted a message. */
  mailSent(): void;
  /** One delivery attempt failed; the message stays in the outbox for a retry. */
  mailFailed(): void;
}

export const noOutboxEvents: OutboxEvents = { mailSent() {}, mailFailed() {} };

/** Writes a mail into the outbox; pass the transaction of the change the mail reports. */
export async function enqueueMail(db: DbOrTx, message: MailMessage, now: number): Promise<void> {
  await insertOutboxMessage(db, message, now);
}

/** 2 s, 4 s, 8 s, … after each failure, at most an hour, and an hour once the alarm is raised. */
export function retryDelayMs(attempts: number): number {
  if (attempts >= ATTEMPTS_BEFORE_ALARM) return MAX_RETRY_DELAY_MS;
  return Math.min(2 ** attempts * 1000, MAX_RETRY_DELAY_MS);
}

export class OutboxWorker {
  private readonly loop: PollingWorker;

  constructor(
    private readonly db: Db,
    private readonly transport: MailTransport,
    private readonly from: string,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly events: OutboxEvents = noOutboxEvents,
  ) {
    this.loop = new PollingWorker({ pollMs: OUTBOX_POLL_MS, pass: () => this.deliverDue(), log, what: 'mail outbox' });
  }

  start(): void {
    this.loop.start();
  }

  /** Stops polling and waits for a pass in progress, which ends after the message it is sending. */
  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** Called after a request enqueued mail, so it leaves now rather than at the next poll. */
  wake(): void {
    this.loop.wake();
  }

  /** Delivers every message due now, after any pass in progress; resolves to how many were sent. */
  drain(): Promise<number> {
    return this.loop.drain();
  }

  private async deliverDue(): Promise<number> {
    let sent = 0;
    while (!this.loop.stopping) {
      const batch = (await claimDueMessages(this.db, this.clock.now(), BATCH_SIZE, LEASE_MS)).map(outboxMessageFromRow);
      if (batch.length === 0) break;
      for (const message of batch) {
        // Messages left over stay claimed until their lease ends, then any instance takes them.
        if (this.loop.stopping || this.clock.now() > (message.lockedUntil ?? 0) - SEND_BUDGET_MS) break;
        if (await this.deliver(message)) sent += 1;
      }
    }
    return sent;
  }

  private async deliver(message: OutboxMessage): Promise<boolean> {
    const attempts = message.attempts + 1;
    try {
      await this.transport.send({
        id: message.id,
        from: this.from,
        to: message.toAddress,
        subject: message.subject,
        text: message.textBody,
        html: message.htmlBody,
      });
    } catch (sendError: unknown) {
      // An SMTP error message holds the server's reply, never the message body.
      const error = errorMessage(sendError);
      await markFailed(this.db, message.id, attempts, this.clock.now() + retryDelayMs(attempts), error);
      this.events.mailFailed();
      if (attempts >= ATTEMPTS_BEFORE_ALARM) {
        this.log.error({ mailId: message.id, attempts, error }, 'mail still undelivered; retrying hourly');
      } else {
        this.log.warn({ mailId: message.id, attempts, error }, 'mail delivery failed; will retry');
      }
      return false;
    }
    await markSent(this.db, message.id, this.clock.now());
    this.events.mailSent();
    this.log.info({ mailId: message.id, attempts }, 'mail sent');
    return true;
  }
}

/** The SMTP reply, with any address in it masked: some servers quote the recipient. */
function errorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/[^\s<>@"']+@[^\s<>@"']+/g, '[address]');
}
