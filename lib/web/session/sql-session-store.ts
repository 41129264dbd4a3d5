import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { SqlBackend } from '../../backends/sql/backend.js';
import { SqliteBackend } from '../../backends/sql/sqlite-backend.js';
import { type Dialect, dialectFor, q } from '../../backends/sql/dialect.js';
import type { SqlExecutor } from '../../backends/sql/executor.js';
import {
  type EphemeralTable,
  type RecordData,
  type RecordUpdate,
  RECORD_EXPIRY_SECONDS,
  type SessionBackend,
  type StoredRecord,
  isExpired,
} from './session-store.js';

/**
 * Sessions and one-time keys in two tables of the tracker's own database,
 * with Roundup's rdbms layout (`roundup/backends/sessions_rdbms.py`):
 * `sessions(session_key, session_time, session_value)` and
 * `otks(otk_key, otk_time, otk_value)`, the time in seconds since the
 * epoch, the value a JSON object (Roundup keeps a Python repr).
 *
 * Every change runs in its own short write transaction of the tracker's
 * backend, so several processes (server workers, the mail gateway, the
 * admin tool) share the stores safely. The caller must not hold this
 * process's write transaction at the same time (an open unit of work that
 * has written): on SQLite the process has one writer, so the store would
 * wait for it until the lock timeout.
 */

/** The two tables: name and column prefix (`session` → `session_key`). */
const TABLES = [
  { table: 'sessions', prefix: 'session' },
  { table: 'otks', prefix: 'otk' },
] as const;

/** PostgreSQL advisory lock taken while creating the tables (two processes may open the tracker at once). */
const TABLES_LOCK_KEY = 0x52555053 + 1;

/**
 * Creates the session and one-time-key tables and their time indexes if
 * they are missing. Runs inside the caller's write transaction; idempotent.
 * Meant to be called where the tracker brings its database in line with
 * the schema; the stores also call it once per process on first use.
 */
export async function ensureSessionTables(exec: SqlExecutor, dialect: Dialect): Promise<void> {
  if (dialect.name === 'postgresql') await exec.all('SELECT pg_advisory_xact_lock(?)', [TABLES_LOCK_KEY]);
  for (const { table, prefix } of TABLES) {
    await exec.run(
      `CREATE TABLE IF NOT EXISTS ${q(table)} (${prefix}_key VARCHAR(255) PRIMARY KEY, ` +
        `${prefix}_time ${dialect.types.double} NOT NULL, ${prefix}_value ${dialect.types.text} NOT NULL)`,
    );
    await exec.run(`CREATE INDEX IF NOT EXISTS ${q(`${table}_time_idx`)} ON ${q(table)} (${prefix}_time)`);
  }
}

/** Table creation, once per backend per process. */
const tablesReady = new WeakMap<SqlBackend, Promise<void>>();

function ensureOnce(backend: SqlBackend): Promise<void> {
  let ready = tablesReady.get(backend);
  if (!ready) {
    ready = inTransaction(backend, (tx) => ensureSessionTables(tx, dialectFor(backend.dialect)));
    // A failure (database briefly locked) must not stick: the next use tries again.
    ready.catch(() => tablesReady.delete(backend));
    tablesReady.set(backend, ready);
  }
  return ready;
}

async function inTransaction<T>(backend: SqlBackend, fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
  const tx = await backend.beginWrite();
  try {
    const result = await fn(tx);
    await tx.commit();
    return result;
  } catch (err) {
    await tx.rollback();
    throw err;
  }
}

/** A signed 63-bit number naming a key, for PostgreSQL's advisory locks. */
function lockKey(table: string, key: string): string {
  const digest = createHash('sha256').update(`${table}\0${key}`).digest();
  return (digest.readBigInt64BE(0) >> 1n).toString();
}

function parseData(text: string): RecordData {
  const value: unknown = JSON.parse(text);
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as RecordData) : {};
}

interface Row {
  value: string;
  time: number;
}

class SqlTable implements EphemeralTable {
  private readonly key: string;
  private readonly time: string;
  private readonly value: string;
  private readonly name: string;

  constructor(
    /** The database holding the table (opened on first use). */
    private readonly backend: () => Promise<SqlBackend>,
    table: string,
    prefix: string,
  ) {
    this.name = q(table);
    this.key = `${prefix}_key`;
    this.time = `${prefix}_time`;
    this.value = `${prefix}_value`;
  }

