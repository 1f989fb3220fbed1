// A mailed link's token (verify-email, reset-password) as the account services read it: stored as
// a hash only, single use, short-lived (docs/accounts.md).
import type { Selectable } from 'kysely';
import type { MailTokenTable } from '../../storage/schema.js';

export interface MailToken {
  tokenHash: string;
  userId: string;
  /** The address the token proves (the pending one, for an email change). */
  email: string;
  expiresAt: number;
  usedAt: number | null;
}

export const mailTokenFromRow = (row: Selectable<MailTokenTable>): MailToken => ({
  tokenHash: row.token_hash,
  userId: row.user_id,
  email: row.email,
  expiresAt: Number(row.expires_at),
  usedAt: row.used_at === null ? null : Number(row.used_at),
});

/** Whether the token may still be spent at `now` (spending it is still a race: see spendMailToken). */
export const mailTokenUsable = (token: MailToken | undefined, now: number): token is MailToken => token !== undefined && token.usedAt === null && token.expiresAt > now;
