import type { StoredItem } from '../backends/sql/item-store.js';
import type { SqlExecutor } from '../backends/sql/executor.js';
import { itemTable } from '../backends/sql/dialect.js';
import { RupError } from '../errors.js';
import { DateTime } from './date.js';
import { journalPasswordText } from './password.js';
import type { HyperClass } from './hyper-class.js';
import type { JournalEntry } from './journal.js';
import type { AnyProperty, PointerProperty } from './properties.js';
import { isProtected } from './properties.js';
import { type HyperValue, type ItemValues, checkTypedValue, cloneValue, copyValues, isId, normaliseIdList, sameValue } from './values.js';

const DEFAULT_MIME_TYPE = 'text/plain';
const ENCODED_PASSWORD = /^\{(\w+)\}/;

function contentBuffer(classname: string, value: unknown): Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value);
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  throw new RupError('RUP_ERR_VALUE', `new property "content" of ${classname} must be text or bytes`);
}

function rejectProtected(classname: string, values: Record<string, unknown>): void {
  for (const name of Object.keys(values)) {
    if (isProtected(name)) {
      throw new RupError('RUP_ERR_VALUE', `${classname}: "id", "creation", "activity", "creator" and "actor" are reserved`);
    }
  }
}

/** Journal entries collected while one change runs, queued together. */
class ChangeLog {
  readonly entries = new Map<string, JournalEntry[]>();

  add(classname: string, entry: JournalEntry): void {
    const list = this.entries.get(classname);
    if (list) list.push(entry);
    else this.entries.set(classname, [entry]);
  }

  queue(cl: HyperClass): void {
    for (const [classname, entries] of this.entries) cl.db.uow.addJournal(classname, entries);
  }
}

/**
 * Validates and normalises one value for storage: types, Link/Multilink
 * ids (key values are looked up; every id must exist), passwords encoded.
 */
async function storableValue(cl: HyperClass, prop: AnyProperty, raw: unknown): Promise<HyperValue> {
  if (prop.computed) throw new RupError('RUP_ERR_VALUE', `property ${prop.name} is computed and cannot be set`);
  const value = checkTypedValue(prop, raw);
  if (value === null) return null;
  if (prop.kind === 'Link') return (await resolveLinks(cl, prop, [value as string]))[0]!;
  if (prop.kind === 'Multilink') return normaliseIdList(await resolveLinks(cl, prop, value as string[]));
  if (prop.kind === 'Password' && !ENCODED_PASSWORD.test(value as string)) {
    return cl.db.encodePassword(value as string, prop.scheme);
  }
  return value;
}

async function resolveLinks(cl: HyperClass, prop: PointerProperty, values: string[]): Promise<string[]> {
  const uow = cl.db.uow;
  const target = cl.db.schema.getClass(prop.target);
  const ids: string[] = [];
  for (const v of values) {
    // Typed values are ids, as in Roundup's create/set: try_id_parsing only
    // governs raw input (rawToHyperdb), which has already turned keys into ids.
    if (isId(v)) {
      ids.push(String(Number(v)));
      continue;
    }
    const key = target.getkey();
    const id = key ? await uow.lookupKey(prop.target, key, v) : null;
    if (id === null) throw new RupError('RUP_ERR_VALUE', `new property "${prop.name}": ${v} not a ${prop.target}`);
    ids.push(id);
  }
  const unknown = ids.filter((id) => !uow.isKnown(prop.target, id));
  if (unknown.length) {
    // Loaded whole rather than only checked: detectors and nosy mail usually read what a change links to next.
    const existing = await cl.db.getclass(prop.target).loadStored(unknown);
    for (const id of unknown) {
      if (!existing.has(id)) throw new RupError('RUP_ERR_VALUE', `${prop.target} has no node ${id}`);
    }
  }
  return ids;
}

