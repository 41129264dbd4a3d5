import { RupError } from '../../errors.js';
import type { Database } from '../../hyperdb/database.js';
import { DateTime } from '../../hyperdb/date.js';
import type { HyperClass } from '../../hyperdb/hyper-class.js';
import { Interval } from '../../hyperdb/interval.js';
import type { AnyProperty } from '../../hyperdb/properties.js';
import type { Timezone } from '../../hyperdb/timezone.js';
import type { HyperValue, ItemValues } from '../../hyperdb/values.js';
import { pythonStringRepr } from '../../util/python-repr.js';
import type { ActionOutcome, WebAction, WebRequest } from '../web-types.js';
import { addError, renderAgain, requireClassPermission } from './action-support.js';
import { type IndexArgs, readIndexArgs } from './index-args.js';

/** Rows loaded and written per batch: a constant number of queries each, whatever the size of the result. */
const BATCH = 500;

/** One CSV line as Python's csv.writer(quoting=QUOTE_NONNUMERIC) writes strings: every field quoted, CRLF. */
export function csvLine(fields: readonly string[]): string {
  return `${fields.map((f) => `"${f.replace(/"/g, '""')}"`).join(',')}\r\n`;
}

/** Python's str() of a hyperdb value, as Roundup's CSV export prints it. */
export function pythonStr(value: HyperValue, prop: AnyProperty): string {
  if (value === null) return 'None';
  if (Array.isArray(value)) return `[${[...value].sort().map((v) => pythonStringRepr(v)).join(', ')}]`;
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return prop.kind === 'Number' && Number.isInteger(value) && Math.abs(value) < 1e16 ? `${value}.0` : String(value);
  if (value instanceof DateTime || value instanceof Interval) return value.toString();
  return value;
}

/** How a column's cells are written for the names export. */
type CellWriter = (value: HyperValue) => string;

interface ExportPlan {
  classname: string;
  columns: string[];
  ids: string[];
}

/**
 * The request's index query (columns, filter, sort, group, full-text
 * search), with every column checked to exist: RUP_ERR_NO_SUCH_PROPERTY
 * `Column "x" not found in issue` (400) before anything is written.
 * Items come from the unchecked filter, as Roundup's; the filter values
 * and sort keys are already limited to what the user may search.
 */
async function plan(req: WebRequest, classname: string): Promise<ExportPlan> {
  const args: IndexArgs = await readIndexArgs(req.form, req.db, classname);
  const def = req.db.schema.getClass(classname);
  for (const column of args.columns) {
    if (!def.hasProperty(column)) throw new RupError('RUP_ERR_NO_SUCH_PROPERTY', `Column "${column}" not found in ${classname}`);
  }
  const sys = req.db.system().getclass(classname);
  const matches = args.searchText ? await sys.searchText(args.searchText) : null;
  const ids = await sys.filter(matches, args.filterspec, { sort: args.sort, group: args.group });
  return { classname, columns: args.columns, ids };
}

/** Labels of linked items (by `name`, users by `realname`), loaded for a whole batch at once. */
async function linkedLabels(sys: Database, target: string, labelProp: string, ids: Iterable<string>): Promise<Map<string, string>> {
  const items = await sys.getclass(target).getMany([...new Set(ids)]);
  const out = new Map<string, string>();
  for (const [id, values] of items) {
    const label = values[labelProp];
    out.set(id, label === null || label === undefined ? '' : String(label));
  }
  return out;
}

/** Roundup's date cells: `%Y-%m-%d`, with ` %H:%M` unless midnight, in the user's zone. */
function dateCell(value: DateTime, tz: Timezone): string {
  return value.pretty(value.pretty('%H:%M', tz) === '00:00' ? '%Y-%m-%d' : '%Y-%m-%d %H:%M', tz);
}

/**
 * The names export (Roundup's ExportCSVAction): Links and Multilinks by
 * the target's `name` (users by `realname`, other classes by their label
 * property), Multilink names sorted and joined with `;`, dates in the
 * user's zone; a row per item the user may view; cells the user may not
 * view, and links into classes the user may not view, read `[hidden]`.
 */
