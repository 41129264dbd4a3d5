/**
 * Saving and loading a PostgreSQL tracker database for `roundup-admin
 * backup`. Two formats, kept in the tracker's database folder:
 *
 * - `postgresql.dump`: pg_dump's custom format, made with `pg_dump
 *   --snapshot` inside the backup's snapshot; loaded with pg_restore.
 * - `postgresql-dump.sql`: a plain SQL script written here from a
 *   REPEATABLE READ transaction when pg_dump is not installed: the
 *   schema's sequences, tables (columns, defaults, constraints), rows,
 *   sequence positions and indexes, one statement per line, between
 *   BEGIN and COMMIT. `psql -f` loads it as well as this module does.
 *
 * When a tracker opens and its database has to be created, a dump found
 * in its database folder is loaded into the new database first (see
 * storage-factory.ts), so a backup copied to a new server, or given a new
 * `[rdbms] name`, opens with its data. The dump is then renamed with a
 * `.restored` suffix so it is never loaded twice.
 */
import { spawn } from 'node:child_process';
import { createReadStream, existsSync, renameSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { RupError } from '../../errors.js';
import { q } from './dialect.js';

/** pg_dump's custom-format dump inside the database folder. */
export const PG_DUMP_FILE = 'postgresql.dump';
/** The SQL script written when pg_dump is not available. */
export const PG_SQL_FILE = 'postgresql-dump.sql';
/** Suffix given to a dump once it has been loaded. */
export const RESTORED_SUFFIX = '.restored';

/** Where and as whom to connect; the database is the tracker's. */
export interface PgConnection {
  host?: string;
  port?: number;
  user?: string;
  password?: string;
  database: string;
}

/** libpq's environment for a connection (pg_dump and pg_restore read it). */
function libpqEnv(conn: PgConnection): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PGDATABASE: conn.database };
  if (conn.host) env.PGHOST = conn.host;
  if (conn.port) env.PGPORT = String(conn.port);
  if (conn.user) env.PGUSER = conn.user;
  if (conn.password) env.PGPASSWORD = conn.password;
  return env;
}

/**
 * Runs a PostgreSQL client program. Resolves false when the program is not
 * installed; a non-zero exit is RUP_ERR_DATABASE with its error output.
 */
function runClientProgram(program: string, args: string[], conn: PgConnection): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { env: libpqEnv(conn), stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') resolve(false);
      else reject(new RupError('RUP_ERR_DATABASE', `cannot run ${program}: ${err.message}`, { cause: err }));
    });
    child.on('close', (code) => {
      if (code === 0) resolve(true);
      else reject(new RupError('RUP_ERR_DATABASE', `${program} failed (exit status ${code}): ${stderr.trim()}`));
    });
  });
}

/**
 * Dumps the database as seen by the exported snapshot `snapshot` into
 * `file` (custom format) with `pgDump` (a program name or path). Resolves
 * false when the program is not installed.
 */
export function runPgDump(conn: PgConnection, snapshot: string, file: string, pgDump = 'pg_dump'): Promise<boolean> {
  const args = ['--format=custom', '--no-owner', '--no-privileges', `--snapshot=${snapshot}`, `--file=${file}`, conn.database];
  return runClientProgram(pgDump, args, conn);
}

/** An SQL literal for a value in PostgreSQL's text form, on one line (E'' escapes for backslashes and line ends). */
export function sqlLiteral(value: string | null): string {
  if (value === null) return 'NULL';
  if (!/[\\\n\r]/.test(value)) return `'${value.replace(/'/g, "''")}'`;
  return `E'${value.replace(/\\/g, '\\\\').replace(/'/g, "''").replace(/\n/g, '\\n').replace(/\r/g, '\\r')}'`;
}

/** Values arrive in PostgreSQL's text form and are written back as such. */
const RAW_TEXT = { getTypeParser: () => (value: string) => value };

/** Rows fetched per round trip, and rows or characters per INSERT. */
const FETCH_ROWS = 1000;
const INSERT_ROWS = 500;
const INSERT_CHARS = 1 << 20;

interface TableInfo {
  oid: number;
  name: string;
}

/** Buffered writing of whole lines. */
class ScriptWriter {
  private buffer: string[] = [];
  private size = 0;

