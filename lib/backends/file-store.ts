import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, writeFile, writeFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { dirname, join } from 'node:path';
import { RupError } from '../errors.js';

/**
 * FileClass content on disk, at Roundup's path:
 * `db/files/<class>/<int(id/1000)>/<class><id>` (e.g. `db/files/msg/0/msg1`).
 */
export class FileStore {
  constructor(readonly dir: string) {}

  /** Where an item's content lives. */
  path(classname: string, id: string): string {
    return join(this.dir, classname, String(Math.floor(Number(id) / 1000)), `${classname}${id}`);
  }

  /** Content as this unit of work sees it: its own pending write first. */
  async read(classname: string, id: string): Promise<Buffer> {
    try {
      return await readFile(this.path(classname, id));
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code === 'ENOENT') {
        throw new RupError('RUP_ERR_NO_SUCH_ITEM', `the content of ${classname}${id} is missing (${this.path(classname, id)})`, { cause: e });
      }
      throw new RupError('RUP_ERR_DATABASE', `cannot read the content of ${classname}${id}: ${e.message}`, { cause: e });
    }
  }

  private readonly madeDirs = new Set<string>();

  /** Creates a content folder once per process. */
  ensureDir(dir: string): void {
    if (this.madeDirs.has(dir)) return;
    mkdirSync(dir, { recursive: true });
    this.madeDirs.add(dir);
  }

  /** A set of pending writes for one unit of work. */
  session(): FileSession {
    return new FileSession(this);
  }
}

/**
 * Content files written at commit between two turns of the event loop.
 * What is left at commit is written synchronously: for the small files of
 * a tracker, the kernel's work costs less than the three hand-overs to
 * libuv's thread pool (open, write, close) of an asynchronous write.
 * Slices keep the event loop responsive when a unit of work (an import)
 * writes thousands.
 */
const WRITES_PER_SLICE = 32;

/**
 * How many files of new items are written at once while the unit of work
 * goes on: few, as the database driver shares libuv's thread pool.
 */
const EARLY_WRITES = 2;

interface PendingFile {
  final: string;
  content: Buffer;
  isNew: boolean;
  /** The write started before commit, with the content it writes. */
  early?: { content: Buffer; done: Promise<void> };
}

/**
 * Writes a new item's file through the callback API (which costs the
 * process less than fs/promises' file handles), listing it in `written`
 * once its folder exists.
 */
async function writeNewFile(store: FileStore, final: string, content: Buffer, written: string[]): Promise<void> {
  store.ensureDir(dirname(final));
  written.push(final);
  await new Promise<void>((resolve, reject) => writeFile(final, content, (err) => (err ? reject(err) : resolve())));
}

/**
 * Content written during a unit of work is held in memory (its reads see
 * it) and is on disk before the database commits.
 *
 * New items' files are written in place, and early: a few at a time as
 * soon as they are staged, in the thread pool, so creating files (work
 * for the kernel) overlaps the rest of the unit of work; commit waits for
 * them and writes what is left. Nobody reads such a file before the
 * item's row is committed; a rollback (or failed commit) removes the
 * files written, and a file left by a crash belongs to an id that is
 * reused (and rewritten) or never referenced. Changed content of existing
 * items is written only at commit, through a temporary file and a rename,
 * so a crash never leaves a committed item with half its content.
 */
export class FileSession {
  private readonly pending = new Map<string, PendingFile>();
  private readonly removals = new Set<string>();
  private readonly written: string[] = [];
  /** New items' files waiting for an early write. */
  private readonly earlyQueue: PendingFile[] = [];
  private earlyRunning = 0;
  /** Early writes under way (settled whatever their outcome; `PendingFile.early.done` has it). */
  private readonly earlyWrites = new Set<Promise<void>>();

  constructor(private readonly store: FileStore) {}

  /** Stages content; `isNew` says the item is created in this unit of work. */
  write(classname: string, id: string, content: Buffer, isNew: boolean): void {
    const final = this.store.path(classname, id);
    const previous = this.pending.get(final);
    this.removals.delete(final);
    const file: PendingFile = { final, content, isNew: previous ? previous.isNew : isNew, early: previous?.early };
    this.pending.set(final, file);
    if (file.isNew && !file.early) {
      this.earlyQueue.push(file);
      this.startEarlyWrites();
    }
  }

  private startEarlyWrites(): void {
    while (this.earlyRunning < EARLY_WRITES && this.earlyQueue.length) {
      const file = this.earlyQueue.shift()!;
      // Staged again or removed since it was queued: the commit writes what is current.
      if (this.pending.get(file.final) !== file || file.early) continue;
      this.earlyRunning++;
      const done = writeNewFile(this.store, file.final, file.content, this.written);
      file.early = { content: file.content, done };
      const tracked = done
        .catch(() => undefined)
        .finally(() => {
          this.earlyRunning--;
          this.earlyWrites.delete(tracked);
          this.startEarlyWrites();
        });
      this.earlyWrites.add(tracked);
    }
  }

  /** Waits until no early write is under way, and none will start. */
  private async settleEarlyWrites(): Promise<void> {
    this.earlyQueue.length = 0;
    while (this.earlyWrites.size) await Promise.all(this.earlyWrites);
  }

  remove(classname: string, id: string): void {
    const final = this.store.path(classname, id);
    this.pending.delete(final);
    this.removals.add(final);
  }

  /** Content as this unit of work sees it: its own pending write first. */
  async read(classname: string, id: string): Promise<Buffer> {
    const final = this.store.path(classname, id);
    const pending = this.pending.get(final);
    if (pending) return pending.content;
    if (this.removals.has(final)) throw new RupError('RUP_ERR_NO_SUCH_ITEM', `the content of ${classname}${id} was removed`);
    return this.store.read(classname, id);
  }

  get dirty(): boolean {
    return this.pending.size > 0 || this.removals.size > 0;
  }

  /** Puts pending content in place (early writes finished, the rest written); called just before the database commit. */
  async publish(): Promise<void> {
    await this.settleEarlyWrites();
    const files = [...this.pending.values()];
    this.pending.clear();
    try {
      const jobs: PendingFile[] = [];
      for (const file of files) {
        // A failed early write fails the commit.
        if (file.early) await file.early.done;
        if (file.early?.content !== file.content) jobs.push(file);
      }
      for (const [index, job] of jobs.entries()) {
        if (index > 0 && index % WRITES_PER_SLICE === 0) await nextTurn();
        this.store.ensureDir(dirname(job.final));
        if (job.isNew) {
          if (!job.early) this.written.push(job.final);
          writeFileSync(job.final, job.content);
        } else {
          const tmp = `${job.final}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
          writeFileSync(tmp, job.content);
          renameSync(tmp, job.final);
        }
      }
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      throw new RupError('RUP_ERR_DATABASE', `cannot store file content: ${e.message}`, { cause: e });
    }
  }

  /** Deletes the content of destroyed items; called once the database commit succeeded. */
  async afterCommit(): Promise<void> {
    this.written.length = 0;
    for (const final of this.removals) await rm(final, { force: true });
    this.removals.clear();
  }

  /** Drops pending content (rollback), and the new files already written for it. */
  async discard(): Promise<void> {
    await this.settleEarlyWrites();
    this.pending.clear();
    this.removals.clear();
    await Promise.all(this.written.splice(0).map((file) => rm(file, { force: true })));
  }
}
