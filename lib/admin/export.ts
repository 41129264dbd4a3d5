/**
 * `roundup-admin export` and `exporttables`: the database as Roundup's
 * export directory, which Roundup 2.x imports unchanged. Per class:
 * `<class>.csv` (a header of the sorted property names, FileClass
 * without `content`, then `is retired`; one row per item),
 * `<class>-journals.csv` (every journal entry) and, for file classes unless
 * left out, `<class>-files/<int(id/1000)>/<class><id>` with the content.
 */
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { RupError, isRupError } from '../errors.js';
import type { Database } from '../hyperdb/database.js';
import type { HyperClass } from '../hyperdb/hyper-class.js';
import type { JournalEntry } from '../hyperdb/journal.js';
import type { ItemValues } from '../hyperdb/values.js';
import { CSV_DELIMITER, formatCsvField, formatCsvRow } from '../util/csv.js';
import { type Progress, startProgress } from '../util/progress.js';
import { type AdminCommand, UsageError } from './command.js';
import type { AdminContext } from './context.js';
import { compareCodePoints, exportField, exportJournalRow } from './export-format.js';

/** Items read and written per round trip. */
const CHUNK = 1000;
/** Roundup's default `[main] csv_field_size`. */
const DEFAULT_CSV_FIELD_SIZE = 131072;

/** Makes the progress display of one step (label, number of items). */
export type ProgressFactory = (label: string, total: number) => Progress;

export interface ExportOptions {
  /** The classes to export, in order; default every class of the schema. */
  classes?: readonly string[];
  /** Write FileClass content under `<class>-files/` (export) or not (exporttables). Default true. */
  files?: boolean;
  /** `[main] csv_field_size`, to warn when a field is longer than an import would accept. */
  csvFieldSize?: number;
  /** Progress display per class; none by default. */
  progress?: ProgressFactory;
  /** Where Roundup's own messages go (each with its line end); default nowhere. */
  out?: (text: string) => void;
}

export interface ExportResult {
  classes: string[];
  items: number;
  journalEntries: number;
  files: number;
  /** The longest field written, as it is in the file. */
  longestField: number;
  /** Roundup's warning when that exceeds csv_field_size, else null. */
  warning: string | null;
}

/**
 * Roundup's class selection argument of export: `issue,msg` exports those
 * classes, `-issue,msg` every class but those (names not in the schema are
 * ignored there, as Roundup does).
 *
 * @throws RupError RUP_ERR_NO_SUCH_CLASS (`no such class "x"`) for an unknown class to export.
 */
export function selectClasses(db: Database, spec: string | null): string[] {
  const all = db.getclasses();
  if (spec === null) return all;
  if (spec.startsWith('-')) {
    const excluded = new Set(spec.slice(1).split(','));
    return all.filter((c) => !excluded.has(c));
  }
  const wanted = spec.split(',');
  for (const name of wanted) if (!db.hasClass(name)) throw new RupError('RUP_ERR_NO_SUCH_CLASS', `no such class "${name}"`);
  return wanted;
}

/**
 * Writes the export of `db` (an unchecked database) into `dir`, created if
 * needed. Reads everything through the hyperdb in chunks of a constant
 * number of queries; changes nothing in the database.
 *
 * @throws RupError RUP_ERR_FILE when the directory or a file in it cannot be written,
 *   RUP_ERR_NO_SUCH_CLASS for an unknown class, RUP_ERR_NO_SUCH_ITEM when a
 *   file item's content is missing.
 */
export async function exportTracker(db: Database, dir: string, options: ExportOptions = {}): Promise<ExportResult> {
  const classes = [...(options.classes ?? db.getclasses())];
  for (const name of classes) db.getclass(name);
  const withFiles = options.files ?? true;
  const limit = options.csvFieldSize ?? DEFAULT_CSV_FIELD_SIZE;
  const result: ExportResult = { classes, items: 0, journalEntries: 0, files: 0, longestField: 0, warning: null };
  await fileOp(dir, () => mkdir(dir, { recursive: true }));
  for (const name of classes) {
    const cl = db.getclass(name);
    const isFileClass = cl.def.kind === 'file';
    if (!withFiles && isFileClass) options.out?.(`Exporting ${name} WITHOUT the files\r\n`);
    const exporter = new ClassExporter(cl, dir, withFiles && isFileClass, options.progress);
    await exporter.items(result);
    await exporter.journal(result);
  }
  if (result.longestField > limit) result.warning = `Warning: config csv_field_size should be at least ${result.longestField}`;
  return result;
}

