/**
 * `roundup-admin import` and `importtables`: reads an export directory
 * (ours or Roundup's) into the database, keeping the items' ids, retired
 * flags, automatic properties and journals, and (import) the content of
 * file items from `<class>-files/`.
 *
 * Everything happens in the unit of work's one transaction: rows are
 * queued and written in multi-row INSERTs batch by batch while the CSV
 * files stream in, and nothing is committed here. Any error (a missing
 * journal file, a row with the wrong number of fields, a literal that does
 * not parse, a value that does not fit its property, a missing content
 * file) names the file and line and rolls the unit of work back, so nothing
 * is half-imported.
 */
import { readFileSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { RupError, isRupError } from '../errors.js';
import type { Database } from '../hyperdb/database.js';
import type { HyperClass, ImportedItem } from '../hyperdb/hyper-class.js';
import type { JournalEntry } from '../hyperdb/journal.js';
import type { AnyProperty } from '../hyperdb/properties.js';
import type { ItemValues } from '../hyperdb/values.js';
import { CsvError, type CsvRecord, readCsvFile } from '../util/csv.js';
import { PythonLiteralError } from '../util/python-literal.js';
import { startProgress } from '../util/progress.js';
import { type AdminCommand, UsageError } from './command.js';
import type { AdminContext } from './context.js';
import { ExportValueError, evalImport, importField, importJournalRow, importRetired } from './export-format.js';
import type { ProgressFactory } from './export.js';

/** Items queued per batch (each batch is a handful of multi-row INSERTs). */
const ITEM_BATCH = 1000;
const JOURNAL_BATCH = 5000;
const RETIRED_COLUMN = 'is retired';
const JOURNAL_FIELDS = 5;

export interface ImportOptions {
  /** Read FileClass content from `<class>-files/` (import) or not (importtables). Default true. */
  files?: boolean;
  /** `[main] csv_field_size`: the longest field accepted (default 131072, as Roundup). */
  csvFieldSize?: number;
  /** Progress display per class; none by default. */
  progress?: ProgressFactory;
  /** Where Roundup's messages go (`setting <class> <next id>`), each with its line end. */
  out?: (text: string) => void;
}

export interface ImportedClass {
  classname: string;
  items: number;
  journalEntries: number;
  files: number;
  /** The next id set, as printed: one past the highest id imported (2 when none). */
  nextId: number;
}

/** One class to import: its files and its header, checked before anything is written. */
interface ClassPlan {
  cl: HyperClass;
  csvPath: string;
  journalPath: string;
  header: string[];
  /** Per column: the property, or the id / retired column. */
  columns: Array<AnyProperty | 'id' | 'retired' | 'computed'>;
}

/**
 * Imports the export directory `dir` into `db` (an unchecked database),
 * adding to what is there: an item whose id already exists is replaced, as
 * Roundup's import overwrites it. Does not commit; on failure rolls `db`
 * back (with anything else the unit of work had not committed).
 *
 * @throws RupError RUP_ERR_FILE (unreadable directory, missing journal or
 *   content file), RUP_ERR_FORMAT (malformed CSV, literal or value: the
 *   message starts with `file:line:`), RUP_ERR_NO_SUCH_CLASS (a CSV file of
 *   a class the schema lacks), RUP_ERR_DUPLICATE_KEY (two active items with
 *   one key).
 */
export async function importTracker(db: Database, dir: string, options: ImportOptions = {}): Promise<ImportedClass[]> {
  try {
    const plans = await planImport(db, dir, options);
    const done: ImportedClass[] = [];
    for (const plan of plans) done.push(await new ClassImporter(db, dir, plan, options).run());
    return done;
  } catch (err) {
    await db.rollback();
    throw err;
  }
}

/** Lists the classes of the directory and checks their files and headers (Roundup's order is the directory's; ours is sorted). */
async function planImport(db: Database, dir: string, options: ImportOptions): Promise<ClassPlan[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    throw new RupError('RUP_ERR_FILE', `cannot read the import directory ${dir}: ${(err as Error).message}`, { cause: err, location: { file: dir } });
  }
  const plans: ClassPlan[] = [];
  for (const name of names.sort()) {
    if (!name.endsWith('.csv') || name.endsWith('-journals.csv')) continue;
    const classname = name.slice(0, -4);
    const csvPath = join(dir, name);
    if (!db.hasClass(classname)) throw new RupError('RUP_ERR_NO_SUCH_CLASS', `${csvPath}: no such class "${classname}"`, { location: { file: csvPath } });
    const journalPath = join(dir, `${classname}-journals.csv`);
    const info = await stat(journalPath).catch(() => null);
    if (!info?.isFile()) {
      throw new RupError('RUP_ERR_FILE', `${journalPath}: missing (every <class>.csv needs its <class>-journals.csv, which may be empty)`, { location: { file: journalPath } });
    }
    const cl = db.getclass(classname);
    const header = await readHeader(csvPath, options);
    plans.push({ cl, csvPath, journalPath, header, columns: headerColumns(cl, csvPath, header) });
  }
  return plans;
}

