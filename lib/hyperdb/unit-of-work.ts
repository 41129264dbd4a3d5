import type { WriteTransaction } from '../backends/sql/backend.js';
import type { RunResult, SqlExecutor, SqlValue } from '../backends/sql/executor.js';
import type { StoredItem } from '../backends/sql/item-store.js';
import type { FileSession } from '../backends/file-store.js';
import { layoutOf } from '../backends/sql/table-layout.js';
import { RupError } from '../errors.js';
import type { IndexerSession } from '../indexer/indexer.js';
import type { JournalEntry } from './journal.js';
import type { TrackerStorage } from './storage.js';
import type { ItemValues } from './values.js';

/**
 * The state of one unit of work (a web request, a mail message, an admin
 * command): its write transaction, its caches, and the writes it holds
 * back. Reads go to the shared reader until the first write; from then on
 * everything goes through the write transaction, which holds the
 * database's write lock until commit or rollback.
 *
 * Write-behind: new rows (with their Multilink pairs) and journal entries are
 * queued and written in bulk (multi-row INSERTs) just before the next
 * statement of the transaction or the commit, so every read still sees
 * them and a batch of creates costs a handful of statements. Reads of one
 * class's items (see {@link execFor}) write only the rows they can see, and
 * changes to an item whose row is still queued change the queued row.
 *
 * Items held: an item created in this transaction, loaded under its row
 * lock, or read while the transaction excludes every other writer
 * (SQLite), cannot change but through this unit of work, so its cached
 * copy is current and a change needs neither lock nor reload.
 *
 * Atomicity: if a change fails after it started writing, the unit is marked
 * failed and refuses to commit; the caller must roll back, so a half-made
 * change can never be committed.
 */
export class UnitOfWork {
  private tx: WriteTransaction | null = null;
  /** The transaction as the hyperdb uses it: every statement first writes what is queued. */
  private txView: SqlExecutor | null = null;
  private beginning: Promise<WriteTransaction> | null = null;
  private readonly cache = new Map<string, StoredItem>();
  /** Cache keys of items this transaction holds (see the class comment); only meaningful while it lasts. */
  private readonly held = new Set<string>();
  /** Bumped whenever the cache is cleared, so a read started before does not refill it with stale items. */
  private cacheEpoch = 0;
  /** Ids known to exist, per class (saves existence checks of links). */
  private readonly known = new Map<string, Set<string>>();
  /** Key value -> id, per class, for lookups repeated within the unit of work. */
  private readonly keys = new Map<string, Map<string, string>>();
  private readonly queuedRows = new Map<string, QueuedRow[]>();
  /** The queued row of each cache key (the last one queued, if an import queues an id twice). */
  private readonly queuedByKey = new Map<string, QueuedRow>();
  private readonly journal = new Map<string, JournalEntry[]>();
  /** Next ids handed out from memory while this transaction owns the id counters (SQLite). */
  private readonly nextIds = new Map<string, number>();
  private flushing: Promise<void> | null = null;
  private failure: Error | null = null;
  private closed = false;
  /** Work waiting for the outcome of the current transaction (see onTransactionEnd). */
  private endTasks: Array<(committed: boolean) => Promise<void> | void> = [];
  /** Counts changes that wrote (or queued) data, so a failed change knows whether it wrote anything. */
  writes = 0;
  readonly files: FileSession;
  readonly index: IndexerSession;

  constructor(readonly storage: TrackerStorage) {
    this.files = storage.files.session();
    this.index = storage.indexer.session();
  }

  private assertOpen(): void {
    if (this.closed) throw new RupError('RUP_ERR_DATABASE', 'the database has been closed');
  }

  /** Where reads go: the write transaction once there is one. */
  get exec(): SqlExecutor {
    this.assertOpen();
    return this.txView ?? this.storage.backend.reader;
  }

  get inTransaction(): boolean {
    return this.tx !== null;
  }

  /** The write transaction, begun on first use. */
  async writer(): Promise<SqlExecutor> {
    this.assertOpen();
    if (this.failure) {
      throw new RupError('RUP_ERR_DATABASE', `an earlier change failed (${this.failure.message}); roll back before changing anything else`);
    }
    if (this.txView) return this.txView;
    this.beginning ??= this.storage.backend.beginWrite();
    try {
      const tx = await this.beginning;
      if (!this.tx) {
        this.tx = tx;
        this.txView = this.flushingView(tx);
        // Items read before the lock was taken (while it was awaited too) may be stale; drop them.
        this.clearCaches();
      }
    } finally {
      this.beginning = null;
    }
    return this.txView!;
  }

  private flushingView(tx: WriteTransaction): SqlExecutor {
    return {
      dialect: tx.dialect,
      all: async <T>(sql: string, params?: readonly SqlValue[]): Promise<T[]> => {
        await this.flushQueued();
        return tx.all<T>(sql, params);
      },
      run: async (sql: string, params?: readonly SqlValue[]): Promise<RunResult> => {
        await this.flushQueued();
        return tx.run(sql, params);
      },
    };
  }

