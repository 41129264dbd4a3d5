import { join } from 'node:path';
import type { SqlValue } from '../../lib/backends/sql/executor.js';
import { SqliteBackend } from '../../lib/backends/sql/sqlite-backend.js';
import { databaseDir } from '../../lib/tracker/storage-factory.js';
import type { Tracker } from '../../lib/tracker/tracker.js';

/**
 * Rows of a tracker's session or one-time-key table, read straight from
 * the database that holds it (on SQLite the files db-session and db-otk,
 * on PostgreSQL the tracker's database), to check what the stores wrote.
 */
export async function sessionRows<T>(tracker: Tracker, table: 'sessions' | 'otks', sql: string, params: SqlValue[] = []): Promise<T[]> {
  if (tracker.config.RDBMS_BACKEND !== 'sqlite') return tracker.storage.backend.reader.all<T>(sql, params);
  const file = join(databaseDir(tracker.config), table === 'sessions' ? 'db-session' : 'db-otk');
  const db = await SqliteBackend.open(file, 5000);
  try {
    return await db.reader.all<T>(sql, params);
  } finally {
    await db.close();
  }
}
