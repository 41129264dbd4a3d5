import pg from 'pg';
import { debuglog } from 'node:util';
import { RupError } from '../../errors.js';
import type { SqlBackend, WriteTransaction } from './backend.js';
import type { RunResult, SqlExecutor, SqlValue } from './executor.js';

const debug = debuglog('rup:db');

/** Our SQL uses `?` everywhere; PostgreSQL wants `$1..$n`. No literal in our SQL contains a `?`. */
export function toPgPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

// BIGINT counts and sums arrive as strings by default; ours fit in a double.
const types = {
  getTypeParser(oid: number, format?: string) {
    if (oid === pg.types.builtins.INT8) return (v: string) => Number(v);
    if (oid === pg.types.builtins.NUMERIC) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

/** SQLSTATE codes that mean "waited too long for a lock" or "deadlock". */
const LOCK_STATES = new Set(['55P03', '40P01']);

function wrapError(err: Error & { code?: string }, sql: string): Error {
  if (err.code && LOCK_STATES.has(err.code)) {
    return new RupError('RUP_ERR_LOCKED', `the database is locked (${err.message})`, { cause: err });
  }
  if (err.code === '23505') return err;
  return new RupError('RUP_ERR_DATABASE', `${err.message} (in: ${sql.slice(0, 200)})`, { cause: err });
}

/** Statements sent by this process to any PostgreSQL database. */
let statementCount = 0;

async function query<T>(q: pg.Pool | pg.PoolClient, sql: string, params: readonly SqlValue[]): Promise<pg.QueryResult> {
  debug('%s %j', sql, params);
  statementCount++;
  try {
    return await q.query<T & pg.QueryResultRow>({ text: toPgPlaceholders(sql), values: params as unknown[], types });
  } catch (err) {
    throw wrapError(err as Error & { code?: string }, sql);
  }
}

class PgExecutor implements SqlExecutor {
  readonly dialect = 'postgresql' as const;
  constructor(protected readonly q: pg.Pool | pg.PoolClient) {}

  async all<T = Record<string, unknown>>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return (await query<T>(this.q, sql, params)).rows as T[];
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<RunResult> {
    return { changes: (await query(this.q, sql, params)).rowCount ?? 0 };
  }
}

class PgTransaction extends PgExecutor implements WriteTransaction {
  private done = false;
  constructor(private readonly client: pg.PoolClient) {
    super(client);
  }

  override all<T = Record<string, unknown>>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    if (this.done) throw new RupError('RUP_ERR_DATABASE', 'the transaction has already ended');
    return super.all<T>(sql, params);
  }

  override run(sql: string, params?: readonly SqlValue[]): Promise<RunResult> {
    if (this.done) throw new RupError('RUP_ERR_DATABASE', 'the transaction has already ended');
    return super.run(sql, params);
  }

  async commit(): Promise<void> {
    if (this.done) throw new RupError('RUP_ERR_DATABASE', 'the transaction has already ended');
    this.done = true;
    try {
      await query(this.client, 'COMMIT', []);
      this.client.release();
    } catch (err) {
      await this.client.query('ROLLBACK').catch(() => undefined);
      this.client.release();
      throw err;
    }
  }

  async rollback(): Promise<void> {
    if (this.done) return;
    this.done = true;
    try {
      await this.client.query('ROLLBACK');
      this.client.release();
    } catch (err) {
      this.client.release(err as Error);
    }
  }
}

export interface PostgresConnectionOptions {
  host?: string;
  port?: number;
  user?: string;
  password?: string;
  database: string;
  /** How long a statement may wait for a lock before RUP_ERR_LOCKED. */
  lockTimeoutMs: number;
  /** Schema (namespace) to use; tests use throwaway ones. */
  searchPath?: string;
  maxConnections?: number;
}

/** PostgreSQL through a `pg` pool: reads use the pool, each write transaction a dedicated client. */
export class PostgresBackend implements SqlBackend {
  readonly dialect = 'postgresql' as const;
  readonly reader: SqlExecutor;

  private constructor(private readonly pool: pg.Pool) {
    this.reader = new PgExecutor(pool);
  }

  static async open(options: PostgresConnectionOptions): Promise<PostgresBackend> {
    const settings = [`-c lock_timeout=${Math.round(options.lockTimeoutMs)}`];
    if (options.searchPath) settings.push(`-c search_path=${options.searchPath}`);
    const pool = new pg.Pool({
      host: options.host,
      port: options.port,
      user: options.user,
      password: options.password,
      database: options.database,
      max: options.maxConnections ?? 10,
      options: settings.join(' '),
    });
    // An idle client dropped by the server must not crash the process.
    pool.on('error', (err) => debug('idle client error: %s', err.message));
    try {
      const client = await pool.connect();
      client.release();
    } catch (err) {
      await pool.end();
      const e = err as Error;
      throw new RupError('RUP_ERR_DATABASE', `cannot connect to PostgreSQL database "${options.database}": ${e.message}`, { cause: e });
    }
    return new PostgresBackend(pool);
  }

  /** Counted per process (all pools), which is what a test comparing before and after needs. */
  get statements(): number {
    return statementCount;
  }

  async beginWrite(): Promise<WriteTransaction> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw new RupError('RUP_ERR_DATABASE', `cannot reach PostgreSQL: ${(err as Error).message}`, { cause: err });
    }
    try {
      await client.query('BEGIN');
    } catch (err) {
      client.release(err as Error);
      throw wrapError(err as Error, 'BEGIN');
    }
    return new PgTransaction(client);
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}
