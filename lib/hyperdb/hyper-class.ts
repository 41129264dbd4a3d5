import { createHash } from 'node:crypto';
import { countFilter, runFilter } from '../backends/sql/filter-sql.js';
import type { StoredItem } from '../backends/sql/item-store.js';
import { RupError } from '../errors.js';
import type { Database } from './database.js';
import { type FilterOptions, type FilterQuery, type FilterSpec, prepareFilter } from './filter-spec.js';
import { createItem, destroyItem, restoreItem, retireItem, setItem } from './item-writes.js';
import type { JournalEntry } from './journal.js';
import type { Messaging, NosyMessageOptions, SendMessageOptions } from './messaging.js';
import type { AnyProperty } from './properties.js';
import type { ClassDef } from './schema.js';
import type { TrackerStorage } from './storage.js';
import { type HyperValue, type ItemValues, cloneValue, copyValues, isId } from './values.js';

const DEFAULT_MIME_TYPE = 'text/plain';

export interface HistoryOptions {
  /** Hide entries and properties the user may neither view nor edit (default true). */
  enforceperm?: boolean;
  /** Hide quiet properties (default true). */
  skipquiet?: boolean;
}

/**
 * A class of one unit of work: Roundup's hyperdb Class API, asynchronous.
 * Values are typed (see values.ts); raw user input goes through
 * rawToHyperdb first. On a checked database every call enforces the
 * security model.
 */
export class HyperClass {
  constructor(
    readonly db: Database,
    readonly def: ClassDef,
  ) {}

  get classname(): string {
    return this.def.name;
  }

  get storage(): TrackerStorage {
    return this.db.services.storage;
  }

  cacheKey(itemid: string): string {
    return `${this.def.name}:${itemid}`;
  }

  // ---- schema information ----

  getprops(includeProtected = true): Map<string, AnyProperty> {
    return this.def.getprops(includeProtected);
  }

  getkey(): string | null {
    return this.def.getkey();
  }

  labelprop(defaultToId = false): string {
    return this.def.labelprop(defaultToId);
  }

  orderprop(): string {
    return this.def.orderprop();
  }

  // ---- changes ----

  /** Creates an item and returns its id. */
  create(values: Record<string, unknown>): Promise<string> {
    return this.db.uow.change(() => createItem(this, values));
  }

  /** Changes an item; returns the properties that really changed, with their new values. */
  set(itemid: string, values: Record<string, unknown>): Promise<Record<string, HyperValue>> {
    return this.db.uow.change(() => setItem(this, itemid, values));
  }

  retire(itemid: string): Promise<void> {
    return this.db.uow.change(() => retireItem(this, itemid));
  }

  restore(itemid: string): Promise<void> {
    return this.db.uow.change(() => restoreItem(this, itemid));
  }

  /** Removes an item and its journal for good (Roundup's destroy; prefer retire). */
  destroy(itemid: string): Promise<void> {
    return this.db.uow.change(() => destroyItem(this, itemid));
  }

  // ---- reading ----

  /** Loads stored items (cached for the unit of work) in a constant number of queries. */
  async loadStored(ids: readonly string[]): Promise<Map<string, StoredItem>> {
    const out = new Map<string, StoredItem>();
    const missing: string[] = [];
    for (const id of ids) {
      const hit = this.db.uow.cached(this.cacheKey(id));
      if (hit) out.set(id, hit);
      else if (isId(id)) missing.push(id);
    }
    if (missing.length) {
      const epoch = this.db.uow.epoch;
      const loaded = await this.storage.items.load(this.db.uow.execFor(this.classname), this.classname, missing);
      for (const [id, item] of loaded) {
        this.db.uow.remember(this.cacheKey(id), item, epoch);
        out.set(id, item);
      }
      this.db.uow.markExisting(this.classname, loaded.keys());
    }
    return out;
  }

  private async stored(itemid: string): Promise<StoredItem> {
    const item = (await this.loadStored([itemid])).get(itemid);
    if (!item) throw new RupError('RUP_ERR_NO_SUCH_ITEM', `${this.classname} has no node ${itemid}`);
    return item;
  }

  /** True when the item exists (retired or not). */
  async hasnode(itemid: string): Promise<boolean> {
    return (await this.loadStored([itemid])).has(itemid);
  }

