// Kysely's SQLite dialect with a driver of our own. better-sqlite3 has one connection and runs each
// statement synchronously, so queries take turns on it; Kysely's driver makes every waiter retry
// whenever the connection is released (all of them wake, one wins), which under 50 concurrent
// introspections cost more than the queries themselves (measured: docs/performance.md). Here the
// connection is handed to the next waiter in arrival order, and taken at once when it is free.
// Prepared statements are cached by their SQL text, which Kysely builds with placeholders: the
// number of distinct texts is bounded by the code, not the data.
//
// readNow() runs a read at once, synchronously, when nobody holds the connection: no transaction
// is open on it then, so the read sees committed data only, exactly as a queued one would. It is
// this project's own API, handed out by openDatabase() for the one read on every introspection
// (repositories/revoked-tokens.ts); everything else goes through Kysely's executor.
import type SQLite from 'better-sqlite3';
import { FifoSlots } from '../concurrency/fifo-slots.js';
import { CompiledQuery, SqliteDialect, type DatabaseConnection, type Driver, type QueryResult } from 'kysely';

const MAX_STATEMENTS = 1000;

export class TesseraSqliteDialect extends SqliteDialect {
  constructor(private readonly driver: SqliteDriver) {
    super({ database: driver.database });
  }

  override createDriver(): Driver {
    return this.driver;
  }
}

export class SqliteDriver implements Driver {
  private readonly connection: SqliteConnection;
  private readonly slot = new FifoSlots(1);

  constructor(readonly database: SQLite.Database) {
    this.connection = new SqliteConnection(database);
  }

  async init(): Promise<void> {}

  /** The rows of a read, or undefined if the connection is taken (the caller queues instead). */
  readNow(sql: string, parameters: readonly unknown[]): unknown[] | undefined {
    if (!this.slot.free) return undefined;
    return this.connection.read(sql, parameters);
  }

  acquireConnection(): Promise<DatabaseConnection> {
    return this.slot.take().then(() => this.connection);
  }

  async releaseConnection(): Promise<void> {
    this.slot.release();
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin'));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async destroy(): Promise<void> {
    this.database.close();
  }
}

class SqliteConnection implements DatabaseConnection {
  private readonly statements = new Map<string, SQLite.Statement>();

  constructor(private readonly database: SQLite.Database) {}

  executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const statement = this.prepare(compiledQuery.sql);
    const parameters = compiledQuery.parameters as unknown[];
    if (statement.reader) return Promise.resolve({ rows: statement.all(parameters) as R[] });
    const { changes, lastInsertRowid } = statement.run(parameters);
    return Promise.resolve({ numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] });
  }

  read(sql: string, parameters: readonly unknown[]): unknown[] {
    const statement = this.prepare(sql);
    if (!statement.reader) throw new Error('readNow() is for statements that return rows');
    return statement.all(parameters as unknown[]);
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming queries are not supported on SQLite');
  }

  private prepare(sql: string): SQLite.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      if (this.statements.size >= MAX_STATEMENTS) this.statements.clear();
      statement = this.database.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }
}
