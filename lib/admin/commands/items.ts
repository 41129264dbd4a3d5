/** The commands that change items: `create`, `set`, `retire`, `restore`. */
import type { Database } from '../../hyperdb/database.js';
import type { HyperClass } from '../../hyperdb/hyper-class.js';
import { type AdminCommand, UsageError } from '../command.js';
import type { AdminContext } from '../context.js';
import { asUsageError, capitalize, convertProps, designator, getClass, println, propsFromArgs, requireArgs } from './common.js';

export const createCommand: AdminCommand = {
  name: 'create',
  needsTracker: true,
  help: `Usage: create classname property=value ...
Create a new entry of a given class.

This creates a new entry of the given class using the property
name=value arguments provided on the command line after the "create"
command.`,
  async run(ctx, args) {
    requireArgs(args, 1);
    const db = await ctx.db();
    const cls = getClass(db, args[0]!);
    const props = args.length === 1 ? await askProperties(ctx, cls) : propsFromArgs(args.slice(1));
    const values = await convertProps(db, cls, null, props);
    const key = cls.getkey();
    if (key && !(key in values)) throw new UsageError(`you must provide the "${key}" property.`);
    let id: string;
    try {
      id = await cls.create(values);
    } catch (err) {
      throw asUsageError(err);
    }
    println(ctx, id);
    ctx.markDirty();
  },
};

/**
 * `create classname` without values: asks for each property in schema
 * order (`Title (String): `), passwords twice and hidden until both
 * answers agree; empty answers are left out.
 */
async function askProperties(ctx: AdminContext, cls: HyperClass): Promise<Map<string, string>> {
  const props = new Map<string, string>();
  for (const [name, prop] of cls.getprops(false)) {
    if (prop.computed) continue;
    const label = capitalize(name);
    let value: string;
    if (prop.kind === 'Password') {
      for (;;) {
        value = (await ctx.io.prompt(`${label} (Password): `, { secret: true })) ?? '';
        const again = (await ctx.io.prompt(`   ${label} (Again): `, { secret: true })) ?? '';
        if (value === again) break;
        println(ctx, 'Sorry, try again...');
      }
    } else {
      value = (await ctx.io.prompt(`${label} (${prop.kind}): `)) ?? '';
    }
    if (value) props.set(name, value);
  }
  return props;
}

export const setCommand: AdminCommand = {
  name: 'set',
  needsTracker: true,
  help: `Usage: set items property=value [property=value ...]
Set the given properties of one or more items(s).

The items are specified as a class or as a comma-separated
list of item designators (ie "designator[,designator,...]").

A designator is a classname and a nodeid concatenated,
eg. bug1, user10, ...

This command sets the properties to the values for all
designators given. If a class is used, the property will be
set for all items in the class. If the value is missing
(ie. "property=") then the property is un-set. If the property
is a multilink, you specify the linked ids for the multilink
as comma-separated numbers (ie "1,2,3").
`,
  async run(ctx, args) {
    requireArgs(args, 2);
    const db = await ctx.db();
    const targets = await setTargets(db, args[0]!);
    const props = propsFromArgs(args.slice(1));
    // Items are changed one after the other; a failure stops there (one-shot mode still commits the earlier ones, as Roundup).
    for (const [classname, itemid] of targets) {
      const cls = getClass(db, classname);
      if (!(await cls.hasnode(itemid))) throw new UsageError(`no such ${classname} ${itemid}`);
      // Converted per item: "+x"/"-x" Multilink edits start from each item's own value.
      const values = await convertProps(db, cls, itemid, props);
      try {
        await cls.set(itemid, values);
      } catch (err) {
        throw asUsageError(err);
      }
      ctx.markDirty();
    }
  },
};

/** `issue1,issue2` as designators; a single word that is not a designator names a class: all its active items. */
async function setTargets(db: Database, spec: string): Promise<Array<[string, string]>> {
  const parts = spec.split(',');
  if (parts.length > 1) return parts.map(designator);
  try {
    return [designator(parts[0]!)];
  } catch {
    const cls = getClass(db, parts[0]!);
    return (await cls.list()).map((id) => [parts[0]!, id]);
  }
}

/** Retire and restore share their argument handling and messages. */
function lifecycleCommand(name: 'retire' | 'restore', help: string): AdminCommand {
  return {
    name,
    needsTracker: true,
    help,
    async run(ctx, args) {
      requireArgs(args, 1);
      const db = await ctx.db();
      for (const text of args[0]!.split(',')) {
        const [classname, itemid] = designator(text);
        const cls = getClass(db, classname);
        if (!(await cls.hasnode(itemid))) throw new UsageError(`no such ${classname} node "${itemid}"`);
        try {
          await (name === 'retire' ? cls.retire(itemid) : cls.restore(itemid));
        } catch (err) {
          throw asUsageError(err);
        }
        ctx.markDirty();
      }
    },
  };
}

export const retireCommand = lifecycleCommand(
  'retire',
  `Usage: retire designator[,designator]*
Retire the node specified by designator.

A designator is a classname and a nodeid concatenated,
eg. bug1, user10, ...

This action indicates that a particular node is not to be retrieved
by the list or find commands, and its key value may be re-used.`,
);

export const restoreCommand = lifecycleCommand(
  'restore',
  `Usage: restore designator[,designator]*
Restore the retired node specified by designator.

A designator is a classname and a nodeid concatenated,
eg. bug1, user10, ...

The given nodes will become available for users again.`,
);