/** Runs a file operation, turning its failure into RUP_ERR_FILE naming the export directory. */
async function fileOp<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isRupError(err)) throw err;
    throw new RupError('RUP_ERR_FILE', `cannot write the export directory ${dir}: ${(err as Error).message}`, { cause: err, location: { file: dir } });
  }
}

function fileOpSync<T>(dir: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw new RupError('RUP_ERR_FILE', `cannot write the export directory ${dir}: ${(err as Error).message}`, { cause: err, location: { file: dir } });
  }
}

/** Writes lines to a file in large pieces. */
class LineWriter {
  private pending: string[] = [];
  private size = 0;

  private constructor(
    private readonly handle: FileHandle,
    private readonly dir: string,
  ) {}

  static async create(dir: string, name: string): Promise<LineWriter> {
    return new LineWriter(await fileOp(dir, () => open(join(dir, name), 'w')), dir);
  }

  async add(line: string): Promise<void> {
    this.pending.push(line);
    this.size += line.length;
    if (this.size > 1 << 20) await this.flush();
  }

  async flush(): Promise<void> {
    if (!this.pending.length) return;
    const text = this.pending.join('');
    this.pending = [];
    this.size = 0;
    await fileOp(this.dir, () => this.handle.write(text));
  }

  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      await this.handle.close();
    }
  }
}

class ClassExporter {
  private readonly propnames: string[];
  private readonly madeDirs = new Set<string>();

  constructor(
    private readonly cl: HyperClass,
    private readonly dir: string,
    private readonly withFiles: boolean,
    private readonly progress: ProgressFactory | undefined,
  ) {
    // Roundup's export_propnames: every property sorted, FileClass content left out (it goes to <class>-files).
    this.propnames = [...cl.def.getprops().keys()].filter((n) => !(cl.def.kind === 'file' && n === 'content')).sort(compareCodePoints);
  }

  /** `<class>.csv`, and the content files. */
  async items(result: ExportResult): Promise<void> {
    const cl = this.cl;
    const ids = await cl.getnodeids(null);
    const retired = new Set(await cl.getnodeids(true));
    const out = await LineWriter.create(this.dir, `${cl.classname}.csv`);
    const bar = this.progress?.(`Exporting ${cl.classname}`, ids.length);
    try {
      await out.add(formatCsvRow([...this.propnames, 'is retired']));
      const key = cl.getkey();
      // Roundup sorts a keyed class by key, retired items before an active one with the same key,
      // so that an import never meets two active items with one key.
      const preloaded = key ? await this.loadAll(ids) : null;
      const order = preloaded ? sortByKey(ids, preloaded, key!, retired) : ids;
      for (let i = 0; i < order.length; i += CHUNK) {
        const chunk = order.slice(i, i + CHUNK);
        const values = preloaded ?? (await cl.getMany(chunk));
        for (const id of chunk) {
          const row = values.get(id)!;
          const fields = this.propnames.map((p) => exportField(cl.def.prop(p), row[p]));
          fields.push(retired.has(id) ? 'True' : 'False');
          await out.add(csvLine(fields, result));
        }
        if (this.withFiles) result.files += this.copyContent(chunk);
        result.items += chunk.length;
        bar?.tick(chunk.length);
      }
    } finally {
      await out.close();
      bar?.finish();
    }
  }

  private async loadAll(ids: readonly string[]): Promise<Map<string, ItemValues>> {
    const all = new Map<string, ItemValues>();
    for (let i = 0; i < ids.length; i += CHUNK) for (const [id, v] of await this.cl.getMany(ids.slice(i, i + CHUNK))) all.set(id, v);
    return all;
  }

  /** `<class>-journals.csv`: items in id order, each item's entries oldest first. */
  async journal(result: ExportResult): Promise<void> {
    const cl = this.cl;
    const ids = await cl.getnodeids(null);
    const out = await LineWriter.create(this.dir, `${cl.classname}-journals.csv`);
    const bar = this.progress?.(`Exporting ${cl.classname} journal`, ids.length);
    try {
      for (let i = 0; i < ids.length; i += CHUNK) {
        const chunk = ids.slice(i, i + CHUNK);
        const byNode = new Map<string, JournalEntry[]>();
        for (const entry of await cl.journal(chunk)) {
          const list = byNode.get(entry.nodeid);
          if (list) list.push(entry);
          else byNode.set(entry.nodeid, [entry]);
        }
        for (const id of chunk) {
          for (const entry of byNode.get(id) ?? []) {
            await out.add(csvLine(exportJournalRow(cl.def, entry), result));
            result.journalEntries++;
          }
        }
        bar?.tick(chunk.length);
      }
    } finally {
      await out.close();
      bar?.finish();
    }
  }

