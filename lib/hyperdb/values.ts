import { RupError } from '../errors.js';
import { DateTime } from './date.js';
import { Interval } from './interval.js';
import type { AnyProperty } from './properties.js';

/**
 * A property value as the hyperdb API hands it out and takes it in:
 * strings for String, Password (encoded `{SCHEME}...`) and Link (an item
 * id); sorted id arrays for Multilink; DateTime, Interval, numbers and
 * booleans; null when unset.
 */
export type HyperValue = string | number | boolean | DateTime | Interval | string[] | null;

/** One item's values keyed by property name. */
export type ItemValues = Record<string, HyperValue>;

const ID_RE = /^\d+$/;

export function isId(value: unknown): value is string {
  return typeof value === 'string' && ID_RE.test(value);
}

/** Sorts ids numerically and removes duplicates, as Multilink values are stored. */
export function normaliseIdList(ids: Iterable<string>): string[] {
  return [...new Set(ids)].sort((a, b) => Number(a) - Number(b));
}

/** A copy of a value safe to hand out (arrays are the only mutable values). */
export function cloneValue<T extends HyperValue>(value: T): T {
  return (Array.isArray(value) ? [...value] : value) as T;
}

/** Equality of two values of the same property, for detecting real changes. */
/** A copy of an item's values that shares no mutable value (arrays) with them. */
export function copyValues(values: ItemValues): ItemValues {
  const out: ItemValues = {};
  for (const k in values) {
    const v = values[k]!;
    out[k] = Array.isArray(v) ? [...v] : v;
  }
  return out;
}

export function sameValue(a: HyperValue | undefined, b: HyperValue | undefined): boolean {
  if (a === b) return true;
  if (a == null || b == null) return (a ?? null) === (b ?? null);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => x === b[i]);
  if (a instanceof DateTime && b instanceof DateTime) return a.epochMs === b.epochMs;
  if (a instanceof Interval && b instanceof Interval) return a.serialise() === b.serialise();
  return false;
}

/**
 * Checks and normalises a typed value for storage (the checks of Roundup's
 * create_inner/set_inner, with its messages). Link and Multilink key values
 * are left for the caller, which can look them up.
 */
export function checkTypedValue(prop: AnyProperty, value: unknown): HyperValue {
  const name = prop.name;
  if (value === undefined || value === null) return prop.kind === 'Multilink' ? [] : null;
  switch (prop.kind) {
    case 'String':
      if (typeof value !== 'string') throw new RupError('RUP_ERR_VALUE', `new property "${name}" not a string`);
      return value;
    case 'Password':
      if (typeof value !== 'string') throw new RupError('RUP_ERR_VALUE', `new property "${name}" not a Password`);
      return value;
    case 'Date':
      if (!(value instanceof DateTime)) throw new RupError('RUP_ERR_VALUE', `new property "${name}" not a Date`);
      return value;
    case 'Interval':
      if (!(value instanceof Interval)) throw new RupError('RUP_ERR_VALUE', `new property "${name}" not an Interval`);
      return value;
    case 'Number': {
      const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
      if (!Number.isFinite(n)) throw new RupError('RUP_ERR_VALUE', `new property "${name}" not numeric`);
      return n;
    }
    case 'Integer': {
      const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*[-+]?\d+\s*$/.test(value) ? Number(value) : NaN;
      if (!Number.isSafeInteger(n)) throw new RupError('RUP_ERR_VALUE', `new property "${name}" not integer`);
      return n;
    }
    case 'Boolean':
      if (typeof value === 'boolean') return value;
      if (value === 0 || value === 1) return value === 1;
      throw new RupError('RUP_ERR_VALUE', `new property "${name}" not boolean`);
    case 'Link':
      if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
      if (typeof value !== 'string') throw new RupError('RUP_ERR_VALUE', 'link value must be String');
      return value;
    case 'Multilink':
      if (!Array.isArray(value)) throw new RupError('RUP_ERR_VALUE', `new property "${name}" not an iterable of ids`);
      return value.map((entry) => {
        if (typeof entry === 'number' && Number.isSafeInteger(entry)) return String(entry);
        if (typeof entry !== 'string') {
          throw new RupError('RUP_ERR_VALUE', `"${name}" multilink value (${JSON.stringify(value)}) must contain Strings`);
        }
        return entry;
      });
  }
}
