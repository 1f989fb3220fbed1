// A migrated database of one dialect for the storage conformance suite (test/storage/conformance/),
// and the rows that many repositories hang off (a user, a session), inserted through the
// repositories themselves.
import type { ExecutionContext } from 'ava';
import { loadConfig, type Config } from '../../src/config/config.js';
import { randomId } from '../../src/crypto/random.js';
import { openDatabase, type Db } from '../../src/storage/db.js';
import { migrateToLatest } from '../../src/storage/migrate.js';
import { insertSession } from '../../src/storage/repositories/sessions.js';
import { insertUser } from '../../src/storage/repositories/users.js';
import type { SessionTable, UserTable } from '../../src/storage/schema.js';
import type { Insertable } from 'kysely';
import { tempDir, testDatabaseUrl, type DialectName } from './env.js';

export interface TestDatabase {
  db: Db;
  config: Config;
  dir: string;
}

/** A fresh database of `dialect`, closed after the test; migrated unless `migrate` is false. */
export async function openTestDatabase(t: ExecutionContext, dialect: DialectName, { migrate = true } = {}): Promise<TestDatabase> {
  const dir = tempDir(t);
  const url = await testDatabaseUrl(t, dir, dialect);
  const { db } = openDatabase(url);
  t.teardown(() => db.destroy());
  if (migrate) await migrateToLatest(db);
  return { db, config: loadConfig({ DATABASE_URL: url, KEYS_DIR: `${dir}/keys` }), dir };
}

export const T0 = Date.UTC(2026, 0, 1);

let users = 0;
export async function addUser(db: Db, fields: Partial<Insertable<UserTable>> = {}): Promise<string> {
  users += 1;
  const id = fields.id ?? randomId();
  await insertUser(db, {
    id,
    email: `user${users}.${id.toLowerCase()}@example.com`,
    email_verified: 1,
    pending_email: null,
    name: `User ${users}`,
    password_hash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA',
    role: 'user',
    disabled: 0,
    token_generation: 0,
    created_at: T0,
    updated_at: T0,
    totp_secret_sealed: null,
    totp_pending_sealed: null,
    totp_last_step: null,
    ...fields,
  });
  return id;
}

export async function addSession(db: Db, userId: string, fields: Partial<Insertable<SessionTable>> = {}): Promise<string> {
  const id = fields.id ?? randomId();
  await insertSession(db, {
    id,
    user_id: userId,
    client_id: 'tessera',
    token_generation: 0,
    amr: 'pwd',
    auth_time: T0,
    created_at: T0,
    last_used_at: T0,
    expires_at: T0 + 86_400_000,
    ended_at: null,
    end_reason: null,
    ip: null,
    user_agent: null,
    ...fields,
  });
  return id;
}
