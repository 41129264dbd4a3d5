/**
 * `roundup-mailgw <home> mailbox /path/to/mbox`: every message of a Unix
 * mailbox file, in order, then the file without the messages handled.
 *
 * - The file is dot-locked for the whole run (see dotlock.ts), as
 *   Roundup's Python `mailbox.mbox.lock()` does; a mailbox that does not
 *   exist, cannot be read or stays locked is an error (exit 1, as in
 *   Roundup).
 * - A message leaves the file only after the gateway is done with it
 *   (stored and committed, bounced, or ignored) and the journal says so;
 *   the file is rewritten once at the end of the run. When every message
 *   went, the file is truncated in place (one atomic call, which keeps
 *   its owner, mode and inode, and needs no write access to its
 *   directory); otherwise the messages left are written to a temporary
 *   file beside it, synced, and renamed over it (atomic: a crash leaves
 *   the old file or the new one, never a mix), as Python's `mailbox`
 *   does. Mail appended by a program that ignored the lock while the
 *   gateway ran is carried over.
 * - A message's key is the hash of its bytes in the file (separator line
 *   included), so a run that dies before the rewrite finds the handled
 *   messages by their keys and removes them without handling them again.
 */

import { createHash } from 'node:crypto';
import { closeSync, fchmodSync, fchownSync, fstatSync, fsyncSync, ftruncateSync, openSync, readSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { RupError } from '../../errors.js';
import type { Tracker } from '../../tracker/tracker.js';
import type { GatewayOptions } from '../gateway/gateway.js';
import { Batch, type BatchCounts, type BatchReporter } from './batch.js';
import { takeDotLock } from './dotlock.js';
import { type MboxMessage, looksLikeMbox, splitMbox } from './mbox-format.js';

/** How long to wait for an MTA delivering into the mailbox to let go of its lock. */
const LOCK_WAIT_MS = 15_000;

function sourceError(message: string, cause: unknown): RupError {
  return new RupError('RUP_ERR_MAIL_SOURCE', `${message}: ${(cause as Error).message}`, { cause });
}

function readAll(fd: number, from = 0): Buffer {
  const size = fstatSync(fd).size;
  const data = Buffer.alloc(Math.max(0, size - from));
  let done = 0;
  while (done < data.length) {
    const n = readSync(fd, data, done, data.length - done, from + done);
    if (n === 0) break;
    done += n;
  }
  return data.subarray(0, done);
}

function writeAll(fd: number, data: Buffer): void {
  let done = 0;
  while (done < data.length) done += writeSync(fd, data, done, data.length - done);
}

/** Replaces the mailbox with `kept`, atomically (temporary file and rename), keeping its mode and, where allowed, its owner. */
function replaceFile(path: string, fd: number, kept: Buffer): void {
  const st = fstatSync(fd);
  const temp = join(dirname(path), `.${basename(path)}.rup-mailgw.${process.pid}`);
  let out: number;
  try {
    out = openSync(temp, 'wx', st.mode & 0o7777);
  } catch (err) {
    throw sourceError(`cannot write a new ${path} beside it`, err);
  }
  try {
    writeAll(out, kept);
    fchmodSync(out, st.mode & 0o7777);
    try {
      fchownSync(out, st.uid, st.gid);
    } catch {
      // Only root may give the file away; the mailbox then belongs to whoever runs the gateway, as with Python's mailbox.
    }
    fsyncSync(out);
  } catch (err) {
    closeSync(out);
    unlinkSync(temp);
    throw sourceError(`cannot write a new ${path}`, err);
  }
  closeSync(out);
  renameSync(temp, path);
  const dir = openSync(dirname(path), 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

/**
 * Rewrites the mailbox without the `removed` messages of the `data` read
 * at the start; bytes appended since are kept.
 */
function rewrite(path: string, fd: number, data: Buffer, messages: readonly MboxMessage[], removed: ReadonlySet<MboxMessage>): void {
  const appended = readAll(fd, data.length);
  if (fstatSync(fd).size < data.length) throw new RupError('RUP_ERR_MAIL_SOURCE', `${path} was shortened by another program while the gateway read it; it was left as it is`);
  const kept = messages.filter((m) => !removed.has(m));
  if (kept.length === 0 && appended.length === 0) {
    ftruncateSync(fd, 0);
    fsyncSync(fd);
    return;
  }
  replaceFile(path, fd, Buffer.concat([...kept.map((m) => data.subarray(m.start, m.end)), appended]));
}

/**
 * Runs the gateway over the mailbox file `mboxPath`; returns the counts
 * and whether a temporary failure stopped the run. RUP_ERR_MAIL_SOURCE
 * when the file cannot be opened, locked, read or rewritten.
 */
export async function handleMailbox(tracker: Tracker, mboxPath: string, options: GatewayOptions, report: BatchReporter): Promise<{ counts: BatchCounts; stopped: boolean }> {
  const path = resolve(mboxPath);
  let fd: number;
  try {
    fd = openSync(path, 'r+');
  } catch (err) {
    throw sourceError(`cannot open the mailbox ${path}`, err);
  }
  try {
    const lock = await takeDotLock(path, { waitMs: LOCK_WAIT_MS });
    try {
      const batch = await Batch.start(tracker, `mailbox:${path}`, options, report);
      try {
        const data = readAll(fd);
        if (!looksLikeMbox(data)) throw new RupError('RUP_ERR_MAIL_SOURCE', `${path} is not a Unix mailbox: it does not start with a "From " line`);
        const messages = splitMbox(data);
        const removed = new Set<MboxMessage>();
        let stopped = false;
        for (const message of messages) {
          const key = createHash('sha256').update(data.subarray(message.start, message.end)).digest('hex');
          if ((await batch.handle(key, message.raw)) === 'stop') {
            stopped = true;
            break;
          }
          removed.add(message);
        }
        if (removed.size > 0) rewrite(path, fd, data, messages, removed);
        batch.removalsApplied();
        return { counts: batch.counts, stopped };
      } finally {
        batch.close();
      }
    } finally {
      lock.release();
    }
  } finally {
    closeSync(fd);
  }
}
