import type { Database } from '../../hyperdb/database.js';
import type { AnyProperty } from '../../hyperdb/properties.js';
import type { Schema } from '../../hyperdb/schema.js';
import type { FormData } from '../web-types.js';
import { pyQuote } from './url-tools.js';

/** A sort or group key: direction and property path. */
export type SortKey = readonly ['+' | '-', string];

/**
 * The index view a request asks for (Roundup's HTMLRequest index
 * arguments): what the class index, the CSV export and saved queries use.
 */
export interface IndexArgs {
  /** `@` or `:`, whichever spelling the request used (links keep it). */
  specialChar: '@' | ':';
  columns: string[];
  sort: SortKey[];
  group: SortKey[];
  /** The properties named in `@filter`. */
  filter: string[];
  /** Their values: ids for Link/Multilink (key values looked up), text otherwise. */
  filterspec: Record<string, string | string[]>;
  searchText: string | null;
  pagesize: number;
  startwith: number;
  dispname: string | null;
}

/** The property a possibly dotted path (`assignedto.username`) names, or null (Roundup's get_transitive_prop). */
export function transitiveProp(schema: Schema, classname: string, path: string): AnyProperty | null {
  let cls = schema.classes.get(classname);
  const names = path.split('.');
  for (let i = 0; cls && i < names.length; i++) {
    if (!cls.hasProperty(names[i]!)) return null;
    const prop = cls.prop(names[i]!);
    if (i === names.length - 1) return prop;
    if (prop.kind !== 'Link' && prop.kind !== 'Multilink') return null;
    cls = schema.classes.get(prop.target);
  }
  return null;
}

/** Roundup's handleListCGIValue: several values are taken as they are, one value is split on commas. */
export function listValue(values: readonly string[]): string[] {
  if (values.length > 1) return [...values];
  const one = (values[0] ?? '').trim();
  return one ? one.split(',').map((v) => v.trim()) : [];
}

function parseInteger(text: string | undefined): number | null {
  return text !== undefined && /^\s*[-+]?\d+\s*$/.test(text) ? Number(text) : null;
}

/** Roundup's _parse_sort: `@sort0/@sortdir0...` first, else `@sort=-a,b` with an optional `@sortdir`. */
function parseSort(form: FormData, name: string, found: (special: '@' | ':') => void): SortKey[] {
  let fields: string[] = [];
  const dirs: Array<string | null> = [];
  for (const special of ['@', ':'] as const) {
    for (let idx = 0; form.fields.has(`${special}${name}${idx}`); idx++) {
      found(special);
      fields.push(form.fields.get(`${special}${name}${idx}`)![0]!);
      dirs.push(form.fields.get(`${special}${name}dir${idx}`)?.[0] ?? null);
    }
    const key = `${special}${name}`;
    if (form.fields.has(key) && !fields.length) {
      found(special);
      fields = listValue(form.fields.get(key)!);
      const dir = form.fields.get(`${key}dir`);
      if (dir) dirs.push(dir[0]!);
    }
    if (fields.length) break;
  }
  return fields
    .filter((f) => f !== '')
    .map((f, i): SortKey => (f.startsWith('-') ? ['-', f.slice(1)] : dirs[i] ? ['-', f] : ['+', f]));
}

/**
 * Reads the index arguments of a request the way Roundup's HTMLRequest
 * does: columns, sort, group, filter and the filter values (Link and
 * Multilink key values become ids, values that are neither dropped),
 * full-text search, page size (default 50) and start. Sort, group and
 * filter properties the user may not search are left out.
 */
