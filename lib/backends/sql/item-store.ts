import type { Schema } from '../../hyperdb/schema.js';
import type { HyperValue, ItemValues } from '../../hyperdb/values.js';
import { normaliseIdList } from '../../hyperdb/values.js';
import { type Dialect, column, inIds, itemTable, multilinkTable, q } from './dialect.js';
import type { SqlExecutor, SqlValue } from './executor.js';
import { type TableLayout, decodeScalar, encodeScalar, layoutOf } from './table-layout.js';

/** An item as stored: every property (automatic ones included) and its retired flag. */
export interface StoredItem {
  id: string;
  retired: boolean;
  values: ItemValues;
}

/** Rows per multi-row INSERT: well under SQLite's bound-parameter limit. */
const BATCH_ROWS = 400;

/**
 * Reads and writes items of any class through an executor. It knows the
 * table layout and nothing of permissions, detectors or journals: the
 * hyperdb's unit of work decides what to write.
 */
export class ItemStore {
  private readonly loadLists = new WeakMap<TableLayout, string>();

  constructor(
    readonly dialect: Dialect,
    readonly schema: Schema,
  ) {}

  /**
   * Loads whole items (scalar columns and every Multilink) in a constant
   * number of queries, whatever the number of ids: one, with each stored
   * Multilink as a list aggregated per row; a second one for the pairs of
   * reverse multilinks (rev_multilink), when the class has some.
   */
  async load(exec: SqlExecutor, classname: string, ids: readonly string[]): Promise<Map<string, StoredItem>> {
    const out = new Map<string, StoredItem>();
    if (!ids.length) return out;
    const layout = layoutOf(this.schema.getClass(classname));
    const params: SqlValue[] = [];
    const where = inIds(this.dialect, 't.id', ids, params);
    const rows = await exec.all<Record<string, unknown>>(`SELECT ${this.loadList(layout)} FROM ${q(layout.table)} t WHERE ${where}`, params);
    const computed = layout.multilinks.filter((m) => m.prop.reverseOf);
    for (const row of rows) {
      const values: ItemValues = { id: String(row.id) };
      for (const s of layout.scalars) values[s.prop.name] = decodeScalar(s.prop, row[s.column]);
      layout.multilinks.forEach((m, i) => {
        const list = m.prop.reverseOf ? null : row[`__ml${i}`];
        values[m.prop.name] = typeof list === 'string' && list !== '' ? normaliseIdList(list.split(',')) : [];
      });
      out.set(String(row.id), { id: String(row.id), retired: Number(row.__retired__) !== 0, values });
    }
    if (computed.length && out.size) {
      const mlParams: SqlValue[] = [];
      const parts = computed.map((m, i) => {
        const cond = inIds(this.dialect, m.nodeColumn, [...out.keys()], mlParams);
        return `SELECT ${i} AS p, ${m.nodeColumn} AS nodeid, ${m.linkColumn} AS linkid FROM ${m.source} ml WHERE ${cond}`;
      });
      const links = await exec.all<{ p: number; nodeid: number; linkid: number }>(parts.join(' UNION ALL '), mlParams);
      for (const link of links) {
        const item = out.get(String(link.nodeid));
        (item!.values[computed[Number(link.p)]!.prop.name] as string[]).push(String(link.linkid));
      }
      for (const item of out.values()) {
        for (const m of computed) item.values[m.prop.name] = normaliseIdList(item.values[m.prop.name] as string[]);
      }
    }
    return out;
  }

  /** The SELECT list of `load`: the row's columns, then `__ml<i>`, the ids of each stored Multilink, comma-separated. */
  private loadList(layout: TableLayout): string {
    let list = this.loadLists.get(layout);
    if (list === undefined) {
      const lists = layout.multilinks.flatMap((m, i) =>
        m.prop.reverseOf ? [] : [`(SELECT ${this.dialect.joinIds(`ml.${m.linkColumn}`)} FROM ${m.source} ml WHERE ml.${m.nodeColumn} = t.id) AS __ml${i}`],
      );
      list = [layout.selectList, ...lists].join(', ');
      this.loadLists.set(layout, list);
    }
    return list;
  }