async function assertKeyFree(cl: HyperClass, value: HyperValue, exceptId: string | null): Promise<void> {
  const key = cl.def.getkey();
  if (!key) return;
  if (value === null || value === '') throw new RupError('RUP_ERR_VALUE', `key property "${key}" is required`);
  const found = await cl.storage.items.lookup(cl.db.uow.execFor(cl.classname), cl.classname, key, value as string);
  if (found !== null && found !== exceptId) {
    throw new RupError('RUP_ERR_DUPLICATE_KEY', `node with key "${value as string}" exists`);
  }
}

function linkJournal(cl: HyperClass, log: ChangeLog, prop: AnyProperty, itemid: string, ids: readonly string[], action: 'link' | 'unlink', date: DateTime, userid: string): void {
  if (!cl.def.doJournal || (prop.kind !== 'Link' && prop.kind !== 'Multilink') || !prop.doJournal) return;
  for (const id of ids) {
    log.add(prop.target, { nodeid: id, date, userid, action, params: [cl.classname, itemid, prop.name] });
  }
}

/** Runs the auditors of an event with the unchecked view, as Roundup's detectors run. */
async function fireAuditors(cl: HyperClass, event: 'create' | 'set' | 'retire' | 'restore', itemid: string | null, newvalues: Record<string, unknown> | null): Promise<void> {
  const sys = cl.db.system();
  const handle = sys.getclass(cl.classname);
  for (const fn of cl.def.detectors.auditorsFor<typeof sys, HyperClass>(event)) await fn(sys, handle, itemid, newvalues);
}

async function fireReactors(cl: HyperClass, event: 'create' | 'set' | 'retire' | 'restore', itemid: string, oldvalues: Record<string, unknown> | null): Promise<void> {
  const sys = cl.db.system();
  const handle = sys.getclass(cl.classname);
  for (const fn of cl.def.detectors.reactorsFor<typeof sys, HyperClass>(event)) await fn(sys, handle, itemid, oldvalues);
}

/**
 * Items pointed at through a property with a reverse multilink (rev_multilink)
 * list this item in a computed property: their cached copies are stale once
 * this item's pointers change or it is retired, restored or destroyed.
 */
function forgetReverseTargets(cl: HyperClass, values: Record<string, HyperValue>): void {
  for (const [name, prop] of cl.def.properties) {
    if ((prop.kind !== 'Link' && prop.kind !== 'Multilink') || !prop.revMultilink || prop.computed) continue;
    const value = values[name];
    const ids = value === null || value === undefined ? [] : Array.isArray(value) ? value : [value as string];
    for (const id of ids) cl.db.uow.forget(cl.db.getclass(prop.target).cacheKey(id));
  }
}

function indexTexts(cl: HyperClass, itemid: string, values: Record<string, HyperValue>): void {
  for (const [name, value] of Object.entries(values)) {
    const prop = cl.def.properties.get(name);
    if (prop?.kind === 'String' && prop.indexme && name !== 'content') {
      cl.db.uow.index.add({ classname: cl.classname, itemid, prop: name }, (value as string | null) ?? '');
    }
  }
}

function storeContent(cl: HyperClass, itemid: string, content: Buffer, mimeType: string | null, isNew: boolean): void {
  cl.db.uow.files.write(cl.classname, itemid, content, isNew);
  const prop = cl.def.properties.get('content');
  if (prop?.kind === 'String' && prop.indexme) {
    cl.db.uow.index.add({ classname: cl.classname, itemid, prop: 'content' }, content.toString('utf8'), mimeType ?? DEFAULT_MIME_TYPE);
  }
}

