// At most MAIL_LIMIT_PER_ACCOUNT verification or reset mails per account in any hour
// (docs/accounts.md, Mail limit). Past it the routes answer exactly as before and send nothing, so the limit reveals nothing
// about the account; the link already mailed stays valid. Counted in the database (a sliding hour,
// not a fixed window, so no burst at a window's edge), under the user's row lock so that
// concurrent requests on several instances cannot both take the last mail.
import type { Clock } from '../../clock.js';
import type { DbOrTx } from '../../storage/db.js';
import { countAccountMails, insertAccountMail } from '../../storage/repositories/account-mails.js';
import { lockUser } from '../../storage/repositories/users.js';

export const MAIL_QUOTA_WINDOW_MS = 3600_000;

export type QuotaMail = 'verify_email' | 'reset_password' | 'already_registered';

export class MailQuota {
  constructor(
    private readonly perHour: number,
    private readonly clock: Clock,
  ) {}

  /** Inside the transaction that would send: counts the mail and says whether it may go. */
  async take(tx: DbOrTx, userId: string, kind: QuotaMail): Promise<boolean> {
    if (this.perHour === 0) return true;
    const now = this.clock.now();
    await lockUser(tx, userId);
    if ((await countAccountMails(tx, userId, now - MAIL_QUOTA_WINDOW_MS)) >= this.perHour) return false;
    await insertAccountMail(tx, userId, kind, now);
    return true;
  }
}
