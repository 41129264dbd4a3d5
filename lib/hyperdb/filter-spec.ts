import { RupError } from '../errors.js';
import { pythonStringRepr } from '../util/python-repr.js';
import { parseDateRange, parseIntervalRange } from './date-range.js';
import type { Timezone } from './timezone.js';
import { isLinkExpression, type LinkExpr, parseLinkExpression } from './link-expression.js';
import type { AnyProperty, PointerProperty } from './properties.js';
import { parseBoolean, parseDecimal } from './raw-values.js';
import type { ClassDef, Schema } from './schema.js';

/**
 * A filter request normalised against the schema: every property path
 * resolved, every value parsed. The storage compiles it (to SQL); the
 * semantics are Roundup's `filter`:
 * - all conditions must hold (AND across properties);
 * - several values for a String must all match (substring, case-insensitive;
 *   or whole-value and case-sensitive for exact matches);
 * - Link/Multilink values are ORed, `-1` (or an empty list) matches empty,
 *   and RPN expressions (`-2` NOT, `-3` AND, `-4` OR) combine ids;
 * - conditions reached through one Multilink (`keywords: '3'` with
 *   `keywords.order: 40`) must hold for the same linked item;
 * - Date and Interval values are ranges (ORed), `-` matches unset;
 * - Number, Integer and Boolean values match by equality (any of).
 */
export type Leaf =
  | { type: 'substring'; values: string[] }
  | { type: 'exact'; values: string[] }
  | { type: 'ids'; ids: string[]; empty: boolean }
  | { type: 'expr'; expr: LinkExpr }
  | { type: 'ranges'; ranges: Array<{ from?: number; to?: number }>; empty: boolean }
  | { type: 'equals'; values: Array<number | boolean> };

export interface Condition {
  /** The Link/Multilink hops from the filtered class to the property tested. */
  path: PointerProperty[];
  prop: AnyProperty;
  leaf: Leaf;
}

export interface SortKey {
  direction: '+' | '-';
  path: PointerProperty[];
  /** A non-pointer property, or `id`: Link sorts are resolved to the target's order property. */
  prop: AnyProperty;
}

export interface FilterQuery {
  classname: string;
  conditions: Condition[];
  sort: SortKey[];
  /** false: active items only (default); true: retired only; null: both. */
  retired: boolean | null;
  /** Only these ids may match (full-text search results); null: no restriction. */
  restrictIds: ReadonlySet<string> | null;
  limit?: number;
  offset?: number;
}

export type FilterValue = string | number | boolean | null | ReadonlyArray<string | number | boolean | null>;
export type FilterSpec = Record<string, FilterValue>;
export type SortSpec = ReadonlyArray<readonly [string | null | undefined, string | null | undefined]> | readonly [string | null | undefined, string | null | undefined];

export interface FilterOptions {
  exactMatchSpec?: FilterSpec;
  sort?: SortSpec;
  group?: SortSpec;
  retired?: boolean | null;
  limit?: number;
  offset?: number;
}

/** What filter preparation needs from the database: key lookups and the user's zone. */
export interface FilterContext {
  schema: Schema;
  /** Id of the active item with that key value, or null. */
  lookupKey(classname: string, key: string): Promise<string | null>;
  timezone: Timezone;
}

function resolvePath(schema: Schema, cls: ClassDef, path: string): { hops: PointerProperty[]; prop: AnyProperty } {
  const names = path.split('.');
  const hops: PointerProperty[] = [];
  let current = cls;
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    if (!current.hasProperty(name)) {
      throw new RupError('RUP_ERR_NO_SUCH_PROPERTY', `Class ${current.name} has no property ${name} in ${path}.`);
    }
    const prop = current.prop(name);
    if (i === names.length - 1) return { hops, prop };
    if (prop.kind !== 'Link' && prop.kind !== 'Multilink') {
      throw new RupError('RUP_ERR_NO_SUCH_PROPERTY', `Property ${name} of class ${current.name} is not a Link or Multilink in ${path}.`);
    }
    hops.push(prop);
    current = schema.getClass(prop.target);
  }
  throw new RupError('RUP_ERR_NO_SUCH_PROPERTY', `empty property name in filter`);
}

function asList(value: FilterValue): Array<string | number | boolean | null> {
  return Array.isArray(value) ? [...value] : [value as string | number | boolean | null];
}

function text(value: string | number | boolean | null): string {
  return value === null ? '-1' : String(value);
}

/** Splits comma lists given as one string (Link ids, date ranges), as Roundup's web and admin do. */
function splitCommas(values: Array<string | number | boolean | null>): string[] {
  return values.flatMap((v) => (typeof v === 'string' ? v.split(',') : [text(v)])).map((v) => v.trim()).filter((v) => v !== '');
}

async function linkLeaf(ctx: FilterContext, prop: PointerProperty | null, target: string, values: string[]): Promise<Leaf> {
  // An empty list means "-1", as in Roundup's rdbms filter (`v in ('-1', ['-1'], [])`).
  if (values.length === 0) return { type: 'ids', ids: [], empty: true };
  if (isLinkExpression(values)) return { type: 'expr', expr: parseLinkExpression(values) };
  const ids: string[] = [];
  let empty = false;
  const targetCls = ctx.schema.getClass(target);
  for (const value of values) {
    if (value === '-1') {
      empty = true;
    } else if (/^\d+$/.test(value) && (prop === null || prop.tryIdParsing)) {
      ids.push(String(Number(value)));
    } else if (targetCls.getkey()) {
      const id = await ctx.lookupKey(target, value);
      if (id === null) throw new RupError('RUP_ERR_VALUE', `property ${prop?.name ?? 'id'}: ${pythonStringRepr(value)} is not a ${target}.`);
      ids.push(id);
    } else {
      throw new RupError('RUP_ERR_VALUE', `you may only enter ID values for property ${prop?.name ?? 'id'}`);
    }
  }
  return { type: 'ids', ids, empty };
}