  private constructor(private readonly handle: Awaited<ReturnType<typeof open>>) {}

  static async create(file: string): Promise<ScriptWriter> {
    return new ScriptWriter(await open(file, 'wx'));
  }

  async line(text: string): Promise<void> {
    this.buffer.push(text, '\n');
    this.size += text.length + 1;
    if (this.size > INSERT_CHARS) await this.flush();
  }

  async flush(): Promise<void> {
    if (!this.buffer.length) return;
    await this.handle.write(this.buffer.join(''));
    this.buffer = [];
    this.size = 0;
  }

  async close(): Promise<void> {
    await this.flush();
    await this.handle.sync();
    await this.handle.close();
  }
}

async function createTableStatement(client: pg.Client, table: TableInfo): Promise<string> {
  const columns = await client.query(
    `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS notnull,
            pg_get_expr(d.adbin, d.adrelid) AS def
       FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
    [table.oid],
  );
  const parts = columns.rows.map(
    (c: { name: string; type: string; notnull: boolean; def: string | null }) =>
      `${q(c.name)} ${c.type}${c.def !== null ? ` DEFAULT ${c.def}` : ''}${c.notnull ? ' NOT NULL' : ''}`,
  );
  const constraints = await client.query(
    'SELECT conname AS name, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = $1 ORDER BY conname',
    [table.oid],
  );
  for (const c of constraints.rows as { name: string; def: string }[]) parts.push(`CONSTRAINT ${q(c.name)} ${c.def}`);
  return `CREATE TABLE ${q(table.name)} (${parts.join(', ')});`;
}

/** Writes the rows of one table as multi-row INSERTs, read through a cursor of the snapshot transaction. */
async function dumpRows(client: pg.Client, table: TableInfo, out: ScriptWriter): Promise<void> {
  const names = (
    await client.query('SELECT attname FROM pg_attribute WHERE attrelid = $1 AND attnum > 0 AND NOT attisdropped ORDER BY attnum', [table.oid])
  ).rows.map((r: { attname: string }) => q(r.attname));
  const head = `INSERT INTO ${q(table.name)} (${names.join(', ')}) VALUES `;
  await client.query(`DECLARE rup_dump NO SCROLL CURSOR FOR SELECT ${names.join(', ')} FROM ${q(table.name)}`);
  let values: string[] = [];
  let chars = 0;
  const emit = async () => {
    if (values.length) await out.line(`${head}${values.join(', ')};`);
    values = [];
    chars = 0;
  };
  for (;;) {
    const batch = await client.query({ text: `FETCH ${FETCH_ROWS} FROM rup_dump`, rowMode: 'array', types: RAW_TEXT });
    for (const row of batch.rows as (string | null)[][]) {
      const tuple = `(${row.map(sqlLiteral).join(', ')})`;
      values.push(tuple);
      chars += tuple.length;
      if (values.length >= INSERT_ROWS || chars >= INSERT_CHARS) await emit();
    }
    if (batch.rows.length < FETCH_ROWS) break;
  }
  await emit();
  await client.query('CLOSE rup_dump');
}

/**
 * Writes every sequence, table, row and index of the current schema as a
 * plain SQL script to `file` (which must not exist). `client` must be in
 * the REPEATABLE READ transaction whose snapshot is to be saved.
 * `onTable` is told after each table's rows are written.
 */
export async function writeSqlDump(client: pg.Client, file: string, onTable?: (table: string) => void): Promise<void> {
  const ns = "(SELECT oid FROM pg_namespace WHERE nspname = current_schema())";
  const tables = (await client.query(`SELECT oid, relname AS name FROM pg_class WHERE relnamespace = ${ns} AND relkind = 'r' ORDER BY relname`))
    .rows as TableInfo[];
  const sequences = (
    await client.query(
      `SELECT c.relname AS name, format_type(s.seqtypid, NULL) AS type, s.seqstart AS start, s.seqincrement AS step,
              s.seqmin AS min, s.seqmax AS max, s.seqcycle AS cycle
         FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid WHERE c.relnamespace = ${ns} ORDER BY c.relname`,
    )
  ).rows as { name: string; type: string; start: string; step: string; min: string; max: string; cycle: boolean }[];
  const owners = (
    await client.query(
      `SELECT s.relname AS seq, t.relname AS tbl, a.attname AS col
         FROM pg_depend d JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
         JOIN pg_class t ON t.oid = d.refobjid JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
        WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
          AND s.relnamespace = ${ns}`,
    )
  ).rows as { seq: string; tbl: string; col: string }[];

  const out = await ScriptWriter.create(file);
  try {
    await out.line('-- rup-tracker PostgreSQL dump: load with psql, or open the tracker where its database does not exist');
    await out.line("SET client_encoding = 'UTF8';");
    await out.line('SET standard_conforming_strings = on;');
    await out.line('BEGIN;');
    for (const s of sequences) {
      await out.line(
        `CREATE SEQUENCE ${q(s.name)} AS ${s.type} INCREMENT BY ${s.step} MINVALUE ${s.min} MAXVALUE ${s.max} START WITH ${s.start}${s.cycle ? ' CYCLE' : ' NO CYCLE'};`,
      );
    }
    for (const table of tables) await out.line(await createTableStatement(client, table));
    for (const o of owners) await out.line(`ALTER SEQUENCE ${q(o.seq)} OWNED BY ${q(o.tbl)}.${q(o.col)};`);
    for (const table of tables) {
      await dumpRows(client, table, out);
      onTable?.(table.name);
    }
    for (const s of sequences) {
      const [pos] = (await client.query({ text: `SELECT last_value, is_called FROM ${q(s.name)}`, types: RAW_TEXT })).rows as {
        last_value: string;
        is_called: string;
      }[];
      await out.line(`SELECT pg_catalog.setval(${sqlLiteral(q(s.name))}, ${pos!.last_value}, ${pos!.is_called === 't'});`);
    }
    for (const table of tables) {
      const indexes = await client.query(
        `SELECT pg_get_indexdef(i.indexrelid) AS def FROM pg_index i
          WHERE i.indrelid = $1 AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
          ORDER BY i.indexrelid`,
        [table.oid],
      );
      for (const { def } of indexes.rows as { def: string }[]) await out.line(`${def};`);
    }
    await out.line('COMMIT;');
  } finally {
    await out.close();
  }
}

/** Runs a script written by {@link writeSqlDump}, a batch of lines per round trip, on `client`. */
async function runSqlScript(client: pg.Client, file: string): Promise<void> {
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let batch: string[] = [];
  let size = 0;
  try {
    for await (const line of lines) {
      if (line === '' || line.startsWith('--')) continue;
      batch.push(line);
      size += line.length;
      if (size >= INSERT_CHARS) {
        await client.query(batch.join('\n'));
        batch = [];
        size = 0;
      }
    }
    if (batch.length) await client.query(batch.join('\n'));
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/**
 * Loads the dump kept in `dbDir` (custom format with `pgRestore`, or the
 * SQL script) into the empty database of `conn`, then renames the dump
 * with the `.restored` suffix. Resolves false when `dbDir` holds no dump.
 * Failures are RUP_ERR_DATABASE; the load is one transaction, so a failed
 * one leaves the database empty.
 */
export async function restorePostgresBackup(conn: PgConnection, dbDir: string, pgRestore = 'pg_restore'): Promise<boolean> {
  const custom = join(dbDir, PG_DUMP_FILE);
  const script = join(dbDir, PG_SQL_FILE);
  if (existsSync(custom)) {
    const args = ['--no-owner', '--no-privileges', '--single-transaction', '--exit-on-error', `--dbname=${conn.database}`, custom];
    if (!(await runClientProgram(pgRestore, args, conn))) {
      throw new RupError('RUP_ERR_DATABASE', `${custom} needs ${pgRestore} to be loaded, and it is not installed`);
    }
    renameSync(custom, custom + RESTORED_SUFFIX);
    return true;
  }
  if (!existsSync(script)) return false;
  const client = new pg.Client(conn);
  try {
    await client.connect();
    await runSqlScript(client, script);
  } catch (err) {
    if (err instanceof RupError) throw err;
    throw new RupError('RUP_ERR_DATABASE', `cannot load ${script}: ${(err as Error).message}`, { cause: err });
  } finally {
    await client.end().catch(() => undefined);
  }
  renameSync(script, script + RESTORED_SUFFIX);
  return true;
}