  /**
   * Inserts new items (multi-row INSERTs); each row holds every stored
   * property, the automatic ones included, and its Multilinks.
   */
  async insertMany(exec: SqlExecutor, classname: string, rows: ReadonlyArray<{ id: string; values: ItemValues; retired?: boolean }>): Promise<void> {
    const layout = layoutOf(this.schema.getClass(classname));
    const cols = ['id', '__retired__'];
    for (const s of layout.scalars) for (const [col] of encodeScalar(s.prop, null)) cols.push(q(col));
    // SQLite binds at most 32766 parameters per statement.
    const perStatement = Math.max(1, Math.min(BATCH_ROWS, Math.floor(30000 / cols.length)));
    const placeholders = `(${cols.map(() => '?').join(', ')})`;
    for (let i = 0; i < rows.length; i += perStatement) {
      const chunk = rows.slice(i, i + perStatement);
      const params: SqlValue[] = [];
      for (const { id, values, retired } of chunk) {
        params.push(Number(id), retired ? Number(id) : 0);
        for (const s of layout.scalars) for (const [, v] of encodeScalar(s.prop, values[s.prop.name] ?? null)) params.push(v);
      }
      await exec.run(`INSERT INTO ${q(layout.table)} (${cols.join(', ')}) VALUES ${chunk.map(() => placeholders).join(', ')}`, params);
    }
    for (const m of layout.multilinks) {
      if (m.prop.computed) continue;
      const pairs: Array<[string, string]> = [];
      for (const { id, values } of rows) for (const linkid of (values[m.prop.name] as string[] | undefined) ?? []) pairs.push([id, linkid]);
      await this.insertLinks(exec, classname, m.prop.name, pairs);
    }
  }

  /** Writes changed scalar values (Multilinks go through addLinks/removeLinks). */
  async updateScalars(exec: SqlExecutor, classname: string, id: string, changes: Record<string, HyperValue>): Promise<void> {
    const cls = this.schema.getClass(classname);
    const sets: string[] = [];
    const params: SqlValue[] = [];
    for (const [name, value] of Object.entries(changes)) {
      for (const [col, v] of encodeScalar(cls.prop(name), value)) {
        sets.push(`${q(col)} = ?`);
        params.push(v);
      }
    }
    if (!sets.length) return;
    params.push(Number(id));
    await exec.run(`UPDATE ${q(itemTable(classname))} SET ${sets.join(', ')} WHERE id = ?`, params);
  }

  /** Adds Multilink pairs `[nodeid, linkid]` (multi-row INSERTs). */
  async insertLinks(exec: SqlExecutor, classname: string, prop: string, pairs: ReadonlyArray<readonly [string, string]>): Promise<void> {
    const table = q(multilinkTable(classname, prop));
    for (let i = 0; i < pairs.length; i += BATCH_ROWS) {
      const chunk = pairs.slice(i, i + BATCH_ROWS);
      const params: SqlValue[] = [];
      for (const [nodeid, linkid] of chunk) params.push(Number(linkid), Number(nodeid));
      await exec.run(`INSERT INTO ${table} (linkid, nodeid) VALUES ${chunk.map(() => '(?, ?)').join(', ')}`, params);
    }
  }

  async removeLinks(exec: SqlExecutor, classname: string, prop: string, nodeid: string, linkids: readonly string[]): Promise<void> {
    if (!linkids.length) return;
    const params: SqlValue[] = [Number(nodeid)];
    const cond = inIds(this.dialect, 'linkid', linkids, params);
    await exec.run(`DELETE FROM ${q(multilinkTable(classname, prop))} WHERE nodeid = ? AND ${cond}`, params);
  }

  /** Marks an item retired (its own id in __retired__, freeing its key value) or active again. */
  async setRetired(exec: SqlExecutor, classname: string, id: string, retired: boolean): Promise<void> {
    await exec.run(`UPDATE ${q(itemTable(classname))} SET __retired__ = ? WHERE id = ?`, [retired ? Number(id) : 0, Number(id)]);
  }