/** Roundup's create: auditors, checks, insert, journal, index, content, reactors. */
export async function createItem(cl: HyperClass, input: Record<string, unknown>): Promise<string> {
  const db = cl.db;
  const cn = cl.classname;
  if (db.checked) {
    await db.requirePermission('Create', cn);
    for (const name of Object.keys(input)) await db.requirePermission('Create', cn, { property: name });
  }
  rejectProtected(cn, input);
  await db.uow.writer();
  const newvalues: Record<string, unknown> = { ...input };
  await fireAuditors(cl, 'create', null, newvalues);
  rejectProtected(cn, newvalues);

  const isFile = cl.def.kind === 'file';
  let content: Buffer | null = null;
  if (isFile) {
    if (newvalues.content === undefined || newvalues.content === null) {
      throw new RupError('RUP_ERR_VALUE', `a new ${cn} needs its "content"`);
    }
    content = contentBuffer(cn, newvalues.content);
    delete newvalues.content;
  }
  const values: ItemValues = {};
  for (const [name, raw] of Object.entries(newvalues)) {
    if (!cl.def.properties.has(name)) throw new RupError('RUP_ERR_NO_SUCH_PROPERTY', `${cn} has no property "${name}"`);
    values[name] = await storableValue(cl, cl.def.prop(name), raw);
  }
  const key = cl.def.getkey();
  if (key) await assertKeyFree(cl, values[key] ?? null, null);
  for (const [name, prop] of cl.def.properties) {
    if (name in values || prop.computed || (isFile && name === 'content')) continue;
    values[name] = checkTypedValue(prop, prop.getDefaultValue());
  }

  const id = await db.uow.nextId(cn);
  const now = DateTime.now();
  const userid = db.getuid();
  const row: ItemValues = { ...values, creation: now, activity: now, creator: userid, actor: userid };
  db.uow.writes++;
  db.uow.queueInsert(cn, id, row);
  // The new item is known in full: later reads in this unit of work need no query.
  // Nothing points at it yet, so its reverse multilinks are empty.
  const computed: ItemValues = {};
  for (const [name, prop] of cl.def.properties) if (prop.computed) computed[name] = [];
  db.uow.remember(cl.cacheKey(id), { id, retired: false, values: { ...row, ...computed, id } }, db.uow.epoch, true);
  db.uow.markExisting(cn, [id]);
  forgetReverseTargets(cl, values);

  const log = new ChangeLog();
  if (cl.def.doJournal) log.add(cn, { nodeid: id, date: now, userid, action: 'create', params: {} });
  for (const [name, value] of Object.entries(values)) {
    if (value === null) continue;
    const prop = cl.def.prop(name);
    if (prop.kind === 'Link') linkJournal(cl, log, prop, id, [value as string], 'link', now, userid);
    if (prop.kind === 'Multilink') linkJournal(cl, log, prop, id, value as string[], 'link', now, userid);
  }
  log.queue(cl);
  indexTexts(cl, id, values);
  if (content) storeContent(cl, id, content, (values.type as string | null) ?? null, true);
  await fireReactors(cl, 'create', id, null);
  return id;
}

/**
 * An item as it stands inside the write transaction, its row locked
 * against other writers: the unit of work's copy when the transaction
 * holds it already, else locked and loaded.
 */
async function lockedItem(cl: HyperClass, tx: SqlExecutor, itemid: string): Promise<StoredItem> {
  if (!isId(itemid)) throw new RupError('RUP_ERR_NO_SUCH_ITEM', `${cl.classname} has no node ${itemid}`);
  const uow = cl.db.uow;
  const key = cl.cacheKey(itemid);
  const held = uow.heldItem(key);
  if (held) return held;
  await cl.storage.dialect.lockRow(tx, itemTable(cl.classname), Number(itemid));
  uow.forget(key);
  const epoch = uow.epoch;
  const item = (await cl.storage.items.load(uow.execFor(cl.classname), cl.classname, [itemid])).get(itemid);
  if (!item) throw new RupError('RUP_ERR_NO_SUCH_ITEM', `${cl.classname} has no node ${itemid}`);
  uow.remember(key, item, epoch, true);
  return item;
}

