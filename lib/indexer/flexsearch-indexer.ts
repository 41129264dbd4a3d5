import { Index } from 'flexsearch';
import { debuglog } from 'node:util';
import { RupError } from '../errors.js';
import type { SqlExecutor, SqlValue } from '../backends/sql/executor.js';
import type { IndexedText, Indexer, IndexerSession } from './indexer.js';
import { splitWords, stopwordSet } from './tokenize.js';

/*
 * The default full-text indexer: durable word lists in the tracker's SQL
 * database, searched through an in-memory flexsearch index in each process.
 *
 * Storage. `__textindex` holds one row per indexed text (class, item id,
 * property) with its distinct words, space-separated, already tokenised by
 * Roundup's rules, and the sequence number of the change that wrote it.
 * Removing a text does not delete its row: it empties the word list and
 * gives it a new sequence number (a tombstone), so other processes learn
 * about the removal. `__textindex_state` is a one-row table holding the last
 * sequence number handed out and the number at which the index was last
 * cleared.
 *
 * Catching up. Every process keeps the highest sequence number it has
 * applied. `find` first reads the rows above it (one indexed range query,
 * usually empty) and applies them to its flexsearch index; the first `find`
 * reads everything. A clear is noticed through `_cleared`: when it is above
 * what the process has seen, the process drops its index and the same query
 * has already returned every remaining row (they all carry higher numbers).
 *
 * Why no row is ever skipped. A process that has seen number N never looks
 * below N again, so a row numbered below N must never become visible after
 * N did. `flush` therefore takes its number by incrementing the counter row
 * as its first statement. That UPDATE locks the row (PostgreSQL) or needs the
 * database write lock (SQLite) until the transaction ends, so a concurrent
 * flush waits at that statement until the first has committed or rolled
 * back, and then reads the counter as left by it. Numbers are thus handed
 * out in commit order: a transaction holding N+1 got it after the holder of
 * N had committed (PostgreSQL makes a commit visible before it releases its
 * locks), so any snapshot that shows N+1 also shows N. A rolled-back
 * number is handed out again to the next writer, which is harmless because
 * nobody could have seen it. The same holds for `clear`, which takes its
 * number the same way.
 *
 * The one rule for callers follows from this: `find` must read committed
 * data only, i.e. be given the backend's reader or a transaction that has not
 * flushed index changes yet (the storage flushes just before COMMIT).
 */

const debug = debuglog('rup:indexer');

const SETUP_SQL = [
  `CREATE TABLE IF NOT EXISTS __textindex (
    _class VARCHAR(255) NOT NULL,
    _itemid VARCHAR(255) NOT NULL,
    _prop VARCHAR(255) NOT NULL,
    _words TEXT NOT NULL,
    _seq BIGINT NOT NULL,
    PRIMARY KEY (_class, _itemid, _prop)
  )`,
  'CREATE INDEX IF NOT EXISTS __textindex_seq_idx ON __textindex (_seq)',
  `CREATE TABLE IF NOT EXISTS __textindex_state (
    _id INTEGER PRIMARY KEY,
    _seq BIGINT NOT NULL,
    _cleared BIGINT NOT NULL
  )`,
  'INSERT INTO __textindex_state (_id, _seq, _cleared) VALUES (1, 0, 0) ON CONFLICT (_id) DO NOTHING',
];

// Each is the first indexer statement of its flush or clear: a flush holds no
// `__textindex` row lock while it waits for the counter, so two flushes
// cannot deadlock, and the lock then lasts until COMMIT (see the header).
const NEXT_SEQ_SQL = 'UPDATE __textindex_state SET _seq = _seq + 1 WHERE _id = 1 RETURNING _seq AS seq';
// SET expressions read the row as it was, so both columns get the new number.
const CLEAR_SEQ_SQL = 'UPDATE __textindex_state SET _seq = _seq + 1, _cleared = _seq + 1 WHERE _id = 1 RETURNING _seq AS seq';

