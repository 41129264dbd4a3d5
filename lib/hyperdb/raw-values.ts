import { RupError } from '../errors.js';
import { pythonStringRepr } from '../util/python-repr.js';
import { DateTime } from './date.js';
import { Interval } from './interval.js';
import type { Timezone } from './timezone.js';
import type { PointerProperty } from './properties.js';
import type { ClassDef, Schema } from './schema.js';
import { type HyperValue, normaliseIdList } from './values.js';

const DECIMAL_NUMBER = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

/** A number in decimal notation only, as Python's float() reads it (JavaScript would also read 0x10 or 0b11); NaN otherwise. */
export function parseDecimal(text: string): number {
  const trimmed = text.trim();
  return DECIMAL_NUMBER.test(trimmed) ? Number(trimmed) : NaN;
}

/** Roundup's Boolean raw rule: these words (any case) mean true, anything else false. */
export function parseBoolean(raw: string): boolean {
  return ['checked', 'yes', 'true', 'on', '1'].includes(raw.trim().toLowerCase());
}

/** Homogenises line endings to LF, as Roundup's fixNewlines. */
export function fixNewlines(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

/** What converting user input needs from the database. */
export interface RawContext {
  schema: Schema;
  /** Id of the active item with that key value, or null. */
  lookupKey(classname: string, key: string): Promise<string | null>;
  /** The stored value of a Multilink (for `+`/`-` edits). */
  currentMultilink(classname: string, itemid: string, prop: string): Promise<string[]>;
  /** The user's time zone for date input. */
  timezone: Timezone;
  /** The id of the user doing the work, for the `@current_user` token. */
  userid: string;
  /** Turns a password given as text (or already encoded `{SCHEME}...`) into its stored form. */
  encodePassword(raw: string, scheme?: string): Promise<string>;
}

async function convertLinkValue(ctx: RawContext, prop: PointerProperty, value: string): Promise<string> {
  if (prop.target === 'user' && value === '@current_user') return ctx.userid;
  if (prop.tryIdParsing && /^\d+$/.test(value)) return String(Number(value));
  if (ctx.schema.getClass(prop.target).getkey()) {
    const id = await ctx.lookupKey(prop.target, value);
    if (id === null) {
      throw new RupError('RUP_ERR_VALUE', `property ${prop.name}: ${pythonStringRepr(value)} is not a ${prop.target}.`);
    }
    return id;
  }
  throw new RupError('RUP_ERR_VALUE', `you may only enter ID values for property ${prop.name}`);
}

/**
 * Converts raw user input (a form field, an admin argument, a mail
 * `[prop=value]`) to a typed value, with Roundup's rules and messages
 * (rawToHyperdb): strings are stripped; Links take an id or a key value
 * and `-1`/empty unsets; Multilinks take comma lists where `+x`/`-x` edit
 * the current value; dates are read in the user's zone.
 */
export async function rawToHyperdb(
  ctx: RawContext,
  cls: ClassDef,
  itemid: string | null,
  propname: string,
  raw: string | string[],
): Promise<HyperValue> {
  const name = propname.trim();
  if (!cls.properties.has(name)) {
    throw new RupError('RUP_ERR_NO_SUCH_PROPERTY', `${pythonStringRepr(name)} is not a property of ${cls.name}`);
  }
  const prop = cls.prop(name);
  const value = typeof raw === 'string' ? raw.trim() : raw;
  if (prop.kind === 'Multilink') {
    if (prop.computed) throw new RupError('RUP_ERR_VALUE', `property ${name} is computed and cannot be set`);
    const entries = typeof value === 'string' ? value.split(',') : value;
    const current = itemid && !itemid.startsWith('-') ? await ctx.currentMultilink(cls.name, itemid, name) : [];
    let replace = true;
    const listed: string[] = [];
    for (const rawEntry of entries) {
      let entry = rawEntry.trim();
      if (!entry) continue;
      let remove = false;
      if (entry.startsWith('-')) {
        remove = true;
        replace = false;
        entry = entry.slice(1).trim();
      } else if (entry.startsWith('+')) {
        replace = false;
        entry = entry.slice(1).trim();
      }
      const id = await convertLinkValue(ctx, prop, entry);
      if (remove) {
        // Removing something not there is not an error: the form may show a value a failed edit never stored.
        const i = current.indexOf(id);
        if (i >= 0) current.splice(i, 1);
      } else {
        listed.push(id);
        if (!current.includes(id)) current.push(id);
      }
    }
    return normaliseIdList(replace ? listed : current);
  }
  if (typeof value !== 'string') {
    throw new RupError('RUP_ERR_VALUE', `property ${name}: only Multilink properties take a list of values`);
  }
  switch (prop.kind) {
    case 'String':
      // File content is stored byte for byte; only other strings get their line ends fixed.
      return name === 'content' ? value : fixNewlines(value);
    case 'Password':
      if (!value) return null;
      try {
        return await ctx.encodePassword(value, prop.scheme);
      } catch (err) {
        throw new RupError('RUP_ERR_VALUE', `property ${name}: ${(err as Error).message}`, { cause: err });
      }
    case 'Date':
      if (!value) return null;
      try {
        return DateTime.parse(value, { tz: prop.offset ?? ctx.timezone });
      } catch (err) {
        throw new RupError('RUP_ERR_VALUE', `property ${name}: ${pythonStringRepr(value)} is an invalid date (${(err as Error).message})`, { cause: err });
      }
    case 'Interval':
      if (!value) return null;
      try {
        return Interval.parse(value);
      } catch (err) {
        throw new RupError('RUP_ERR_VALUE', `property ${name}: ${pythonStringRepr(value)} is an invalid date interval (${(err as Error).message})`, { cause: err });
      }
    case 'Link':
      if (!value || (prop.tryIdParsing && value === '-1')) return null;
      return convertLinkValue(ctx, prop, value);
    case 'Boolean':
      return parseBoolean(value);
    case 'Number': {
      if (!value) return null;
      // Decimal notation only, as Python's float(): JavaScript would also read 0x10 or 0b11.
      const n = parseDecimal(value);
      if (!Number.isFinite(n)) throw new RupError('RUP_ERR_VALUE', `property ${name}: ${pythonStringRepr(value)} is not a number`);
      return n;
    }
    case 'Integer': {
      if (!value) return null;
      if (!/^[-+]?\d+$/.test(value)) throw new RupError('RUP_ERR_VALUE', `property ${name}: ${pythonStringRepr(value)} is not an integer`);
      return Number(value);
    }
  }
}
