import sqlite3 from 'sqlite3';
import { debuglog } from 'node:util';
import { RupError } from '../../errors.js';
import { AsyncMutex } from './async-mutex.js';
import type { SqlBackend, WriteTransaction } from './backend.js';
import type { RunResult, SqlExecutor, SqlValue } from './executor.js';

const debug = debuglog('rup:db');

/** SQLite result codes that mean "someone else holds the lock". */
const BUSY_CODES = new Set(['SQLITE_BUSY', 'SQLITE_LOCKED']);

function wrapError(err: Error & { code?: string }, sql: string): Error {
  if (err.code && BUSY_CODES.has(err.code)) {
    return new RupError('RUP_ERR_LOCKED', `the database is locked by another process (${err.message})`, { cause: err });
  }
  if (err.code === 'SQLITE_CONSTRAINT') return err;
  return new RupError('RUP_ERR_DATABASE', `${err.message} (in: ${sql.slice(0, 200)})`, { cause: err });
}

/** Prepared statements kept per connection (the texts of multi-row INSERTs vary too much to be worth keeping). */
const PREPARED_STATEMENTS = 200;
const PREPARED_MAX_SQL_LENGTH = 4096;

/**
 * One sqlite3 connection as a promise-based executor. Statements are
 * prepared once and reused (sqlite3's own `all`/`run` prepare, run and
 * finalize each time: two trips through the thread pool and a parse
 * instead of one trip).
 */
class SqliteConnection implements SqlExecutor {
  readonly dialect = 'sqlite' as const;
  statements = 0;
  /** Prepared statements by SQL text, least recently used first. */
  private readonly prepared = new Map<string, Promise<sqlite3.Statement>>();

  private constructor(private readonly db: sqlite3.Database) {}

  static open(file: string, busyTimeoutMs: number): Promise<SqliteConnection> {
    return new Promise((resolve, reject) => {
      const db = new sqlite3.Database(file, sqlite3.OPEN_READWRITE | sqlite3.OPEN_CREATE, (err) => {
        if (err) {
          reject(new RupError('RUP_ERR_DATABASE', `cannot open the database ${file}: ${err.message}`, { cause: err }));
          return;
        }
        db.configure('busyTimeout', busyTimeoutMs);
        resolve(new SqliteConnection(db));
      });
    });
  }

  /** The prepared statement of `sql`, or null for a text not worth keeping. */
  private statement(sql: string): Promise<sqlite3.Statement> | null {
    if (sql.length > PREPARED_MAX_SQL_LENGTH) return null;
    let stmt = this.prepared.get(sql);
    if (stmt) {
      this.prepared.delete(sql);
    } else {
      stmt = new Promise((resolve, reject) => {
        // A statement whose preparation failed never answers: it is only used once prepared.
        const prepared = this.db.prepare(sql, (err) => (err ? reject(wrapError(err, sql)) : resolve(prepared)));
      });
      stmt.catch(() => this.forget(sql, stmt!));
      if (this.prepared.size >= PREPARED_STATEMENTS) {
        const [oldest, evicted] = this.prepared.entries().next().value!;
        this.forget(oldest, evicted);
      }
    }
    this.prepared.set(sql, stmt);
    return stmt;
  }

  /** Drops a prepared statement (after an error, or to make room), finalizing it once its queued work is done. */
  private forget(sql: string, stmt: Promise<sqlite3.Statement>): void {
    if (this.prepared.get(sql) === stmt) this.prepared.delete(sql);
    stmt.then((s) => s.finalize(), () => undefined);
  }

  async all<T = Record<string, unknown>>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    debug('%s %j', sql, params);
    this.statements++;
    const prepared = this.statement(sql);
    if (!prepared) {
      return new Promise((resolve, reject) => {
        this.db.all(sql, params as unknown[], (err, rows) => (err ? reject(wrapError(err, sql)) : resolve(rows as T[])));
      });
    }
    const stmt = await prepared;
    return new Promise((resolve, reject) => {
      stmt.all(params as unknown[], (err, rows) => {
        if (!err) return resolve(rows as T[]);
        this.forget(sql, prepared);
        reject(wrapError(err, sql));
      });
    });
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<RunResult> {
    debug('%s %j', sql, params);
    this.statements++;
    const prepared = this.statement(sql);
    if (!prepared) {
      return new Promise((resolve, reject) => {
        this.db.run(sql, params as unknown[], function (this: sqlite3.RunResult, err: Error | null) {
          if (err) reject(wrapError(err, sql));
          else resolve({ changes: this.changes });
        });
      });
    }
    const stmt = await prepared;
    const forget = () => this.forget(sql, prepared);
    return new Promise((resolve, reject) => {
      stmt.run(params as unknown[], function (this: sqlite3.RunResult, err: Error | null) {
        if (!err) return resolve({ changes: this.changes });
        forget();
        reject(wrapError(err, sql));
      });
    });
  }