async function readHeader(path: string, options: ImportOptions): Promise<string[]> {
  for await (const rows of readCsvFile(path, csvOptions(options))) return rows[0]!.fields;
  return [];
}

function csvOptions(options: ImportOptions) {
  return { fieldSizeLimit: options.csvFieldSize, fieldSizeAdvice: 'raise csv_field_size in the [main] section of config.ini' };
}

function headerColumns(cl: HyperClass, path: string, header: readonly string[]): ClassPlan['columns'] {
  const props = cl.def.getprops();
  const seen = new Set<string>();
  return header.map((name) => {
    if (seen.has(name)) throw new CsvError(path, 1, `the header names "${name}" twice`);
    seen.add(name);
    if (name === RETIRED_COLUMN) return 'retired';
    if (name === 'id') return 'id';
    const prop = props.get(name);
    // File content is never a column: it comes from <class>-files.
    if (!prop || (cl.def.kind === 'file' && name === 'content')) throw new CsvError(path, 1, `${cl.classname} has no property "${name}"`);
    return prop.computed ? 'computed' : prop;
  });
}

/** The number of rows of a file (its line ends, less the header), for the progress display. */
async function countRows(path: string): Promise<number> {
  const bytes = await readFile(path);
  let count = 0;
  for (let i = bytes.indexOf(10); i >= 0; i = bytes.indexOf(10, i + 1)) count++;
  return Math.max(0, count - 1);
}

interface PendingItem {
  item: ImportedItem;
  line: number;
}

class ClassImporter {
  private readonly cl: HyperClass;
  private readonly seen = new Set<string>();
  private maxId = 1;
  private nextFreeId: number | null = null;
  private readonly result: ImportedClass;

  constructor(
    private readonly db: Database,
    private readonly dir: string,
    private readonly plan: ClassPlan,
    private readonly options: ImportOptions,
  ) {
    this.cl = plan.cl;
    this.result = { classname: this.cl.classname, items: 0, journalEntries: 0, files: 0, nextId: 0 };
  }

  async run(): Promise<ImportedClass> {
    const { cl, csvPath } = this.plan;
    try {
      await this.items();
      // Write the queued rows now, so a clash of keys is reported against this file.
      await this.db.uow.flushQueued();
    } catch (err) {
      if (isRupError(err, 'RUP_ERR_DUPLICATE_KEY')) throw new RupError('RUP_ERR_DUPLICATE_KEY', `${csvPath}: ${err.message}`, { cause: err });
      throw err;
    }
    this.options.out?.('\n');
    await this.journal();
    // Roundup sets the counter to one past the highest id read; it is never moved back here,
    // so ids already handed out are not given again.
    const next = this.maxId + 1;
    if (next > (await cl.getNextId())) await cl.setNextId(next);
    this.result.nextId = next;
    this.options.out?.(`setting ${cl.classname} ${next}\n`);
    return this.result;
  }

  private async items(): Promise<void> {
    const { csvPath } = this.plan;
    const bar = this.options.progress?.(`Importing ${this.cl.classname}`, await countRows(csvPath));
    let header = true;
    let batch: PendingItem[] = [];
    try {
      for await (const rows of readCsvFile(csvPath, csvOptions(this.options))) {
        for (const row of rows) {
          if (header) {
            header = false;
            continue;
          }
          batch.push(await this.itemFromRow(row));
          if (batch.length >= ITEM_BATCH) {
            await this.store(batch);
            bar?.tick(batch.length);
            batch = [];
          }
        }
      }
      if (batch.length) await this.store(batch);
      bar?.tick(batch.length);
    } finally {
      bar?.finish();
    }
  }

  private fail(line: number, column: number | null, err: unknown): never {
    if (err instanceof ExportValueError || err instanceof PythonLiteralError || (isRupError(err) && !(err instanceof CsvError))) {
      const where = column === null ? '' : `column ${column + 1} (${this.plan.header[column]}): `;
      throw new CsvError(this.plan.csvPath, line, `${where}${err.message}`);
    }
    throw err;
  }

  private async itemFromRow(row: CsvRecord): Promise<PendingItem> {
    const { header, columns, csvPath } = this.plan;
    if (row.fields.length !== header.length) {
      throw new CsvError(csvPath, row.line, `${row.fields.length} fields where the header has ${header.length} (a cut or damaged row?)`);
    }
    const values: ItemValues = {};
    let id: string | null = null;
    let retired = false;
    for (let i = 0; i < columns.length; i++) {
      const column = columns[i]!;
      if (column === 'computed') continue;
      try {
        const value = evalImport(row.fields[i]!);
        if (column === 'retired') retired = importRetired(value);
        else if (column === 'id') {
          if (typeof value !== 'string' && typeof value !== 'number') throw new ExportValueError(`the id is not an id: ${row.fields[i]}`);
          id = String(value);
          if (!/^[1-9]\d*$/.test(id)) throw new ExportValueError(`the id is not an id: ${row.fields[i]}`);
        } else {
          const typed = importField(column, value);
          values[column.name] = column.kind === 'Password' && typed !== null ? await this.db.encodePassword(typed as string) : typed;
        }
      } catch (err) {
        this.fail(row.line, i, err);
      }
    }
    id ??= await this.newId();
    if (this.seen.has(id)) throw new CsvError(csvPath, row.line, `${this.cl.classname}${id} appears twice in the file`);
    this.seen.add(id);
    values.id = id;
    this.maxId = Math.max(this.maxId, Number(id));
    return { item: { id, values, retired }, line: row.line };
  }

