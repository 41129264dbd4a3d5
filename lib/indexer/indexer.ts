import type { SqlExecutor } from '../backends/sql/executor.js';

/** One indexed text: a String property with `indexme`, or a file's content. */
export interface IndexedText {
  classname: string;
  itemid: string;
  prop: string;
}

/**
 * The changes one unit of work makes to the index. They are staged in memory
 * and made durable by `flush`, which the storage calls inside the write
 * transaction just before COMMIT, so an index entry exists exactly when the
 * change that made it does.
 */
export interface IndexerSession {
  /** Stages `text` for `doc`, replacing what was indexed for it before. A MIME type other than text/plain stages a removal instead. */
  add(doc: IndexedText, text: string, mimeType?: string): void;
  /** Stages removal of every text of an item (used by destroy). */
  removeItem(classname: string, itemid: string): void;
  /** True when something is staged. */
  readonly dirty: boolean;
  /**
   * Writes the staged changes through `exec`, the unit of work's writer, and
   * forgets them. It must run in the transaction that commits them: the
   * indexer may take locks there that serialise writers until COMMIT.
   */
  flush(exec: SqlExecutor): Promise<void>;
  /** Forgets staged changes (on rollback). */
  discard(): void;
}

/**
 * A tracker's full-text indexer, one per tracker per process. The database
 * owns the text; the index is derived data that `roundup-admin reindex` can
 * always rebuild. `find` must see everything committed by any process (web
 * server, mail gateway, admin tool) without a restart.
 */
export interface Indexer {
  /** Creates the indexer's tables if missing. Called when a tracker opens, inside a write transaction. */
  setup(exec: SqlExecutor): Promise<void>;
  /** A stager for one unit of work. */
  session(): IndexerSession;
  /**
   * The texts containing every word of `query` (Roundup's rule: all words in
   * the same text). Words are tokenised like indexed text; a query with no
   * usable word matches nothing. Results are in no particular order.
   *
   * `exec` must show committed data only: the backend's reader, or a write
   * transaction that has not flushed index changes yet: index rows read
   * before a rollback could hide a later change from this process.
   */
  find(exec: SqlExecutor, query: string): Promise<IndexedText[]>;
  /**
   * Brings this process's copy of the index up to date with what is
   * committed, loading all of it the first time (what the first `find`
   * would do); `exec` as for `find`.
   */
  catchUp(exec: SqlExecutor): Promise<void>;
  /** Drops every entry (before a full reindex), through the writer. */
  clear(exec: SqlExecutor): Promise<void>;
  /** Releases memory held by the process (tracker unload). */
  close(): void;
}