/** Roundup's set: returns the values that really changed. */
export async function setItem(cl: HyperClass, itemid: string, input: Record<string, unknown>): Promise<Record<string, HyperValue>> {
  const db = cl.db;
  const cn = cl.classname;
  const tx = await db.uow.writer();
  const old = await lockedItem(cl, tx, itemid);
  if (db.checked) {
    for (const name of Object.keys(input)) await db.requirePermission('Edit', cn, { property: name, itemid });
  }
  rejectProtected(cn, input);
  const newvalues: Record<string, unknown> = { ...input };
  await fireAuditors(cl, 'set', itemid, newvalues);
  rejectProtected(cn, newvalues);
  // Roundup's set_inner: a retired item is read-only (an empty change is not an error).
  if (old.retired && Object.keys(newvalues).length) throw new RupError('RUP_ERR_NO_SUCH_ITEM', 'Requested item is retired');

  let content: Buffer | null = null;
  if (cl.def.kind === 'file' && newvalues.content !== undefined) {
    if (newvalues.content !== null) content = contentBuffer(cn, newvalues.content);
    delete newvalues.content;
  }
  const changes: Record<string, HyperValue> = {};
  for (const [name, raw] of Object.entries(newvalues)) {
    if (!cl.def.properties.has(name)) throw new RupError('RUP_ERR_NO_SUCH_PROPERTY', `${cn} has no property "${name}"`);
    const value = await storableValue(cl, cl.def.prop(name), raw);
    if (!sameValue(value, old.values[name] ?? null)) changes[name] = value;
  }
  const key = cl.def.getkey();
  if (key && key in changes) await assertKeyFree(cl, changes[key]!, itemid);

  if (Object.keys(changes).length) {
    const now = DateTime.now();
    const userid = db.getuid();
    const log = new ChangeLog();
    const scalars: Record<string, HyperValue> = { activity: now, actor: userid };
    const multilinks: Record<string, { added: string[]; removed: string[] }> = {};
    const journalParams: Record<string, unknown> = {};
    db.uow.writes++;
    for (const name of Object.keys(changes).sort()) {
      const prop = cl.def.prop(name);
      const before = old.values[name] ?? null;
      const after = changes[name]!;
      if (prop.kind === 'Multilink') {
        const added = (after as string[]).filter((x) => !(before as string[]).includes(x));
        const removed = (before as string[]).filter((x) => !(after as string[]).includes(x));
        multilinks[name] = { added, removed };
        const change: Array<['+' | '-', string[]]> = [];
        if (added.length) change.push(['+', added]);
        if (removed.length) change.push(['-', removed]);
        journalParams[name] = change;
        linkJournal(cl, log, prop, itemid, added, 'link', now, userid);
        linkJournal(cl, log, prop, itemid, removed, 'unlink', now, userid);
      } else {
        scalars[name] = after;
        // Like Roundup's JournalPassword: the history records the scheme, never the hash.
        journalParams[name] = prop.kind === 'Password' && before !== null ? journalPasswordText(before as string) : cloneValue(before);
        if (prop.kind === 'Link') {
          if (before !== null) linkJournal(cl, log, prop, itemid, [before as string], 'unlink', now, userid);
          if (after !== null) linkJournal(cl, log, prop, itemid, [after as string], 'link', now, userid);
        }
      }
    }
    const stored: ItemValues = { ...old.values, ...copyValues(changes), activity: now, actor: userid };
    // A row created in this unit of work and not written yet takes the change itself.
    if (!db.uow.updateQueued(cn, itemid, { ...copyValues(changes), activity: now, actor: userid })) {
      for (const [name, { added, removed }] of Object.entries(multilinks)) {
        await cl.storage.items.removeLinks(tx, cn, name, itemid, removed);
        await cl.storage.items.insertLinks(tx, cn, name, added.map((linkid) => [itemid, linkid] as const));
      }
      await cl.storage.items.updateScalars(tx, cn, itemid, scalars);
    }
    db.uow.remember(cl.cacheKey(itemid), { id: itemid, retired: old.retired, values: stored }, db.uow.epoch, true);
    if (cl.def.doJournal) log.add(cn, { nodeid: itemid, date: now, userid, action: 'set', params: journalParams });
    log.queue(cl);
    if (key && key in changes) db.uow.forgetClass(cn);
    forgetReverseTargets(cl, old.values);
    forgetReverseTargets(cl, changes);
    indexTexts(cl, itemid, changes);
  }
  if (content) {
    db.uow.writes++;
    const type = 'type' in changes ? changes.type : old.values.type;
    storeContent(cl, itemid, content, (type as string | null) ?? null, false);
  }
  await fireReactors(cl, 'set', itemid, copyValues(old.values));
  // As Roundup's set: quiet properties are changed but not reported.
  const reported: Record<string, HyperValue> = {};
  for (const [name, value] of Object.entries(changes)) if (!cl.def.prop(name).quiet) reported[name] = value;
  return reported;
}

