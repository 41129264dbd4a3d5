import type { SqlDialect, SqlExecutor, SqlValue } from './executor.js';

/**
 * What differs between SQLite and PostgreSQL, in one place. Everything else
 * in the SQL layer is written once for both.
 */
export interface Dialect {
  readonly name: SqlDialect;
  /** Column types. */
  readonly types: { integer: string; bigint: string; double: string; text: string };
  /** Case-insensitive LIKE operator (Roundup uses LIKE on SQLite, ILIKE on PostgreSQL). */
  readonly ilike: string;
  /**
   * True when a write transaction excludes every other writer of the
   * database (SQLite's BEGIN IMMEDIATE): the unit of work may then hand out
   * ids from memory and store the counter once, at commit, and change an
   * item it read inside the transaction without locking or reading it again.
   */
  readonly transactionOwnsIdCounters: boolean;
  /** Allocates the next id of a class inside the current write transaction. */
  nextId(exec: SqlExecutor, classname: string): Promise<number>;
  /** The id the next create will get, without allocating it. */
  peekNextId(exec: SqlExecutor, classname: string): Promise<number>;
  /** Makes `next` the next id (import keeps original ids). */
  setNextId(exec: SqlExecutor, classname: string, next: number): Promise<void>;
  /** DDL creating the id counter of a new class. */
  createIdCounter(exec: SqlExecutor, classname: string): Promise<void>;
  dropIdCounter(exec: SqlExecutor, classname: string): Promise<void>;
  /** Locks one row against concurrent writers until the transaction ends (no-op where the database lock does it). */
  lockRow(exec: SqlExecutor, table: string, id: number): Promise<void>;
  /** An aggregate joining the integer `expr` of a group's rows with commas (no particular order; '' or NULL for none). */
  joinIds(expr: string): string;
  /** A subquery yielding the integers of a JSON array parameter, for id lists too long for IN (?, ?, ...). */
  readonly jsonIdList: string;
  /** True if `err` is a unique-constraint violation. */
  isUniqueViolation(err: unknown): boolean;
  /** Names of the tables in the current schema. */
  listTables(exec: SqlExecutor): Promise<string[]>;
  /** Names of the columns of a table. */
  listColumns(exec: SqlExecutor, table: string): Promise<string[]>;
}

/** Quotes an SQL identifier. Our names are word characters only, checked by the schema. */
export function q(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** The table holding a class's items (Roundup's naming: `_issue`). */
export const itemTable = (classname: string) => `_${classname}`;
/** The table holding one Multilink (Roundup's naming: `issue_messages`). */
export const multilinkTable = (classname: string, prop: string) => `${classname}_${prop}`;
/** The journal table of a class (Roundup's naming: `issue__journal`). */
export const journalTable = (classname: string) => `${classname}__journal`;
/** The column of a property (Roundup's naming: `_title`). */
export const column = (prop: string) => `_${prop}`;
/** The seconds column kept beside an Interval for sorting and ranges. */
export const intervalSecondsColumn = (prop: string) => `__${prop}_int__`;