  /**
   * Copies the stored content of file items to
   * `<class>-files/<int(id/1000)>/<class><id>`, as Roundup's export_files
   * copies the committed files. Synchronous copies: for many small files
   * they cost a fraction of queued asynchronous ones.
   */
  private copyContent(ids: readonly string[]): number {
    const cn = this.cl.classname;
    const store = this.cl.storage.files;
    for (const id of ids) {
      const folder = join(this.dir, `${cn}-files`, String(Math.floor(Number(id) / 1000)));
      if (!this.madeDirs.has(folder)) {
        fileOpSync(this.dir, () => mkdirSync(folder, { recursive: true }));
        this.madeDirs.add(folder);
      }
      const source = store.path(cn, id);
      try {
        copyFileSync(source, join(folder, `${cn}${id}`));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT' && !existsSync(source)) {
          throw new RupError('RUP_ERR_NO_SUCH_ITEM', `the content of ${cn}${id} is missing (${source})`, { cause: err });
        }
        throw new RupError('RUP_ERR_FILE', `cannot write the export directory ${this.dir}: ${(err as Error).message}`, { cause: err, location: { file: this.dir } });
      }
    }
    return ids.length;
  }
}

function sortByKey(ids: readonly string[], values: Map<string, ItemValues>, key: string, retired: Set<string>): string[] {
  const keyOf = (id: string) => values.get(id)?.[key] as string | null;
  return [...ids].sort((a, b) => {
    const ka = keyOf(a);
    const kb = keyOf(b);
    if (ka !== kb) {
      if (ka === null) return -1;
      if (kb === null) return 1;
      const c = compareCodePoints(ka, kb);
      if (c) return c;
    }
    return (retired.has(a) ? 0 : 1) - (retired.has(b) ? 0 : 1);
  });
}

/** A CSV row with its line end, noting its longest field as written (an upper bound of what an import reads). */
function csvLine(fields: readonly string[], result: ExportResult): string {
  let line = '';
  for (let i = 0; i < fields.length; i++) {
    const field = formatCsvField(fields[i]!);
    if (field.length > result.longestField) result.longestField = field.length;
    line += i ? CSV_DELIMITER + field : field;
  }
  return line + '\n';
}

// ---- the commands ----

async function runExport(ctx: AdminContext, args: string[], files: boolean): Promise<number> {
  if (args.length < 1) throw new UsageError('Not enough arguments supplied');
  const dir = args[args.length - 1]!;
  const db = await ctx.db();
  const tracker = await ctx.tracker();
  let classes: string[];
  try {
    // As Roundup: the class list is read only when exactly two arguments are given.
    classes = selectClasses(db, args.length === 2 ? args[0]! : null);
  } catch (err) {
    if (isRupError(err, 'RUP_ERR_NO_SUCH_CLASS')) throw new UsageError(err.message);
    throw err;
  }
  const result = await exportTracker(db, dir, {
    classes,
    files,
    csvFieldSize: Number(tracker.config.CSV_FIELD_SIZE ?? DEFAULT_CSV_FIELD_SIZE),
    // Bars only on a terminal (stdout here, stderr where they are drawn); otherwise nothing is even counted for them.
    progress: ctx.io.isTTY ? (label, total) => startProgress({ label, total }) : undefined,
    out: (text) => ctx.io.out(text),
  });
  if (result.warning) ctx.io.err(`${result.warning}\n`);
  return 0;
}

/** `export [[-]class[,class]] export_dir`; the help is Roundup's docstring, which the admin tool's help output reproduces. */
export const exportCommand: AdminCommand = {
  name: 'export',
  needsTracker: true,
  help: `Usage: export [[-]class[,class]] export_dir
Export the database to colon-separated-value files.
To exclude the files (e.g. for the msg or file class),
use the exporttables command.

Optionally limit the export to just the named classes
or exclude the named classes, if the 1st argument starts with '-'.

This action exports the current data from the database into
colon-separated-value files that are placed in the nominated
destination directory.`,
  run: (ctx, args) => runExport(ctx, args, true),
};

/** `exporttables [[-]class[,class]] export_dir` */
export const exporttablesCommand: AdminCommand = {
  name: 'exporttables',
  needsTracker: true,
  help: `Usage: exporttables [[-]class[,class]] export_dir
Export the database to colon-separated-value files, excluding the
files below $TRACKER_HOME/db/files/ (which can be archived separately).
To include the files, use the export command.

Optionally limit the export to just the named classes
or exclude the named classes, if the 1st argument starts with '-'.

This action exports the current data from the database into
colon-separated-value files that are placed in the nominated
destination directory.`,
  run: (ctx, args) => runExport(ctx, args, false),
};