  async isRetired(itemid: string): Promise<boolean> {
    return (await this.stored(itemid)).retired;
  }

  /**
   * One property of an item. FileClass `content` is the text of the stored
   * file and `binary_content` its bytes.
   */
  async get(itemid: string, propname: string): Promise<HyperValue | Buffer> {
    const isContent = this.def.kind === 'file' && (propname === 'content' || propname === 'binary_content');
    if (!isContent && !this.def.hasProperty(propname)) {
      throw new RupError('RUP_ERR_NO_SUCH_PROPERTY', `${this.classname} has no property "${propname}"`);
    }
    const item = await this.stored(itemid);
    await this.db.requirePermission('View', this.classname, { property: isContent ? 'content' : propname, itemid });
    if (isContent) {
      const bytes = await this.db.uow.files.read(this.classname, itemid);
      return propname === 'content' ? contentText(this.classname, itemid, bytes) : bytes;
    }
    return cloneValue(item.values[propname] ?? null);
  }

  /** The MIME type of a file item (its `type`, else text/plain). */
  async mimeType(itemid: string): Promise<string> {
    const type = this.def.properties.has('type') ? ((await this.get(itemid, 'type')) as string | null) : null;
    return type || DEFAULT_MIME_TYPE;
  }

  /**
   * Every property of an item the user may view (all of them on an
   * unchecked database); RUP_ERR_PERMISSION when the user may view none.
   */
  async getnode(itemid: string): Promise<ItemValues> {
    const item = await this.stored(itemid);
    const values = (await this.visibleValues([item])).get(itemid);
    // An item with no property the user may view is hidden whole, as get() would refuse.
    if (!values) throw new RupError('RUP_ERR_PERMISSION', `You do not have permission to view ${this.classname}${itemid}`);
    return values;
  }

  /**
   * Many items at once, for pages and exports: a constant number of queries
   * whatever the number of ids. Unknown ids are left out; on a checked
   * database so are items and properties the user may not view.
   */
  async getMany(ids: readonly string[]): Promise<Map<string, ItemValues>> {
    const stored = await this.loadStored(ids);
    return this.visibleValues([...stored.values()]);
  }

  private async visibleValues(items: StoredItem[]): Promise<Map<string, ItemValues>> {
    const out = new Map<string, ItemValues>();
    if (!this.db.checked) {
      for (const item of items) out.set(item.id, copyValues(item.values));
      return out;
    }
    // One security context for the whole batch; a property viewable on every item is not asked about per item.
    const ctx = await this.db.userContext();
    const security = this.db.services.security;
    const cn = this.classname;
    const props: Array<{ name: string; everywhere: boolean }> = [];
    for (const name of this.def.getprops().keys()) {
      props.push({ name, everywhere: await this.db.mayViewEverywhere(cn, name) });
    }
    for (const item of items) {
      const values: ItemValues = {};
      let visible = false;
      for (const { name, everywhere } of props) {
        if (everywhere || (await security.hasPermission(ctx, 'View', cn, { property: name, itemid: item.id }))) {
          values[name] = cloneValue(item.values[name] ?? null);
          visible = true;
        }
      }
      if (visible) out.set(item.id, values);
    }
    return out;
  }

  /** Ids of active items, in id order (Roundup's list). */
  list(): Promise<string[]> {
    return this.getnodeids(false);
  }

  /** Ids of items: all (null), only retired (true) or only active (false). */
  async getnodeids(retired: boolean | null = null): Promise<string[]> {
    const ids = await this.storage.items.ids(this.db.uow.exec, this.classname, retired);
    return this.viewableIds(ids);
  }

  async count(): Promise<number> {
    return this.storage.items.count(this.db.uow.exec, this.classname);
  }

  /** The id of the active item whose key is `keyvalue`; RUP_ERR_KEY_NOT_FOUND otherwise. */
  async lookup(keyvalue: string): Promise<string> {
    const key = this.def.getkey();
    if (!key) throw new RupError('RUP_ERR_VALUE', `No key property set for class ${this.classname}`);
    if (this.classname === 'user' && keyvalue === '@current_user') return this.db.getuid();
    const id = await this.db.uow.lookupKey(this.classname, key, keyvalue);
    if (id === null) throw new RupError('RUP_ERR_KEY_NOT_FOUND', `No key (${key}) value "${keyvalue}" for "${this.classname}"`);
    return id;
  }

