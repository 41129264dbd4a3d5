/**
 * The values of Roundup's export files: how each property type and each
 * journal entry is written as a Python literal, and read back.
 *
 * Roundup 2.x writes text the way Python 2 did (roundup.anypy.strings
 * `repr_export`): a string is the repr of its UTF-8 bytes without the `b`,
 * so `'\xc3\xa9'` stands for "é"; dict keys are sorted; everything else is
 * the ordinary repr. Reading (`eval_import`) evaluates the literal and, for
 * a string or the strings directly inside a dict, turns those byte-valued
 * characters back into text. What each property holds follows Roundup's
 * rdbms backend: dates are `get_tuple()` 9-tuples with float seconds,
 * intervals 7-tuples, Numbers floats, Booleans the integers 0 and 1 (as the
 * SQL backends hand them out), Multilinks lists of id strings.
 */
import { DateTime } from '../hyperdb/date.js';
import { Interval } from '../hyperdb/interval.js';
import type { JournalEntry, JournalParams } from '../hyperdb/journal.js';
import { journalPasswordText } from '../hyperdb/password.js';
import type { AnyProperty } from '../hyperdb/properties.js';
import type { ClassDef } from '../hyperdb/schema.js';
import type { HyperValue } from '../hyperdb/values.js';
import { PyDict, PyFloat, PyTuple, type PyValue, parsePythonLiteral, pyNumber, pythonBytesRepr, pythonRepr } from '../util/python-literal.js';

/** A value that does not fit its property or journal field; the caller adds file and line. */
export class ExportValueError extends Error {
  override name = 'ExportValueError';
}

// ---- Roundup's repr_export / eval_import ----

/** Roundup's `repr_export`: strings as Python 2 did (repr of the UTF-8 bytes), dicts sorted by key. */
export function reprExport(value: PyValue): string {
  if (typeof value === 'string') return exportString(value);
  if (value instanceof PyDict) {
    const entries = [...value.entries].sort((a, b) => comparePyKeys(a[0], b[0]));
    return `{${entries.map(([k, v]) => `${reprExport(k)}: ${reprExport(v)}`).join(', ')}}`;
  }
  return pythonRepr(value);
}

function exportString(text: string): string {
  // Plain ASCII without quotes or escapes is the common case: its repr is itself in quotes.
  if (/^[\x20-\x26\x28-\x5b\x5d-\x7e]*$/.test(text)) return `'${text}'`;
  return pythonBytesRepr(Buffer.from(text, 'utf8'));
}

/** Python's ordering of dict keys (strings by code point, numbers by value). */
function comparePyKeys(a: PyValue, b: PyValue): number {
  if (typeof a === 'string' && typeof b === 'string') return compareCodePoints(a, b);
  const x = pyNumber(a);
  const y = pyNumber(b);
  if (x !== null && y !== null) return x - y;
  return compareCodePoints(pythonRepr(a), pythonRepr(b));
}

/**
 * Compares strings by Unicode code point, as Python does (JavaScript's `<`
 * compares UTF-16 units, which puts U+10000.. before U+E000..U+FFFF).
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800) x = x <= 0xdfff ? x + 0x2000 : x - 0x800;
    if (y >= 0xd800) y = y <= 0xdfff ? y + 0x2000 : y - 0x800;
    return x - y;
  }
  return a.length - b.length;
}

/**
 * Roundup's `eval_import`: evaluates a field and decodes the Python-2-style
 * text of a string (or of the strings directly in a dict). A string that is
 * not such text (it holds characters past U+00FF, or its bytes are not
 * UTF-8, as a Python 3 repr would write it) is taken as it is.
 *
 * @throws PythonLiteralError for a malformed literal.
 */
