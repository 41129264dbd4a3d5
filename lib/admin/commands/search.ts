/** The commands that search items: `find` (by link) and `filter` (Roundup's generic filter). */
import type { Database } from '../../hyperdb/database.js';
import type { HyperClass } from '../../hyperdb/hyper-class.js';
import type { AnyProperty } from '../../hyperdb/properties.js';
import { rawToHyperdb } from '../../hyperdb/raw-values.js';
import type { ClassDef } from '../../hyperdb/schema.js';
import { type AdminCommand, UsageError } from '../command.js';
import { asUsageError, getClass, printIdList, propsFromArgs, requireArgs } from './common.js';

export const findCommand: AdminCommand = {
  name: 'find',
  needsTracker: true,
  help: `Usage: find classname propname=value ...
Find the nodes of the given class with a given link property value.

Find the nodes of the given class with a given link property value.
The value may be either the nodeid of the linked node, or its key
value.`,
  async run(ctx, args) {
    requireArgs(args, 1);
    const db = await ctx.db();
    const classname = args[0]!;
    const cls = getClass(db, classname);
    const raw = await db.rawContext();
    const spec: Record<string, Array<string | null>> = {};
    for (const [propname, value] of propsFromArgs(args.slice(1))) {
      const ids: Array<string | null> = [];
      // Each comma-separated value is read on its own (an id or a key), as Roundup does.
      for (const part of (value ?? '').split(',')) {
        try {
          const converted = await rawToHyperdb(raw, cls.def, null, propname, part);
          if (Array.isArray(converted)) ids.push(...converted);
          else ids.push(converted === null ? null : String(converted));
        } catch (err) {
          throw asUsageError(err);
        }
      }
      spec[propname] = ids;
    }
    let found: string[];
    try {
      found = await cls.find(spec);
    } catch (err) {
      throw asUsageError(err);
    }
    printIdList(ctx, classname, found);
  },
};

export const filterCommand: AdminCommand = {
  name: 'filter',
  needsTracker: true,
  help: `Usage: filter classname propname=value ...
Find the nodes of the given class with a given property value.

Find the nodes of the given class with a given property value.
Multiple values can be specified by separating them with commas.
If property is a string, all values must match. I.E. it's an
'and' operation. If the property is a link/multilink any value
matches. I.E. an 'or' operation.`,
  async run(ctx, args) {
    requireArgs(args, 1);
    const db = await ctx.db();
    const classname = args[0]!;
    const cls = getClass(db, classname);
    const spec: Record<string, string[]> = {};
    for (const [propname, value] of propsFromArgs(args.slice(1))) {
      const { owner, prop } = resolvePath(db, cls.def, propname);
      spec[propname] = await filterValues(db, owner, prop, (value ?? '').split(','));
    }
    let found: string[];
    try {
      found = await cls.filter(null, spec);
    } catch (err) {
      throw asUsageError(err);
    }
    printIdList(ctx, classname, found);
  },
};

/**
 * Follows a transitive name (`assignedto.roles`) to the property it ends
 * at, with Roundup's message for a name that is not there:
 * `Class user has no property badprop in assignedto.badprop.`
 */
function resolvePath(db: Database, start: ClassDef, path: string): { owner: HyperClass; prop: AnyProperty } {
  const names = path.split('.');
  let owner = db.getclass(start.name);
  for (let i = 0; ; i++) {
    const name = names[i]!;
    if (!owner.def.hasProperty(name)) throw new UsageError(`Class ${owner.classname} has no property ${name} in ${path}.`);
    const prop = owner.def.prop(name);
    if (i === names.length - 1) return { owner, prop };
    if (prop.kind !== 'Link' && prop.kind !== 'Multilink') {
      throw new UsageError(`Property ${name} of class ${owner.classname} is not a Link or Multilink in ${path}.`);
    }
    owner = getClass(db, prop.target);
  }
}

/**
 * Filter values for the property a name ends at: Link and Multilink
 * values become ids (a key value is looked up; `-1` and an empty value
 * mean "not set"); other values are passed as written, so the filter
 * reads them with its own rules (substrings, date ranges, numbers).
 * Roundup converts every value to its typed form, so a date there only
 * matches that exact second; a date range is more useful and what the
 * web interface accepts.
 */
async function filterValues(db: Database, owner: HyperClass, prop: AnyProperty, values: string[]): Promise<string[]> {
  // creator and actor are not in the schema's own properties: the filter looks their keys up itself.
  if ((prop.kind !== 'Link' && prop.kind !== 'Multilink') || !owner.def.properties.has(prop.name)) return values;
  const raw = await db.rawContext();
  const out: string[] = [];
  for (const value of values) {
    if (value.trim() === '' || value.trim() === '-1') {
      out.push('-1');
      continue;
    }
    try {
      const converted = await rawToHyperdb(raw, owner.def, null, prop.name, value);
      if (Array.isArray(converted)) out.push(...converted);
      else out.push(converted === null ? '-1' : String(converted));
    } catch (err) {
      throw asUsageError(err);
    }
  }
  return out;
}
