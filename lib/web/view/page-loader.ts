import { RupError, isRupError } from '../../errors.js';
import type { Database } from '../../hyperdb/database.js';
import type { ClassDef } from '../../hyperdb/schema.js';
import type { ItemValues } from '../../hyperdb/values.js';
import { type IndexArgs, readIndexArgs } from '../actions/index-args.js';
import type { TemplateNeeds } from '../render/template-needs.js';
import type { WebRequest } from '../web-types.js';
import { PageData } from './page-data.js';
import { PagePermissions } from './permissions.js';
import { RequestCache, filterKey } from './read-cache.js';

/**
 * The view-model loaders: for each page, everything its template needs,
 * read through the request's checked database with a number of queries
 * that does not depend on how many rows, links or messages the page
 * shows. Items are read with `getMany` (a constant number of queries per
 * class), ids with `filter`. See docs/templating.md, section 3.
 */

/** What a page's template renders from. */
export interface PageModel {
  data: PageData;
  indexArgs: IndexArgs;
  /** The index rows, when the template uses `request.batch()` on a class page. */
  batch: { ids: string[]; first: number; size: number; total: number } | null;
}

/** Item-level permissions proven for the page's item and the current user. */
const ITEM_PERMISSIONS = ['View', 'Edit', 'Retire', 'Restore'];

/**
 * Loads the view model of a page: the home page (`classname` null), a
 * class page or an item page, with the optional parts `needs` names.
 * @throws RupError RUP_ERR_PERMISSION when the user may see nothing of
 *   the page's item; RUP_ERR_NO_SUCH_PROPERTY (400) for unknown index
 *   columns; filter errors (400) for bad filter values.
 */
export async function loadPage(req: WebRequest, needs: TemplateNeeds, cache: RequestCache = RequestCache.none(req.db)): Promise<PageModel> {
  const db = req.db;
  const { classname, itemid } = req.target;
  if (db.schema.hasClass('user')) await cache.prime('user', [req.user.userid]);
  const permissions = new PagePermissions(db.services.security, await db.getUserRoles());
  const data = new PageData(db.schema, permissions, await db.getUserTimezone(), req.user.userid);
  const loader: Loader = { db, data, cache };
  // Reading the index parameters looks up key values (status names, say): the same answer until the data changes.
  const argsKey = JSON.stringify(['index-args', classname, db.getuid(), [...req.form.fields]]);
  const indexArgs = await cache.answer(argsKey, () => readIndexArgs(req.form, db, classname));

  await loadCurrentUser(loader, req);
  if (classname !== null && itemid !== null) await loadItemPage(loader, db.schema.getClass(classname), itemid, needs);
  let batch: PageModel['batch'] = null;
  if (classname !== null && itemid === null && needs.batch) batch = await loadBatch(loader, db.schema.getClass(classname), indexArgs, needs);
  if (classname !== null && needs.menus) await loadMenus(loader, db.schema.getClass(classname), needs.menuProps);
  for (const listed of needs.lists) if (db.schema.hasClass(listed)) await loadList(loader, listed);
  return { data, indexArgs, batch };
}

/** What every loader works with: the request's database, the page's data, the read cache. */
interface Loader {
  db: Database;
  data: PageData;
  cache: RequestCache;
}

/** Items as a page shows them: the values the user may see, and the labels of links to them. */
interface ReadItems {
  values: ReadonlyMap<string, ItemValues>;
  labels: ReadonlyMap<string, string>;
}

/**
 * Reads items: their labels from the unchecked view (see
 * PageData.addLabels), their values as the user may see them. Both share
 * the unit of work's cache (primed from the read cache), so this is at
 * most one getMany's queries.
 */
async function readItems({ db, cache }: Loader, classname: string, ids: readonly string[]): Promise<ReadItems> {
  await cache.prime(classname, ids);
  const labelProp = db.schema.getClass(classname).labelprop(true);
  const all = await db.system().getclass(classname).getMany(ids);
  const labels = new Map<string, string>();
  for (const [id, values] of all) {
    const label = labelProp === 'id' ? null : values[labelProp];
    if (label !== null && label !== undefined && label !== '') labels.set(id, String(label));
  }
  return { values: await db.getclass(classname).getMany(ids), labels };
}

/** Reads the items not loaded yet and adds them to the page. */
async function loadItems(loader: Loader, classname: string, ids: Iterable<string>): Promise<void> {
  const missing = loader.data.missing(classname, ids);
  if (missing.length) addItems(loader.data, classname, await readItems(loader, classname, missing));
}

/** Adds read items the page has not loaded yet (a kept list must not replace what this page loaded its own way). */
function addItems(data: PageData, classname: string, read: ReadItems): void {
  data.addLabels(classname, read.labels);
  data.add(classname, new Map([...read.values].filter(([id]) => !data.has(classname, id))));
}

/**
 * Loads the items `items` link to through `props` (Links and Multilinks):
 * one getMany per linked class, whatever the number of items.
 */