export function evalImport(field: string): PyValue {
  const value = parsePythonLiteral(field);
  if (typeof value === 'string') return importString(value);
  if (value instanceof PyDict) {
    return new PyDict(value.entries.map(([k, v]) => [typeof k === 'string' ? importString(k) : k, typeof v === 'string' ? importString(v) : v] as const));
  }
  return value;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function importString(text: string): string {
  if (!/[\x80-\uffff]/.test(text) || /[\u0100-\uffff]/.test(text)) return text;
  try {
    return strictUtf8.decode(Buffer.from(text, 'latin1'));
  } catch {
    return text;
  }
}

// ---- property values ----

function dateTuple(date: DateTime): PyTuple {
  const [y, mo, d, h, mi, s] = date.toTuple();
  return new PyTuple([y, mo, d, h, mi, new PyFloat(s), 0, 0, 0]);
}

/** A typed value as Roundup exports it for its property (before repr_export). */
function exportPy(prop: AnyProperty, value: unknown): PyValue {
  if (value === null || value === undefined) return prop.kind === 'Multilink' ? [] : null;
  switch (prop.kind) {
    case 'Date':
      return dateTuple(value as DateTime);
    case 'Interval':
      return new PyTuple((value as Interval).toTuple());
    case 'Number':
      return new PyFloat(value as number);
    case 'Boolean':
      return value ? 1 : 0;
    case 'Multilink':
      return [...(value as string[])];
    default:
      return value as string | number;
  }
}

/** One CSV field of `<class>.csv`: the property's value as Roundup's export_list writes it. */
export function exportField(prop: AnyProperty, value: HyperValue | undefined): string {
  const py = exportPy(prop, value);
  return typeof py === 'string' ? exportString(py) : pythonRepr(py);
}

function describe(value: PyValue): string {
  const text = pythonRepr(value);
  return text.length > 60 ? text.slice(0, 57) + '...' : text;
}

function numbers(value: PyValue): number[] | null {
  const items = value instanceof PyTuple ? value.items : Array.isArray(value) ? value : null;
  if (!items) return null;
  const out: number[] = [];
  for (const item of items) {
    const n = pyNumber(item);
    if (n === null) return null;
    out.push(n);
  }
  return out;
}

function idString(value: PyValue): string | null {
  if (typeof value === 'string' && /^\d+$/.test(value)) return value;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return String(value);
  return null;
}

/**
 * A value read from `<class>.csv` (after evalImport) as the typed value of
 * its property, accepting what Roundup's import_list accepts (dates and
 * intervals also as text specs). Passwords come back as given; the caller
 * encodes them.
 *
 * @throws ExportValueError naming what does not fit.
 */
export function importField(prop: AnyProperty, value: PyValue): HyperValue {
  if (value === null) return prop.kind === 'Multilink' ? [] : null;
  const bad = (what: string): never => {
    throw new ExportValueError(`property "${prop.name}" ${what}: ${describe(value)}`);
  };
  switch (prop.kind) {
    case 'String':
    case 'Password':
      return typeof value === 'string' ? value : bad('is not a string');
    case 'Link':
      return idString(value) ?? bad('is not an item id');
    case 'Multilink': {
      const items = value instanceof PyTuple ? value.items : Array.isArray(value) ? value : bad('is not a list of item ids');
      const ids = items.map((item) => idString(item) ?? bad('is not a list of item ids'));
      return [...new Set(ids)].sort((a, b) => Number(a) - Number(b));
    }
    case 'Date':
      return importDate(value) ?? bad('is not a date tuple');
    case 'Interval':
      return importInterval(value) ?? bad('is not an interval tuple');
    case 'Number': {
      const n = typeof value === 'boolean' ? Number(value) : pyNumber(value);
      return n !== null && Number.isFinite(n) ? n : bad('is not a number');
    }
    case 'Integer': {
      const n = pyNumber(value);
      return n !== null && Number.isSafeInteger(n) ? n : bad('is not an integer');
    }
    case 'Boolean': {
      if (typeof value === 'boolean') return value;
      const n = pyNumber(value);
      return n !== null ? n !== 0 : bad('is not a boolean');
    }
  }
}

function importDate(value: PyValue): DateTime | null {
  try {
    if (typeof value === 'string') return DateTime.parse(value);
    const parts = numbers(value);
    return parts ? DateTime.fromTuple(parts) : null;
  } catch {
    return null;
  }
}

function importInterval(value: PyValue): Interval | null {
  try {
    if (typeof value === 'string') return Interval.parse(value);
    const parts = numbers(value);
    return parts ? Interval.fromTuple(parts) : null;
  } catch {
    return null;
  }
}

/** Whether an export value is True for the `is retired` column (Roundup's `int(value)`). */
export function importRetired(value: PyValue): boolean {
  if (typeof value === 'boolean') return value;
  const n = pyNumber(value);
  if (n === null) throw new ExportValueError(`"is retired" is not True, False or a number: ${describe(value)}`);
  return n !== 0;
}

// ---- journals ----

/** A journal value of no particular property as a Python value (lists stay lists). */
function genericPy(value: unknown): PyValue {
  if (value === null || value === undefined) return null;
  if (value instanceof DateTime) return dateTuple(value);
  if (value instanceof Interval) return new PyTuple(value.toTuple());
  if (Array.isArray(value)) return value.map(genericPy);
  if (typeof value === 'object') return new PyDict(Object.entries(value).map(([k, v]) => [k, genericPy(v)] as const));
  return value as string | number | boolean;
}

/** A Multilink change `[['+', ids], ['-', ids]]` as Roundup journals it: `(('+', ['3']),)`. */
function multilinkChangePy(value: unknown): PyValue {
  if (Array.isArray(value) && value.every((c) => Array.isArray(c) && c.length === 2 && (c[0] === '+' || c[0] === '-') && Array.isArray(c[1]))) {
    return new PyTuple(value.map(([sign, ids]) => new PyTuple([sign as string, [...(ids as string[])]])));
  }
  return genericPy(value);
}

function journalParamsPy(cls: ClassDef, entry: JournalEntry): PyValue {
  const params = entry.params;
  if (entry.action === 'create') return new PyDict([]);
  if (entry.action === 'set' && params && !Array.isArray(params)) {
    const props = cls.getprops();
    const out: Array<readonly [PyValue, PyValue]> = [];
    for (const [name, value] of Object.entries(params)) {
      const prop = props.get(name);
      // As export_journals: properties no longer in the schema are left out.
      if (!prop) continue;
      out.push([name, prop.kind === 'Multilink' ? multilinkChangePy(value) : exportPy(prop, value)]);
    }
    return new PyDict(out);
  }
  if ((entry.action === 'link' || entry.action === 'unlink') && Array.isArray(params)) return new PyTuple(params.map(genericPy));
  return genericPy(params);
}

/** One row of `<class>-journals.csv`: nodeid, date, user, action, params (Roundup's export_journals). */
export function exportJournalRow(cls: ClassDef, entry: JournalEntry): string[] {
  return [exportString(entry.nodeid), pythonRepr(dateTuple(entry.date)), exportString(entry.userid), exportString(entry.action), reprExport(journalParamsPy(cls, entry))];
}

function plainJs(value: PyValue): unknown {
  if (value instanceof PyFloat) return value.value;
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof PyTuple) return value.items.map(plainJs);
  if (Array.isArray(value)) return value.map(plainJs);
  if (value instanceof PyDict) return Object.fromEntries(value.entries.map(([k, v]) => [String(k), plainJs(v)]));
  if (value instanceof Uint8Array) return Buffer.from(value).toString('latin1');
  return value;
}

