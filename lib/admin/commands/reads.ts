/** The commands that show items: `display`, `get`, `list`, `table`. */
import type { HyperClass } from '../../hyperdb/hyper-class.js';
import { type AdminCommand, UsageError } from '../command.js';
import { pragmaFlag, retiredFilter } from '../pragma-defaults.js';
import { pythonStr } from '../python-str.js';
import { capitalize, designator, getClass, println, propertyValues, requireArgs, separator } from './common.js';

export const displayCommand: AdminCommand = {
  name: 'display',
  needsTracker: true,
  help: `Usage: display designator[,designator]*

Show the property values for the given node(s).

A designator is a classname and a nodeid concatenated,
eg. bug1, user10, ...

This lists the properties and their associated values
for the given node.`,
  async run(ctx, args) {
    requireArgs(args, 1);
    const db = await ctx.db();
    const showProtected = pragmaFlag(ctx.pragmas, 'display_protected');
    const showHeader = pragmaFlag(ctx.pragmas, 'display_header');
    for (const text of args[0]!.split(',')) {
      const [classname, itemid] = designator(text);
      const cls = getClass(db, classname);
      await requireItem(cls, itemid);
      const normal = new Set(cls.def.properties.keys());
      const keys = [...(showProtected ? cls.getprops().keys() : normal)].sort();
      if (showHeader) println(ctx, `\n[${text} (${(await cls.isRetired(itemid)) ? 'retired' : 'active'})]`);
      for (const key of keys) {
        // With either pragma, protected properties are starred and the others indented to line up.
        const mark = showProtected || showHeader ? (normal.has(key) ? ' ' : '*') : '';
        println(ctx, `${mark}${key}: ${pythonStr(await cls.get(itemid, key), cls.def.prop(key))}`);
      }
    }
  },
};

/** Roundup's message for a missing item: `no such issue node "9"`. */
async function requireItem(cls: HyperClass, itemid: string): Promise<void> {
  if (!(await cls.hasnode(itemid))) throw new UsageError(`no such ${cls.classname} node "${itemid}"`);
}

export const getCommand: AdminCommand = {
  name: 'get',
  needsTracker: true,
  help: `Usage: get property designator[,designator]*
Get the given property of one or more designator(s).

A designator is a classname and a nodeid concatenated,
eg. bug1, user10, ...

Retrieves the property value of the nodes specified
by the designators.`,
  async run(ctx, args) {
    requireArgs(args, 2);
    const db = await ctx.db();
    const propname = args[0]!;
    const sep = separator(ctx);
    for (const text of args[1]!.split(',')) {
      const [classname, itemid] = designator(text);
      const cls = getClass(db, classname);
      await requireItem(cls, itemid);
      if (!cls.def.hasProperty(propname) && !(cls.def.kind === 'file' && propname === 'binary_content')) {
        throw new UsageError(`no such ${classname} property "${propname}"`);
      }
      if (sep === null && !ctx.listOutput.designators) {
        println(ctx, pythonStr(await cls.get(itemid, propname), cls.def.properties.get(propname)));
        continue;
      }
      const prop = cls.def.prop(propname);
      if (prop.kind !== 'Link' && prop.kind !== 'Multilink') {
        throw new UsageError(`property ${propname} is not of type Multilink or Link so -d flag does not apply.`);
      }
      const value = await cls.get(itemid, propname);
      // A Link is one id (Roundup iterates the id string, which breaks ids of two digits or more).
      const ids = Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
      const items = ctx.listOutput.designators ? ids.map((id) => prop.target + id) : ids;
      println(ctx, items.join(sep ?? '\n'));
    }
  },
};

