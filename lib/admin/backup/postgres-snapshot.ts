/**
 * A consistent dump of a live PostgreSQL tracker database.
 *
 * PostgreSQL writers do not share one lock the way SQLite's do, but a
 * writer that stores file content holds locks the backup can take too
 * (the caller names them, see tracker-backup.ts), from before it writes
 * the content file until it commits. So:
 *
 * 1. one connection takes those locks with NOWAIT statements, retried
 *    until the lock timeout (it never waits in a queue, so it cannot
 *    deadlock with a writer); once it holds them, no writer of content
 *    is between writing a file and committing, and new ones wait;
 * 2. a second connection starts a REPEATABLE READ transaction and
 *    exports its snapshot: the database as of this instant;
 * 3. `atInstant` runs (the backup brings the file store up to the same
 *    instant), then the locks are released;
 * 4. pg_dump saves that snapshot (`--snapshot`), or, without pg_dump, the
 *    snapshot transaction itself writes an SQL script of every table.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import pg from 'pg';
import { PG_DUMP_FILE, PG_SQL_FILE, type PgConnection, runPgDump, writeSqlDump } from '../../backends/sql/postgresql-backup.js';
import { RupError } from '../../errors.js';

/** SQLSTATE of a NOWAIT lock that is held by someone else. */
const LOCK_NOT_AVAILABLE = '55P03';
/** Pause between two attempts at the locks. */
const RETRY_MS = 50;

export interface PostgresSnapshotOptions {
  conn: PgConnection;
  /**
   * Statements taking, with NOWAIT, the locks every writer of content
   * files holds from before it writes a file until it commits.
   */
  lockStatements: readonly string[];
  /** How long to keep trying for the locks (`[rdbms] sqlite_timeout`, as for the tracker's other lock waits). */
  lockTimeoutMs: number;
  /** The folder to write the dump into. */
  dumpDir: string;
  /** pg_dump to run (name or path), or false to write the SQL script without trying it. */
  pgDump: string | false;
  /** Work to do at the snapshot's instant, with writers of file items held off. */
  atInstant(): Promise<void>;
  /** Told about each table written to the SQL script (the pg_dump path reports nothing). */
  onTable?: (table: string) => void;
}

async function connect(conn: PgConnection): Promise<pg.Client> {
  const client = new pg.Client(conn);
  try {
    await client.connect();
  } catch (err) {
    throw new RupError('RUP_ERR_DATABASE', `cannot connect to PostgreSQL database "${conn.database}": ${(err as Error).message}`, { cause: err });
  }
  return client;
}

/** Runs the NOWAIT lock statements in one transaction of `client`, starting over while writers hold a lock. */
async function takeLocks(client: pg.Client, statements: readonly string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await client.query('BEGIN');
    try {
      for (const sql of statements) await client.query(sql);
      return;
    } catch (err) {
      await client.query('ROLLBACK');
      if ((err as { code?: string }).code !== LOCK_NOT_AVAILABLE) throw err;
      if (Date.now() >= deadline) {
        throw new RupError('RUP_ERR_LOCKED', `writers kept the database locked for more than ${timeoutMs / 1000} s`, { cause: err });
      }
      await sleep(RETRY_MS);
    }
  }
}

/** Dumps the database as it is at one instant; returns the dump file written. */
export async function snapshotPostgres(options: PostgresSnapshotOptions): Promise<string> {
  const locker = await connect(options.conn);
  let reader: pg.Client | null = null;
  try {
    reader = await connect(options.conn);
    await takeLocks(locker, options.lockStatements, options.lockTimeoutMs);
    await reader.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const snapshot = (await reader.query('SELECT pg_export_snapshot() AS id')).rows[0].id as string;
    await options.atInstant();
    await locker.query('COMMIT');

    let file = join(options.dumpDir, PG_DUMP_FILE);
    const dumped = options.pgDump !== false && (await runPgDump(options.conn, snapshot, file, options.pgDump));
    if (!dumped) {
      file = join(options.dumpDir, PG_SQL_FILE);
      await writeSqlDump(reader, file, options.onTable);
    }
    await reader.query('COMMIT');
    return file;
  } finally {
    await locker.query('ROLLBACK').catch(() => undefined);
    await locker.end().catch(() => undefined);
    if (reader) {
      await reader.query('ROLLBACK').catch(() => undefined);
      await reader.end().catch(() => undefined);
    }
  }
}