async function loadLinked(loader: Loader, def: ClassDef, items: readonly ItemValues[], props: ReadonlySet<string> | null): Promise<void> {
  const wanted = new Map<string, Set<string>>();
  for (const [name, prop] of def.getprops()) {
    if ((prop.kind !== 'Link' && prop.kind !== 'Multilink') || (props !== null && !props.has(name))) continue;
    const ids = wanted.get(prop.target) ?? new Set<string>();
    for (const values of items) {
      const v = values[name];
      if (typeof v === 'string') ids.add(v);
      else if (Array.isArray(v)) for (const id of v) ids.add(id);
    }
    wanted.set(prop.target, ids);
  }
  for (const [target, ids] of wanted) if (ids.size) await loadItems(loader, target, ids);
}

/** The current user (their name at least) and, for a logged-in user, their saved queries. */
async function loadCurrentUser(loader: Loader, req: WebRequest): Promise<void> {
  const { db, data } = loader;
  if (!db.schema.hasClass('user')) return;
  const { userid, username } = req.user;
  await loadItems(loader, 'user', [userid]);
  const values = data.values('user', userid);
  // The user may not be allowed to read their own record (anonymous); they still have a name.
  if (!values) data.add('user', new Map([[userid, { username }]]));
  // Loaded values may be shared with other requests (the read cache): replaced, never changed.
  else if (values.username === undefined) data.add('user', new Map([[userid, { ...values, username }]]));
  const def = db.schema.getClass('user');
  if (!req.user.anonymous && values && def.properties.get('queries')?.kind === 'Multilink') {
    await loadLinked(loader, def, [values], new Set(['queries']));
  }
  for (const perm of ITEM_PERMISSIONS) await data.permissions.prove(db, perm, 'user', userid);
}

/**
 * The item page: the item, everything it links to, the items those point
 * at through Links (message authors, file creators), file texts, the
 * journal, and exact permission answers for the item and its properties.
 */
async function loadItemPage(loader: Loader, def: ClassDef, itemid: string, needs: TemplateNeeds): Promise<void> {
  const { db, data } = loader;
  const classname = def.name;
  await loadItems(loader, classname, [itemid]);
  const item = data.values(classname, itemid);
  if (!item) throw new RupError('RUP_ERR_PERMISSION', `You are not allowed to view ${classname}${itemid}.`);
  if (await db.system().getclass(classname).isRetired(itemid)) data.retired.add(`${classname}${itemid}`);

  await loadLinked(loader, def, [item], null);
  const second = new Map<string, ItemValues[]>();
  for (const prop of def.getprops().values()) {
    if (prop.kind !== 'Link' && prop.kind !== 'Multilink') continue;
    const ids = typeof item[prop.name] === 'string' ? [item[prop.name] as string] : Array.isArray(item[prop.name]) ? (item[prop.name] as string[]) : [];
    const list = second.get(prop.target) ?? [];
    for (const id of ids) {
      const values = data.values(prop.target, id);
      if (values) list.push(values);
    }
    second.set(prop.target, list);
  }
  for (const [target, items] of second) {
    const targetDef = db.schema.getClass(target);
    const links = new Set([...targetDef.getprops()].filter(([, p]) => p.kind === 'Link').map(([n]) => n));
    if (items.length && links.size) await loadLinked(loader, targetDef, items, links);
  }

  if (needs.content) {
    if (def.kind === 'file') await loadContents(db, data, classname, [itemid]);
    for (const [target, items] of second) {
      if (db.schema.getClass(target).kind === 'file') await loadContents(db, data, target, items.map((v) => String(v.id)));
    }
  }
  if (needs.history && def.doJournal) await loadHistory(loader, def, itemid);

  for (const perm of ITEM_PERMISSIONS) await data.permissions.prove(db, perm, classname, itemid);
  for (const name of def.getprops().keys()) {
    await data.permissions.prove(db, 'Edit', classname, itemid, name);
    await data.permissions.prove(db, 'View', classname, itemid, name);
  }
}

/** Texts of file items the user may read (file reads, not queries). */
async function loadContents(db: Database, data: PageData, classname: string, ids: readonly string[]): Promise<void> {
  const cls = db.getclass(classname);
  for (const id of ids) {
    const key = `${classname}${id}`;
    if (data.contents.has(key) || !data.has(classname, id)) continue;
    try {
      data.contents.set(key, (await cls.get(id, 'content')) as string);
    } catch (err) {
      // Content the user may not read stays out of the page; missing content reads as empty.
      if (isRupError(err, 'RUP_ERR_PERMISSION')) data.contents.set(key, null);
      else if (isRupError(err, 'RUP_ERR_NO_SUCH_ITEM')) data.contents.set(key, '');
      else throw err;
    }
  }
}