  /**
   * Active items whose Link/Multilink properties point at any of the given
   * ids: `find({ messages: ['1', '3'], files: '7' })` (Roundup's find).
   */
  async find(propspec: Record<string, string | null | readonly (string | null)[] | Record<string, unknown>>): Promise<string[]> {
    const spec = Object.entries(propspec).map(([prop, raw]) => {
      const p = this.def.prop(prop);
      if (p.kind !== 'Link' && p.kind !== 'Multilink') throw new RupError('RUP_ERR_VALUE', `'${prop}' not a Link/Multilink property`);
      const list = raw === null ? [null] : typeof raw === 'string' ? [raw] : Array.isArray(raw) ? raw : Object.keys(raw as object);
      return { prop, ids: list.filter((x): x is string => x !== null && x !== '-1'), includeNull: list.some((x) => x === null || x === '-1') };
    });
    return this.viewableIds(await this.storage.items.find(this.db.uow.exec, this.classname, spec));
  }

  /**
   * Ids of active items whose String properties equal the given values,
   * ignoring case (Roundup's stringFind).
   */
  async stringFind(requirements: Record<string, string>): Promise<string[]> {
    for (const prop of Object.keys(requirements)) {
      if (this.def.prop(prop).kind !== 'String') throw new RupError('RUP_ERR_VALUE', `'${prop}' not a String property`);
    }
    return this.viewableIds(await this.storage.items.stringFind(this.db.uow.exec, this.classname, requirements));
  }

  /**
   * Roundup's filter: ids of items matching `filterspec`, restricted to
   * `searchMatches` when given, sorted by group then sort keys then id,
   * paged by limit/offset. On a checked database, properties the user may
   * not search are ignored and items the user may not view are left out.
   */
  async filter(searchMatches: Iterable<string> | null, filterspec: FilterSpec, options: FilterOptions = {}): Promise<string[]> {
    const prepared = await this.prepare(searchMatches, filterspec, options);
    if (!prepared) return [];
    const ids = await runFilter(this.db.uow.exec, this.storage.dialect, prepared.query);
    if (prepared.pageInDatabase) return ids;
    const visible = await this.viewableIds(ids);
    const start = options.offset ?? 0;
    return options.limit === undefined ? visible.slice(start) : visible.slice(start, start + options.limit);
  }

  /**
   * How many items `filter` would return without `limit` and `offset`
   * (the total behind a page of an index), counted by the database when
   * the user may view every item of the class.
   */
  async filterCount(searchMatches: Iterable<string> | null, filterspec: FilterSpec, options: FilterOptions = {}): Promise<number> {
    const prepared = await this.prepare(searchMatches, filterspec, { ...options, limit: undefined, offset: undefined });
    if (!prepared) return 0;
    if (prepared.pageInDatabase) return countFilter(this.db.uow.exec, this.storage.dialect, prepared.query);
    return (await this.viewableIds(await runFilter(this.db.uow.exec, this.storage.dialect, prepared.query))).length;
  }

  /**
   * The filter query as the user may run it: on a checked database,
   * properties the user may not search are dropped, and when some items
   * may be hidden from the user, paging moves out of the database (null:
   * nothing can match).
   */
  private async prepare(searchMatches: Iterable<string> | null, filterspec: FilterSpec, options: FilterOptions): Promise<{ query: FilterQuery; pageInDatabase: boolean } | null> {
    const restrict = searchMatches === null ? null : new Set(searchMatches);
    if (restrict && restrict.size === 0) return null;
    let spec = filterspec;
    let opts = options;
    let pageInDatabase = true;
    if (this.db.checked) {
      const ctx = await this.db.userContext();
      const security = this.db.services.security;
      spec = security.filterFilterspec(ctx, this.classname, filterspec);
      opts = {
        ...options,
        exactMatchSpec: options.exactMatchSpec && security.filterFilterspec(ctx, this.classname, options.exactMatchSpec),
        sort: options.sort && security.filterSortspec(ctx, this.classname, normaliseSort(options.sort)),
        group: options.group && security.filterSortspec(ctx, this.classname, normaliseSort(options.group)),
      };
      pageInDatabase = await this.db.mayViewEverywhere(this.classname);
      if (!pageInDatabase) opts = { ...opts, limit: undefined, offset: undefined };
    }
    const query = await prepareFilter(
      {
        schema: this.db.schema,
        lookupKey: (cn, key) =>
          cn === 'user' && key === '@current_user' ? Promise.resolve(this.db.getuid()) : this.db.uow.lookupKey(cn, this.db.schema.getClass(cn).getkey()!, key),
        timezone: await this.db.getUserTimezone(),
      },
      this.classname,
      restrict,
      spec,
      opts,
    );
    return { query, pageInDatabase };
  }