  /** Removes an item and its Multilink rows (the journal is the caller's). */
  async destroy(exec: SqlExecutor, classname: string, id: string): Promise<void> {
    const layout = layoutOf(this.schema.getClass(classname));
    for (const m of layout.multilinks) {
      if (!m.prop.computed) await exec.run(`DELETE FROM ${q(multilinkTable(classname, m.prop.name))} WHERE nodeid = ?`, [Number(id)]);
    }
    await exec.run(`DELETE FROM ${q(layout.table)} WHERE id = ?`, [Number(id)]);
  }

  /** Ids in numeric order: active (retired=false), retired (true) or all (null). */
  async ids(exec: SqlExecutor, classname: string, retired: boolean | null): Promise<string[]> {
    const where = retired === null ? '' : retired ? ' WHERE __retired__ <> 0' : ' WHERE __retired__ = 0';
    const rows = await exec.all<{ id: number }>(`SELECT id FROM ${q(itemTable(classname))}${where} ORDER BY id`);
    return rows.map((r) => String(r.id));
  }

  async count(exec: SqlExecutor, classname: string): Promise<number> {
    const rows = await exec.all<{ n: number }>(`SELECT COUNT(*) AS n FROM ${q(itemTable(classname))}`);
    return Number(rows[0]!.n);
  }

  /** The active item whose key property equals `key` exactly, or null. */
  async lookup(exec: SqlExecutor, classname: string, keyProp: string, key: string): Promise<string | null> {
    const rows = await exec.all<{ id: number }>(
      `SELECT id FROM ${q(itemTable(classname))} WHERE ${q(column(keyProp))} = ? AND __retired__ = 0`,
      [key],
    );
    return rows.length ? String(rows[0]!.id) : null;
  }

  /** Active items whose String properties equal the values ignoring case (Roundup's stringFind). */
  async stringFind(exec: SqlExecutor, classname: string, requirements: Record<string, string>): Promise<string[]> {
    const conds = Object.keys(requirements).map((prop) => `LOWER(${q(column(prop))}) = LOWER(?)`);
    const rows = await exec.all<{ id: number }>(
      `SELECT id FROM ${q(itemTable(classname))} WHERE __retired__ = 0${conds.map((c) => ` AND ${c}`).join('')} ORDER BY id`,
      Object.values(requirements),
    );
    return rows.map((r) => String(r.id));
  }

  /**
   * Active items whose Link or Multilink properties point at any of the given
   * ids (Roundup's find): a union over the properties named.
   */
  async find(exec: SqlExecutor, classname: string, spec: ReadonlyArray<{ prop: string; ids: readonly string[]; includeNull?: boolean }>): Promise<string[]> {
    const cls = this.schema.getClass(classname);
    const layout = layoutOf(cls);
    const alternatives: string[] = [];
    const params: SqlValue[] = [];
    for (const { prop: pname, ids, includeNull } of spec) {
      const prop = cls.prop(pname);
      if (prop.kind === 'Link') {
        if (ids.length) alternatives.push(inIds(this.dialect, q(column(pname)), ids, params));
        if (includeNull) alternatives.push(`${q(column(pname))} IS NULL`);
      } else if (prop.kind === 'Multilink' && ids.length) {
        // "id IN (pairs whose linkid is listed)": a join here lets SQLite pick a plan that probes every pair per item.
        const rel = layout.multilinks.find((m) => m.prop.name === pname)!;
        const cond = inIds(this.dialect, `ml.${rel.linkColumn}`, ids, params);
        alternatives.push(`id IN (SELECT ml.${rel.nodeColumn} FROM ${rel.source} ml WHERE ${cond})`);
      }
    }
    if (!alternatives.length) return [];
    const rows = await exec.all<{ id: number }>(
      `SELECT id FROM ${q(layout.table)} WHERE __retired__ = 0 AND (${alternatives.join(' OR ')}) ORDER BY id`,
      params,
    );
    return rows.map((r) => String(r.id));
  }

}