  /**
   * Where reads of `classname`'s items go (their rows, Multilinks and
   * keys): like {@link exec}, but a statement first writes only the queued
   * rows such a read can see, so interleaved reads of other classes do not
   * break the bulk inserts of this unit of work into small ones.
   */
  execFor(classname: string): SqlExecutor {
    this.assertOpen();
    const tx = this.tx;
    if (!tx) return this.storage.backend.reader;
    const classes = layoutOf(this.storage.items.schema.getClass(classname)).readsClasses;
    return {
      dialect: tx.dialect,
      all: async <T>(sql: string, params?: readonly SqlValue[]): Promise<T[]> => {
        await this.flushQueued(classes);
        return tx.all<T>(sql, params);
      },
      run: async (sql: string, params?: readonly SqlValue[]): Promise<RunResult> => {
        await this.flushQueued(classes);
        return tx.run(sql, params);
      },
    };
  }

  /** Runs one change; if it fails after writing, the unit refuses to commit. */
  async change<T>(fn: () => Promise<T>): Promise<T> {
    const before = this.writes;
    try {
      return await fn();
    } catch (err) {
      if (this.writes !== before && !this.failure) this.failure = err as Error;
      throw err;
    }
  }

  private clearCaches(): void {
    this.cache.clear();
    this.held.clear();
    this.known.clear();
    this.keys.clear();
    this.cacheEpoch++;
  }

  cached(key: string): StoredItem | undefined {
    return this.cache.get(key);
  }

  /** A token to hand to {@link remember} for items read now: they are dropped if the cache was cleared meanwhile. */
  get epoch(): number {
    return this.cacheEpoch;
  }

  /**
   * Caches an item for the unit of work; `epoch` (from {@link epoch} when
   * the read began) keeps out items read before the cache was cleared.
   * Inside the transaction the item counts as held when `locked` says it
   * was read under its row lock or the transaction excludes other writers.
   */
  remember(key: string, item: StoredItem, epoch = this.cacheEpoch, locked = false): void {
    if (epoch !== this.cacheEpoch) return;
    this.cache.set(key, item);
    if (this.tx && (locked || this.storage.dialect.transactionOwnsIdCounters)) this.held.add(key);
  }

  /** The cached item when this transaction holds it (current, and locked against other writers), else undefined. */
  heldItem(key: string): StoredItem | undefined {
    return this.held.has(key) ? this.cache.get(key) : undefined;
  }

  forget(key: string): void {
    this.cache.delete(key);
    this.held.delete(key);
  }

  /** Records that items exist (loaded, created or checked). */
  markExisting(classname: string, ids: Iterable<string>): void {
    let set = this.known.get(classname);
    if (!set) this.known.set(classname, (set = new Set()));
    for (const id of ids) set.add(id);
  }

  isKnown(classname: string, id: string): boolean {
    return this.known.get(classname)?.has(id) ?? false;
  }

  /** The active item with that key value (cached for the unit of work), or null. */
  async lookupKey(classname: string, keyProp: string, value: string): Promise<string | null> {
    const hit = this.keys.get(classname)?.get(value);
    if (hit !== undefined) return hit;
    const id = await this.storage.items.lookup(this.execFor(classname), classname, keyProp, value);
    if (id !== null) {
      let map = this.keys.get(classname);
      if (!map) this.keys.set(classname, (map = new Map()));
      map.set(value, id);
    }
    return id;
  }

  /** Forgets what is cached about a class's keys and existing ids (after retire, restore, destroy or a key change). */
  forgetClass(classname: string): void {
    this.keys.delete(classname);
    this.known.delete(classname);
  }

  /** Queues a new row (every stored property, the automatic ones and Multilinks included). */
  queueInsert(classname: string, id: string, values: ItemValues, retired = false): void {
    const row = { id, values, retired };
    const rows = this.queuedRows.get(classname);
    if (rows) rows.push(row);
    else this.queuedRows.set(classname, [row]);
    this.queuedByKey.set(queueKey(classname, id), row);
  }

  /**
   * Applies changed values (scalars and whole Multilink lists) to a row
   * still queued for insert; false when the row has been written already.
   */
  updateQueued(classname: string, id: string, changes: ItemValues): boolean {
    const row = this.queuedByKey.get(queueKey(classname, id));
    if (!row) return false;
    Object.assign(row.values, changes);
    return true;
  }

  /** Queues journal entries. */
  addJournal(classname: string, entries: readonly JournalEntry[]): void {
    const list = this.journal.get(classname);
    if (list) list.push(...entries);
    else this.journal.set(classname, [...entries]);
  }