  /** On a checked database, drops the ids of items the user may not view. */
  private async viewableIds(ids: string[]): Promise<string[]> {
    if (!this.db.checked || (await this.db.mayViewEverywhere(this.classname))) return ids;
    const ctx = await this.db.userContext();
    const security = this.db.services.security;
    const out: string[] = [];
    for (const id of ids) if (await security.hasPermission(ctx, 'View', this.classname, { itemid: id })) out.push(id);
    return out;
  }

  /**
   * Items matching a full-text query (Roundup's indexer search): items of
   * this class whose own indexed texts match, plus items linking (through
   * any Link or Multilink) to matching messages, files or other items.
   */
  async searchText(query: string): Promise<Set<string>> {
    const hits = await this.storage.indexer.find(this.db.uow.exec, query);
    const found = new Set<string>();
    const byTarget = new Map<string, string[]>();
    for (const [name, prop] of this.def.properties) {
      if (prop.kind === 'Link' || prop.kind === 'Multilink') {
        const list = byTarget.get(prop.target) ?? [];
        list.push(name);
        byTarget.set(prop.target, list);
      }
    }
    const linked = new Map<string, Set<string>>();
    for (const hit of hits) {
      if (hit.classname === this.classname) found.add(hit.itemid);
      for (const prop of byTarget.get(hit.classname) ?? []) {
        const set = linked.get(prop) ?? new Set<string>();
        set.add(hit.itemid);
        linked.set(prop, set);
      }
    }
    if (linked.size) {
      const spec = [...linked].map(([prop, ids]) => ({ prop, ids: [...ids] }));
      for (const id of await this.storage.items.find(this.db.uow.exec, this.classname, spec)) found.add(id);
    }
    return found;
  }

  // ---- outgoing messages (Roundup's IssueClass methods) ----

  /** The tracker's messaging, for issue classes only (as only Roundup's IssueClass has these methods). */
  private messaging(method: string): Messaging {
    if (this.def.kind !== 'issue') throw new RupError('RUP_ERR_VALUE', `${this.classname} is not an issue class: it has no ${method}`);
    const messaging = this.db.services.messaging;
    if (!messaging) throw new RupError('RUP_ERR_TRACKER', `${method}: this tracker cannot send mail`);
    return messaging;
  }

  /**
   * Roundup's `nosymessage(issueid, msgid, oldvalues, whichnosy='nosy',
   * ...)`: sends msg `msgid` (null for a "system message") with the note
   * of this change to the users of the `whichnosy` list who have not had
   * it, and adds them to its recipients. The fourth argument is either
   * `whichnosy` or the keyword arguments; throws MailSendError when the
   * mail cannot be handed over.
   */
  async nosymessage(itemid: string, msgid: string | null, oldvalues: Record<string, unknown> | null, whichnosy?: string | NosyMessageOptions, options: NosyMessageOptions = {}): Promise<void> {
    const opts = typeof whichnosy === 'string' ? { ...options, whichnosy } : { ...(whichnosy ?? {}), ...options };
    return this.messaging('nosymessage').nosymessage(this, itemid, msgid, oldvalues, opts);
  }

  /** Roundup's `send_message(issueid, msgid, note, sendto, ...)`: mails msg `msgid` with `note` to the addresses `sendto`. */
  async send_message(itemid: string, msgid: string | null, note: string, sendto: readonly string[], options: SendMessageOptions = {}): Promise<void> {
    return this.messaging('send_message').sendMessage(this, itemid, msgid, note, sendto, options);
  }

