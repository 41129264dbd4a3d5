import { RupError } from '../../errors.js';
import type { Database } from '../../hyperdb/database.js';
import type { FormItem, FormValue, ItemRef, ParsedForm } from './parse-form.js';

/** What applying a form did. */
export interface AppliedForm {
  /** One line per item: `issue 42 title, status edited ok`, `msg 7 created` (Roundup's feedback). */
  messages: string[];
  /** The id given to the new context item (the `new` action), null when none was created. */
  createdContextId: string | null;
}

function refKey(ref: ItemRef): string {
  return `${ref.classname}\u0000${ref.id ?? ''}`;
}

function isExisting(id: string | null): id is string {
  return id !== null && !id.startsWith('-');
}

/**
 * The order items must be written in: an item that links to new items
 * comes after them, so their ids are known (Roundup's dependency order).
 * @throws RupError RUP_ERR_VALUE `linking must not loop!`
 */
function writeOrder(items: Map<string, FormItem>, deps: Map<string, string[]>): FormItem[] {
  const order: FormItem[] = [];
  const done = new Set<string>();
  while (done.size < items.size) {
    let progress = false;
    for (const [key, item] of items) {
      if (done.has(key)) continue;
      if ((deps.get(key) ?? []).every((d) => done.has(d))) {
        done.add(key);
        order.push(item);
        progress = true;
      }
    }
    if (!progress) throw new RupError('RUP_ERR_VALUE', 'linking must not loop!');
  }
  return order;
}

/** Roundup's editItemPermission: the user must be allowed to edit every property being changed. */
async function mayEdit(db: Database, classname: string, itemid: string, props: Record<string, FormValue>): Promise<boolean> {
  for (const p of Object.keys(props)) {
    if (!(await db.hasPermission('Edit', classname, { property: p, itemid }))) return false;
  }
  return true;
}

/** Roundup's newItemPermission: Create on the class and on every property given. */
async function mayCreate(db: Database, classname: string, props: Record<string, FormValue>): Promise<boolean> {
  if (!(await db.hasPermission('Create', classname))) return false;
  for (const p of Object.keys(props)) {
    if (!(await db.hasPermission('Create', classname, { property: p }))) return false;
  }
  return true;
}

/**
 * Writes a parsed form in the unit of work `db` (Roundup's _editnodes):
 * items in dependency order, each new item created and each existing one
 * changed, new ids filled into the links that name them. The caller
 * commits, or rolls back on error.
 *
 * @throws RupError RUP_ERR_PERMISSION with Roundup's message ("You do not
 *   have permission to edit issue", "... to create msg") before anything
 *   of that item is written; RUP_ERR_VALUE `linking must not loop!`; and
 *   whatever the hyperdb and the detectors raise.
 */
export async function applyForm(db: Database, parsed: ParsedForm): Promise<AppliedForm> {
  const items = new Map(parsed.items.map((item) => [refKey(item), item] as const));
  const deps = new Map<string, string[]>();
  const linkers = new Map<string, Array<{ item: FormItem; propname: string }>>();
  for (const link of parsed.links) {
    const owner = items.get(refKey(link));
    // The linking item neither exists nor will be created.
    if (!owner) continue;
    for (const target of link.targets) {
      const key = refKey(target);
      if (!items.has(key)) continue;
      deps.set(refKey(link), [...(deps.get(refKey(link)) ?? []), key]);
      linkers.set(key, [...(linkers.get(key) ?? []), { item: owner, propname: link.propname }]);
    }
  }

  const messages: string[] = [];
  let createdContextId: string | null = null;
  for (const item of writeOrder(items, deps)) {
    const cn = item.classname;
    let id = item.id;
    if (Object.keys(item.props).length) {
      if (isExisting(id)) {
        if (!(await mayEdit(db, cn, id, item.props))) throw new RupError('RUP_ERR_PERMISSION', `You do not have permission to edit ${cn}`);
        const changed = await db.getclass(cn).set(id, item.props);
        // Quiet properties are not reported; nothing visible changed, nothing said.
        if (Object.keys(changed).length) messages.push(`${cn} ${id} ${Object.keys(changed).join(', ')} edited ok`);
      } else {
        if (!(await mayCreate(db, cn, item.props))) throw new RupError('RUP_ERR_PERMISSION', `You do not have permission to create ${cn}`);
        const newid = await db.getclass(cn).create(item.props);
        if (id === null) createdContextId = newid;
        id = newid;
        messages.push(`${cn} ${newid} created`);
      }
    }
    // Fill the id of this item into the items linking to it.
    for (const { item: owner, propname } of linkers.get(refKey(item)) ?? []) {
      if (id === null || id.startsWith('-')) continue;
      const prop = db.schema.getClass(owner.classname).prop(propname);
      const current = owner.props[propname];
      if (current === undefined) {
        if (prop.kind !== 'Multilink') owner.props[propname] = id;
        else if (isExisting(owner.id)) owner.props[propname] = [...((await db.system().getclass(owner.classname).get(owner.id, propname)) as string[]), id];
        else owner.props[propname] = [id];
      } else if (prop.kind === 'Multilink') {
        owner.props[propname] = [...(current as string[]), id];
      }
    }
  }
  return { messages, createdContextId };
}
