import { DateTime } from '../../hyperdb/date.js';
import { Interval } from '../../hyperdb/interval.js';
import type { AnyProperty, MultilinkProperty } from '../../hyperdb/properties.js';
import type { ClassDef } from '../../hyperdb/schema.js';
import type { HyperValue } from '../../hyperdb/values.js';
import { column, intervalSecondsColumn, itemTable, multilinkTable, q } from './dialect.js';
import type { SqlValue } from './executor.js';

/**
 * How a class maps to tables, in Roundup's naming: `_issue` holds one row
 * per item with a `_<prop>` column per scalar property (plus id,
 * __retired__ and the automatic `_creation`, `_activity`, `_creator`,
 * `_actor`); each Multilink has a `<class>_<prop>` table of
 * (linkid, nodeid) pairs. Dates are stored as epoch milliseconds (exact,
 * sortable integers); Intervals as their serialised text plus their
 * length in seconds (`__<prop>_int__`) for sorting and ranges; Booleans
 * as 0/1.
 *
 * Retired items keep their row with `__retired__` set to their own id, so
 * a unique index on (key, __retired__) lets key values be reused after
 * retirement, as Roundup does.
 */
export interface ScalarColumn {
  prop: AnyProperty;
  column: string;
}

/** Where a Multilink's pairs live; reverse multilinks read another class's storage. */
export interface MultilinkRelation {
  prop: MultilinkProperty;
  /** SQL source of the pairs, e.g. `"issue_messages"` or a subquery. */
  source: string;
  /** Column holding the id of the item that has the multilink. */
  nodeColumn: string;
  /** Column holding the linked id. */
  linkColumn: string;
}

export class TableLayout {
  readonly table: string;
  readonly scalars: ScalarColumn[] = [];
  readonly multilinks: MultilinkRelation[] = [];
  /** The SELECT list loading a whole row. */
  readonly selectList: string;
  /** The classes whose tables a load of these items reads: this one, and the owners of its reverse multilinks. */
  readonly readsClasses: ReadonlySet<string>;

  constructor(readonly cls: ClassDef) {
    this.table = itemTable(cls.name);
    for (const [name, prop] of cls.getprops()) {
      if (name === 'id') continue;
      if (prop.kind === 'Multilink') this.multilinks.push(multilinkRelation(prop));
      else if (!(cls.kind === 'file' && name === 'content')) this.scalars.push({ prop, column: column(name) });
    }
    const cols = ['id', '__retired__'];
    for (const s of this.scalars) cols.push(q(s.column));
    this.selectList = cols.join(', ');
    this.readsClasses = new Set([cls.name, ...this.multilinks.flatMap((m) => (m.prop.reverseOf ? [m.prop.reverseOf.classname] : []))]);
  }

  scalar(prop: string): ScalarColumn | undefined {
    return this.scalars.find((s) => s.prop.name === prop);
  }
}

/** The relation behind a Multilink, including reverse multilinks (rev_multilink). */
export function multilinkRelation(prop: MultilinkProperty): MultilinkRelation {
  const reverse = prop.reverseOf;
  if (!reverse) {
    return { prop, source: q(multilinkTable(prop.classname, prop.name)), nodeColumn: 'nodeid', linkColumn: 'linkid' };
  }
  // The mirrored property belongs to class `prop.target`; only its active items count.
  const owner = q(itemTable(reverse.classname));
  if (reverse.kind === 'Link') {
    return {
      prop,
      source: `(SELECT ${q(column(reverse.name))} AS nodeid, id AS linkid FROM ${owner} WHERE __retired__ = 0)`,
      nodeColumn: 'nodeid',
      linkColumn: 'linkid',
    };
  }
  const pairs = q(multilinkTable(reverse.classname, reverse.name));
  return {
    prop,
    source: `(SELECT r.linkid AS nodeid, r.nodeid AS linkid FROM ${pairs} r JOIN ${owner} o ON o.id = r.nodeid AND o.__retired__ = 0)`,
    nodeColumn: 'nodeid',
    linkColumn: 'linkid',
  };
}

/** The columns and bound values storing one scalar value. */
export function encodeScalar(prop: AnyProperty, value: HyperValue): Array<[string, SqlValue]> {
  const col = column(prop.name);
  if (value === null || value === undefined) {
    return prop.kind === 'Interval' ? [[col, null], [intervalSecondsColumn(prop.name), null]] : [[col, null]];
  }
  switch (prop.kind) {
    case 'Date':
      return [[col, (value as DateTime).epochMs]];
    case 'Interval':
      return [
        [col, (value as Interval).serialise()],
        [intervalSecondsColumn(prop.name), (value as Interval).asSeconds()],
      ];
    case 'Boolean':
      return [[col, value ? 1 : 0]];
    case 'Link':
      return [[col, Number(value)]];
    default:
      return [[col, value as SqlValue]];
  }
}

/** Converts a column value read back into a typed value. */
export function decodeScalar(prop: AnyProperty, raw: unknown): HyperValue {
  if (raw === null || raw === undefined) return null;
  switch (prop.kind) {
    case 'Date':
      return DateTime.fromEpochMs(Number(raw));
    case 'Interval':
      return Interval.parse(String(raw));
    case 'Boolean':
      return Number(raw) !== 0;
    case 'Link':
      return String(raw);
    case 'Number':
    case 'Integer':
      return Number(raw);
    default:
      return String(raw);
  }
}

const layouts = new WeakMap<ClassDef, TableLayout>();

/** The (cached) layout of a class. */
export function layoutOf(cls: ClassDef): TableLayout {
  let layout = layouts.get(cls);
  if (!layout) {
    layout = new TableLayout(cls);
    layouts.set(cls, layout);
  }
  return layout;
}
