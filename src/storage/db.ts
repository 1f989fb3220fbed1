// Opens the database named by DATABASE_URL: SQLite through better-sqlite3 (the embedded default)
// or PostgreSQL through pg. Everything above this file speaks Kysely and does not know which.
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, type Transaction } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';
import { SqliteDriver, TesseraSqliteDialect } from './sqlite-driver.js';

export type Db = Kysely<Database>;
/** A repository function takes either the database or a transaction as its first argument. */
export type DbOrTx = Kysely<Database> | Transaction<Database>;
export type Dialect = 'sqlite' | 'postgres';

/** Runs a read at once if it can (its rows), or says it cannot (undefined): see sqlite-driver.ts. */
export type ImmediateReader = (sql: string, parameters: readonly unknown[]) => unknown[] | undefined;

export interface OpenDatabase {
  db: Db;
  dialect: Dialect;
  /** SQLite only: the driver's immediate reader, for the read on every introspection. */
  readNow?: ImmediateReader;
  /**
   * SQLite only: copies the open database to `file` with SQLite's online backup API, page by page,
   * consistent while other connections (a running server) read and write (`tessera backup`).
   */
  backup?: (file: string) => Promise<void>;
}

/** Whether DATABASE_URL names PostgreSQL (anything else is a SQLite path). */
export const isPostgresUrl = (url: string) => url.startsWith('postgres://') || url.startsWith('postgresql://');

export function openDatabase(url: string): OpenDatabase {
  if (isPostgresUrl(url)) {
    return { db: new Kysely<Database>({ dialect: new PostgresDialect({ pool: postgresPool(url) }) }), dialect: 'postgres' };
  }
  const path = url.slice('sqlite:'.length);
  if (path !== ':memory:') createOwnerOnly(path);
  const database = new SQLite(path);
  // WAL lets readers run beside the one writer; a writer waits up to 5 s for another process's
  // transaction instead of failing at once; foreign keys are off by default in SQLite.
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('busy_timeout = 5000');
  database.pragma('foreign_keys = ON');
  const driver = new SqliteDriver(database);
  return {
    db: new Kysely<Database>({ dialect: new TesseraSqliteDialect(driver) }),
    dialect: 'sqlite',
    readNow: (sql, parameters) => driver.readNow(sql, parameters),
    backup: async (file) => void (await database.backup(file)),
  };
}

/**
 * The database holds password hashes and sealed keys: its folder (when we make it) is 0700 and a
 * new file 0600, whatever the umask (open's mode can only be narrowed by it). SQLite gives the
 * -wal and -shm files it creates the mode of the database file (its unix VFS, robust_open), so
 * they are 0600 too. An existing file keeps the mode it has (README, Operations).
 */
function createOwnerOnly(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  try {
    closeSync(openSync(path, 'wx', 0o600));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}

function postgresPool(url: string): pg.Pool {
  // BIGINT (int8) columns hold millisecond timestamps, well inside Number's safe range; pg would
  // return them as strings by default.
  const types = {
    getTypeParser: (oid: number, format?: 'text' | 'binary') =>
      oid === 20 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text'),
  };
  const pool = new pg.Pool({ connectionString: url, max: 10, types, connectionTimeoutMillis: 5000 });
  // An idle connection that the server ends (a restart, pg_terminate_backend, DROP DATABASE … FORCE)
  // is emitted as 'error' on the pool, and with no listener that crashes the process. pg has
  // already dropped the client; the next query opens a new connection, or fails and answers 503.
  pool.on('error', () => {});
  return pool;
}
