/**
 * What the data commands share: reading `prop=value` and designator
 * arguments, converting values with the raw-input rules, and printing
 * lists the way the -c/-s/-S/-d options ask. Messages are Roundup's.
 */
import { RupError, isRupError } from '../../errors.js';
import type { Database } from '../../hyperdb/database.js';
import type { HyperClass } from '../../hyperdb/hyper-class.js';
import { rawToHyperdb } from '../../hyperdb/raw-values.js';
import { splitDesignator } from '../../hyperdb/schema.js';
import type { HyperValue } from '../../hyperdb/values.js';
import { pythonStringRepr } from '../../util/python-repr.js';
import { UsageError } from '../command.js';
import type { AdminContext } from '../context.js';
import { pythonListRepr } from '../python-str.js';

/** Writes one line (Python's print). */
export function println(ctx: AdminContext, text = ''): void {
  ctx.io.out(`${text}\n`);
}

/** Raises Roundup's "Not enough arguments supplied" unless at least `n` arguments were given. */
export function requireArgs(args: readonly string[], n: number): void {
  if (args.length < n) throw new UsageError('Not enough arguments supplied');
}

/** The class named, or the usage error `no such class "x"`. */
export function getClass(db: Database, classname: string): HyperClass {
  if (!db.hasClass(classname)) throw new UsageError(`no such class "${classname}"`);
  return db.getclass(classname);
}

/** Splits `issue42`, or the usage error `"x" not a node designator`. */
export function designator(text: string): [string, string] {
  try {
    return splitDesignator(text);
  } catch (err) {
    if (isRupError(err)) throw new UsageError(err.message);
    throw err;
  }
}

/**
 * Roundup's props_from_args: `prop=value` arguments (split at the first
 * `=`) in order, an empty value meaning "unset" (null); the same property
 * twice keeps the last value.
 */
export function propsFromArgs(args: readonly string[]): Map<string, string | null> {
  const props = new Map<string, string | null>();
  for (const arg of args) {
    const at = arg.indexOf('=');
    if (at < 0) throw new UsageError(`argument "${arg}" not propname=value`);
    const value = arg.slice(at + 1);
    props.set(arg.slice(0, at), value === '' ? null : value);
  }
  return props;
}

/**
 * Converts command-line values to typed values with the raw-input rules
 * (rawToHyperdb); an unset value becomes null. Bad input (unknown
 * property, bad date, unknown key) is a usage error with the hyperdb's
 * message.
 */
export async function convertProps(db: Database, cls: HyperClass, itemid: string | null, props: ReadonlyMap<string, string | null>): Promise<Record<string, HyperValue>> {
  const ctx = await db.rawContext();
  const out: Record<string, HyperValue> = {};
  for (const [name, raw] of props) {
    try {
      if (raw === null) {
        if (!cls.def.properties.has(name)) {
          throw new RupError('RUP_ERR_NO_SUCH_PROPERTY', `${pythonStringRepr(name)} is not a property of ${cls.classname}`);
        }
        out[name] = null;
      } else {
        out[name] = await rawToHyperdb(ctx, cls.def, itemid, name, raw);
      }
    } catch (err) {
      throw asUsageError(err);
    }
  }
  return out;
}

/** A hyperdb error as a usage error with the same message (Roundup turns its ValueErrors into UsageErrors). */
export function asUsageError(err: unknown): unknown {
  return isRupError(err) ? new UsageError(err.message) : err;
}

/**
 * Prints ids as find/filter do: a Python list repr by default, joined by
 * the separator with -c/-s/-S, as designators with -d.
 */
export function printIdList(ctx: AdminContext, classname: string, ids: readonly string[]): void {
  const items = ctx.listOutput.designators ? ids.map((id) => classname + id) : [...ids];
  const sep = separator(ctx);
  println(ctx, sep !== null ? items.join(sep) : pythonListRepr(items));
}

/** The -c/-s/-S separator; null when none was given (an empty -S counts as none, as in Roundup). */
export function separator(ctx: AdminContext): string | null {
  return ctx.listOutput.separator || null;
}

/** Python's str.capitalize: first character upper case, the rest lower case. */
export function capitalize(text: string): string {
  const chars = [...text];
  if (!chars.length) return '';
  return chars[0]!.toUpperCase() + chars.slice(1).join('').toLowerCase();
}

/** The value of one property for many items, reading the stored values in bulk. */
export async function propertyValues(cls: HyperClass, ids: readonly string[], propname: string): Promise<Map<string, HyperValue | Buffer>> {
  const out = new Map<string, HyperValue | Buffer>();
  if (cls.def.kind === 'file' && (propname === 'content' || propname === 'binary_content')) {
    for (const id of ids) out.set(id, await cls.get(id, propname));
    return out;
  }
  const items = await cls.getMany(ids);
  for (const id of ids) out.set(id, items.get(id)?.[propname] ?? null);
  return out;
}