function importMultilinkChange(name: string, value: PyValue): unknown {
  const changes = value instanceof PyTuple ? value.items : Array.isArray(value) ? value : null;
  if (!changes) throw new ExportValueError(`journal value of "${name}" is not a Multilink change: ${describe(value)}`);
  return changes.map((change) => {
    const pair = change instanceof PyTuple ? change.items : Array.isArray(change) ? change : null;
    const ids = pair && pair.length === 2 && (pair[0] === '+' || pair[0] === '-') ? (pair[1] instanceof PyTuple ? pair[1].items : pair[1]) : null;
    if (!Array.isArray(ids)) throw new ExportValueError(`journal value of "${name}" is not a Multilink change: ${describe(value)}`);
    return [pair![0], ids.map((id) => idString(id) ?? String(plainJs(id)))];
  });
}

function importSetParams(cls: ClassDef, params: PyValue): Record<string, unknown> {
  if (!(params instanceof PyDict)) throw new ExportValueError(`the parameters of a "set" entry are not a dict: ${describe(params)}`);
  const props = cls.getprops();
  const out: Record<string, unknown> = {};
  for (const [key, value] of params.entries) {
    const name = String(key);
    const prop = props.get(name);
    // Roundup's import_journals fails here too (a KeyError): the entry is about a property the class lacks.
    if (!prop) throw new ExportValueError(`journal entry changes "${name}", which is not a property of ${cls.name}`);
    if (value === null) out[name] = null;
    else if (prop.kind === 'Multilink') out[name] = importMultilinkChange(name, value);
    else if (prop.kind === 'Password') out[name] = journalPasswordText(typeof value === 'string' ? value : String(plainJs(value)));
    else out[name] = importField(prop, value);
  }
  return out;
}

/**
 * A row of `<class>-journals.csv` as a journal entry (Roundup's
 * import_journals: dates and intervals become values again, passwords their
 * `{scheme}*encrypted*` text, Multilink changes lists of changes).
 *
 * @throws ExportValueError or PythonLiteralError naming what is wrong.
 */
export function importJournalRow(cls: ClassDef, fields: readonly string[]): JournalEntry {
  const [nodeField, dateField, userField, actionField, paramsField] = fields as [string, string, string, string, string];
  const nodeValue = evalImport(nodeField);
  const nodeid = idString(nodeValue);
  if (nodeid === null) throw new ExportValueError(`the item id is not an id: ${describe(nodeValue)}`);
  const dateValue = evalImport(dateField);
  const date = importDate(dateValue);
  if (!date) throw new ExportValueError(`the date is not a date tuple: ${describe(dateValue)}`);
  const user = evalImport(userField);
  if (user !== null && typeof user !== 'string' && typeof user !== 'number') throw new ExportValueError(`the user is not a user id: ${describe(user)}`);
  const action = evalImport(actionField);
  if (typeof action !== 'string') throw new ExportValueError(`the action is not a string: ${describe(action)}`);
  const paramsValue = evalImport(paramsField);
  let params: JournalParams;
  if (action === 'create') params = {};
  else if (action === 'set') params = importSetParams(cls, paramsValue);
  else if ((action === 'link' || action === 'unlink') && (paramsValue instanceof PyTuple || Array.isArray(paramsValue))) {
    const items = paramsValue instanceof PyTuple ? paramsValue.items : paramsValue;
    if (items.length !== 3 || !items.every((x) => typeof x === 'string')) {
      throw new ExportValueError(`the parameters of a "${action}" entry are not (class, id, property): ${describe(paramsValue)}`);
    }
    params = items as [string, string, string];
  } else params = plainJs(paramsValue) as JournalParams;
  return { nodeid, date, userid: user === null ? '' : String(user), action, params };
}
