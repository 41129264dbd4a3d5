import { DateTime } from '../../hyperdb/date.js';
import { Interval } from '../../hyperdb/interval.js';
import type { JournalEntry, JournalParams } from '../../hyperdb/journal.js';
import { inIds, journalTable, q } from './dialect.js';
import type { Dialect } from './dialect.js';
import type { SqlExecutor, SqlValue } from './executor.js';

const BATCH_ROWS = 200;

// Journal parameters are stored as JSON. Dates and intervals are tagged so an
// entry stays readable after its property leaves the schema.
function encode(value: unknown): unknown {
  if (value instanceof DateTime) return { $date: value.epochMs };
  if (value instanceof Interval) return { $interval: value.serialise() };
  if (Array.isArray(value)) return value.map(encode);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, encode(v)]));
  }
  return value;
}

function decode(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decode);
  if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    if ('$date' in obj) return DateTime.fromEpochMs(Number(obj.$date));
    if ('$interval' in obj) return Interval.parse(String(obj.$interval));
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, decode(v)]));
  }
  return value;
}

/** Reads and writes the `<class>__journal` tables. */
export class JournalStore {
  constructor(readonly dialect: Dialect) {}

  async add(exec: SqlExecutor, classname: string, entries: readonly JournalEntry[]): Promise<void> {
    const table = q(journalTable(classname));
    for (let i = 0; i < entries.length; i += BATCH_ROWS) {
      const chunk = entries.slice(i, i + BATCH_ROWS);
      const params: SqlValue[] = [];
      for (const e of chunk) {
        params.push(Number(e.nodeid), e.date.epochMs, e.userid, e.action, e.params === null ? null : JSON.stringify(encode(e.params)));
      }
      await exec.run(
        `INSERT INTO ${table} (nodeid, date, tag, action, params) VALUES ${chunk.map(() => '(?, ?, ?, ?, ?)').join(', ')}`,
        params,
      );
    }
  }

  /** The journal of some items, oldest first (ties in recording order). */
  async get(exec: SqlExecutor, classname: string, nodeids: readonly string[]): Promise<JournalEntry[]> {
    const params: SqlValue[] = [];
    const cond = inIds(this.dialect, 'nodeid', nodeids, params);
    const rows = await exec.all<{ nodeid: number; date: number; tag: string | null; action: string; params: string | null }>(
      `SELECT nodeid, date, tag, action, params FROM ${q(journalTable(classname))} WHERE ${cond} ORDER BY date, seq`,
      params,
    );
    return rows.map((r) => ({
      nodeid: String(r.nodeid),
      date: DateTime.fromEpochMs(Number(r.date)),
      userid: r.tag === null ? '' : String(r.tag),
      action: r.action,
      params: r.params === null ? null : (decode(JSON.parse(r.params)) as JournalParams),
    }));
  }

  /** Removes an item's whole journal (destroy, or before an import replaces it). */
  async clear(exec: SqlExecutor, classname: string, nodeid: string): Promise<void> {
    await exec.run(`DELETE FROM ${q(journalTable(classname))} WHERE nodeid = ?`, [Number(nodeid)]);
  }

  /** Roundup's pack: drops every entry but `create` older than `before`. Returns the number removed. */
  async pack(exec: SqlExecutor, classnames: readonly string[], before: DateTime): Promise<number> {
    let removed = 0;
    for (const classname of classnames) {
      const r = await exec.run(`DELETE FROM ${q(journalTable(classname))} WHERE date < ? AND action <> 'create'`, [before.epochMs]);
      removed += r.changes;
    }
    return removed;
  }
}