// One statement, so the clear marker and the rows come from one snapshot.
const CATCH_UP_SQL = `SELECT s._cleared AS cleared, t._class AS classname, t._itemid AS itemid,
    t._prop AS prop, t._words AS words, t._seq AS seq
  FROM __textindex_state s LEFT JOIN __textindex t ON t._seq > ?
  WHERE s._id = 1`;

/** Rows per multi-row statement: 5 parameters each stays far below both engines' parameter limits. */
const ROWS_PER_UPSERT = 500;
const ROWS_PER_REMOVAL = 200;

/**
 * Replacing or removing a text already in memory scans the posting lists of
 * its words, which grow with the index; loading everything costs about as
 * much as some hundreds of those. Past this many in one catch-up (a bulk
 * edit by another process), the process reloads instead.
 */
const REBUILD_AFTER_REPLACEMENTS = 500;

const UPSERT_HEAD = 'INSERT INTO __textindex (_class, _itemid, _prop, _words, _seq) VALUES ';
const UPSERT_TAIL = ' ON CONFLICT (_class, _itemid, _prop) DO UPDATE SET _words = excluded._words, _seq = excluded._seq';
// `_words <> ''` leaves existing tombstones (and their numbers) alone.
const TOMBSTONE_HEAD = "UPDATE __textindex SET _words = '', _seq = ? WHERE _words <> '' AND (";

interface CatchUpRow {
  cleared: unknown;
  classname: string | null;
  itemid: string | null;
  prop: string | null;
  words: string | null;
  seq: unknown;
}

/** Options of {@link createFlexsearchIndexer}. */
export interface FlexsearchIndexerOptions {
  /** The tracker's `[main] indexer_stopwords`, added to Roundup's built-in list. */
  stopwords?: readonly string[];
}

/**
 * The default indexer (`[main] indexer = native` and the automatic choice):
 * Roundup's native word rules and search semantics (every query word must
 * occur in the same text; whole words only), with word lists stored in the
 * tracker's SQL database (SQLite or PostgreSQL) and searched in memory.
 * One instance per tracker per process; see the module header for how
 * processes sharing a database stay in step.
 */
export function createFlexsearchIndexer(options: FlexsearchIndexerOptions = {}): Indexer {
  return new FlexsearchIndexer(stopwordSet(options.stopwords));
}

class FlexsearchIndexer implements Indexer {
  private readonly memory = new MemoryIndex();
  /** Catch-ups run one after the other, so an older read never lands after a newer one. */
  private catchUpQueue: Promise<void> = Promise.resolve();
  /** Bumped when the in-memory index is dropped; a read started before is then thrown away. */
  private generation = 0;

  constructor(private readonly stopwords: ReadonlySet<string>) {}

  async setup(exec: SqlExecutor): Promise<void> {
    for (const sql of SETUP_SQL) await exec.run(sql);
  }

  session(): IndexerSession {
    return new StagedIndexChanges(this.stopwords);
  }

  async find(exec: SqlExecutor, query: string): Promise<IndexedText[]> {
    // Same as Roundup's native indexers: stop words and words outside 2..50
    // are dropped from the query, and nothing left means no match.
    const words = splitWords(query, this.stopwords);
    if (words.length === 0) return [];
    await this.catchUp(exec);
    return this.memory.search(words);
  }

  async clear(exec: SqlExecutor): Promise<void> {
    requireState(await exec.all<{ seq: unknown }>(CLEAR_SEQ_SQL));
    await exec.run('DELETE FROM __textindex');
    // Dropping the copy now frees memory for the reindex; the next find
    // reloads whatever is committed then, whether the clear commits or not.
    this.forget();
  }

  close(): void {
    this.forget();
  }

  private forget(): void {
    this.generation++;
    this.memory.reset(0);
  }

  catchUp(exec: SqlExecutor): Promise<void> {
    const run = this.catchUpQueue.then(() => this.applyNewRows(exec));
    this.catchUpQueue = run.catch(() => undefined);
    return run;
  }