async function makeLeaf(ctx: FilterContext, cls: ClassDef, prop: AnyProperty, raw: FilterValue, exact: boolean): Promise<Leaf> {
  const values = asList(raw);
  if (prop.name === 'id' && prop.kind === 'String') {
    return linkLeaf(ctx, null, cls.name, splitCommas(values));
  }
  switch (prop.kind) {
    case 'String': {
      const strings = values.filter((v) => v !== null).map(String);
      return exact ? { type: 'exact', values: strings } : { type: 'substring', values: strings };
    }
    case 'Link':
    case 'Multilink':
      return linkLeaf(ctx, prop, prop.target, splitCommas(values));
    case 'Date':
    case 'Interval': {
      const ranges: Array<{ from?: number; to?: number }> = [];
      let empty = false;
      for (const spec of splitCommas(values)) {
        if (spec === '-') {
          empty = true;
        } else if (prop.kind === 'Date') {
          const r = parseDateRange(spec, { tz: prop.offset ?? ctx.timezone });
          ranges.push({ from: r.from?.epochMs, to: r.to?.epochMs });
        } else {
          const r = parseIntervalRange(spec);
          ranges.push({ from: r.from?.asSeconds(), to: r.to?.asSeconds() });
        }
      }
      return { type: 'ranges', ranges, empty };
    }
    case 'Number':
    case 'Integer':
      return {
        type: 'equals',
        values: values.map((v) => {
          const n = typeof v === 'number' ? v : parseDecimal(String(v));
          const ok = String(v).trim() !== '' && (prop.kind === 'Number' ? Number.isFinite(n) : Number.isSafeInteger(n));
          if (!ok) {
            throw new RupError('RUP_ERR_VALUE', `property ${prop.name}: ${pythonStringRepr(String(v))} is not ${prop.kind === 'Number' ? 'a number' : 'an integer'}`);
          }
          return n;
        }),
      };
    case 'Boolean':
      return { type: 'equals', values: values.map((v) => (typeof v === 'boolean' ? v : parseBoolean(String(v)))) };
    case 'Password':
      throw new RupError('RUP_ERR_FILTER', `property ${prop.name}: Password properties cannot be searched`);
  }
}

function sortPath(schema: Schema, cls: ClassDef, path: string): { hops: PointerProperty[]; prop: AnyProperty } {
  const resolved = resolvePath(schema, cls, path);
  let { prop } = resolved;
  const hops = [...resolved.hops];
  // Sorting by a Link or Multilink sorts by the target's order property (Roundup's orderprop), followed through further Links.
  for (let depth = 0; (prop.kind === 'Link' || prop.kind === 'Multilink') && depth < 8; depth++) {
    hops.push(prop);
    const target = schema.getClass(prop.target);
    prop = target.prop(target.orderprop());
  }
  return { hops, prop };
}

function sortEntries(spec: SortSpec | undefined): Array<readonly [string | null | undefined, string | null | undefined]> {
  if (!spec || spec.length === 0) return [];
  if (typeof spec[0] === 'string' || spec[0] === null || spec[0] === undefined) {
    return [spec as readonly [string | null | undefined, string | null | undefined]];
  }
  return [...(spec as ReadonlyArray<readonly [string | null | undefined, string | null | undefined]>)];
}

/**
 * Resolves and parses a filter request (Roundup's `filter(search_matches,
 * filterspec, sort, group, retired, exact_match_spec, limit, offset)`).
 * Group keys sort first, then sort keys, then `id` ascending.
 */
export async function prepareFilter(
  ctx: FilterContext,
  classname: string,
  restrictIds: ReadonlySet<string> | null,
  filterspec: FilterSpec,
  options: FilterOptions = {},
): Promise<FilterQuery> {
  const cls = ctx.schema.getClass(classname);
  const conditions: Condition[] = [];
  for (const [exact, spec] of [
    [false, filterspec],
    [true, options.exactMatchSpec ?? {}],
  ] as const) {
    for (const [path, raw] of Object.entries(spec)) {
      const { hops, prop } = resolvePath(ctx.schema, cls, path);
      const owner = hops.length ? ctx.schema.getClass(hops[hops.length - 1]!.target) : cls;
      conditions.push({ path: hops, prop, leaf: await makeLeaf(ctx, owner, prop, raw, exact) });
    }
  }
  const seen = new Set<string>();
  const sort: SortKey[] = [];
  for (const [direction, path] of [...sortEntries(options.group), ...sortEntries(options.sort)]) {
    if (!path || seen.has(path)) continue;
    seen.add(path);
    const { hops, prop } = sortPath(ctx.schema, cls, path);
    sort.push({ direction: direction === '-' ? '-' : '+', path: hops, prop });
  }
  if (!seen.has('id')) sort.push({ direction: '+', path: [], prop: cls.prop('id') });
  return {
    classname,
    conditions,
    sort,
    retired: options.retired === undefined ? false : options.retired,
    restrictIds,
    limit: options.limit,
    offset: options.offset,
  };
}
