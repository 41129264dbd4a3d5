/**
 * Copies a live file store (`db/files`) for a backup in two passes. The
 * first pass copies everything while writers go on; it notes each file's
 * size, modification time and inode as they were just before its copy.
 * The second pass runs while the backup holds off writers (at the instant
 * of the database snapshot) and brings the copy up to that instant: files
 * that are new or whose noted state changed are copied again, files gone
 * from the store are removed from the copy. Content is replaced by rename
 * (a new inode) or written anew, and either changes what is noted, so the
 * second pass is short: it stats every file but copies only what changed.
 */
import type { BigIntStats } from 'node:fs';
import { copyFile, lstat, mkdir, readdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** Temporary files of content being replaced (`msg1.tmp-<pid>-<hex>`, see file-store.ts): never part of a snapshot. */
const TEMP_FILE_RE = /\.tmp-\d+-[0-9a-f]+$/;

/** How many files are copied at once. */
const PARALLEL_COPIES = 8;

interface Noted {
  size: bigint;
  mtimeNs: bigint;
  ino: bigint;
}

const same = (a: Noted, b: BigIntStats) => a.size === b.size && a.mtimeNs === b.mtimeNs && a.ino === b.ino;

/** Relative paths of the regular files under `root` (none when it does not exist). */
async function listFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string) => {
    let entries;
    try {
      entries = await readdir(join(root, rel), { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    for (const entry of entries) {
      const path = rel ? join(rel, entry.name) : entry.name;
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile() && !TEMP_FILE_RE.test(entry.name)) out.push(path);
    }
  };
  await walk('');
  return out.sort();
}

async function inParallel(items: readonly string[], work: (item: string) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_COPIES, items.length) }, worker));
}

/** The two-pass copy of one directory tree; see the module comment. */
export class FileMirror {
  private readonly noted = new Map<string, Noted>();

  constructor(
    readonly source: string,
    readonly target: string,
  ) {}

  /** Files copied so far (present in the copy). */
  get fileCount(): number {
    return this.noted.size;
  }

  /** Copies one file, noting its state first; a file deleted meanwhile is skipped. */
  private async copyOne(rel: string): Promise<boolean> {
    let stats: BigIntStats;
    try {
      stats = await lstat(join(this.source, rel), { bigint: true });
      await mkdir(dirname(join(this.target, rel)), { recursive: true });
      await copyFile(join(this.source, rel), join(this.target, rel));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      this.noted.delete(rel);
      await rm(join(this.target, rel), { force: true });
      return false;
    }
    this.noted.set(rel, { size: stats.size, mtimeNs: stats.mtimeNs, ino: stats.ino });
    return true;
  }

  /** First pass: copies every file; `onTotal` hears the number of files, `onFile` each one done. */
  async copyAll(onTotal?: (total: number) => void, onFile?: () => void): Promise<void> {
    const files = await listFiles(this.source);
    onTotal?.(files.length);
    await mkdir(this.target, { recursive: true });
    await inParallel(files, async (rel) => {
      await this.copyOne(rel);
      onFile?.();
    });
  }

  /** Second pass: makes the copy match the store as it is now. Returns how many files were copied and removed. */
  async catchUp(): Promise<{ copied: number; removed: number }> {
    const files = await listFiles(this.source);
    const present = new Set(files);
    const changed: string[] = [];
    for (const rel of files) {
      const noted = this.noted.get(rel);
      if (!noted) {
        changed.push(rel);
        continue;
      }
      try {
        if (!same(noted, await lstat(join(this.source, rel), { bigint: true }))) changed.push(rel);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        present.delete(rel);
      }
    }
    let copied = 0;
    await inParallel(changed, async (rel) => {
      if (await this.copyOne(rel)) copied++;
    });
    let removed = 0;
    for (const rel of [...this.noted.keys()]) {
      if (present.has(rel)) continue;
      this.noted.delete(rel);
      await rm(join(this.target, rel), { force: true });
      removed++;
    }
    return { copied, removed };
  }
}