/** Roundup's retire: the item stays readable by id but leaves lists, finds, filters and lookups. */
export async function retireItem(cl: HyperClass, itemid: string): Promise<void> {
  const db = cl.db;
  const tx = await db.uow.writer();
  const item = await lockedItem(cl, tx, itemid);
  await db.requirePermission('Retire', cl.classname, { itemid });
  await fireAuditors(cl, 'retire', itemid, null);
  db.uow.writes++;
  await cl.storage.items.setRetired(tx, cl.classname, itemid, true);
  if (cl.def.doJournal) {
    db.uow.addJournal(cl.classname, [{ nodeid: itemid, date: DateTime.now(), userid: db.getuid(), action: 'retired', params: null }]);
  }
  db.uow.forget(cl.cacheKey(itemid));
  db.uow.forgetClass(cl.classname);
  forgetReverseTargets(cl, item.values);
  await fireReactors(cl, 'retire', itemid, null);
}

/** Roundup's restore; fails if another active item now uses the key value. */
export async function restoreItem(cl: HyperClass, itemid: string): Promise<void> {
  const db = cl.db;
  const tx = await db.uow.writer();
  const item = await lockedItem(cl, tx, itemid);
  await db.requirePermission('Restore', cl.classname, { itemid });
  const key = cl.def.getkey();
  if (key) {
    const value = item.values[key] as string | null;
    const other = value === null ? null : await cl.storage.items.lookup(tx, cl.classname, key, value);
    if (other !== null && other !== itemid) {
      throw new RupError('RUP_ERR_DUPLICATE_KEY', `Key property (${key}) of retired node clashes with existing one (${value})`);
    }
  }
  await fireAuditors(cl, 'restore', itemid, null);
  db.uow.writes++;
  await cl.storage.items.setRetired(tx, cl.classname, itemid, false);
  if (cl.def.doJournal) {
    db.uow.addJournal(cl.classname, [{ nodeid: itemid, date: DateTime.now(), userid: db.getuid(), action: 'restored', params: null }]);
  }
  db.uow.forget(cl.cacheKey(itemid));
  db.uow.forgetClass(cl.classname);
  forgetReverseTargets(cl, item.values);
  await fireReactors(cl, 'restore', itemid, null);
}

/** Roundup's destroy: removes the item, its links, journal, content and index entries for good. */
export async function destroyItem(cl: HyperClass, itemid: string): Promise<void> {
  const db = cl.db;
  const tx = await db.uow.writer();
  const item = await lockedItem(cl, tx, itemid);
  await db.requirePermission('Retire', cl.classname, { itemid });
  db.uow.writes++;
  await cl.storage.items.destroy(tx, cl.classname, itemid);
  await db.uow.flushQueued();
  await cl.storage.journal.clear(tx, cl.classname, itemid);
  if (cl.def.kind === 'file') db.uow.files.remove(cl.classname, itemid);
  db.uow.index.removeItem(cl.classname, itemid);
  db.uow.forget(cl.cacheKey(itemid));
  db.uow.forgetClass(cl.classname);
  forgetReverseTargets(cl, item.values);
}
