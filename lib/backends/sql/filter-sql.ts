import type { Condition, FilterQuery, Leaf, SortKey } from '../../hyperdb/filter-spec.js';
import { linkExpressionSql } from '../../hyperdb/link-expression.js';
import type { AnyProperty, MultilinkProperty, PointerProperty } from '../../hyperdb/properties.js';
import { type Dialect, column, inIds, intervalSecondsColumn, itemTable, q } from './dialect.js';
import type { SqlExecutor, SqlValue } from './executor.js';
import { multilinkRelation } from './table-layout.js';

/** Escapes LIKE wildcards so a search for "50%" finds the text "50%". */
function likePattern(value: string): string {
  return `%${value.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** The column a property's comparisons and sorting use. */
function valueColumn(alias: string, prop: AnyProperty): string {
  if (prop.name === 'id' && prop.kind === 'String') return `${alias}.id`;
  if (prop.kind === 'Interval') return `${alias}.${q(intervalSecondsColumn(prop.name))}`;
  return `${alias}.${q(column(prop.name))}`;
}

/** Conditions grouped by the Link/Multilink hops leading to them (a tree, keyed by property name). */
interface ConditionGroup {
  leaves: Array<{ prop: AnyProperty; leaf: Leaf }>;
  hops: Map<string, { hop: PointerProperty; group: ConditionGroup }>;
}

function groupConditions(conditions: readonly Condition[]): ConditionGroup {
  const root: ConditionGroup = { leaves: [], hops: new Map() };
  for (const cond of conditions) {
    let group = root;
    for (const hop of cond.path) {
      let next = group.hops.get(hop.name);
      if (!next) {
        next = { hop, group: { leaves: [], hops: new Map() } };
        group.hops.set(hop.name, next);
      }
      group = next.group;
    }
    group.leaves.push({ prop: cond.prop, leaf: cond.leaf });
  }
  return root;
}

type IdsLeaf = Extract<Leaf, { type: 'ids' }>;

/**
 * Compiles a prepared filter to one SELECT over the class table. Conditions
 * become predicates on the root row; Link hops are `IN (subquery)` and
 * Multilink hops `EXISTS (subquery)`, so no join can duplicate a row.
 * Conditions reached through the same hop share one subquery: as in
 * Roundup's SQL (which joins each Multilink table once), `keywords: '3'`
 * with `keywords.order: 40` needs one linked keyword to be both.
 */
class FilterCompiler {
  private aliasCount = 0;
  readonly params: SqlValue[] = [];

  constructor(private readonly dialect: Dialect) {}

  alias(): string {
    return `a${++this.aliasCount}`;
  }

  where(query: FilterQuery, root: string): string {
    const parts: string[] = [];
    if (query.retired === false) parts.push(`${root}.__retired__ = 0`);
    else if (query.retired === true) parts.push(`${root}.__retired__ <> 0`);
    if (query.restrictIds) parts.push(inIds(this.dialect, `${root}.id`, [...query.restrictIds], this.params));
    parts.push(...this.group(root, groupConditions(query.conditions)));
    return parts.length ? parts.join(' AND ') : '1 = 1';
  }

  private group(alias: string, group: ConditionGroup): string[] {
    const parts: string[] = [];
    // A plain id list on a Multilink with further conditions through it selects the linked items those conditions test.
    const sameItem = new Map<string, IdsLeaf[]>();
    for (const { prop, leaf } of group.leaves) {
      if (prop.kind === 'Multilink' && group.hops.has(prop.name) && leaf.type === 'ids' && !leaf.empty) {
        sameItem.set(prop.name, [...(sameItem.get(prop.name) ?? []), leaf]);
      } else {
        parts.push(this.leaf(alias, prop, leaf));
      }
    }
    for (const { hop, group: sub } of group.hops.values()) parts.push(this.hop(alias, hop, sub, sameItem.get(hop.name) ?? []));
    return parts;
  }

  private conjunction(alias: string, group: ConditionGroup, extra: string[] = []): string {
    const parts = [...extra, ...this.group(alias, group)];
    return parts.length ? parts.join(' AND ') : '1 = 1';
  }

  private hop(alias: string, hop: PointerProperty, group: ConditionGroup, linkedIds: IdsLeaf[]): string {
    const sub = this.alias();
    const target = q(itemTable(hop.target));
    if (hop.kind === 'Link') {
      return `${alias}.${q(column(hop.name))} IN (SELECT ${sub}.id FROM ${target} ${sub} WHERE ${this.conjunction(sub, group)})`;
    }
    const rel = multilinkRelation(hop as MultilinkProperty);
    const ml = this.alias();
    const linked = linkedIds.map((leaf) => inIds(this.dialect, `${ml}.${rel.linkColumn}`, leaf.ids, this.params));
    return (
      `EXISTS (SELECT 1 FROM ${rel.source} ${ml} JOIN ${target} ${sub} ON ${sub}.id = ${ml}.${rel.linkColumn} ` +
      `WHERE ${ml}.${rel.nodeColumn} = ${alias}.id AND ${this.conjunction(sub, group, linked)})`
    );
  }

  private leaf(alias: string, prop: AnyProperty, leaf: Leaf): string {
    const col = valueColumn(alias, prop);
    switch (leaf.type) {
      case 'substring':
        if (!leaf.values.length) return '1 = 1';
        return leaf.values
          .map((v) => {
            this.params.push(likePattern(v));
            return `${col} ${this.dialect.ilike} ? ESCAPE '\\'`;
          })
          .join(' AND ');
      case 'exact':
        if (!leaf.values.length) return '1 = 1';
        return leaf.values
          .map((v) => {
            this.params.push(v);
            return `${col} = ?`;
          })
          .join(' AND ');
      case 'equals':
        if (!leaf.values.length) return '1 = 0';
        for (const v of leaf.values) this.params.push(typeof v === 'boolean' ? (v ? 1 : 0) : v);
        return `${col} IN (${leaf.values.map(() => '?').join(', ')})`;
      case 'ranges': {
        const alternatives = leaf.ranges.map((r) => {
          const bounds: string[] = [];
          if (r.from !== undefined) {
            bounds.push(`${col} >= ?`);
            this.params.push(r.from);
          }
          if (r.to !== undefined) {
            bounds.push(`${col} <= ?`);
            this.params.push(r.to);
          }
          return bounds.length ? `(${bounds.join(' AND ')})` : `${col} IS NOT NULL`;
        });
        if (leaf.empty) alternatives.push(`${col} IS NULL`);
        return alternatives.length ? `(${alternatives.join(' OR ')})` : '1 = 0';
      }
      case 'ids':
      case 'expr':
        return prop.kind === 'Multilink' ? this.multilinkLeaf(alias, prop, leaf) : this.linkLeaf(col, leaf);
    }
  }

  private linkLeaf(col: string, leaf: Extract<Leaf, { type: 'ids' | 'expr' }>): string {
    if (leaf.type === 'expr') {
      return linkExpressionSql(leaf.expr, {
        // NULL = 1 is unknown, and NOT unknown would drop empty Links from `1,-2` (not 1); Roundup's SQL guards the same way.
        id: (id) => {
          this.params.push(Number(id));
          return `(${col} IS NOT NULL AND ${col} = ?)`;
        },
        empty: () => `${col} IS NULL`,
      });
    }
    const alternatives: string[] = [];
    if (leaf.ids.length) alternatives.push(inIds(this.dialect, col, leaf.ids, this.params));
    if (leaf.empty) alternatives.push(`${col} IS NULL`);
    return alternatives.length ? `(${alternatives.join(' OR ')})` : '1 = 0';
  }

  private multilinkLeaf(alias: string, prop: MultilinkProperty, leaf: Extract<Leaf, { type: 'ids' | 'expr' }>): string {
    const rel = multilinkRelation(prop);
    const exists = (cond?: (ml: string) => string) => {
      const ml = this.alias();
      return `EXISTS (SELECT 1 FROM ${rel.source} ${ml} WHERE ${ml}.${rel.nodeColumn} = ${alias}.id${cond ? ` AND ${cond(ml)}` : ''})`;
    };
    if (leaf.type === 'expr') {
      return linkExpressionSql(leaf.expr, {
        id: (id) =>
          exists((ml) => {
            this.params.push(Number(id));
            return `${ml}.${rel.linkColumn} = ?`;
          }),
        empty: () => `NOT ${exists()}`,
      });
    }
    const alternatives: string[] = [];
    if (leaf.ids.length) alternatives.push(exists((ml) => inIds(this.dialect, `${ml}.${rel.linkColumn}`, leaf.ids, this.params)));
    if (leaf.empty) alternatives.push(`NOT ${exists()}`);
    return alternatives.length ? `(${alternatives.join(' OR ')})` : '1 = 0';
  }
}

/** The SQL value a sort key compares: lower-cased strings, as Roundup sorts them without case. */
function sortExpression(alias: string, prop: AnyProperty): string {
  const col = valueColumn(alias, prop);
  return prop.kind === 'String' && prop.name !== 'id' ? `LOWER(${col})` : col;
}

/** LEFT JOINs following a sort key's Link hops; returns the alias holding the final property. */
function joinLinks(compiler: FilterCompiler, root: string, hops: PointerProperty[], joins: string[], cache: Map<string, string>): string {
  let alias = root;
  let pathKey = '';
  for (const hop of hops) {
    pathKey += `.${hop.name}`;
    let next = cache.get(pathKey);
    if (!next) {
      next = compiler.alias();
      joins.push(`LEFT JOIN ${q(itemTable(hop.target))} ${next} ON ${next}.id = ${alias}.${q(column(hop.name))}`);
      cache.set(pathKey, next);
    }
    alias = next;
  }
  return alias;
}

const passesMultilink = (key: SortKey) => key.path.some((hop) => hop.kind === 'Multilink');

/**
 * Runs a prepared filter and returns the matching ids in order. Sorting is
 * done by the database, except for keys that pass through a Multilink:
 * Roundup compares those element-wise as lists, which is done here after
 * fetching the lists in one query per such key.
 */
export async function runFilter(exec: SqlExecutor, dialect: Dialect, query: FilterQuery): Promise<string[]> {
  const compiler = new FilterCompiler(dialect);
  const root = 't0';
  const table = q(itemTable(query.classname));
  const where = compiler.where(query, root);
  const joins: string[] = [];
  const cache = new Map<string, string>();

  if (!query.sort.some(passesMultilink)) {
    const order = query.sort.map((key) => {
      const alias = joinLinks(compiler, root, key.path, joins, cache);
      return key.direction === '-' ? `${sortExpression(alias, key.prop)} DESC NULLS LAST` : `${sortExpression(alias, key.prop)} ASC NULLS FIRST`;
    });
    let sql = `SELECT ${root}.id AS id FROM ${table} ${root} ${joins.join(' ')} WHERE ${where} ORDER BY ${order.join(', ')}`;
    const params = [...compiler.params];
    if (query.limit !== undefined || query.offset) {
      sql += ' LIMIT ? OFFSET ?';
      params.push(query.limit ?? -1, query.offset ?? 0);
      if (dialect.name === 'postgresql' && query.limit === undefined) {
        sql = sql.replace(/ LIMIT \? OFFSET \?$/, ' OFFSET ?');
        params.splice(params.length - 2, 1);
      }
    }
    const rows = await exec.all<{ id: number }>(sql, params);
    return rows.map((r) => String(r.id));
  }

  // Keys through a Multilink: fetch the scalar keys with the ids, then each list key separately.
  const scalarCols: string[] = [];
  query.sort.forEach((key, i) => {
    if (passesMultilink(key)) return;
    const alias = joinLinks(compiler, root, key.path, joins, cache);
    scalarCols.push(`${sortExpression(alias, key.prop)} AS k${i}`);
  });
  const rows = await exec.all<Record<string, unknown>>(
    `SELECT ${[`${root}.id AS id`, ...scalarCols].join(', ')} FROM ${table} ${root} ${joins.join(' ')} WHERE ${where}`,
    compiler.params,
  );
  const ids = rows.map((r) => String(r.id));
  const lists = new Map<number, Map<string, unknown[]>>();
  for (const [i, key] of query.sort.entries()) {
    if (!passesMultilink(key)) continue;
    const perItem = await fetchSortLists(exec, dialect, query.classname, key, ids);
    // Roundup sorts each list itself in the key's direction before comparing lists.
    const order = key.direction === '-' ? (a: unknown, b: unknown) => compareSortValues(b, a) : compareSortValues;
    for (const list of perItem.values()) list.sort(order);
    lists.set(i, perItem);
  }
  const keyOf = (row: Record<string, unknown>, i: number): unknown =>
    lists.has(i) ? lists.get(i)!.get(String(row.id)) ?? [] : row[`k${i}`];
  rows.sort((a, b) => {
    for (const [i, key] of query.sort.entries()) {
      const c = compareSortValues(keyOf(a, i), keyOf(b, i));
      if (c) return key.direction === '-' ? -c : c;
    }
    return 0;
  });
  const start = query.offset ?? 0;
  const sorted = rows.map((r) => String(r.id));
  return query.limit === undefined ? sorted.slice(start) : sorted.slice(start, start + query.limit);
}

/** The number of items a prepared filter matches, ignoring its sort, limit and offset. */
export async function countFilter(exec: SqlExecutor, dialect: Dialect, query: FilterQuery): Promise<number> {
  const compiler = new FilterCompiler(dialect);
  const where = compiler.where(query, 't0');
  const rows = await exec.all<{ n: number | string }>(`SELECT COUNT(*) AS n FROM ${q(itemTable(query.classname))} t0 WHERE ${where}`, compiler.params);
  return Number(rows[0]?.n ?? 0);
}

/** For each root id, the list of sort values reached through the key's path (in link-id order; the caller sorts it). */
async function fetchSortLists(exec: SqlExecutor, dialect: Dialect, classname: string, key: SortKey, ids: string[]): Promise<Map<string, unknown[]>> {
  const out = new Map<string, unknown[]>();
  if (!ids.length) return out;
  const params: SqlValue[] = [];
  const joins: string[] = [];
  const order: string[] = ['t0.id'];
  let alias = 't0';
  key.path.forEach((hop, n) => {
    const next = `s${n}`;
    if (hop.kind === 'Link') {
      joins.push(`LEFT JOIN ${q(itemTable(hop.target))} ${next} ON ${next}.id = ${alias}.${q(column(hop.name))}`);
    } else {
      const rel = multilinkRelation(hop as MultilinkProperty);
      const ml = `m${n}`;
      joins.push(`JOIN ${rel.source} ${ml} ON ${ml}.${rel.nodeColumn} = ${alias}.id`);
      joins.push(`LEFT JOIN ${q(itemTable(hop.target))} ${next} ON ${next}.id = ${ml}.${rel.linkColumn}`);
      order.push(`${ml}.${rel.linkColumn}`);
    }
    alias = next;
  });
  const cond = inIds(dialect, 't0.id', ids, params);
  const rows = await exec.all<{ id: number; v: unknown }>(
    `SELECT t0.id AS id, ${sortExpression(alias, key.prop)} AS v FROM ${q(itemTable(classname))} t0 ${joins.join(' ')} WHERE ${cond} ORDER BY ${order.join(', ')}`,
    params,
  );
  for (const row of rows) {
    const id = String(row.id);
    if (!out.has(id)) out.set(id, []);
    out.get(id)!.push(row.v);
  }
  return out;
}

/** Python-style ordering: None before anything, lists element-wise, shorter prefix first. */
export function compareSortValues(a: unknown, b: unknown): number {
  if (Array.isArray(a) || Array.isArray(b)) {
    const la = Array.isArray(a) ? a : [a];
    const lb = Array.isArray(b) ? b : [b];
    for (let i = 0; i < Math.min(la.length, lb.length); i++) {
      const c = compareSortValues(la[i], lb[i]);
      if (c) return c;
    }
    return la.length - lb.length;
  }
  if (a === b) return 0;
  if (a === null || a === undefined) return -1;
  if (b === null || b === undefined) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}