export async function readIndexArgs(form: FormData, db: Database, classname: string | null): Promise<IndexArgs> {
  let specialChar: '@' | ':' = '@';
  const found = (special: '@' | ':') => {
    specialChar = special;
  };
  const first = (name: string): string | undefined => {
    let value: string | undefined;
    for (const special of [':', '@'] as const) {
      const values = form.fields.get(`${special}${name}`);
      if (values) {
        found(special);
        value = values[0];
      }
    }
    return value;
  };
  let columns: string[] = [];
  for (const special of [':', '@'] as const) {
    const values = form.fields.get(`${special}columns`);
    if (values) {
      found(special);
      columns = listValue(values);
      break;
    }
  }
  let sort = parseSort(form, 'sort', found);
  let group = parseSort(form, 'group', found);
  let filter: string[] = [];
  for (const special of [':', '@'] as const) {
    const values = form.fields.get(`${special}filter`);
    if (values) {
      found(special);
      filter = listValue(values);
    }
  }

  let filterspec: Record<string, string | string[]> = {};
  const schema = db.schema;
  if (classname !== null && schema.hasClass(classname)) {
    for (const name of filter) {
      const values = form.fields.get(name);
      if (!values) continue;
      const prop = transitiveProp(schema, classname, name);
      if (prop && (prop.kind === 'Link' || prop.kind === 'Multilink')) {
        filterspec[name] = await lookupIds(db, prop.target, listValue(values));
      } else if (values.length > 1) {
        filterspec[name] = [...values];
      } else {
        filterspec[name] = name === 'id' ? listValue(values) : values[0]!;
      }
    }
    const ctx = await db.userContext();
    const security = db.services.security;
    filterspec = security.filterFilterspec(ctx, classname, filterspec);
    sort = security.filterSortspec(ctx, classname, sort).map(([d, p]) => [d === '-' ? '-' : '+', p] as const);
    group = security.filterSortspec(ctx, classname, group).map(([d, p]) => [d === '-' ? '-' : '+', p] as const);
  }

  const searchText = first('search_text') ?? null;
  const pagesize = parseInteger(first('pagesize')) ?? 50;
  const startwith = parseInteger(first('startwith')) ?? 0;
  return { specialChar, columns, sort, group, filter, filterspec, searchText, pagesize, startwith, dispname: form.fields.get('@dispname')?.[0] ?? null };
}

/** Roundup's lookupIds: key values become ids; numbers (and -1, RPN operators) pass; anything else is dropped. */
async function lookupIds(db: Database, target: string, values: string[]): Promise<string[]> {
  const ctx = await db.rawContext();
  const out: string[] = [];
  for (const value of values) {
    const id = db.schema.getClass(target).getkey() ? await ctx.lookupKey(target, value) : null;
    if (id !== null) out.push(id);
    else if (/^-?\d+$/.test(value)) out.push(value);
  }
  return out;
}

function sortText(keys: readonly SortKey[]): string {
  return keys.map(([d, p]) => (d === '-' ? `-${p}` : p)).join(',');
}

/**
 * Roundup's indexargs_url without the URL: `args` first (entries whose
 * value is null are left out; `@`/`:` names replace the request's own),
 * then the request's columns, sort, group, filter, search text, page
 * size and start, then the filter values. String filter words are joined
 * with `%20`, other lists with commas.
 */
export function indexArgsQuery(schema: Schema, classname: string | null, args: IndexArgs, extra: Record<string, string | null> = {}): string {
  const sc = args.specialChar;
  const parts: string[] = [];
  const specials = new Set<string>();
  for (const [k, v] of Object.entries(extra)) {
    if (k.startsWith('@') || k.startsWith(':')) specials.add(k.slice(1));
    if (v !== null) parts.push(`${k}=${pyQuote(v)}`);
  }
  const quoteList = (list: readonly string[]) => list.map((x) => pyQuote(x, '/-')).join(',');
  if (args.columns.length && !specials.has('columns')) parts.push(`${sc}columns=${quoteList(args.columns)}`);
  if (args.sort.length && !specials.has('sort')) parts.push(`${sc}sort=${pyQuote(sortText(args.sort), '/,-')}`);
  if (args.group.length && !specials.has('group')) parts.push(`${sc}group=${pyQuote(sortText(args.group), '/,-')}`);
  if (args.filter.length && !specials.has('filter')) parts.push(`${sc}filter=${quoteList(args.filter)}`);
  if (args.searchText && !specials.has('search_text')) parts.push(`${sc}search_text=${pyQuote(args.searchText)}`);
  if (!specials.has('pagesize')) parts.push(`${sc}pagesize=${args.pagesize}`);
  if (!specials.has('startwith')) parts.push(`${sc}startwith=${args.startwith}`);
  for (const [k, v] of Object.entries(args.filterspec)) {
    if (k in extra) continue;
    if (Array.isArray(v)) {
      const prop = classname === null ? null : transitiveProp(schema, classname, k);
      const joiner = k !== 'id' && prop?.kind === 'String' ? '%20' : ',';
      parts.push(`${pyQuote(k)}=${v.map((x) => pyQuote(x)).join(joiner)}`);
    } else {
      parts.push(`${pyQuote(k)}=${pyQuote(v)}`);
    }
  }
  return parts.join('&');
}
