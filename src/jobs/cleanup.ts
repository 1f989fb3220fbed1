// Deletes rows that can no longer matter: revocation entries of tokens that have expired anyway,
// expired or long-ended sessions with their refresh tokens, expired mail tokens, stale lockout and
// rate-limit counters, the used `jti`s of expired client assertions and DPoP proofs, and expired
// pushed authorization requests.
// Every instance runs it; the deletes are idempotent, so running twice costs nothing.
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Db } from '../storage/db.js';
import { MAIL_QUOTA_WINDOW_MS } from '../domain/accounts/mail-quota.js';
import { purgeAccountMails } from '../storage/repositories/account-mails.js';
import { purgeStaleLockouts } from '../storage/repositories/lockouts.js';
import { purgeExpiredMailTokens } from '../storage/repositories/mail-tokens.js';
import { purgeExpiredChallenges } from '../storage/repositories/mfa.js';
import { purgeExpiredBrowserFlow } from '../storage/repositories/oidc.js';
import { purgeExpiredCeremonies } from '../storage/repositories/passkeys.js';
import { purgeOldWindows } from '../storage/repositories/rate-limits.js';
import { purgeExpiredRevocations } from '../storage/repositories/revoked-tokens.js';
import { purgeExpiredSessions } from '../storage/repositories/sessions.js';
import { purgeExpiredPushedRequests } from '../storage/repositories/pushed-requests.js';
import { purgeExpiredUpstreamRequests } from '../storage/repositories/upstreams.js';
import { purgeExpiredDeviceCodes } from '../storage/repositories/device-codes.js';
import { purgeExpiredJtis } from '../storage/repositories/used-jtis.js';

export const CLEANUP_INTERVAL_MS = 10 * 60_000;

export async function cleanupExpired(db: Db, clock: Clock): Promise<{ revocations: number; sessions: number; mailTokens: number }> {
  const now = clock.now();
  const revocations = await purgeExpiredRevocations(db, now);
  const sessions = await purgeExpiredSessions(db, now);
  const mailTokens = await purgeExpiredMailTokens(db, now);
  await purgeOldWindows(db, now - 3600_000);
  await purgeAccountMails(db, now - MAIL_QUOTA_WINDOW_MS);
  await purgeStaleLockouts(db, now - 86_400_000);
  await purgeExpiredChallenges(db, now);
  await purgeExpiredCeremonies(db, now);
  await purgeExpiredBrowserFlow(db, now);
  await purgeExpiredJtis(db, now);
  await purgeExpiredPushedRequests(db, now);
  await purgeExpiredUpstreamRequests(db, now);
  // Kept an hour past expiry, so that a device polling late still hears expired_token (RFC 8628 §3.5).
  await purgeExpiredDeviceCodes(db, now - 3600_000);
  return { revocations, sessions, mailTokens };
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
