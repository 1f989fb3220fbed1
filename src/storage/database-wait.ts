// Waiting for the database at start-up (README, Operations): a PostgreSQL server that is still
// starting, restarting or not yet reachable is retried with backoff for a bounded time, so that
// the order in which a supervisor starts services does not matter; a refusal that waiting cannot
// cure (a wrong password, a missing database) fails at once.
import { sql } from 'kysely';
import type { Db } from './db.js';

/**
 * The database did not answer within the start-up bound, or refused in a way waiting cannot cure.
 * The message names the host, never credentials (pg's messages carry neither the URL nor the password).
 */
export class DatabaseUnavailableError extends Error {
  constructor(
    readonly database: string,
    problem: string,
    readonly lastError: unknown,
  ) {
    super(`database ${database} ${problem}: ${describeError(lastError)}`);
    this.name = 'DatabaseUnavailableError';
  }
}

/** `host:port/name` of a database URL, for logs: no user, no password, no query. */
export function databaseLabel(url: string): string {
  if (!/^postgres(ql)?:\/\//.test(url)) return url.replace(/^sqlite:/, 'sqlite ');
  try {
    const parsed = new URL(url);
    return `${parsed.hostname || 'localhost'}:${parsed.port || '5432'}${parsed.pathname}`;
  } catch {
    return 'postgres (unparsable URL)';
  }
}

/** Node's socket errors, and PostgreSQL's SQLSTATE class 08 and 57P03 (PostgreSQL docs, Appendix A). */
const TRANSIENT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', '57P03', '53300']);

/** Whether waiting may help: the server is not there yet, or not accepting connections yet. */
export function isTransientConnectError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (TRANSIENT_CODES.has(code) || code.startsWith('08'))) return true;
  if (error instanceof AggregateError) return error.errors.some(isTransientConnectError);
  // pg's own wording when the connect timeout passes or the server hangs up during start-up.
  const message = error instanceof Error ? error.message : '';
  return /timeout exceeded when trying to connect|Connection terminated/i.test(message);
}

export interface WaitOptions {
  timeoutMs: number;
  label: string;
  /** Called before each wait, so that the operator sees why start-up is slow. */
  onWait(attempt: number, delayMs: number, error: unknown): void;
  /** The first delay; doubles up to maxDelayMs. */
  initialDelayMs?: number;
  maxDelayMs?: number;
}

/** Resolves once the database answers a trivial query; throws DatabaseUnavailableError past the bound. */
export async function waitForDatabase(db: Db, options: WaitOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let delay = options.initialDelayMs ?? 500;
  for (let attempt = 1; ; attempt += 1) {
    try {
      await sql`select 1`.execute(db);
      return;
    } catch (error) {
      if (!isTransientConnectError(error)) throw new DatabaseUnavailableError(options.label, 'refused the connection', error);
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new DatabaseUnavailableError(options.label, `did not answer within ${Math.round(options.timeoutMs / 1000)}s (DATABASE_STARTUP_TIMEOUT)`, error);
      }
      const wait = Math.min(delay, left);
      options.onWait(attempt, wait, error);
      await new Promise((resolve) => setTimeout(resolve, wait));
      delay = Math.min(delay * 2, options.maxDelayMs ?? 5_000);
    }
  }
}

export function describeError(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message || error.name : String(error);
  return typeof code === 'string' && !message.includes(code) ? `${code} ${message}` : message;
}
