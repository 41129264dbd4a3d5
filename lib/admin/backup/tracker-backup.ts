/**
 * `roundup-admin backup`: a copy of a running tracker that opens as a
 * tracker home of its own. Roundup has no such command; its documentation
 * asks to stop the tracker, copy the home and dump the database. Here the
 * web server and mail gateway keep running:
 *
 * - the home (config.ini, schema.js, detectors, extensions, html, lib,
 *   everything but the database folder) is copied as it is;
 * - the file store is copied while writers go on, then brought up to the
 *   instant of the database snapshot while they are held off for a
 *   moment (file-mirror.ts), so every file an item of the snapshot needs
 *   is there (files of items created later may be there too, unused);
 * - the database is copied at that instant: SQLite through its online
 *   backup from a pinned read transaction (sqlite-snapshot.ts),
 *   PostgreSQL through pg_dump of an exported snapshot, or an SQL script
 *   of every table without pg_dump (postgres-snapshot.ts). A PostgreSQL
 *   backup is loaded when the copy is opened where its database does not
 *   exist (postgresql-backup.ts).
 */
import { copyFile, lstat, mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { existsSync, readdirSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { itemTable, q } from '../../backends/sql/dialect.js';
import { PG_DUMP_FILE, PG_SQL_FILE, RESTORED_SUFFIX } from '../../backends/sql/postgresql-backup.js';
import { RupError } from '../../errors.js';
import { CONFIG_FILE } from '../../tracker/config.js';
import { lookupEntry, parseIni } from '../../tracker/ini-file.js';
import { databaseDir, pgSettings } from '../../tracker/storage-factory.js';
import type { Tracker } from '../../tracker/tracker.js';
import type { Progress } from '../../util/progress.js';
import { FileMirror } from './file-mirror.js';
import { snapshotPostgres } from './postgres-snapshot.js';
import { snapshotSqlite } from './sqlite-snapshot.js';

/** Makes the progress display of one step. */
export type BackupProgress = (label: string, total: number) => Progress;

export interface BackupOptions {
  /** Progress displays; none by default. */
  progress?: BackupProgress;
  /** PostgreSQL: the pg_dump to run (default `pg_dump` on the PATH), or false for the SQL script. */
  pgDump?: string | false;
  /** Called after the first pass over the file store, before writers are held off (lets tests interleave writes). */
  afterFirstCopy?: () => Promise<void>;
}

export interface BackupResult {
  /** The backup's tracker home. */
  home: string;
  /** The database copy: the SQLite file, or the PostgreSQL dump. */
  database: string;
  /** Content files in the copy. */
  files: number;
}

/** Names in the database folder that the backup makes itself (or must not carry over). */
const DATABASE_FOLDER_OWN = new Set(['files', 'db', 'db-wal', 'db-shm', 'db-journal', PG_DUMP_FILE, PG_SQL_FILE, PG_DUMP_FILE + RESTORED_SUFFIX, PG_SQL_FILE + RESTORED_SUFFIX]);

const inside = (path: string, dir: string) => {
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
};

function fileError(what: string, err: unknown): RupError {
  return new RupError('RUP_ERR_FILE', `${what}: ${(err as Error).message}`, { cause: err });
}

/**
 * Copies a file or directory tree, following symbolic links (the copy
 * must stand alone), leaving out the paths in `skip`; broken links are
 * left out too.
 */
async function copyEntry(from: string, to: string, skip: ReadonlySet<string>): Promise<void> {
  if (skip.has(from)) return;
  const info = (await lstat(from)).isSymbolicLink() ? await stat(from).catch(() => null) : await lstat(from);
  if (info?.isFile()) await copyFile(from, to);
  if (!info?.isDirectory()) return;
  await mkdir(to, { recursive: true });
  for (const entry of await readdir(from)) await copyEntry(join(from, entry), join(to, entry), skip);
}

/** Points the copy's config.ini at its own database folder `db` (when the original keeps its database outside its home). */
async function relocateDatabase(home: string): Promise<void> {
  const file = join(home, CONFIG_FILE);
  const lines = (await readFile(file, 'utf8')).split('\n');
  const entry = lookupEntry(parseIni(lines.join('\n')), 'main', 'database');
  if (entry) lines[entry.line - 1] = 'database = db';
  await writeFile(file, lines.join('\n'));
}

/** A progress display made on its first update, once the total is known. */
function lazyBar(progress: BackupProgress | undefined, label: string) {
  let bar: Progress | null = null;
  return {
    update(done: number, total: number) {
      if (!progress) return;
      bar ??= progress(label, total);
      bar.update(done);
    },
    finish() {
      bar?.finish();
    },
  };
}

/**
 * The locks a PostgreSQL writer of file content holds from before it
 * writes a content file until it commits: creating, changing or
 * destroying a file item writes its row (ROW EXCLUSIVE on the class's
 * table, which SHARE excludes); changing content alone writes no row, but
 * indexes the new content, and the index flush, which comes before the
 * files are written (unit-of-work.ts), updates the indexer's state row.
 * (A file class whose content is declared without indexme and changed
 * alone is not covered.)
 */
function contentWriterLocks(tracker: Tracker): string[] {
  const tables = tracker.schema
    .classNames()
    .filter((name) => tracker.schema.getClass(name).kind === 'file')
    .map((name) => q(itemTable(name)));
  return [
    ...(tables.length ? [`LOCK TABLE ${tables.join(', ')} IN SHARE MODE NOWAIT`] : []),
    'SELECT 1 FROM "__textindex_state" FOR UPDATE NOWAIT',
  ];
}

/**
 * Writes a backup of the open `tracker` into `targetDir`, which must not
 * exist or be empty, and must not lie in the tracker's database folder.
 * The tracker may be in use by other processes all along. Errors:
 * RUP_ERR_FILE for the target folder, RUP_ERR_LOCKED when writers held
 * the database past the lock timeout, RUP_ERR_DATABASE for database
 * failures.
 */
export async function backupTracker(tracker: Tracker, targetDir: string, options: BackupOptions = {}): Promise<BackupResult> {
  const config = tracker.config;
  const home = tracker.home;
  const target = resolve(targetDir);
  const dbDir = resolve(databaseDir(config));
  if (inside(target, dbDir)) throw new RupError('RUP_ERR_FILE', `the backup directory ${target} is inside the tracker's database folder ${dbDir}`);
  if (existsSync(target) && readdirSync(target).length) throw new RupError('RUP_ERR_FILE', `the backup directory ${target} is not empty`);
  try {
    await mkdir(target, { recursive: true });
  } catch (err) {
    throw fileError(`cannot create the backup directory ${target}`, err);
  }

  const dbInHome = inside(dbDir, home) && dbDir !== home;
  const targetDb = dbInHome ? join(target, relative(home, dbDir)) : join(target, 'db');
  try {
    await copyEntry(home, target, new Set([dbDir, target]));
    if (!dbInHome) await relocateDatabase(target);
    await mkdir(targetDb, { recursive: true });
    for (const name of existsSync(dbDir) ? await readdir(dbDir) : []) {
      if (!DATABASE_FOLDER_OWN.has(name)) await copyEntry(join(dbDir, name), join(targetDb, name), new Set());
    }
  } catch (err) {
    if (err instanceof RupError) throw err;
    throw fileError(`cannot copy ${home} to ${target}`, err);
  }

  const mirror = new FileMirror(join(dbDir, 'files'), join(targetDb, 'files'));
  let bar: Progress | undefined;
  await mirror.copyAll(
    (total) => {
      bar = options.progress?.('Copying files', total);
    },
    () => bar?.tick(),
  );
  bar?.finish();
  await options.afterFirstCopy?.();
  const atInstant = async () => {
    await mirror.catchUp();
  };

  let database: string;
  if (config.RDBMS_BACKEND === 'postgresql') {
    const tables = lazyBar(options.progress, 'Dumping tables');
    let dumped = 0;
    database = await snapshotPostgres({
      conn: pgSettings(config),
      lockStatements: contentWriterLocks(tracker),
      lockTimeoutMs: Number(config.RDBMS_SQLITE_TIMEOUT) * 1000,
      dumpDir: targetDb,
      pgDump: options.pgDump ?? 'pg_dump',
      atInstant,
      onTable: () => tables.update(++dumped, 0),
    });
    tables.finish();
  } else {
    const pages = lazyBar(options.progress, 'Copying database');
    database = join(targetDb, 'db');
    await snapshotSqlite({
      source: join(dbDir, 'db'),
      target: database,
      busyTimeoutMs: Number(config.RDBMS_SQLITE_TIMEOUT) * 1000,
      atInstant,
      onPages: (done, total) => pages.update(done, total),
    });
    pages.finish();
  }
  return { home: target, database, files: mirror.fileCount };
}