  /** Roundup's `generateCreateNote(issueid)`. */
  async generateCreateNote(itemid: string): Promise<string> {
    return this.messaging('generateCreateNote').generateCreateNote(this, itemid);
  }

  /** Roundup's `generateChangeNote(issueid, oldvalues)`. */
  async generateChangeNote(itemid: string, oldvalues: Record<string, unknown>): Promise<string> {
    return this.messaging('generateChangeNote').generateChangeNote(this, itemid, oldvalues);
  }

  /** Roundup's `email_signature(issueid, msgid)`. */
  email_signature(itemid: string): string {
    return this.messaging('email_signature').emailSignature(this, itemid);
  }

  // ---- bulk data movement (export, import, reindex); unchecked databases only ----

  private requireUnchecked(what: string): void {
    if (this.db.checked) throw new RupError('RUP_ERR_PERMISSION', `${what} is an administrative operation`);
  }

  /**
   * Stores items exactly as given (ids, automatic properties, retired
   * flags), as `roundup-admin import` does: no detectors run and no journal
   * is written (the journal is imported separately). Indexed strings are
   * indexed; FileClass content comes through `importContent`. The next id
   * of the class moves past the highest id imported.
   */
  async importItems(items: readonly ImportedItem[]): Promise<void> {
    this.requireUnchecked('import');
    if (!items.length) return;
    await this.db.uow.change(async () => {
      const uow = this.db.uow;
      await uow.writer();
      uow.writes++;
      for (const item of items) {
        uow.queueInsert(this.classname, item.id, item.values, item.retired);
        uow.forget(this.cacheKey(item.id));
        for (const [name, prop] of this.def.properties) {
          if (prop.kind === 'String' && prop.indexme && name !== 'content') {
            uow.index.add({ classname: this.classname, itemid: item.id, prop: name }, (item.values[name] as string | null) ?? '');
          }
        }
      }
      uow.forgetClass(this.classname);
      const highest = Math.max(...items.map((i) => Number(i.id)));
      if (highest + 1 > (await uow.peekNextId(this.classname))) await uow.setNextId(this.classname, highest + 1);
    });
  }

  /** Stores a file item's content as given (import); indexed when its type is text/plain. */
  async importContent(itemid: string, content: Buffer, mimeType: string | null): Promise<void> {
    this.requireUnchecked('import');
    const uow = this.db.uow;
    await uow.writer();
    uow.files.write(this.classname, itemid, content, true);
    const prop = this.def.properties.get('content');
    if (prop?.kind === 'String' && prop.indexme) {
      uow.index.add({ classname: this.classname, itemid, prop: 'content' }, content.toString('utf8'), mimeType ?? DEFAULT_MIME_TYPE);
    }
  }

  /** Adds journal entries as given (import). */
  async importJournal(entries: readonly JournalEntry[]): Promise<void> {
    this.requireUnchecked('import');
    if (!entries.length) return;
    await this.db.uow.writer();
    this.db.uow.writes++;
    this.db.uow.addJournal(this.classname, entries);
  }

  /** The whole journal of some items, unfiltered, oldest first (export). */
  async journal(itemids: readonly string[]): Promise<JournalEntry[]> {
    this.requireUnchecked('reading the raw journal');
    if (!itemids.length) return [];
    await this.db.uow.flushQueued();
    return this.storage.journal.get(this.db.uow.exec, this.classname, itemids);
  }

  /** The id the next create gets, and setting it (import keeps original ids). */
  async getNextId(): Promise<number> {
    return this.db.uow.peekNextId(this.classname);
  }

  async setNextId(next: number): Promise<void> {
    this.requireUnchecked('setting the next id');
    await this.db.uow.setNextId(this.classname, next);
  }

