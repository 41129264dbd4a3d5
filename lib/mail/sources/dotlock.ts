/**
 * Dot-locking: a file `<path>.lock` created exclusively (O_EXCL) marks
 * `<path>` as taken. It is the mailbox lock that Postfix's local(8)
 * (`mailbox_delivery_lock = fcntl, dotlock` on Linux), procmail, mutt and
 * Python's `mailbox` module (which Roundup's `mailbox` source uses) all
 * take, so holding it keeps them from appending to a mailbox while the
 * gateway rewrites it.
 *
 * fcntl() and flock() locks cannot be taken from Node without a native
 * addon, so only the dotlock is taken; every program above takes it too.
 *
 * The lock file holds our process id (as liblockfile writes it). A lock
 * is stale, and is removed, when its process id names no running process
 * on this host, or when it is older than Postfix's `stale_lock_time`
 * (500 seconds) and holds no live process id (the empty lock files of
 * Postfix and procmail).
 */

import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { RupError } from '../../errors.js';

/** Postfix's default `stale_lock_time`. */
const STALE_AFTER_MS = 500_000;
const RETRY_EVERY_MS = 200;

/** A lock held; `release` removes the lock file (only once). */
export interface DotLock {
  readonly file: string;
  release(): void;
}

export interface DotLockOptions {
  /** How long to wait for a lock another process holds, in ms (0: give up at once). */
  waitMs?: number;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True when the lock file can be removed as left behind by a process that is gone. */
function isStale(file: string): boolean {
  let text: string;
  let mtimeMs: number;
  try {
    text = readFileSync(file, 'latin1');
    mtimeMs = statSync(file).mtimeMs;
  } catch {
    // Removed in between: trying again will tell.
    return false;
  }
  const pid = /^\s*(\d+)\s*$/.exec(text)?.[1];
  if (pid !== undefined && Number(pid) > 0) return !processAlive(Number(pid));
  return Date.now() - mtimeMs > STALE_AFTER_MS;
}

function tryCreate(file: string): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o644);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new RupError('RUP_ERR_MAIL_SOURCE', `cannot create the lock file ${file}: ${(err as Error).message}`, { cause: err });
  }
  try {
    writeSync(fd, `${process.pid}\n`);
  } finally {
    closeSync(fd);
  }
  return true;
}

/**
 * Takes the dotlock of `path` (the file `<path>.lock`), waiting up to
 * `waitMs` for another holder; a stale lock is removed first. Throws
 * RUP_ERR_MAIL_SOURCE when the lock stays taken or cannot be created.
 */
export async function takeDotLock(path: string, options: DotLockOptions = {}): Promise<DotLock> {
  const file = `${path}.lock`;
  const deadline = Date.now() + (options.waitMs ?? 0);
  for (;;) {
    if (tryCreate(file)) break;
    if (isStale(file)) {
      try {
        unlinkSync(file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new RupError('RUP_ERR_MAIL_SOURCE', `cannot remove the stale lock file ${file}: ${(err as Error).message}`, { cause: err });
      }
      continue;
    }
    if (Date.now() >= deadline) throw new RupError('RUP_ERR_MAIL_SOURCE', `${path} is locked by another process (lock file ${file})`);
    await sleep(RETRY_EVERY_MS);
  }
  let held = true;
  return {
    file,
    release() {
      if (!held) return;
      held = false;
      try {
        unlinkSync(file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    },
  };
}
