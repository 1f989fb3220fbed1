// Opens the database named by DATABASE_URL: SQLite through better-sqlite3 (the embedded default)
// or PostgreSQL through pg. Everything above this file speaks Kysely and does not know which.
import { mkdirSync } from 'node:fs';
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
}

export function openDatabase(url: string): OpenDatabase {
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    return { db: new Kysely<Database>({ dialect: new PostgresDialect({ pool: postgresPool(url) }) }), dialect: 'postgres' };
  }
  const path = url.slice('sqlite:'.length);
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
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
  };
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