  private async write<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const backend = await this.backend();
    await ensureOnce(backend);
    return inTransaction(backend, fn);
  }

  private select(exec: SqlExecutor, key: string): Promise<Row[]> {
    return exec.all<Row>(`SELECT ${this.value} AS value, ${this.time} AS time FROM ${this.name} WHERE ${this.key} = ?`, [key]);
  }

  private record(row: Row | undefined, now: number): StoredRecord | null {
    if (!row || isExpired(Number(row.time), now)) return null;
    return { data: parseData(row.value), timestamp: Number(row.time) };
  }

  private upsertSql(): string {
    return (
      `INSERT INTO ${this.name} (${this.key}, ${this.time}, ${this.value}) VALUES (?, ?, ?) ` +
      `ON CONFLICT (${this.key}) DO UPDATE SET ${this.time} = excluded.${this.time}, ${this.value} = excluded.${this.value}`
    );
  }

  async get(key: string, now: number): Promise<StoredRecord | null> {
    const backend = await this.backend();
    await ensureOnce(backend);
    return this.record((await this.select(backend.reader, key))[0], now);
  }

  async set(key: string, data: RecordData, timestamp: number): Promise<void> {
    await this.write((tx) => tx.run(this.upsertSql(), [key, timestamp, JSON.stringify(data)]));
  }

  async take(key: string, now: number): Promise<StoredRecord | null> {
    const rows = await this.write((tx) =>
      tx.all<Row>(`DELETE FROM ${this.name} WHERE ${this.key} = ? RETURNING ${this.value} AS value, ${this.time} AS time`, [key]),
    );
    return this.record(rows[0], now);
  }

  async update(key: string, now: number, change: (current: StoredRecord | null) => RecordUpdate): Promise<RecordUpdate> {
    return this.write(async (tx) => {
      // SQLite's BEGIN IMMEDIATE already excludes every other writer; on
      // PostgreSQL a lock on the key makes concurrent updates take turns,
      // including when the record does not exist yet.
      if (tx.dialect === 'postgresql') await tx.all('SELECT pg_advisory_xact_lock(?::bigint)', [lockKey(this.name, key)]);
      const next = change(this.record((await this.select(tx, key))[0], now));
      if (next === null) await tx.run(`DELETE FROM ${this.name} WHERE ${this.key} = ?`, [key]);
      else await tx.run(this.upsertSql(), [key, next.timestamp, JSON.stringify(next.data)]);
      return next;
    });
  }

  async destroy(key: string): Promise<void> {
    await this.write((tx) => tx.run(`DELETE FROM ${this.name} WHERE ${this.key} = ?`, [key]));
  }

  async touch(key: string, now: number, minAgeSeconds: number): Promise<void> {
    await this.write((tx) =>
      tx.run(`UPDATE ${this.name} SET ${this.time} = ? WHERE ${this.key} = ? AND ${this.time} < ?`, [now, key, now - minAgeSeconds]),
    );
  }

  async clean(now: number): Promise<number> {
    const result = await this.write((tx) => tx.run(`DELETE FROM ${this.name} WHERE ${this.time} < ?`, [now - RECORD_EXPIRY_SECONDS]));
    return result.changes;
  }
}

/** The session backend that keeps both stores in the tracker's SQL database (PostgreSQL). */
export function sqlSessionBackend(backend: SqlBackend): SessionBackend {
  return {
    kind: 'sql',
    sessions: new SqlTable(async () => backend, 'sessions', 'session'),
    otks: new SqlTable(async () => backend, 'otks', 'otk'),
    close: async () => undefined,
  };
}

/**
 * The session backend of a tracker on SQLite: Roundup's own files
 * `db-session` and `db-otk` beside `db` in the database directory, each
 * opened on first use. Kept apart so that their writes (a login, a used
 * CSRF token, a session kept alive) are not changes of the tracker's
 * data: SQLite's change counter, which the web layer's caches follow,
 * moves only for the tracker's data.
 */
export function sqliteSessionBackend(databaseDir: string, timeoutMs: number): SessionBackend {
  const opened: Array<Promise<SqlBackend>> = [];
  const lazily = (file: string): (() => Promise<SqlBackend>) => {
    let backend: Promise<SqlBackend> | null = null;
    return () => {
      if (!backend) {
        const opening = SqliteBackend.open(join(databaseDir, file), timeoutMs);
        // A failed open (a locked or unwritable file) is retried by the next use.
        opening.catch(() => {
          if (backend === opening) backend = null;
        });
        backend = opening;
        opened.push(opening);
      }
      return backend;
    };
  };
  return {
    kind: 'sqlite',
    sessions: new SqlTable(lazily('db-session'), 'sessions', 'session'),
    otks: new SqlTable(lazily('db-otk'), 'otks', 'otk'),
    async close() {
      const backends = await Promise.allSettled(opened.splice(0));
      for (const b of backends) if (b.status === 'fulfilled') await b.value.close();
    },
  };
}
