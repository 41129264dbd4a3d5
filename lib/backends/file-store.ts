import { randomBytes } from 'node:crypto';
import { rename, writeFile } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
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
  async ensureDir(dir: string): Promise<void> {
    if (this.madeDirs.has(dir)) return;
    await mkdir(dir, { recursive: true });
    this.madeDirs.add(dir);
  }

  /** A set of pending writes for one unit of work. */
  session(): FileSession {
    return new FileSession(this);
  }
}

/** How many content files are written at once when a unit of work commits. */
const PARALLEL_WRITES = 8;

/**
 * fs's callback API as a promise: a write through it costs the process
 * less than one through fs/promises' file handles (no handle objects, no
 * promise per step), which shows when a unit of work writes thousands.
 */
function callback(fn: (done: (err: Error | null) => void) => void): Promise<void> {
  return new Promise((resolve, reject) => fn((err) => (err ? reject(err) : resolve())));
}

/**
 * Content written during a unit of work is held in memory and written just
 * before the database commits, many files at once. New items' files are
 * written in place: a transaction that then fails to commit leaves a file
 * for an id that is reused (and rewritten) or never referenced. Changed
 * content of existing items goes through a temporary file and a rename, so
 * a crash never leaves a committed item with half its content.
 */
export class FileSession {
  private readonly pending = new Map<string, { final: string; content: Buffer; isNew: boolean }>();
  private readonly removals = new Set<string>();
  private readonly written: string[] = [];

  constructor(private readonly store: FileStore) {}

  /** Stages content; `isNew` says the item is created in this unit of work. */
  write(classname: string, id: string, content: Buffer, isNew: boolean): void {
    const final = this.store.path(classname, id);
    const previous = this.pending.get(final);
    this.removals.delete(final);
    this.pending.set(final, { final, content, isNew: previous ? previous.isNew : isNew });
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

  /** Writes pending content into place; called just before the database commit. */
  async publish(): Promise<void> {
    const jobs = [...this.pending.values()];
    this.pending.clear();
    let next = 0;
    const worker = async () => {
      while (next < jobs.length) {
        const job = jobs[next++]!;
        await this.store.ensureDir(dirname(job.final));
        if (job.isNew) {
          this.written.push(job.final);
          await callback((done) => writeFile(job.final, job.content, done));
        } else {
          const tmp = `${job.final}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
          await callback((done) => writeFile(tmp, job.content, done));
          await callback((done) => rename(tmp, job.final, done));
        }
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(PARALLEL_WRITES, jobs.length) }, worker));
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

  /** Drops pending content (rollback), and new files already written by a commit that failed. */
  async discard(): Promise<void> {
    this.pending.clear();
    this.removals.clear();
    await Promise.all(this.written.splice(0).map((file) => rm(file, { force: true })));
  }
}