  /**
   * Indexes the items again (roundup-admin reindex): their indexed strings
   * and, for file classes, their content. Unknown ids are skipped and
   * returned.
   */
  async reindex(itemids: readonly string[]): Promise<string[]> {
    this.requireUnchecked('reindex');
    const uow = this.db.uow;
    await uow.writer();
    const stored = await this.loadStored(itemids);
    const contentProp = this.def.kind === 'file' ? this.def.properties.get('content') : undefined;
    for (const [id, item] of stored) {
      for (const [name, prop] of this.def.properties) {
        if (prop.kind === 'String' && prop.indexme && name !== 'content') {
          uow.index.add({ classname: this.classname, itemid: id, prop: name }, (item.values[name] as string | null) ?? '');
        }
      }
      if (contentProp?.kind === 'String' && contentProp.indexme) {
        const bytes = await uow.files.read(this.classname, id).catch(() => null);
        if (bytes) uow.index.add({ classname: this.classname, itemid: id, prop: 'content' }, bytes.toString('utf8'), (item.values.type as string | null) || DEFAULT_MIME_TYPE);
      }
    }
    return itemids.filter((id) => !stored.has(id));
  }

  /**
   * The journal of an item, oldest first, as Roundup's history(): entries
   * about quiet properties (skipquiet), properties the user may neither
   * view nor edit on this item, and obsolete properties and classes (unless the user has
   * an `obsolete_history_roles` role) are dropped (enforceperm).
   */
  async history(itemid: string, options: HistoryOptions = {}): Promise<JournalEntry[]> {
    const enforce = options.enforceperm ?? true;
    const skipquiet = options.skipquiet ?? true;
    if (!this.def.doJournal) throw new RupError('RUP_ERR_VALUE', 'Journalling is disabled for this class');
    await this.stored(itemid);
    await this.db.uow.flushQueued();
    const entries = await this.storage.journal.get(this.db.uow.exec, this.classname, [itemid]);
    const userRoles = await this.db.getUserRoles();
    const allowObsolete = userRoles.some((r) => this.db.services.options.obsoleteHistoryRoles.includes(r));
    const mayView = async (classname: string, query: { property?: string; itemid?: string }) =>
      !enforce || (await this.db.hasPermission('View', classname, query)) || (await this.db.hasPermission('Edit', classname, query));
    const out: JournalEntry[] = [];
    for (const entry of entries) {
      const params = entry.params;
      if (entry.action === 'set' && params && !Array.isArray(params)) {
        const kept: Record<string, unknown> = {};
        for (const [key, value] of Object.entries(params)) {
          const prop = this.def.properties.get(key);
          if (!prop) {
            if (!enforce || allowObsolete) kept[key] = value;
            continue;
          }
          if (skipquiet && prop.quiet) continue;
          // Asked about this item (Roundup asks about the class): an own-record
          // View must not reveal other users' old values.
          if (!(await mayView(this.classname, { property: key, itemid }))) continue;
          kept[key] = value;
        }
        if (Object.keys(kept).length) out.push({ ...entry, params: kept });
      } else if ((entry.action === 'link' || entry.action === 'unlink') && Array.isArray(params)) {
        const [linkcl, linkid, key] = params;
        const cls = this.db.schema.classes.get(linkcl);
        const prop = cls?.properties.get(key);
        if (!cls || !prop || !(await this.db.system().getclass(linkcl).hasnode(linkid))) {
          if (!enforce || allowObsolete) out.push(entry);
          continue;
        }
        if (skipquiet && prop.quiet) continue;
        if (!(await mayView(linkcl, { property: key }))) continue;
        if (!(await mayView(linkcl, { itemid: linkid }))) continue;
        out.push(entry);
      } else {
        out.push(entry);
      }
    }
    return out;
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A file's content as text. Content that is not UTF-8 (an image, say) is
 * replaced by Roundup's notice naming binary_content and the MD5 of the
 * bytes (which Roundup's ETags include).
 */
function contentText(classname: string, itemid: string, bytes: Buffer): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    const md5 = createHash('md5').update(bytes).digest('hex');
    return `${classname}${itemid} is not text, retrieve using binary_content property. mdsum: ${md5}`;
  }
}

/** One item as an export holds it: every stored property, the automatic ones included. */
export interface ImportedItem {
  id: string;
  values: ItemValues;
  retired: boolean;
}

function normaliseSort(spec: NonNullable<FilterOptions['sort']>): Array<readonly [string, string]> {
  const list = typeof spec[0] === 'string' || spec[0] == null ? [spec as readonly [string | null | undefined, string | null | undefined]] : (spec as ReadonlyArray<readonly [string | null | undefined, string | null | undefined]>);
  return list.filter((s) => s[1]).map((s) => [s[0] ?? '+', s[1]!] as const);
}
