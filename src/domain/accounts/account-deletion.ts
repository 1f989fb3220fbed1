// Deleting an account: the one path behind `DELETE /auth/me` (the user, after their password),
// `DELETE /admin/users/:id` and `tessera users delete` (docs/accounts.md). The user's sessions,
// browser sessions, consents, 2FA secrets and mail tokens go with the row (ON DELETE CASCADE), so
// every access and refresh token of the user introspects inactive at once (RFC 7662 §2.2). The
// audit log keeps the account's events, stripped of IP and user agent.
import { audit } from '../../audit/audit-log.js';
import type { Clock } from '../../clock.js';
import { OAuthError } from '../../errors/oauth-error.js';
import type { Db } from '../../storage/db.js';
import { anonymiseAudit } from '../../storage/repositories/audit.js';
import { endUserSessions } from '../../storage/repositories/sessions.js';
import { deleteUser, findUserById } from '../../storage/repositories/users.js';

/**
 * `actorId` names who deleted an account that was not their own (an admin's id, `cli`). The
 * `user.deleted` event carries no IP or user agent either way: it is about the deleted person, and
 * it must hold nothing personal once they are gone.
 */
export async function deleteAccount(db: Db, clock: Clock, userId: string, actorId?: string): Promise<void> {
  const now = clock.now();
  await db.transaction().execute(async (tx) => {
    // Deleted meanwhile (by the user, another admin): no second `user.deleted` event.
    if (!(await findUserById(tx, userId))) throw new OAuthError('not_found', 'no such user');
    await anonymiseAudit(tx, userId);
    // Ended before the rows go, so that the apps hear of it (OIDC Back-Channel Logout 1.0 §2.5;
    // the queued notices do not hang off the user).
    await endUserSessions(tx, userId, 'user_deleted', now);
    await deleteUser(tx, userId);
    await audit(tx, { event: 'user.deleted', userId, ...(actorId === undefined ? {} : { actorId }) }, now);
  });
}
