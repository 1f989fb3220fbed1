// Account lockout (docs/decisions.md, People): consecutive failed steps, passwords and 2FA codes together,
// lock the address for LOCKOUT_DURATION after LOCKOUT_THRESHOLD; only a completed sign-in resets
// the count. Keyed by the address, so made-up accounts lock exactly like real ones.
import type { Selectable } from 'kysely';
import type { Clock } from '../../clock.js';
import { sha256 } from '../../crypto/random.js';
import { OAuthError } from '../../errors/oauth-error.js';
import type { DbOrTx } from '../../storage/db.js';
import { clearLockout, countFailure, findLockout, lock } from '../../storage/repositories/lockouts.js';
import type { LockoutTable } from '../../storage/schema.js';

export const lockoutSubject = (email: string): string => sha256(`lockout:${email}`);

/** An address's lockout counter, as stored. */
interface LockoutState {
  failedAttempts: number;
  lockedUntil: number | null;
}

const lockoutFromRow = (row: Selectable<LockoutTable>): LockoutState => ({
  failedAttempts: Number(row.failed_attempts),
  lockedUntil: row.locked_until == null ? null : Number(row.locked_until),
});

export class Lockout {
  constructor(
    private readonly threshold: number,
    private readonly durationSeconds: number,
    private readonly clock: Clock,
  ) {}

  get enabled(): boolean {
    return this.threshold > 0;
  }

  /** Throws 423 with Retry-After while the address is locked. */
  async assertOpen(db: DbOrTx, email: string): Promise<void> {
    if (!this.enabled) return;
    const row = await findLockout(db, lockoutSubject(email));
    const lockedUntil = row ? lockoutFromRow(row).lockedUntil : null;
    const now = this.clock.now();
    if (lockedUntil !== null && lockedUntil > now) {
      const retryAfter = Math.ceil((lockedUntil - now) / 1000);
      throw new OAuthError('account_locked', 'the account is locked after too many failed attempts; try again later', {
        headers: { 'Retry-After': String(retryAfter) },
      });
    }
  }

  /** Counts a failed step; returns the lock's end when this failure locked the address. */
  async fail(db: DbOrTx, email: string): Promise<number | undefined> {
    if (!this.enabled) return undefined;
    const now = this.clock.now();
    const subject = lockoutSubject(email);
    const failures = await countFailure(db, subject, now);
    if (failures < this.threshold) return undefined;
    const until = now + this.durationSeconds * 1000;
    await lock(db, subject, until, now);
    return until;
  }

  async reset(db: DbOrTx, email: string): Promise<boolean> {
    return clearLockout(db, lockoutSubject(email));
  }
}
