import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import sqlite3 from 'sqlite3';
import type { RunResult, SqlDialect, SqlExecutor, SqlValue } from '../../lib/backends/sql/executor.js';

/**
 * Small SQL executors for the indexer tests, independent of the storage
 * layer: a "process" is a set of connections of its own, so two of them on
 * one database behave like the web server and the mail gateway.
 */

/** A write transaction of a test process. */
export interface TestTransaction extends SqlExecutor {
  commit(): Promise<void>;
  rollback(): Promise<void>;
}

/** One simulated process: a reader for committed data and a writer for transactions. */
export interface TestProcess {
  readonly dialect: SqlDialect;
  /** Reads outside any transaction: always the latest committed data. */
  readonly reader: SqlExecutor;
  /** Starts a write transaction holding the database's write lock (SQLite) or a dedicated client (PostgreSQL). */
  begin(): Promise<TestTransaction>;
  close(): Promise<void>;
}

/** A throwaway database that several test processes can open. */
export interface TestDatabase {
  readonly dialect: SqlDialect;
  open(): Promise<TestProcess>;
  /** Closes every process opened on it and deletes the database. */
  destroy(): Promise<void>;
}

// ---------------------------------------------------------------- SQLite

class SqliteConnection implements SqlExecutor {
  readonly dialect = 'sqlite' as const;
  constructor(private readonly db: sqlite3.Database) {}

  static open(file: string): Promise<SqliteConnection> {
    return new Promise((resolve, reject) => {
      const db = new sqlite3.Database(file, (err) => {
        if (err) return reject(err);
        db.configure('busyTimeout', 10_000);
        resolve(new SqliteConnection(db));
      });
    });
  }

  all<T = Record<string, unknown>>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return new Promise((resolve, reject) => {
      this.db.all(sql, params as unknown[], (err, rows) => (err ? reject(err) : resolve(rows as T[])));
    });
  }

  run(sql: string, params: readonly SqlValue[] = []): Promise<RunResult> {
    return new Promise((resolve, reject) => {
      this.db.run(sql, params as unknown[], function (this: sqlite3.RunResult, err: Error | null) {
        if (err) reject(err);
        else resolve({ changes: this.changes });
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) => this.db.close((err) => (err ? reject(err) : resolve())));
  }
}

/**
 * A transaction object lives for one transaction only, like the storage
 * layer's. It registers itself in `open` until it ends, so a process can
 * roll back what a failed test left behind instead of hanging on it.
 */
class Transaction implements TestTransaction {
  private done = false;
  constructor(
    readonly dialect: SqlDialect,
    private readonly conn: SqlExecutor,
    private readonly end: (sql: 'COMMIT' | 'ROLLBACK') => Promise<void>,
    private readonly open: Set<Transaction>,
  ) {
    open.add(this);
  }

  all<T = Record<string, unknown>>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    if (this.done) throw new Error('the test transaction has ended');
    return this.conn.all<T>(sql, params);
  }

  run(sql: string, params?: readonly SqlValue[]): Promise<RunResult> {
    if (this.done) throw new Error('the test transaction has ended');
    return this.conn.run(sql, params);
  }

  commit(): Promise<void> {
    if (this.done) throw new Error('the test transaction has ended');
    this.done = true;
    this.open.delete(this);
    return this.end('COMMIT');
  }

  async rollback(): Promise<void> {
    if (this.done) return;
    this.done = true;
    this.open.delete(this);
    await this.end('ROLLBACK');
  }
}

/** Rolls back whatever a process left open (a failed test), then closes it. */
async function abandon(open: Set<Transaction>, close: () => Promise<void>): Promise<void> {
  await Promise.all([...open].map((tx) => tx.rollback().catch(() => undefined)));
  await close();
}

/** A fresh SQLite file in WAL mode under the system temp folder. */
export function createSqliteTestDatabase(): TestDatabase {
  const dir = mkdtempSync(join(tmpdir(), 'rup-indexer-'));
  const file = join(dir, 'db.sqlite');
  const open: TestProcess[] = [];
  return {
    dialect: 'sqlite',
    async open() {
      const writer = await SqliteConnection.open(file);
      await writer.run('PRAGMA journal_mode=WAL');
      const reader = await SqliteConnection.open(file);
      let closed = false;
      const transactions = new Set<Transaction>();
      const proc: TestProcess = {
        dialect: 'sqlite',
        reader,
        async begin() {
          // IMMEDIATE: the write lock is taken now and held until the end, as in the storage layer.
          await writer.run('BEGIN IMMEDIATE');
          return new Transaction('sqlite', writer, async (sql) => void (await writer.run(sql)), transactions);
        },
        close: () =>
          abandon(transactions, async () => {
            if (closed) return;
            closed = true;
            await reader.close();
            await writer.close();
          }),
      };
      open.push(proc);
      return proc;
    },
    async destroy() {
      // Concurrently: one process's rollback may be what another's pending statement waits for.
      await Promise.all(open.splice(0).map((proc) => proc.close()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// ------------------------------------------------------------ PostgreSQL

function pgConfig(): pg.PoolConfig {
  return {
    host: process.env.PGHOST ?? '127.0.0.1',
    port: Number(process.env.PGPORT ?? 5432),
    user: process.env.PGUSER ?? 'postgres',
    password: process.env.PGPASSWORD,
    database: process.env.PGDATABASE ?? 'test',
    connectionTimeoutMillis: 3000,
  };
}

function toPg(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

class PgExecutor implements SqlExecutor {
  readonly dialect = 'postgresql' as const;
  constructor(private readonly q: pg.Pool | pg.PoolClient) {}

  async all<T = Record<string, unknown>>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return (await this.q.query(toPg(sql), params as unknown[])).rows as T[];
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<RunResult> {
    return { changes: (await this.q.query(toPg(sql), params as unknown[])).rowCount ?? 0 };
  }
}

/**
 * A throwaway schema in the PostgreSQL named by PGHOST etc. (default
 * 127.0.0.1:5432, user postgres, database test), or the reason it cannot be
 * reached, for the caller to skip with.
 */
export async function createPostgresTestDatabase(): Promise<TestDatabase | string> {
  const config = pgConfig();
  const admin = new pg.Client(config);
  try {
    await admin.connect();
  } catch (err) {
    return `PostgreSQL is not reachable at ${config.host}:${config.port} (database ${config.database}): ${(err as Error).message}`;
  }
  const schema = `rup_indexer_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  await admin.query(`CREATE SCHEMA ${schema}`);
  const closers: Array<() => Promise<void>> = [];
  return {
    dialect: 'postgresql',
    async open() {
      const pool = new pg.Pool({ ...config, options: `-c search_path=${schema}` });
      let closed = false;
      const transactions = new Set<Transaction>();
      const close = () =>
        abandon(transactions, async () => {
          if (closed) return;
          closed = true;
          await pool.end();
        });
      closers.push(close);
      return {
        dialect: 'postgresql',
        reader: new PgExecutor(pool),
        async begin() {
          const client = await pool.connect();
          await client.query('BEGIN');
          return new Transaction('postgresql', new PgExecutor(client), async (sql) => {
            try {
              await client.query(sql);
            } finally {
              client.release();
            }
          }, transactions);
        },
        close,
      };
    },
    async destroy() {
      await Promise.all(closers.splice(0).map((close) => close()));
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.end();
    },
  };
}