  /** An id for a row without one (Roundup's import takes a new id then). */
  private async newId(): Promise<string> {
    this.nextFreeId ??= Math.max(await this.cl.getNextId(), this.maxId + 1);
    while (this.seen.has(String(this.nextFreeId))) this.nextFreeId++;
    return String(this.nextFreeId++);
  }

  private async store(batch: PendingItem[]): Promise<void> {
    const cl = this.cl;
    const ids = batch.map((p) => p.item.id);
    // Items that already exist are replaced, as Roundup's import overwrites them.
    for (const id of (await cl.loadStored(ids)).keys()) await cl.destroy(id);
    await cl.importItems(batch.map((p) => p.item));
    this.result.items += batch.length;
    if ((this.options.files ?? true) && cl.def.kind === 'file') await this.contents(batch);
  }

  /** Reads the content files of a batch (synchronously: for many small files far cheaper than queued reads). */
  private async contents(batch: PendingItem[]): Promise<void> {
    const cn = this.cl.classname;
    for (const { item, line } of batch) {
      const path = join(this.dir, `${cn}-files`, String(Math.floor(Number(item.id) / 1000)), `${cn}${item.id}`);
      let content: Buffer;
      try {
        content = readFileSync(path);
      } catch (err) {
        throw new RupError('RUP_ERR_FILE', `${path}: cannot read the content of ${cn}${item.id} (${this.plan.csvPath}:${line}): ${(err as Error).message}`, {
          cause: err,
          location: { file: path },
        });
      }
      await this.cl.importContent(item.id, content, (item.values.type as string | null | undefined) ?? null);
      this.result.files++;
    }
  }

  private async journal(): Promise<void> {
    const { journalPath } = this.plan;
    const def = this.cl.def;
    let batch: JournalEntry[] = [];
    for await (const rows of readCsvFile(journalPath, csvOptions(this.options))) {
      for (const row of rows) {
        if (row.fields.length !== JOURNAL_FIELDS) {
          throw new CsvError(journalPath, row.line, `${row.fields.length} fields where a journal entry has ${JOURNAL_FIELDS} (a cut or damaged row?)`);
        }
        try {
          batch.push(importJournalRow(def, row.fields));
        } catch (err) {
          if (err instanceof ExportValueError || err instanceof PythonLiteralError || isRupError(err)) throw new CsvError(journalPath, row.line, err.message);
          throw err;
        }
        if (batch.length >= JOURNAL_BATCH) {
          await this.cl.importJournal(batch);
          this.result.journalEntries += batch.length;
          batch = [];
        }
      }
    }
    await this.cl.importJournal(batch);
    this.result.journalEntries += batch.length;
  }
}

// ---- the commands ----

async function runImport(ctx: AdminContext, args: string[], files: boolean): Promise<number> {
  if (args.length < 1) throw new UsageError('Not enough arguments supplied');
  const db = await ctx.db();
  const tracker = await ctx.tracker();
  try {
    await importTracker(db, args[0]!, {
      files,
      csvFieldSize: Number(tracker.config.CSV_FIELD_SIZE ?? 131072),
      // Bars only on a terminal (stdout here, stderr where they are drawn); otherwise nothing is even counted for them.
    progress: ctx.io.isTTY ? (label, total) => startProgress({ label, total }) : undefined,
      out: (text) => ctx.io.out(text),
    });
  } catch (err) {
    // As Roundup's get_class: a CSV file of an unknown class is a usage error.
    if (isRupError(err, 'RUP_ERR_NO_SUCH_CLASS')) throw new UsageError(err.message);
    throw err;
  }
  ctx.markDirty();
  return 0;
}

/** `import import_dir`; the help is Roundup's docstring, which the admin tool's help output reproduces. */
export const importCommand: AdminCommand = {
  name: 'import',
  needsTracker: true,
  help: `Usage: import import_dir
Import a database from the directory containing CSV files,
two per class to import.

The files used in the import are:

<class>.csv
  This must define the same properties as the class (including
  having a "header" line with those property names.)
<class>-journals.csv
  This defines the journals for the items being imported.

The imported nodes will have the same nodeid as defined in the
import file, thus replacing any existing content.

The new nodes are added to the existing database - if you want to
create a new database using the imported data, then create a new
database (or, tediously, retire all the old data.)`,
  run: (ctx, args) => runImport(ctx, args, true),
};

/** `importtables export_dir` */
export const importtablesCommand: AdminCommand = {
  name: 'importtables',
  needsTracker: true,
  help: `Usage: importtables export_dir

This imports the database tables exported using exporttables.`,
  run: (ctx, args) => runImport(ctx, args, false),
};
