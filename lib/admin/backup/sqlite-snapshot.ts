/**
 * A consistent copy of a live SQLite tracker database.
 *
 * The database runs in WAL mode, so copying its file would miss what is
 * still in `db-wal` and could catch a checkpoint half done. Instead:
 *
 * 1. the database write lock is taken (BEGIN IMMEDIATE on a connection of
 *    our own; writers of every process wait, up to their busy timeout);
 * 2. a second connection opens a read transaction: its snapshot is the
 *    database as of this instant, and WAL keeps it stable for as long as
 *    the transaction lasts, whatever is written later;
 * 3. `atInstant` runs while the lock is held (the backup brings the file
 *    store up to the same instant there: no writer is between writing a
 *    content file and committing);
 * 4. the lock is released, writers go on;
 * 5. SQLite's online backup copies the pinned snapshot page by page into
 *    a new database file, without blocking anyone.
 */
import sqlite3 from 'sqlite3';
import { RupError } from '../../errors.js';

/** The part of node-sqlite3's Backup object used here (missing from its type declarations). */
interface SqliteBackup {
  readonly completed: boolean;
  readonly failed: boolean;
  readonly remaining: number;
  readonly pageCount: number;
  step(pages: number, callback: (err: Error | null) => void): void;
  finish(callback?: () => void): void;
}

type BackupCapable = sqlite3.Database & {
  backup(filename: string, callback: (err: Error | null) => void): SqliteBackup;
};

/** Pages copied per backup step, between progress reports. */
const PAGES_PER_STEP = 1000;

function openDb(file: string, busyTimeoutMs: number): Promise<sqlite3.Database> {
  return new Promise((resolve, reject) => {
    const db = new sqlite3.Database(file, sqlite3.OPEN_READWRITE, (err) => {
      if (err) reject(new RupError('RUP_ERR_DATABASE', `cannot open the database ${file}: ${err.message}`, { cause: err }));
      else {
        db.configure('busyTimeout', busyTimeoutMs);
        resolve(db);
      }
    });
  });
}

function exec(db: sqlite3.Database, sql: string): Promise<void> {
  return new Promise((resolve, reject) => {
    db.exec(sql, (err) => {
      if (!err) return resolve();
      const e = err as Error & { code?: string };
      if (e.code === 'SQLITE_BUSY' || e.code === 'SQLITE_LOCKED') {
        reject(new RupError('RUP_ERR_LOCKED', `the database stayed locked by its writers: ${e.message}`, { cause: e }));
      } else reject(new RupError('RUP_ERR_DATABASE', `${e.message} (in: ${sql})`, { cause: e }));
    });
  });
}

function close(db: sqlite3.Database): Promise<void> {
  return new Promise((resolve) => db.close(() => resolve()));
}

function step(backup: SqliteBackup, pages: number): Promise<void> {
  return new Promise((resolve, reject) => backup.step(pages, (err) => (err ? reject(err) : resolve())));
}

export interface SqliteSnapshotOptions {
  /** The live database file (`db/db`). */
  source: string;
  /** The file to create. */
  target: string;
  /** How long to wait for the write lock (`[rdbms] sqlite_timeout`). */
  busyTimeoutMs: number;
  /** Work to do at the snapshot's instant, with writers held off. */
  atInstant(): Promise<void>;
  /** Told the number of pages to copy, then after each step the number copied. */
  onPages?: (done: number, total: number) => void;
}

/** Copies the database as it is at one instant; see the module comment. */
export async function snapshotSqlite(options: SqliteSnapshotOptions): Promise<void> {
  const lock = await openDb(options.source, options.busyTimeoutMs);
  let reader: sqlite3.Database | null = null;
  let locked = false;
  try {
    reader = await openDb(options.source, options.busyTimeoutMs);
    await exec(lock, 'BEGIN IMMEDIATE');
    locked = true;
    // A read transaction starts at its first read; this one pins the snapshot.
    await exec(reader, 'BEGIN; SELECT count(*) FROM sqlite_master;');
    await options.atInstant();
    await exec(lock, 'ROLLBACK');
    locked = false;

    const backup = await new Promise<SqliteBackup>((resolve, reject) => {
      const b: SqliteBackup = (reader as BackupCapable).backup(options.target, (err) => (err ? reject(err) : resolve(b)));
    });
    try {
      while (!backup.completed && !backup.failed) {
        await step(backup, PAGES_PER_STEP);
        options.onPages?.(backup.pageCount - backup.remaining, backup.pageCount);
      }
      if (backup.failed) throw new RupError('RUP_ERR_DATABASE', `copying ${options.source} to ${options.target} failed`);
    } finally {
      await new Promise<void>((resolve) => backup.finish(resolve));
    }
    await exec(reader, 'COMMIT');
  } finally {
    if (locked) await exec(lock, 'ROLLBACK').catch(() => undefined);
    if (reader) await close(reader);
    await close(lock);
  }
}
