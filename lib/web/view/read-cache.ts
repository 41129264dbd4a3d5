import type { StoredItem } from '../../backends/sql/item-store.js';
import type { Database } from '../../hyperdb/database.js';
import type { FilterOptions, FilterSpec } from '../../hyperdb/filter-spec.js';

/**
 * What the web pages of one tracker read again and again — the stored
 * items (the current user, statuses, priorities, the rows of the default
 * index) and the answers of index queries (which ids are on a page, how
 * many match, the index parameters with their key lookups) — kept between
 * requests and thrown away as soon as anything was committed to the
 * database, by this process or any other.
 *
 * "Anything was committed" is SQLite's `PRAGMA data_version` on the
 * reader connection: it changes whenever another connection (this
 * process's writer included) commits. On PostgreSQL it is the server's
 * current snapshot (`pg_current_snapshot()`: the next transaction id and
 * those in progress), which changes whenever any transaction that wrote
 * begins or ends: more often than the tracker's data changes (other
 * databases of the server, the session store), never less. A unit of
 * work that has begun writing reads its own changes and never uses or
 * fills the cache.
 *
 * Items are handed to a unit of work by seeding its own cache (frozen, so
 * nothing a unit of work does can reach another request), then read
 * through the ordinary hyperdb API, permission checks included.
 */

const MAX_ANSWERS = 500;
const MAX_ITEMS = 20000;

/** The cache of one tracker (one per tracker app). */
export class ReadCache {
  private version: string | null = null;
  private readonly answers = new Map<string, unknown>();
  private readonly items = new Map<string, StoredItem>();

  /**
   * The cache as one unit of work may use it now: checks the database's
   * change counter (one statement) and forgets everything when it moved.
   */
  async begin(db: Database): Promise<RequestCache> {
    if (db.uow.inTransaction) return new RequestCache(this, db, null);
    const backend = db.services.storage.backend;
    const rows = await backend.reader.all<Record<string, unknown>>(
      backend.dialect === 'sqlite' ? 'PRAGMA data_version' : 'SELECT pg_current_snapshot()::text AS version',
    );
    const version = rows[0] ? String(Object.values(rows[0])[0]) : null;
    if (version !== this.version) {
      this.answers.clear();
      this.items.clear();
      this.version = version;
    }
    return new RequestCache(this, db, version);
  }

  /** @internal */
  answer(key: string): unknown {
    const hit = this.answers.get(key);
    if (hit !== undefined) {
      // Most recently used last, so the oldest entries are dropped first.
      this.answers.delete(key);
      this.answers.set(key, hit);
    }
    return hit;
  }

  /** @internal */
  keepAnswer(version: string, key: string, value: unknown): void {
    if (version !== this.version) return;
    this.answers.set(key, value);
    if (this.answers.size > MAX_ANSWERS) this.answers.delete(this.answers.keys().next().value!);
  }

  /** @internal */
  item(key: string): StoredItem | undefined {
    return this.items.get(key);
  }

  /** @internal */
  keepItem(version: string, key: string, item: StoredItem): void {
    if (version !== this.version) return;
    this.items.delete(key);
    this.items.set(key, frozen(item));
    if (this.items.size > MAX_ITEMS) this.items.delete(this.items.keys().next().value!);
  }
}

/**
 * A kept item, frozen: units of work share it, and the hyperdb replaces
 * cached items rather than changing them, so a change in place would be
 * a bug — frozen, it fails loudly instead of leaking into other requests.
 */
function frozen(item: StoredItem): StoredItem {
  for (const v of Object.values(item.values)) if (Array.isArray(v)) Object.freeze(v);
  Object.freeze(item.values);
  return Object.freeze(item);
}

/** The read cache as one request uses it (inert when the version is null). */
export class RequestCache {
  constructor(
    private readonly cache: ReadCache | null,
    private readonly db: Database,
    private readonly version: string | null,
  ) {}

  /** A cache that keeps nothing. */
  static none(db: Database): RequestCache {
    return new RequestCache(null, db, null);
  }

  /** The data version this request reads at, or null when nothing it reads may be kept. */
  get dataVersion(): string | null {
    return this.usable ? this.version : null;
  }

  private get usable(): boolean {
    return this.cache !== null && this.version !== null && !this.db.uow.inTransaction;
  }

  /** `compute()`'s answer, kept under `key` until the data changes. A null key computes every time. */
  async answer<T>(key: string | null, compute: () => Promise<T>): Promise<T> {
    if (key === null || !this.usable) return compute();
    const hit = this.cache!.answer(key);
    if (hit !== undefined) return hit as T;
    const value = await compute();
    this.cache!.keepAnswer(this.version!, key, value);
    return value;
  }

  /**
   * Makes the items available to this unit of work: kept ones are seeded
   * into its cache, the others read (one loadStored) and kept.
   */
  async prime(classname: string, ids: Iterable<string>): Promise<void> {
    if (!this.usable) return;
    const cls = this.db.system().getclass(classname);
    const uow = this.db.uow;
    const missing: string[] = [];
    for (const id of ids) {
      const key = cls.cacheKey(id);
      if (uow.cached(key)) continue;
      const kept = this.cache!.item(key);
      if (kept) {
        uow.remember(key, kept);
        uow.markExisting(classname, [id]);
      } else {
        missing.push(id);
      }
    }
    if (!missing.length) return;
    for (const [id, item] of await cls.loadStored(missing)) this.cache!.keepItem(this.version!, cls.cacheKey(id), item);
  }
}

/**
 * The cache key of a filter question: class, user, filter values, sort,
 * group, full-text words, paging. Null when the question must not be
 * kept: it filters on a Date or Interval property, whose values may be
 * relative to now (`-1d;`).
 */
export function filterKey(db: Database, classname: string, what: string, filterspec: FilterSpec, searchText: string | null, options: FilterOptions): string | null {
  const def = db.schema.getClass(classname);
  for (const path of Object.keys(filterspec)) {
    let cls = def;
    for (const name of path.split('.')) {
      const prop = cls.hasProperty(name) ? cls.prop(name) : null;
      if (!prop) break;
      if (prop.kind === 'Date' || prop.kind === 'Interval') return null;
      if (prop.kind !== 'Link' && prop.kind !== 'Multilink') break;
      cls = db.schema.getClass(prop.target);
    }
  }
  return JSON.stringify([classname, what, db.getuid(), filterspec, searchText, options.sort ?? null, options.group ?? null, options.limit ?? null, options.offset ?? null]);
}
