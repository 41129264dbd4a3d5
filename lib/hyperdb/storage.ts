import type { SqlBackend } from '../backends/sql/backend.js';
import type { Dialect } from '../backends/sql/dialect.js';
import type { ItemStore } from '../backends/sql/item-store.js';
import type { JournalStore } from '../backends/sql/journal-store.js';
import type { FileStore } from '../backends/file-store.js';
import type { Indexer } from '../indexer/indexer.js';

/**
 * The storage of one tracker in one process: the database connections, the
 * table and journal access, the file content store and the full-text
 * indexer. Units of work share it; it holds no per-request state.
 */
export interface TrackerStorage {
  readonly backend: SqlBackend;
  readonly dialect: Dialect;
  readonly items: ItemStore;
  readonly journal: JournalStore;
  readonly files: FileStore;
  readonly indexer: Indexer;
}