  /**
   * Writes what is queued, in bulk: everything, or only the rows of the
   * classes in `only` (journal entries wait for a full flush). Runs before
   * any other statement of the transaction.
   */
  flushQueued(only?: ReadonlySet<string>): Promise<void> {
    if (this.flushing) return this.flushing.then(() => this.flushQueued(only));
    if (!this.tx) return Promise.resolve();
    const rows = [...this.queuedRows].filter(([classname]) => !only || only.has(classname));
    const journal = only ? [] : [...this.journal];
    if (!rows.length && !journal.length) return Promise.resolve();
    for (const [classname, list] of rows) {
      this.queuedRows.delete(classname);
      for (const row of list) this.queuedByKey.delete(queueKey(classname, row.id));
    }
    if (!only) this.journal.clear();
    const tx = this.tx;
    const run = (async () => {
      try {
        for (const [classname, list] of rows) await this.storage.items.insertMany(tx, classname, list);
        for (const [classname, entries] of journal) await this.storage.journal.add(tx, classname, entries);
      } catch (err) {
        if (this.storage.dialect.isUniqueViolation(err)) {
          throw new RupError('RUP_ERR_DUPLICATE_KEY', `a key value is already used by another item (${(err as Error).message})`, { cause: err });
        }
        throw err;
      }
    })();
    this.flushing = run.finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  /** Allocates the next id of a class inside the write transaction. */
  async nextId(classname: string): Promise<string> {
    const tx = await this.writer();
    if (!this.storage.dialect.transactionOwnsIdCounters) return String(await this.storage.dialect.nextId(tx, classname));
    let next = this.nextIds.get(classname);
    if (next === undefined) next = await this.storage.dialect.peekNextId(tx, classname);
    this.nextIds.set(classname, next + 1);
    return String(next);
  }

  /** Sets the id the next create of a class gets (import keeps original ids). */
  async setNextId(classname: string, next: number): Promise<void> {
    const tx = await this.writer();
    if (this.storage.dialect.transactionOwnsIdCounters) this.nextIds.set(classname, next);
    else await this.storage.dialect.setNextId(tx, classname, next);
  }

  /** The id the next create of a class would get. */
  async peekNextId(classname: string): Promise<number> {
    return this.nextIds.get(classname) ?? this.storage.dialect.peekNextId(this.exec, classname);
  }

  /**
   * Registers work that must follow the outcome of the current
   * transaction, such as handing outgoing mail queued in it to the SMTP
   * server: `task(true)` runs after COMMIT succeeded, `task(false)` after
   * a rollback (or a failed commit). Tasks run once, in registration
   * order; the side effects they stand for never happen for data that was
   * not committed. A task should handle its own failures: one that throws
   * after a commit is re-thrown once every task has run, though the data
   * stays committed.
   */
  onTransactionEnd(task: (committed: boolean) => Promise<void> | void): void {
    this.assertOpen();
    this.endTasks.push(task);
  }

  private async runEndTasks(committed: boolean): Promise<void> {
    const tasks = this.endTasks;
    this.endTasks = [];
    let failure: unknown = null;
    for (const task of tasks) {
      try {
        await task(committed);
      } catch (err) {
        failure ??= err;
      }
    }
    if (failure !== null && committed) throw failure;
  }

  /** Makes everything durable: queued rows, id counters, index entries and file content, then COMMIT. */
  async commit(): Promise<void> {
    this.assertOpen();
    if (this.failure) {
      const failure = this.failure;
      throw new RupError('RUP_ERR_DATABASE', `cannot commit: a change failed (${failure.message}); roll back`, { cause: failure });
    }
    const tx = this.tx;
    this.clearCaches();
    if (!tx) {
      await this.runEndTasks(true);
      return;
    }
    try {
      await this.flushQueued();
      for (const [classname, next] of this.nextIds) await this.storage.dialect.setNextId(tx, classname, next);
      this.nextIds.clear();
      if (this.index.dirty) await this.index.flush(tx);
      await this.files.publish();
      await tx.commit();
      this.tx = null;
      this.txView = null;
    } catch (err) {
      await this.rollback();
      throw err;
    }
    await this.files.afterCommit();
    await this.runEndTasks(true);
  }

  async rollback(): Promise<void> {
    this.clearCaches();
    this.queuedRows.clear();
    this.queuedByKey.clear();
    this.journal.clear();
    this.nextIds.clear();
    this.failure = null;
    this.index.discard();
    await this.files.discard();
    const tx = this.tx;
    this.tx = null;
    this.txView = null;
    try {
      if (tx) await tx.rollback();
    } finally {
      await this.runEndTasks(false);
    }
  }

  /** Rolls back anything uncommitted and makes the unit unusable. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.rollback();
    this.closed = true;
  }
}

interface QueuedRow {
  id: string;
  values: ItemValues;
  retired: boolean;
}

function queueKey(classname: string, id: string): string {
  return `${classname}:${id}`;
}