const sqlite: Dialect = {
  name: 'sqlite',
  types: { integer: 'INTEGER', bigint: 'INTEGER', double: 'REAL', text: 'TEXT' },
  ilike: 'LIKE',
  transactionOwnsIdCounters: true,
  async nextId(exec, classname) {
    const rows = await exec.all<{ num: number }>('UPDATE "__ids" SET num = num + 1 WHERE name = ? RETURNING num - 1 AS num', [classname]);
    if (!rows.length) throw new Error(`no id counter for class ${classname}`);
    return rows[0]!.num;
  },
  async peekNextId(exec, classname) {
    const rows = await exec.all<{ num: number }>('SELECT num FROM "__ids" WHERE name = ?', [classname]);
    return rows[0]?.num ?? 1;
  },
  async setNextId(exec, classname, next) {
    await exec.run('UPDATE "__ids" SET num = ? WHERE name = ?', [next, classname]);
  },
  async createIdCounter(exec, classname) {
    await exec.run('CREATE TABLE IF NOT EXISTS "__ids" (name TEXT PRIMARY KEY, num INTEGER NOT NULL)');
    await exec.run('INSERT INTO "__ids" (name, num) VALUES (?, 1) ON CONFLICT (name) DO NOTHING', [classname]);
  },
  async dropIdCounter(exec, classname) {
    await exec.run('DELETE FROM "__ids" WHERE name = ?', [classname]);
  },
  async lockRow() {
    // BEGIN IMMEDIATE already holds the database write lock.
  },
  joinIds: (expr) => `group_concat(${expr}, ',')`,
  jsonIdList: '(SELECT value FROM json_each(?))',
  isUniqueViolation(err) {
    const e = err as { code?: string; message?: string };
    return e?.code === 'SQLITE_CONSTRAINT' && /UNIQUE/.test(e.message ?? '');
  },
  async listTables(exec) {
    const rows = await exec.all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'");
    return rows.map((r) => r.name);
  },
  async listColumns(exec, table) {
    const rows = await exec.all<{ name: string }>(`SELECT name FROM pragma_table_info(?)`, [table]);
    return rows.map((r) => r.name);
  },
};

const seqName = (classname: string) => q(`_${classname}_ids`);

const postgresql: Dialect = {
  name: 'postgresql',
  types: { integer: 'INTEGER', bigint: 'BIGINT', double: 'DOUBLE PRECISION', text: 'TEXT' },
  ilike: 'ILIKE',
  transactionOwnsIdCounters: false,
  async nextId(exec, classname) {
    const rows = await exec.all<{ num: number }>(`SELECT nextval('${seqName(classname)}') AS num`);
    return Number(rows[0]!.num);
  },
  async peekNextId(exec, classname) {
    const rows = await exec.all<{ last_value: number; is_called: boolean }>(`SELECT last_value, is_called FROM ${seqName(classname)}`);
    const r = rows[0]!;
    return r.is_called ? Number(r.last_value) + 1 : Number(r.last_value);
  },
  async setNextId(exec, classname, next) {
    await exec.all(`SELECT setval('${seqName(classname)}', ?, false)`, [next]);
  },
  async createIdCounter(exec, classname) {
    await exec.run(`CREATE SEQUENCE IF NOT EXISTS ${seqName(classname)} START 1`);
  },
  async dropIdCounter(exec, classname) {
    await exec.run(`DROP SEQUENCE IF EXISTS ${seqName(classname)}`);
  },
  async lockRow(exec, table, id) {
    await exec.all(`SELECT id FROM ${q(table)} WHERE id = ? FOR UPDATE`, [id]);
  },
  joinIds: (expr) => `string_agg(CAST(${expr} AS TEXT), ',')`,
  jsonIdList: '(SELECT (jsonb_array_elements_text(?::jsonb))::bigint)',
  isUniqueViolation(err) {
    return (err as { code?: string })?.code === '23505';
  },
  async listTables(exec) {
    const rows = await exec.all<{ name: string }>(
      'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()',
    );
    return rows.map((r) => r.name);
  },
  async listColumns(exec, table) {
    const rows = await exec.all<{ name: string }>(
      'SELECT column_name AS name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ?',
      [table],
    );
    return rows.map((r) => r.name);
  },
};

export function dialectFor(name: SqlDialect): Dialect {
  return name === 'sqlite' ? sqlite : postgresql;
}

/**
 * `expr IN (...)` for a list of integer ids: bound placeholders for short
 * lists, one JSON parameter for long ones (SQLite limits bound parameters).
 */
export function inIds(dialect: Dialect, expr: string, ids: readonly (string | number)[], params: SqlValue[]): string {
  if (ids.length === 0) return '1 = 0';
  if (ids.length <= 50) {
    for (const id of ids) params.push(Number(id));
    return `${expr} IN (${ids.map(() => '?').join(', ')})`;
  }
  params.push(JSON.stringify(ids.map(Number)));
  return `${expr} IN ${dialect.jsonIdList}`;
}