  private async applyNewRows(exec: SqlExecutor): Promise<void> {
    for (;;) {
      const generation = this.generation;
      const since = this.memory.lastSeq;
      const rows = await exec.all<CatchUpRow>(CATCH_UP_SQL, [since]);
      if (generation !== this.generation) continue;
      const cleared = toSeq(requireState(rows)[0].cleared);
      const reset = cleared > since;
      if (!reset && rows.length > REBUILD_AFTER_REPLACEMENTS && this.memory.countKnown(rows) > REBUILD_AFTER_REPLACEMENTS) {
        // Cheaper to rebuild: the next round reads every row into an empty index.
        this.memory.reset(0);
        continue;
      }
      if (reset) this.memory.reset(cleared);
      let applied = 0;
      for (const row of rows) {
        if (row.seq === null || row.seq === undefined) continue;
        this.memory.apply(row.classname!, row.itemid!, row.prop!, row.words!, toSeq(row.seq));
        applied++;
      }
      if (applied || reset) debug('caught up %d rows to %d%s', applied, this.memory.lastSeq, reset ? ' after a clear' : '');
      return;
    }
  }
}

/** The texts staged by one unit of work; nothing touches the database before `flush`. */
class StagedIndexChanges implements IndexerSession {
  /** Per item: the word list to write for each property ('' stages a removal). */
  private readonly texts = new Map<string, { classname: string; itemid: string; props: Map<string, string> }>();
  /** Items whose every text is to be removed, before the texts above are written. */
  private readonly removedItems = new Map<string, { classname: string; itemid: string }>();

  constructor(private readonly stopwords: ReadonlySet<string>) {}

  get dirty(): boolean {
    return this.texts.size > 0 || this.removedItems.size > 0;
  }

  add(doc: IndexedText, text: string, mimeType = 'text/plain'): void {
    // Roundup's native indexers index text/plain only; any other type leaves
    // nothing indexed for the property, as an empty text does.
    const words = mimeType === 'text/plain' ? splitWords(text, this.stopwords).join(' ') : '';
    const key = itemKey(doc.classname, doc.itemid);
    let item = this.texts.get(key);
    if (!item) {
      item = { classname: doc.classname, itemid: doc.itemid, props: new Map() };
      this.texts.set(key, item);
    }
    item.props.set(doc.prop, words);
  }

  removeItem(classname: string, itemid: string): void {
    const key = itemKey(classname, itemid);
    // Texts staged earlier for the item are void; ones staged later still apply.
    this.texts.delete(key);
    this.removedItems.set(key, { classname, itemid });
  }

  async flush(exec: SqlExecutor): Promise<void> {
    if (!this.dirty) return;
    const seq = toSeq(requireState(await exec.all<{ seq: unknown }>(NEXT_SEQ_SQL))[0].seq);
    const items = [...this.removedItems.values()].map((item) => [item.classname, item.itemid]);
    const removals: string[][] = [];
    const upserts: SqlValue[][] = [];
    for (const item of this.texts.values()) {
      for (const [prop, words] of item.props) {
        if (words) upserts.push([item.classname, item.itemid, prop, words, seq]);
        else removals.push([item.classname, item.itemid, prop]);
      }
    }
    await writeTombstones(exec, seq, items, '(_class = ? AND _itemid = ?)');
    await writeTombstones(exec, seq, removals, '(_class = ? AND _itemid = ? AND _prop = ?)');
    for (let i = 0; i < upserts.length; i += ROWS_PER_UPSERT) {
      const chunk = upserts.slice(i, i + ROWS_PER_UPSERT);
      await exec.run(UPSERT_HEAD + chunk.map(() => '(?, ?, ?, ?, ?)').join(', ') + UPSERT_TAIL, chunk.flat());
    }
    this.discard();
  }

  discard(): void {
    this.texts.clear();
    this.removedItems.clear();
  }
}

