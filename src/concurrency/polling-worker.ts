// The loop both durable queues run (the mail outbox, src/mail/outbox.ts; back-channel logout
// notices, src/domain/sessions/backchannel-logout.ts): a pass over what is due every `pollMs`,
// a pass at once when a request has just queued something (`wake`), at most one pass at a time
// per process (other instances are kept apart by the rows' leases), and a stop that waits for the
// pass in progress. What a pass does is the queue's own.
import type { Logger } from 'pino';

export interface PollingWorkerOptions {
  pollMs: number;
  /** One pass over what is due; resolves to how many items it handled. */
  pass: () => Promise<number>;
  log: Logger;
  /** Named in the log line of a pass that failed. */
  what: string;
}

export class PollingWorker {
  private timer: NodeJS.Timeout | undefined;
  private polling = false;
  private stopped = false;
  /** The pass in progress, if any. */
  private current: Promise<number> | undefined;
  /** A pass asked for while one was in progress: it starts when that one ends. */
  private next: Promise<number> | undefined;

  constructor(private readonly options: PollingWorkerOptions) {}

  /** Whether stop() was called: a pass checks this between items and ends early. */
  get stopping(): boolean {
    return this.stopped;
  }

  /** Whether it polls (started and not stopped). */
  get running(): boolean {
    return this.polling;
  }

  start(): void {
    if (this.polling) return;
    this.polling = true;
    this.stopped = false;
    this.schedulePoll();
  }

  /** Stops polling and waits for a pass in progress (it ends after the item it is handling). */
  async stop(): Promise<void> {
    this.polling = false;
    this.stopped = true;
    clearTimeout(this.timer);
    await (this.next ?? this.current)?.catch(() => undefined);
  }

  /** Called after a transaction queued something, so it goes now rather than at the next poll. */
  wake(): void {
    if (!this.polling) return;
    setImmediate(() => this.tick()).unref();
  }

  /** Handles everything due now, after any pass in progress; resolves to how many were handled. */
  drain(): Promise<number> {
    if (this.next) return this.next;
    if (!this.current) return this.begin();
    this.next = this.current
      .catch(() => undefined)
      .then(() => {
        this.next = undefined;
        return this.begin();
      });
    return this.next;
  }

  private begin(): Promise<number> {
    const pass: Promise<number> = this.options.pass().finally(() => {
      if (this.current === pass) this.current = undefined;
    });
    this.current = pass;
    return pass;
  }

  private tick(): void {
    if (!this.polling) return;
    clearTimeout(this.timer);
    this.drain()
      .catch((error: unknown) => this.options.log.error({ error: error instanceof Error ? error.message : String(error) }, `${this.options.what} pass failed`))
      .finally(() => this.schedulePoll());
  }

  private schedulePoll(): void {
    if (!this.polling) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.tick(), this.options.pollMs);
    this.timer.unref();
  }
}
