// Managing people as an administrator: the one code path behind `tessera users …` and /admin/users.
import { audit, type RequestMeta } from '../../audit/audit-log.js';
import { randomId } from '../../crypto/random.js';
import { OAuthError } from '../../errors/oauth-error.js';
import { findUserById, insertUser, listUsers, updateUser, findUserByEmail } from '../../storage/repositories/users.js';
import { decodeCursor, encodeCursor } from '../paging-cursor.js';
import { deleteAccount } from './account-deletion.js';
import type { AccountDeps } from './deps.js';
import { hashNewPassword, storePassword } from './new-password.js';
import { newUserRow, normalizeEmail, normalizeName, ROLES, userChanges, userFromRow, userView, type Role, type User, type UserView } from './user.js';

export interface Actor {
  /** The admin's user id, or `cli`. */
  id: string;
  meta: RequestMeta;
}

export interface NewUser {
  email: string;
  password: string;
  name?: string;
  role?: string;
  verified?: boolean;
}

export class UserAdminService {
  constructor(private readonly deps: AccountDeps) {}

  async create(input: NewUser, actor: Actor): Promise<UserView> {
    const { db, clock, hasher } = this.deps;
    const email = normalizeEmail(input.email);
    const role = checkRole(input.role ?? 'user');
    const name = normalizeName(input.name ?? email.split('@')[0]!);
    const hash = await hashNewPassword(hasher, db, input.password, { email });
    const now = clock.now();
    const id = randomId();
    await db.transaction().execute(async (tx) => {
      if (await findUserByEmail(tx, email)) throw new OAuthError('conflict', 'an account with that email exists');
      await insertUser(tx, newUserRow({ id, email, emailVerified: input.verified === true, name, passwordHash: hash, role }, now));
      await storePassword(tx, id, hash, now);
      await audit(tx, { event: 'user.created', userId: id, actorId: actor.id, meta: actor.meta, detail: { role } }, now);
    });
    return this.get(id);
  }

  async list(options: { limit?: number; cursor?: string; role?: string; email?: string } = {}): Promise<{ users: UserView[]; next_cursor: string | null }> {
    const limit = Math.min(Math.max(options.limit ?? 50, 1), 200);
    const after = options.cursor ? decodeCursor(options.cursor) : undefined;
    const rows = await listUsers(this.deps.db, {
      limit: limit + 1,
      ...(after ? { after } : {}),
      ...(options.role ? { role: checkRole(options.role) } : {}),
      ...(options.email ? { email: options.email.trim().toLowerCase() } : {}),
    });
    const page = rows.slice(0, limit).map(userFromRow);
    const last = page.at(-1);
    return { users: page.map((user) => userView(user)), next_cursor: rows.length > limit && last ? encodeCursor(last) : null };
  }

  async get(userId: string): Promise<UserView> {
    return userView(await this.user(userId));
  }

  /** One user by id or by email (`tessera users show`); an id never holds `@`, an address always does. */
  async find(idOrEmail: string): Promise<UserView> {
    if (!idOrEmail.includes('@')) return this.get(idOrEmail);
    const row = await findUserByEmail(this.deps.db, normalizeEmail(idOrEmail));
    if (!row) throw new OAuthError('not_found', 'no such user');
    return userView(userFromRow(row));
  }

  /**
   * Deletes the account as `DELETE /auth/me` does (account-deletion.ts), on an administrator's
   * word instead of the user's password; the `user.deleted` event names the admin as its actor.
   */
  async delete(userId: string, actor: Actor): Promise<UserView> {
    const view = userView(await this.user(userId));
    await deleteAccount(this.deps.db, this.deps.clock, userId, actor.id);
    return view;
  }

  async setRole(userId: string, rawRole: string, actor: Actor): Promise<UserView> {
    const role = checkRole(rawRole);
    const user = await this.user(userId);
    if (user.role !== role) {
      await this.deps.db.transaction().execute(async (tx) => {
        await updateUser(tx, userId, userChanges({ role, updatedAt: this.deps.clock.now() }));
        await audit(tx, { event: 'user.role_changed', userId, actorId: actor.id, meta: actor.meta, detail: { from: user.role, to: role } }, this.deps.clock.now());
      });
    }
    return this.get(userId);
  }

  /** Disabling ends all the user's tokens (docs/accounts.md, The admin API). */
  async setDisabled(userId: string, disabled: boolean, actor: Actor): Promise<UserView> {
    const user = await this.user(userId);
    if (user.disabled !== disabled) {
      await this.deps.db.transaction().execute(async (tx) => {
        await updateUser(tx, userId, userChanges({ disabled, updatedAt: this.deps.clock.now() }));
        if (disabled) await this.deps.sessions.endAll(tx, userId, 'user_disabled');
        await audit(tx, { event: disabled ? 'user.disabled' : 'user.enabled', userId, actorId: actor.id, meta: actor.meta }, this.deps.clock.now());
      });
      if (disabled) this.deps.sessions.sessionsEnded();
    }
    return this.get(userId);
  }

  async unlock(userId: string, actor: Actor): Promise<UserView> {
    const user = await this.user(userId);
    await this.deps.db.transaction().execute(async (tx) => {
      await this.deps.lockout.reset(tx, user.email);
      await audit(tx, { event: 'user.unlocked', userId, actorId: actor.id, meta: actor.meta }, this.deps.clock.now());
    });
    return this.get(userId);
  }

  private async user(userId: string): Promise<User> {
    const row = userId.length <= 64 ? await findUserById(this.deps.db, userId) : undefined;
    if (!row) throw new OAuthError('not_found', 'no such user');
    return userFromRow(row);
  }
}

function checkRole(role: string): Role {
  if (!ROLES.includes(role as Role)) throw new OAuthError('invalid_request', `role must be one of ${ROLES.join(', ')}`);
  return role as Role;
}
