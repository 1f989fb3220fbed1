// Deletes rows that can no longer matter: revocation entries of tokens that have expired anyway.
// Every instance runs it; the deletes are idempotent, so running twice costs nothing.
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Db } from '../storage/db.js';
import { purgeExpiredRevocations } from '../storage/repositories/revoked-tokens.js';

export const CLEANUP_INTERVAL_MS = 10 * 60_000;

export async function cleanupExpired(db: Db, clock: Clock): Promise<{ revocations: number }> {
  return { revocations: await purgeExpiredRevocations(db, clock.now()) };
}

export function startCleanup(db: Db, clock: Clock, log: Logger): () => void {
  const timer = setInterval(() => {
    cleanupExpired(db, clock)
      .then((deleted) => log.debug({ deleted }, 'expired rows deleted'))
      .catch((error: unknown) => log.warn({ err: error }, 'cleanup of expired rows failed'));
  }, CLEANUP_INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}
