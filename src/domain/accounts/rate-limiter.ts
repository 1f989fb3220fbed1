// Request limits counted in the database, so that they hold across instances (docs/decisions.md, People).
//
// - `check`: the sign-in, register, reset, verification and 2FA routes and pages (README, Configuration:
//   RATE_LIMIT_PER_IP / RATE_LIMIT_PER_ACCOUNT per minute, 0 = off). One bucket per IP and one per
//   account, shared by those routes, so that spreading guesses over routes buys nothing.
// - `countFailure`: failed client authentication at the token, introspection and revocation
//   endpoints (README, Errors). Only failures count, so a correctly authenticated client is never
//   throttled, and nothing is read on the success path.
//
// - `refuseGuesses` / `countWrongGuess`: wrong guesses of a short code from one IP (the user codes of
//   RFC 8628 §5.1), refused before the guess is even looked at once the IP is past its limit, so
//   that a right guess after many wrong ones wins nothing. Right guesses cost nothing. Off when
//   RATE_LIMIT_PER_IP is 0.
//
// Each check reports its window to `meta.onRateLimit`, which the HTTP layer turns into the
// `RateLimit-Policy` and `RateLimit` headers of draft-ietf-httpapi-ratelimit-headers.
import type { RequestMeta } from '../../audit/audit-log.js';
import type { Clock } from '../../clock.js';
import { sha256 } from '../../crypto/random.js';
import { OAuthError } from '../../errors/oauth-error.js';
import type { Db } from '../../storage/db.js';
import { hitWindow, windowCount } from '../../storage/repositories/rate-limits.js';

export const RATE_WINDOW_MS = 60_000;

/** One limit's state after this request, as the RateLimit headers state it. */
export interface RateLimitState {
  /** The policy's name: `ip`, `account` or `client-auth`. */
  policy: string;
  limit: number;
  windowSeconds: number;
  remaining: number;
  resetSeconds: number;
}

export const rateLimited = (retryAfterSeconds: number) =>
  new OAuthError('rate_limited', 'too many requests; try again later', { headers: { 'Retry-After': String(retryAfterSeconds) } });

export class RateLimiter {
  constructor(
    private readonly db: Db,
    private readonly perIp: number,
    private readonly perAccount: number,
    private readonly clock: Clock,
  ) {}

  /** Counts this request; throws 429 with Retry-After when either limit is exceeded. */
  async check(meta: RequestMeta, account?: string): Promise<void> {
    const hits: Array<Promise<RateLimitState>> = [];
    if (this.perIp > 0 && meta.ip) hits.push(this.hit('ip', `ip:${meta.ip}`, this.perIp));
    // Hashed, so the table holds no email addresses.
    if (this.perAccount > 0 && account) hits.push(this.hit('account', `acct:${sha256(account)}`, this.perAccount));
    this.settle(meta, await Promise.all(hits));
  }

  /** A failed client authentication from this IP; throws 429 once the IP is past the limit. */
  async countFailure(meta: RequestMeta): Promise<void> {
    if (this.perIp === 0 || !meta.ip) return;
    this.settle(meta, [await this.hit('client-auth', `client-auth:${meta.ip}`, this.perIp)]);
  }

  /** Throws 429 once this IP has made `limit` wrong guesses of `policy` in this window, without counting this one. */
  async refuseGuesses(meta: RequestMeta, policy: string, limit: number): Promise<void> {
    if (this.perIp === 0 || !meta.ip) return;
    const now = this.clock.now();
    const windowStart = now - (now % RATE_WINDOW_MS);
    const count = await windowCount(this.db, `${policy}:${meta.ip}`, windowStart);
    if (count >= limit) throw rateLimited(Math.max(1, Math.ceil((windowStart + RATE_WINDOW_MS - now) / 1000)));
  }

  /** A wrong guess of `policy` from this IP; throws 429 once the IP is past `limit`. */
  async countWrongGuess(meta: RequestMeta, policy: string, limit: number): Promise<void> {
    if (this.perIp === 0 || !meta.ip) return;
    this.settle(meta, [await this.hit(policy, `${policy}:${meta.ip}`, limit)]);
  }

  private settle(meta: RequestMeta, states: RateLimitState[]): void {
    for (const state of states) meta.onRateLimit?.(state);
    const over = states.filter((state) => state.remaining < 0);
    if (over.length > 0) throw rateLimited(Math.max(...over.map((state) => state.resetSeconds)));
  }

  private async hit(policy: string, key: string, limit: number): Promise<RateLimitState> {
    const now = this.clock.now();
    const windowStart = now - (now % RATE_WINDOW_MS);
    const count = await hitWindow(this.db, key, windowStart);
    const resetSeconds = Math.max(1, Math.ceil((windowStart + RATE_WINDOW_MS - now) / 1000));
    return { policy, limit, windowSeconds: RATE_WINDOW_MS / 1000, remaining: limit - count, resetSeconds };
  }
}
