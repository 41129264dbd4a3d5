/**
 * What makes a batch source (mailbox file, POP, IMAP) exactly-once: a
 * small journal per source, kept in the tracker's database directory,
 * saying which messages the gateway has finished with but the source may
 * not have removed yet.
 *
 * For each message the batch writes (and fsyncs) `handling <key>
 * <message-id>` before handing it to the gateway and `handled <key>`
 * once the gateway has committed it (or bounced or ignored it); only then
 * does the source remove it. A run killed at any point leaves a journal
 * from which the next run knows:
 * - a message marked handled is removed without being handled again;
 * - the one message that was being handled when the run died was stored
 *   when a msg with its Message-Id is in the database (the msg is
 *   committed in the same transaction as everything else the message
 *   changed), and is handled again otherwise.
 * Once the source has applied the removals the journal is emptied.
 *
 * The journal's dotlock also keeps two runs from reading one source at
 * once (two cron runs overlapping would otherwise handle the same
 * messages twice).
 */

import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { RupError } from '../../errors.js';
import { type DotLock, takeDotLock } from './dotlock.js';

/** The message that was being handled when the previous run ended without finishing it. */
export interface InFlight {
  key: string;
  messageId: string;
}

function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** One source's journal, open and locked for this run. */
export class HandledJournal {
  private readonly handled = new Set<string>();
  private fd: number | null = null;
  /** Set when the previous run died while the gateway had this message. */
  readonly inFlight: InFlight | null;

  private constructor(
    readonly file: string,
    private readonly lock: DotLock,
  ) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new RupError('RUP_ERR_MAIL_SOURCE', `cannot read ${file}: ${(err as Error).message}`, { cause: err });
    }
    let last: InFlight | null = null;
    // A line cut short by a crash has no newline: it never happened.
    for (const line of text.split('\n').slice(0, -1)) {
      const [verb, key, messageId] = line.split(' ').map((part) => decodeURIComponent(part));
      if (verb === 'handling' && key) last = { key, messageId: messageId ?? '' };
      else if (verb === 'handled' && key) {
        this.handled.add(key);
        if (last?.key === key) last = null;
      }
    }
    this.inFlight = last;
  }

  /**
   * Opens the journal of the source named `sourceId` in `dir`, taking its
   * lock; RUP_ERR_MAIL_SOURCE when another run holds it.
   */
  static async open(dir: string, sourceId: string): Promise<HandledJournal> {
    try {
      mkdirSync(dir, { recursive: true });
    } catch (err) {
      throw new RupError('RUP_ERR_MAIL_SOURCE', `cannot create ${dir}: ${(err as Error).message}`, { cause: err });
    }
    const file = join(dir, `${createHash('sha256').update(sourceId).digest('hex').slice(0, 24)}.journal`);
    let lock: DotLock;
    try {
      lock = await takeDotLock(file);
    } catch (err) {
      throw new RupError('RUP_ERR_MAIL_SOURCE', `another roundup-mailgw is reading ${sourceId} (${(err as Error).message})`, { cause: err });
    }
    try {
      return new HandledJournal(file, lock);
    } catch (err) {
      lock.release();
      throw err;
    }
  }

  /** True when the message was handled by an earlier run and only its removal is missing. */
  has(key: string): boolean {
    return this.handled.has(key);
  }

  /** The keys handled but not yet removed from the source. */
  keys(): string[] {
    return [...this.handled];
  }

  private append(...fields: string[]): void {
    this.fd ??= openSync(this.file, 'a', 0o600);
    writeSync(this.fd, `${fields.map((f) => encodeURIComponent(f)).join(' ')}\n`);
    fsyncSync(this.fd);
  }

  /** Records (durably) that the gateway is about to handle the message. */
  begin(key: string, messageId: string): void {
    this.append('handling', key, messageId);
  }

  /** Records (durably) that the gateway is done with the message: the source may remove it. */
  done(key: string): void {
    this.append('handled', key);
    this.handled.add(key);
  }

  /** Empties the journal once the source has removed every message it lists. */
  reset(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    const temp = `${this.file}.new`;
    const fd = openSync(temp, 'w', 0o600);
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, this.file);
    fsyncDir(dirname(this.file));
    this.handled.clear();
  }

  /** Closes the journal and releases its lock. */
  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    this.lock.release();
  }
}
