// Per-IP and per-account request limits on the sign-in, register, reset and 2FA routes (contract
// §1: RATE_LIMIT_PER_IP / RATE_LIMIT_PER_ACCOUNT per minute, 0 = off). Counted in the database so
// that the limits hold across instances; one bucket per IP and one per account, shared by those
// routes, so that spreading guesses over routes buys nothing.
import type { Clock } from '../../clock.js';
import { sha256 } from '../../crypto/random.js';
import { OAuthError } from '../../errors/oauth-error.js';
import type { Db } from '../../storage/db.js';
import { hitWindow } from '../../storage/repositories/rate-limits.js';

const WINDOW_MS = 60_000;

export class RateLimiter {
  constructor(
    private readonly db: Db,
    private readonly perIp: number,
    private readonly perAccount: number,
    private readonly clock: Clock,
  ) {}

  /** Counts this request; throws 429 with Retry-After when either limit is exceeded. */
  async check(ip: string | null, account?: string): Promise<void> {
    const now = this.clock.now();
    const windowStart = now - (now % WINDOW_MS);
    const over: boolean[] = [];
    if (this.perIp > 0 && ip) over.push((await hitWindow(this.db, `ip:${ip}`, windowStart)) > this.perIp);
    // Hashed, so the table holds no email addresses.
    if (this.perAccount > 0 && account) over.push((await hitWindow(this.db, `acct:${sha256(account)}`, windowStart)) > this.perAccount);
    if (over.includes(true)) {
      const retryAfter = Math.max(1, Math.ceil((windowStart + WINDOW_MS - now) / 1000));
      throw new OAuthError('rate_limited', 'too many requests; try again later', { headers: { 'Retry-After': String(retryAfter) } });
    }
  }
}