export const listCommand: AdminCommand = {
  name: 'list',
  needsTracker: true,
  help: `Usage: list classname [property]
List the instances of a class.

Lists all instances of the given class. If the property is not
specified, the  "label" property is used. The label property is
tried in order: the key, "name", "title" and then the first
property, alphabetically.

With -c, -S or -s print a list of item id's if no property
specified.  If property specified, print list of that property
for every class instance.`,
  async run(ctx, args) {
    if (args.length > 2) throw new UsageError('Too many arguments supplied');
    requireArgs(args, 1);
    const db = await ctx.db();
    const classname = args[0]!;
    const cls = getClass(db, classname);
    const propname = args[1] ?? cls.labelprop();
    const ids = await cls.getnodeids(retiredFilter(ctx.pragmas));
    const sep = separator(ctx);
    if (sep !== null && args.length < 2) {
      println(ctx, ids.join(sep));
      return;
    }
    // As Roundup, an unknown property is only noticed when there is an item to read it from.
    if (ids.length && !cls.def.hasProperty(propname)) throw new UsageError(`${classname} has no property "${propname}"`);
    const prop = cls.def.properties.get(propname);
    const values = ids.length ? await propertyValues(cls, ids, propname) : new Map();
    if (sep !== null) {
      println(ctx, ids.map((id) => pythonStr(values.get(id), prop)).join(sep));
      return;
    }
    for (const id of ids) println(ctx, `${id.padStart(4)}: ${pythonStr(values.get(id), prop)}`);
  },
};

export const tableCommand: AdminCommand = {
  name: 'table',
  needsTracker: true,
  help: `Usage: table classname [property[,property]*]
List the instances of a class in tabular form.

Lists all instances of the given class. If the properties are not
specified, all properties are displayed. By default, the column
widths are the width of the largest value. The width may be
explicitly defined by defining the property as "name:width".
For example::

  roundup> table priority id,name:10
  Id Name
  1  fatal-bug
  2  bug
  3  usability
  4  feature

Also to make the width of the column the width of the label,
leave a trailing : without a width on the property. For example::

  roundup> table priority id,name:
  Id Name
  1  fata
  2  bug
  3  usab
  4  feat

will result in a the 4 character wide "Name" column.`,
  async run(ctx, args) {
    requireArgs(args, 1);
    const db = await ctx.db();
    const classname = args[0]!;
    const cls = getClass(db, classname);
    const specs = args.length > 1 ? args[1]!.split(',') : [...cls.getprops().keys()];
    const columns = specs.map((spec) => parseColumn(classname, cls, spec));
    const ids = await cls.getnodeids(retiredFilter(ctx.pragmas));
    const cells = new Map<string, string[]>();
    for (const column of columns) {
      const values = ids.length ? await propertyValues(cls, ids, column.name) : new Map();
      const prop = cls.def.properties.get(column.name);
      const texts = ids.map((id) => (column.name === 'id' ? id : pythonStr(values.get(id), prop)));
      cells.set(column.name, texts);
      column.width ??= Math.max(length(column.name), ...texts.map(length));
    }
    println(ctx, columns.map((c) => pad(capitalize(c.name), c.width!)).join(' '));
    ids.forEach((_, row) => {
      println(ctx, columns.map((c) => pad(cut(cells.get(c.name)![row]!, c.width!), Math.abs(c.width!))).join(' '));
    });
  },
};

interface Column {
  name: string;
  /** Fixed by `name:N` or `name:` (header width); computed from the values otherwise. */
  width?: number;
}

/** `name`, `name:N` or `name:`, with Roundup's messages for the wrong forms. */
function parseColumn(classname: string, cls: HyperClass, spec: string): Column {
  if (!spec.includes(':')) {
    if (!cls.def.hasProperty(spec)) throw new UsageError(`${classname} has no property "${spec}"`);
    return { name: spec };
  }
  const parts = spec.split(':');
  if (parts.length !== 2) throw new UsageError(`"${spec}" not name:width`);
  const [name, width] = parts as [string, string];
  if (!cls.def.hasProperty(name)) throw new UsageError(`${classname} has no property "${name}"`);
  if (width === '') return { name, width: length(name) };
  // Python's int() takes surrounding spaces and a sign.
  if (!/^\s*[-+]?\d+\s*$/.test(width)) throw new UsageError(`"${spec}" does not have an integer width: "${width}"`);
  return { name, width: Number(width.trim()) };
}

/** Length in characters (code points), as Python counts. */
function length(text: string): number {
  return [...text].length;
}

/** Python's `text[:width]` (a negative width drops characters from the end). */
function cut(text: string, width: number): string {
  return [...text].slice(0, width).join('');
}

/** Python's `ljust` / `%-Ns`: pads with spaces to the width, never truncates. */
function pad(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - length(text)));
}