async function* namesLines(req: WebRequest, p: ExportPlan): AsyncGenerator<string> {
  const db = req.db;
  const sys = db.system();
  const def = db.schema.getClass(p.classname);
  const tz = await db.getUserTimezone();
  const targets = new Map<string, { target: string; label: string; visible: boolean }>();
  for (const column of p.columns) {
    const prop = def.prop(column);
    if (prop.kind !== 'Link' && prop.kind !== 'Multilink') continue;
    const targetDef = db.schema.getClass(prop.target);
    const label = targetDef.properties.has('name') ? 'name' : prop.target === 'user' ? 'realname' : targetDef.labelprop(true);
    targets.set(column, { target: prop.target, label, visible: await db.hasPermission('View', prop.target) });
  }
  yield csvLine(p.columns);
  const cls: HyperClass = sys.getclass(p.classname);
  for (let start = 0; start < p.ids.length; start += BATCH) {
    const batch = p.ids.slice(start, start + BATCH);
    const items = await cls.getMany(batch);
    const labels = new Map<string, Map<string, string>>();
    for (const [column, t] of targets) {
      if (!t.visible) continue;
      const ids = [...items.values()].flatMap((v) => (v[column] === null ? [] : Array.isArray(v[column]) ? (v[column] as string[]) : [v[column] as string]));
      labels.set(column, await linkedLabels(sys, t.target, t.label, ids));
    }
    const writers = new Map<string, CellWriter>();
    for (const column of p.columns) {
      const prop = def.prop(column);
      const t = targets.get(column);
      const names = labels.get(column);
      if (t && !t.visible) writers.set(column, () => '[hidden]');
      else if (names && prop.kind === 'Multilink') writers.set(column, (v) => ((v as string[] | null) ?? []).map((id) => names.get(id) ?? '').sort().join(';'));
      else if (names) writers.set(column, (v) => (v === null ? '' : (names.get(v as string) ?? '')));
      else if (prop.kind === 'Date') writers.set(column, (v) => (v === null ? '' : dateCell(v as DateTime, tz)));
      else writers.set(column, (v) => (v === null ? '' : pythonStr(v, prop)));
    }
    let chunk = '';
    for (const id of batch) {
      const values: ItemValues | undefined = items.get(id);
      if (!values || !(await db.hasPermission('View', p.classname, { itemid: id }))) continue;
      const row: string[] = [];
      for (const column of p.columns) {
        const visible = await db.hasPermission('View', p.classname, { itemid: id, property: column });
        row.push(visible ? writers.get(column)!(values[column] ?? null) : '[hidden]');
      }
      chunk += csvLine(row);
    }
    if (chunk) yield chunk;
  }
}

/**
 * The ids export (Roundup's ExportCSVWithIdAction): raw values as Python
 * prints them (`2`, `['3', '4']`, `None`, `2024-01-01.10:00:00`). Any
 * cell the user may not view ends the export with RUP_ERR_PERMISSION.
 */
async function* idLines(req: WebRequest, p: ExportPlan): AsyncGenerator<string> {
  const db = req.db;
  const def = db.schema.getClass(p.classname);
  const cls = db.system().getclass(p.classname);
  yield csvLine(p.columns);
  for (let start = 0; start < p.ids.length; start += BATCH) {
    const batch = p.ids.slice(start, start + BATCH);
    const items = await cls.getMany(batch);
    let chunk = '';
    for (const id of batch) {
      const values = items.get(id);
      if (!values) continue;
      const row: string[] = [];
      for (const column of p.columns) {
        if (!(await db.hasPermission('View', p.classname, { itemid: id, property: column }))) {
          throw new RupError('RUP_ERR_PERMISSION', `You do not have permission to view ${p.classname}`);
        }
        row.push(pythonStr(values[column] ?? null, def.prop(column)));
      }
      chunk += csvLine(row);
    }
    if (chunk) yield chunk;
  }
}

/** Encodes for `@charset`: ISO-8859-1 (characters outside it become `?`, Python's 'replace'), else UTF-8. */
function encoder(charset: string): { name: string; encode(text: string): Buffer } {
  const name = charset.trim().toLowerCase().replace(/_/g, '-');
  if (['iso-8859-1', 'iso8859-1', 'latin-1', 'latin1'].includes(name)) {
    return { name: 'iso-8859-1', encode: (text) => Buffer.from(text.replace(/[^\u0000-\u00ff]/gu, '?'), 'latin1') };
  }
  return { name: 'utf-8', encode: (text) => Buffer.from(text, 'utf8') };
}

/**
 * The CSV of the request's index query, as encoded chunks: the header
 * line, then one chunk per batch of rows (a constant number of queries per
 * batch). Errors (unknown column, permission) come before the first chunk
 * in the names export and before the offending row in the ids export.
 * The generator reads the unit of work as it goes: keep it open until the
 * last chunk is taken.
 */
export async function* csvExport(req: WebRequest, classname: string, withIds: boolean): AsyncGenerator<Buffer> {
  const { encode } = encoder(req.form.get('@charset') ?? 'utf-8');
  const p = await plan(req, classname);
  for await (const text of withIds ? idLines(req, p) : namesLines(req, p)) yield encode(text);
}

function exportAction(name: 'export_csv' | 'export_csv_id', withIds: boolean): WebAction {
  return {
    name,
    changesData: false,
    async run(req: WebRequest): Promise<ActionOutcome> {
      const { classname } = req.target;
      if (classname === null) {
        addError(req, 'Invalid request');
        return renderAgain();
      }
      await requireClassPermission(req, 'View', 'export', classname);
      const chunks: Buffer[] = [];
      for await (const chunk of csvExport(req, classname, withIds)) chunks.push(chunk);
      return {
        kind: 'response',
        status: 200,
        headers: {
          'Content-Type': `text/csv; charset=${encoder(req.form.get('@charset') ?? 'utf-8').name}`,
          'Content-Disposition': 'inline; filename=query.csv',
        },
        body: Buffer.concat(chunks),
      };
    },
  };
}

/**
 * `@action=export_csv`: the current index query as CSV (`text/csv`,
 * `Content-Disposition: inline; filename=query.csv`), names for links.
 * The whole file is built before the response starts, so an error never
 * leaves a half-sent file; use {@link csvExport} to stream instead.
 */
export const exportCsvAction = exportAction('export_csv', false);

/** `@action=export_csv_id`: the same with raw ids and Python-style values. */
export const exportCsvIdAction = exportAction('export_csv_id', true);