/** The journal the user may see, with the users and linked items it names. */
async function loadHistory(loader: Loader, def: ClassDef, itemid: string): Promise<void> {
  const { db, data } = loader;
  const entries = await db.getclass(def.name).history(itemid);
  data.journals.set(`${def.name}${itemid}`, entries);
  const users = new Set<string>();
  const linked = new Map<string, Set<string>>();
  const want = (target: string, id: string) => {
    const set = linked.get(target) ?? new Set<string>();
    set.add(id);
    linked.set(target, set);
  };
  for (const entry of entries) {
    if (entry.userid) users.add(entry.userid);
    if (entry.action !== 'set' || !entry.params || Array.isArray(entry.params)) continue;
    for (const [name, old] of Object.entries(entry.params)) {
      const prop = def.properties.get(name);
      if (prop?.kind === 'Link' && typeof old === 'string') want(prop.target, old);
      if (prop?.kind === 'Multilink' && Array.isArray(old)) {
        for (const change of old) if (Array.isArray(change) && Array.isArray(change[1])) for (const id of change[1]) want(prop.target, String(id));
      }
    }
  }
  if (users.size && db.schema.hasClass('user')) await loadItems(loader, 'user', users);
  for (const [target, ids] of linked) if (db.schema.hasClass(target)) await loadItems(loader, target, ids);
}

/**
 * The index rows: the page of ids matching the request's filter,
 * full-text search, sort and group (`filter` with limit and offset) and
 * how many match in all (`filterCount`), the rows (`getMany`), and the
 * items their Links (and their Multilinks shown as columns or groups)
 * point at.
 */
async function loadBatch(loader: Loader, def: ClassDef, args: IndexArgs, needs: TemplateNeeds): Promise<PageModel['batch']> {
  const { db, data, cache } = loader;
  for (const column of args.columns) {
    if (!def.hasProperty(column)) throw new RupError('RUP_ERR_NO_SUCH_PROPERTY', `Unknown column "${column}" for class ${def.name}`);
  }
  const cls = db.getclass(def.name);
  const size = args.pagesize > 0 ? args.pagesize : 50;
  const first = Math.max(0, args.startwith);
  const options = { sort: args.sort, group: args.group };
  const pageOptions = { ...options, limit: size, offset: first };
  let matches: Set<string> | null | undefined;
  const search = async () => (matches === undefined ? (matches = args.searchText ? await cls.searchText(args.searchText) : null) : matches);
  // The page and the total, each counted by the database (never every matching id), and kept until the data changes.
  const page = await cache.answer(filterKey(db, def.name, 'page', args.filterspec, args.searchText, pageOptions), async () =>
    cls.filter(await search(), args.filterspec, pageOptions),
  );
  const total = await cache.answer(filterKey(db, def.name, 'count', args.filterspec, args.searchText, options), async () =>
    cls.filterCount(await search(), args.filterspec, options),
  );
  await loadItems(loader, def.name, page);
  const rows = page.map((id) => data.values(def.name, id)).filter((v): v is ItemValues => v !== undefined);
  const shown = new Set([...args.columns, ...args.group.map(([, p]) => p)]);
  const props = new Set([...def.getprops()].filter(([n, p]) => p.kind === 'Link' || (p.kind === 'Multilink' && shown.has(n))).map(([n]) => n));
  await loadLinked(loader, def, rows, props);
  if (needs.content && def.kind === 'file') await loadContents(db, data, def.name, page);
  return { ids: page, first, size, total };
}

/**
 * Menu options: every active item the user may view of the classes the
 * page class's Links and Multilinks point at, for plain classes (not
 * issue or file classes) and for the properties named in `named`.
 */
async function loadMenus(loader: Loader, def: ClassDef, named: ReadonlySet<string>): Promise<void> {
  const { db } = loader;
  const targets = new Set<string>();
  for (const [name, prop] of def.getprops()) {
    if (prop.kind !== 'Link' && prop.kind !== 'Multilink') continue;
    if (named.has(name) || db.schema.getClass(prop.target).kind === 'class') targets.add(prop.target);
  }
  for (const target of targets) await loadList(loader, target);
}

/**
 * Every active item of a class the user may view, in order-property
 * order, with their values: the same for every page of the user until
 * the data changes, so read once and kept (a tracker's user menus list
 * every user).
 */
async function loadList(loader: Loader, classname: string): Promise<void> {
  const { db, data, cache } = loader;
  if (data.lists.has(classname)) return;
  const cls = db.getclass(classname);
  const options = { sort: [['+', cls.orderprop()]] as const };
  const key = filterKey(db, classname, 'list', {}, null, options);
  const list = await cache.answer(key === null ? null : `${key} with values`, async () => {
    const ids = await cls.filter(null, {}, options);
    // All of them, whatever this page loaded already: the answer is kept for other pages.
    return { ids, read: await readItems(loader, classname, ids) };
  });
  addItems(data, classname, list.read);
  data.lists.set(classname, list.ids.filter((id) => data.has(classname, id)));
}
