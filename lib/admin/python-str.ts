/**
 * Property values as roundup-admin prints them. Roundup prints the Python
 * objects its hyperdb hands out, with `str()` (display, get, list, table)
 * or `repr()` (lists, `history ... raw`), so the texts here are Python's:
 * `None`, `True`, `['1', '3']`, `1.0`, `'text'`, `<Date 2026-11-21.13:55:35.123>`.
 */
import { DateTime } from '../hyperdb/date.js';
import { Interval } from '../hyperdb/interval.js';
import type { AnyProperty } from '../hyperdb/properties.js';
import { pythonBytesRepr, pythonFloatRepr } from '../util/python-literal.js';
import { pythonStringRepr } from '../util/python-repr.js';

/** Python's repr of a list of strings: `['1', '3']`. */
export function pythonListRepr(items: readonly string[]): string {
  return `[${items.map(pythonStringRepr).join(', ')}]`;
}

/** Roundup's `repr(date)`: `<Date 2026-11-21.13:55:35.123>` (UTC, milliseconds). */
export function dateRepr(date: DateTime): string {
  return `<Date ${date.toString()}.${String(date.millisecond).padStart(3, '0')}>`;
}

/**
 * `str(value)` of a property value as Roundup's hyperdb returns it: the
 * text of a String, Link ids, Multilinks as a list repr, `None` when
 * unset, dates as `yyyy-mm-dd.HH:MM:SS`, Number values as Python floats
 * (`1.0`), Integer as whole numbers, Booleans as `True`/`False`.
 */
export function pythonStr(value: unknown, prop?: AnyProperty): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return prop?.kind === 'Integer' ? String(value) : pythonFloatRepr(value);
  if (value instanceof DateTime || value instanceof Interval) return value.toString();
  if (Buffer.isBuffer(value)) return `b${pythonBytesRepr(value)}`;
  if (Array.isArray(value)) return pythonRepr(value);
  return String(value);
}

/**
 * Python's `repr()` of a journal or property value: strings quoted, arrays
 * as lists, `{...}` dicts, dates as `<Date ...>`. Journal tuples are
 * written with {@link pythonTupleRepr}.
 */
export function pythonRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'string') return pythonStringRepr(value);
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : pythonFloatRepr(value);
  if (value instanceof DateTime) return dateRepr(value);
  if (value instanceof Interval) return `<Interval ${value.toString()}>`;
  if (Buffer.isBuffer(value)) return `b${pythonBytesRepr(value)}`;
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(', ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).map(([k, v]) => `${pythonStringRepr(k)}: ${pythonRepr(v)}`);
    return `{${entries.join(', ')}}`;
  }
  return String(value);
}

/** Python's repr of a tuple: `('a', 'b')`, with the trailing comma of a one-element tuple. */
export function pythonTupleRepr(items: readonly string[]): string {
  return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
}