/** Turns the matching rows that still hold words into tombstones numbered `seq`. */
async function writeTombstones(exec: SqlExecutor, seq: number, keys: string[][], condition: string): Promise<void> {
  for (let i = 0; i < keys.length; i += ROWS_PER_REMOVAL) {
    const chunk = keys.slice(i, i + ROWS_PER_REMOVAL);
    await exec.run(TOMBSTONE_HEAD + chunk.map(() => condition).join(' OR ') + ')', [seq, ...chunk.flat()]);
  }
}

/**
 * This process's copy of the index: a flexsearch Index over numeric ids
 * local to the process, and the text each id stands for.
 */
class MemoryIndex {
  private index = createFlexIndex();
  private readonly docs = new Map<number, IndexedText>();
  private readonly ids = new Map<string, number>();
  private nextId = 1;
  /** Every change numbered up to this one is reflected here. */
  lastSeq = 0;

  /** Drops everything; `lastSeq` becomes the number the empty state corresponds to. */
  reset(lastSeq: number): void {
    this.index = createFlexIndex();
    this.docs.clear();
    this.ids.clear();
    this.nextId = 1;
    this.lastSeq = lastSeq;
  }

  /** Applies one stored row: its words replace the text's, or an empty list removes it. */
  apply(classname: string, itemid: string, prop: string, words: string, seq: number): void {
    const key = textKey(classname, itemid, prop);
    const id = this.ids.get(key);
    if (!words) {
      if (id !== undefined) {
        this.index.remove(id);
        this.docs.delete(id);
        this.ids.delete(key);
      }
    } else if (id === undefined) {
      const newId = this.nextId++;
      this.ids.set(key, newId);
      this.docs.set(newId, Object.freeze({ classname, itemid, prop }));
      this.index.add(newId, words);
    } else {
      this.index.update(id, words);
    }
    if (seq > this.lastSeq) this.lastSeq = seq;
  }

  /** How many of the stored rows concern texts this copy already holds. */
  countKnown(rows: readonly CatchUpRow[]): number {
    let known = 0;
    for (const row of rows) {
      if (row.seq !== null && row.seq !== undefined && this.ids.has(textKey(row.classname!, row.itemid!, row.prop!))) known++;
    }
    return known;
  }

  /** The texts holding every one of `words` (already tokenised, at least one). */
  search(words: string[]): IndexedText[] {
    // flexsearch returns 100 results unless told otherwise; Roundup returns all.
    const ids = this.index.search(words.join(' '), { limit: Number.MAX_SAFE_INTEGER }) as number[];
    return ids.map((id) => this.docs.get(id)!);
  }
}

/**
 * Whole stored words only: the texts arrive tokenised and space-separated,
 * so the encoder just splits on spaces. No flexsearch normalisation (case
 * folding, accent stripping, digit triplets, letter de-duplication) may run,
 * as each would change which texts Roundup's rules match. Resolution 1: the
 * results are a set, as in Roundup, so no scoring slots are kept; fastupdate
 * keeps replacing or removing one text proportional to its own words.
 */
function createFlexIndex(): Index {
  return new Index({ tokenize: 'strict', resolution: 1, fastupdate: true, encode: splitOnSpaces });
}

function splitOnSpaces(words: string): string[] {
  return words.split(' ');
}

function itemKey(classname: string, itemid: string): string {
  return `${classname}\u0000${itemid}`;
}

function textKey(classname: string, itemid: string, prop: string): string {
  return `${classname}\u0000${itemid}\u0000${prop}`;
}

/** Sequence numbers are BIGINT; drivers may hand them over as strings. */
function toSeq(value: unknown): number {
  return Number(value);
}

/** Rows read from or returned by the one-row state table; none means `setup` never ran. */
function requireState<T>(rows: T[]): T[] {
  if (rows.length === 0) {
    throw new RupError('RUP_ERR_DATABASE', 'the full-text index state row is missing from __textindex_state; reopen the tracker to recreate it and run roundup-admin reindex');
  }
  return rows;
}