  exec(sql: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.db.exec(sql, (err) => (err ? reject(wrapError(err, sql)) : resolve()));
    });
  }

  async close(): Promise<void> {
    const statements = [...this.prepared.values()];
    this.prepared.clear();
    for (const stmt of statements) {
      const s = await stmt.catch(() => null);
      if (s) await new Promise<void>((resolve) => s.finalize(() => resolve()));
    }
    await new Promise<void>((resolve, reject) => this.db.close((err) => (err ? reject(err) : resolve())));
  }
}

/**
 * SQLite in WAL mode: one writer connection per process, used by one write
 * transaction at a time (an in-process FIFO lock), and one reader
 * connection for reads outside a transaction. BEGIN IMMEDIATE takes the
 * database write lock up front, so a transaction never fails halfway
 * because another process (mail gateway, admin tool) writes; it waits up to
 * the busy timeout and then fails with RUP_ERR_LOCKED.
 */
export class SqliteBackend implements SqlBackend {
  readonly dialect = 'sqlite' as const;
  private readonly writerLock = new AsyncMutex();

  private constructor(
    private readonly writer: SqliteConnection,
    readonly reader: SqliteConnection,
    private readonly timeoutMs: number,
    readonly file: string,
  ) {}

  /** Opens (creating if needed) the database file. `timeoutMs` is `[rdbms] sqlite_timeout` in ms. */
  static async open(file: string, timeoutMs: number): Promise<SqliteBackend> {
    const writer = await SqliteConnection.open(file, timeoutMs);
    try {
      await writer.exec('PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=OFF;');
      const reader = await SqliteConnection.open(file, timeoutMs);
      return new SqliteBackend(writer, reader, timeoutMs, file);
    } catch (err) {
      await writer.close();
      throw err;
    }
  }

  get statements(): number {
    return this.reader.statements + this.writer.statements;
  }

  async beginWrite(): Promise<WriteTransaction> {
    const release = await this.writerLock.acquire(this.timeoutMs, `the database ${this.file}`);
    try {
      await this.writer.run('BEGIN IMMEDIATE');
    } catch (err) {
      release();
      throw err;
    }
    return new SqliteTransaction(this.writer, release);
  }

  async close(): Promise<void> {
    const release = await this.writerLock.acquire(this.timeoutMs, `the database ${this.file}`);
    try {
      // Keeps the query planner's statistics current, as SQLite recommends on close.
      await this.writer.exec('PRAGMA optimize').catch(() => undefined);
      await this.reader.close();
      await this.writer.close();
    } finally {
      release();
    }
  }
}

class SqliteTransaction implements WriteTransaction {
  readonly dialect = 'sqlite' as const;
  private done = false;

  constructor(
    private readonly conn: SqliteConnection,
    private readonly release: () => void,
  ) {}

  private check(): void {
    if (this.done) throw new RupError('RUP_ERR_DATABASE', 'the transaction has already ended');
  }

  all<T = Record<string, unknown>>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    this.check();
    return this.conn.all<T>(sql, params);
  }

  run(sql: string, params?: readonly SqlValue[]): Promise<RunResult> {
    this.check();
    return this.conn.run(sql, params);
  }

  async commit(): Promise<void> {
    this.check();
    try {
      await this.conn.run('COMMIT');
    } catch (err) {
      await this.conn.run('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      this.done = true;
      this.release();
    }
  }

  async rollback(): Promise<void> {
    if (this.done) return;
    this.done = true;
    try {
      await this.conn.run('ROLLBACK');
    } finally {
      this.release();
    }
  }
}
