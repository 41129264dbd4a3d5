import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import type { SqlBackend } from '../backends/sql/backend.js';
import { dialectFor } from '../backends/sql/dialect.js';
import { ItemStore } from '../backends/sql/item-store.js';
import { JournalStore } from '../backends/sql/journal-store.js';
import { PostgresBackend } from '../backends/sql/postgresql-backend.js';
import { restorePostgresBackup } from '../backends/sql/postgresql-backup.js';
import { SqliteBackend } from '../backends/sql/sqlite-backend.js';
import { FileStore } from '../backends/file-store.js';
import { RupError } from '../errors.js';
import type { Schema } from '../hyperdb/schema.js';
import type { TrackerStorage } from '../hyperdb/storage.js';
import { createFlexsearchIndexer } from '../indexer/flexsearch-indexer.js';
import type { TrackerConfig } from './config.js';

/** The folder holding the database and file store (`[main] database`, `db` by default). */
export function databaseDir(config: TrackerConfig): string {
  return config.DATABASE as string;
}

/** Connection settings of a PostgreSQL tracker database. */
export interface PgSettings {
  host?: string;
  port?: number;
  user?: string;
  password?: string;
  database: string;
}

/** `[rdbms]` connection settings for PostgreSQL. */
export function pgSettings(config: TrackerConfig): PgSettings {
  const port = config.RDBMS_PORT as number | string | null;
  return {
    host: (config.RDBMS_HOST as string | null) ?? undefined,
    port: port === null || port === '' ? undefined : Number(port),
    user: (config.RDBMS_USER as string | null) ?? undefined,
    password: (config.RDBMS_PASSWORD as string | null) ?? undefined,
    database: config.RDBMS_NAME as string,
  };
}

/** Runs one statement on the server's maintenance database (to create or drop a tracker's database). */
async function onServer(settings: PgSettings, sql: string): Promise<void> {
  const client = new pg.Client({ ...settings, database: 'postgres' });
  try {
    await client.connect();
    await client.query(sql);
  } finally {
    await client.end().catch(() => undefined);
  }
}

const pgIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

async function openPostgres(config: TrackerConfig, create: boolean): Promise<SqlBackend> {
  const settings = pgSettings(config);
  const lockTimeoutMs = Number(config.RDBMS_SQLITE_TIMEOUT) * 1000;
  try {
    return await PostgresBackend.open({ ...settings, lockTimeoutMs });
  } catch (err) {
    const cause = (err as RupError).cause as { code?: string } | undefined;
    // 3D000: the database does not exist yet; create it as Roundup does.
    if (!create || cause?.code !== '3D000' || !config.RDBMS_ALLOW_CREATE) throw err;
    await onServer(settings, `CREATE DATABASE ${pgIdent(settings.database)}`);
    await loadBackupInto(settings, databaseDir(config));
    return PostgresBackend.open({ ...settings, lockTimeoutMs });
  }
}

/**
 * A database just created is filled from a `roundup-admin backup` dump
 * lying in the database folder, if there is one (a backup opened on a new
 * server, or under a new `[rdbms] name`). A failed load drops the new
 * database again, so the next open retries instead of finding it empty.
 */
async function loadBackupInto(settings: PgSettings, dir: string): Promise<void> {
  try {
    await restorePostgresBackup(settings, dir);
  } catch (err) {
    await onServer(settings, `DROP DATABASE IF EXISTS ${pgIdent(settings.database)} WITH (FORCE)`).catch(() => undefined);
    throw err;
  }
}

/** Opens the tracker's database (creating it when allowed) and the stores around it. */
export async function openStorage(config: TrackerConfig, schema: Schema): Promise<TrackerStorage> {
  const backendName = config.RDBMS_BACKEND as string;
  const dir = databaseDir(config);
  mkdirSync(dir, { recursive: true });
  let backend: SqlBackend;
  if (backendName === 'sqlite') {
    backend = await SqliteBackend.open(join(dir, 'db'), Number(config.RDBMS_SQLITE_TIMEOUT) * 1000);
  } else if (backendName === 'postgresql') {
    backend = await openPostgres(config, true);
  } else {
    throw new RupError('RUP_ERR_CONFIG', `${config.file}: [rdbms] backend: "${backendName}" is not available (use sqlite or postgresql)`);
  }
  const indexerName = (config.INDEXER as string | null) ?? '';
  if (indexerName !== '' && indexerName !== 'native') {
    await backend.close();
    throw new RupError(
      'RUP_ERR_CONFIG',
      `${config.file}: [main] indexer: "${indexerName}" is not available (leave it empty or use native)`,
    );
  }
  const dialect = dialectFor(backend.dialect);
  return {
    backend,
    dialect,
    items: new ItemStore(dialect, schema),
    journal: new JournalStore(dialect),
    files: new FileStore(join(dir, 'files')),
    indexer: createFlexsearchIndexer({ stopwords: (config.INDEXER_STOPWORDS as string[] | null) ?? [] }),
  };
}

/**
 * Deletes the tracker's database and file store (what `roundup-admin
 * initialise` does to an existing tracker before starting afresh).
 */
export async function destroyStorage(config: TrackerConfig): Promise<void> {
  const dir = databaseDir(config);
  if ((config.RDBMS_BACKEND as string) === 'postgresql') {
    const settings = pgSettings(config);
    await onServer(settings, `DROP DATABASE IF EXISTS ${pgIdent(settings.database)} WITH (FORCE)`);
  }
  rmSync(dir, { recursive: true, force: true });
}
