/**
 * The notes nosy messages end with, as Roundup's IssueClass writes them
 * (`generateCreateNote`, `generateChangeNote`): after an empty line and
 * `----------`, one `prop: value` line per property in name order. Values
 * are shown as Python's `str()` shows them (`None`, `True`, `1.0`,
 * `2026-11-21.13:57:38`), Links and Multilinks by the label of the items
 * they point at; quiet properties never appear.
 */

import { DateTime } from '../../hyperdb/date.js';
import type { HyperClass } from '../../hyperdb/hyper-class.js';
import { Interval } from '../../hyperdb/interval.js';
import type { AnyProperty } from '../../hyperdb/properties.js';
import { pythonFloatRepr } from '../../util/python-literal.js';

/** Properties a change note never lists (Roundup's list: the message lists and the automatic ones). */
const NOT_IN_CHANGE_NOTE = new Set(['files', 'messages', 'actor', 'activity', 'creator', 'creation']);

/** Python's `str()` of a property value. */
function pythonText(value: unknown, prop: AnyProperty): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return prop.kind === 'Integer' ? String(value) : pythonFloatRepr(value);
  if (value instanceof DateTime || value instanceof Interval) return value.toString();
  return String(value);
}

/** Roundup's `indentChangeNoteValue`: every line indented by two spaces, trailing line ends dropped. */
function indentValue(text: string): string {
  return text
    .replace(/\n+$/, '')
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}

/** Python's truth of a value ("skip boring entries"). */
function isEmpty(value: unknown): boolean {
  return value === null || value === undefined || value === '' || value === 0 || value === false || (Array.isArray(value) && value.length === 0);
}

/**
 * Labels of items of class `classname`, read through the unchecked view
 * (the label property with ids as the last resort, as Roundup's
 * `labelprop(default_to_id=1)`); an item that no longer exists shows its id.
 */
async function labels(cl: HyperClass, classname: string, ids: readonly string[]): Promise<string[]> {
  const target = cl.db.system().getclass(classname);
  const key = target.labelprop(true);
  if (key === 'id') return [...ids];
  const items = await target.getMany(ids);
  return ids.map((id) => {
    const item = items.get(id);
    if (!item) return id;
    const label = item[key];
    return label === null || label === undefined ? 'None' : String(label);
  });
}

function idList(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}

/** Python's `list.sort()` of texts: by code point. */
function sortTexts(list: string[]): string[] {
  return list.sort((a, b) => {
    const x = [...a].map((c) => c.codePointAt(0)!);
    const y = [...b].map((c) => c.codePointAt(0)!);
    for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
    return x.length - y.length;
  });
}

function withHeading(lines: string[]): string {
  return ['', '----------', ...lines].join('\n');
}

/**
 * Roundup's `generateCreateNote`: every non-empty, non-quiet property of
 * the new item (protected ones left out), sorted by name. Multi-line
 * values start on their own line, indented.
 */
export async function generateCreateNote(cl: HyperClass, itemid: string): Promise<string> {
  const sys = cl.db.system().getclass(cl.classname);
  const item = await sys.getnode(itemid);
  const lines: string[] = [];
  for (const [name, prop] of [...sys.getprops(false)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (prop.quiet) continue;
    const value = item[name];
    if (isEmpty(value)) continue;
    let text: string;
    if (prop.kind === 'Link') {
      text = (await labels(cl, prop.target, [String(value)]))[0]!;
    } else if (prop.kind === 'Multilink') {
      text = sortTexts(await labels(cl, prop.target, idList(value))).join(', ');
    } else {
      text = pythonText(value, prop);
      if (text.includes('\n')) text = `\n${indentValue(text)}`;
    }
    lines.push(`${name}: ${text}`);
  }
  return withHeading(lines);
}

function sameIds(a: readonly string[], b: readonly string[]): boolean {
  const x = [...a].sort();
  const y = [...b].sort();
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b)) return sameIds(idList(a), idList(b));
  if (a instanceof DateTime && b instanceof DateTime) return a.epochMs === b.epochMs;
  if (a instanceof Interval && b instanceof Interval) return a.serialise() === b.serialise();
  return (a ?? null) === (b ?? null);
}

/**
 * Roundup's `generateChangeNote`: one line per property whose value now
 * differs from `oldvalues` (message and file lists and the automatic
 * properties left out, as are properties the class no longer has):
 * `prop: old -> new`, Multilinks as `+added, ... -removed, ...`, and
 * multi-line texts as indented `Now:` and `Was:` blocks. Empty when
 * nothing shown changed.
 */
export async function generateChangeNote(cl: HyperClass, itemid: string, oldvalues: Record<string, unknown>): Promise<string> {
  const sys = cl.db.system().getclass(cl.classname);
  const props = sys.getprops(false);
  const item = await sys.getnode(itemid);
  const changed = Object.keys(oldvalues)
    .filter((key) => !NOT_IN_CHANGE_NOTE.has(key) && props.has(key) && !sameValue(item[key], oldvalues[key]))
    .sort();
  const lines: string[] = [];
  for (const name of changed) {
    const prop = props.get(name)!;
    if (prop.quiet) continue;
    const value = item[name];
    const old = oldvalues[name];
    let change: string;
    if (prop.kind === 'Link') {
      const now = isEmpty(value) ? '' : (await labels(cl, prop.target, [String(value)]))[0]!;
      const was = isEmpty(old) ? '' : (await labels(cl, prop.target, [String(old)]))[0]!;
      change = `${was} -> ${now}`;
    } else if (prop.kind === 'Multilink') {
      const now = idList(value);
      const was = idList(old);
      const added = sortTexts(await labels(cl, prop.target, now.filter((id) => !was.includes(id))));
      const removed = sortTexts(await labels(cl, prop.target, was.filter((id) => !now.includes(id))));
      change = added.length ? `+${added.join(', ')}` : '';
      if (removed.length) change += ` -${removed.join(', ')}`;
    } else {
      const now = pythonText(value, prop);
      const was = pythonText(old, prop);
      change = `${was} -> ${now}`;
      if (change.includes('\n')) change = `\nNow:\n${indentValue(now)}\nWas:\n${indentValue(was)}`;
    }
    lines.push(`${name}: ${change}`);
  }
  return lines.length ? withHeading(lines) : '';
}
