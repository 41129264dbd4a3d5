import type { SqlDialect, SqlExecutor } from './executor.js';

/**
 * A write transaction: everything a unit of work changes goes through one,
 * and becomes visible to others only at `commit`.
 */
export interface WriteTransaction extends SqlExecutor {
  commit(): Promise<void>;
  rollback(): Promise<void>;
}

/**
 * A connection manager for one tracker database in one process.
 *
 * Reads outside a write transaction go to `reader` and see the latest
 * committed data. `beginWrite` waits for the process's writer (SQLite has
 * one writer connection per process; PostgreSQL hands out a pooled client)
 * and opens a transaction that holds the database's write lock until it
 * ends, so read-modify-write sequences inside it are safe across processes.
 */
export interface SqlBackend {
  readonly dialect: SqlDialect;
  readonly reader: SqlExecutor;
  /** Statements sent so far (reads and writes), to prove a page costs a constant number of queries. */
  readonly statements: number;
  beginWrite(): Promise<WriteTransaction>;
  close(): Promise<void>;
}
