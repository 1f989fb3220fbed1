// Checks and stores a new password: strength (password-policy.ts), not one of the last five
// (checked against the stored hashes, docs/decisions.md), hashed with argon2id, kept in the history.
import { randomId } from '../../crypto/random.js';
import { OAuthError } from '../../errors/oauth-error.js';
import type { DbOrTx } from '../../storage/db.js';
import { pushPasswordHistory, recentPasswordHashes, updateUser } from '../../storage/repositories/users.js';
import type { PasswordHasher } from './password-hasher.js';
import { passwordProblem } from './password-policy.js';
import { userChanges } from './user.js';

export const PASSWORD_HISTORY = 5;

/** Throws 400 with the reason when the password may not be used; returns its hash otherwise. */
export async function hashNewPassword(
  hasher: PasswordHasher,
  db: DbOrTx,
  password: string,
  user: { id?: string; email: string },
): Promise<string> {
  const problem = passwordProblem(password, { email: user.email });
  if (problem) throw new OAuthError('invalid_request', problem.description, { reason: problem.reason });
  if (user.id) {
    for (const old of await recentPasswordHashes(db, user.id, PASSWORD_HISTORY)) {
      if ((await hasher.verify(old, password)).ok) {
        throw new OAuthError('invalid_request', `the password must differ from your last ${PASSWORD_HISTORY} passwords`, { reason: 'password_reused' });
      }
    }
  }
  return hasher.hash(password);
}

export async function storePassword(tx: DbOrTx, userId: string, hash: string, now: number): Promise<void> {
  await updateUser(tx, userId, userChanges({ passwordHash: hash, updatedAt: now }));
  await pushPasswordHistory(tx, { id: randomId(), userId, hash, now }, PASSWORD_HISTORY);
}
