/**
 * The part every batch source shares: deciding, for one message read
 * from the source, whether the gateway handles it, and when the source
 * may remove it (see handled-journal.ts for why this is exactly-once).
 *
 * A message the gateway could not handle now (a temporary failure: the
 * database locked, the SMTP server down for a bounce) stays in the source
 * and the batch stops there, keeping the order of what follows; the run
 * then exits 75 so a cron job's log shows it, and the next run tries
 * again.
 */

import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Tracker } from '../../tracker/tracker.js';
import { databaseDir } from '../../tracker/storage-factory.js';
import { type GatewayOptions, type GatewayResult, processMessage } from '../gateway/gateway.js';
import { HandledJournal } from './handled-journal.js';
import { messageIdOf, withMessageId } from './message-id.js';

/** What the source does with a message after {@link Batch.handle}. */
export type Disposition = 'remove' | 'stop';

/** Where a batch reports what deserves a line on standard error. */
export type BatchReporter = (result: GatewayResult) => void;

/** Counts of one run, for the caller's summary and tests. */
export interface BatchCounts {
  stored: number;
  bounced: number;
  ignored: number;
  /** Removed without handling: handled by an earlier run that died before the removal. */
  alreadyHandled: number;
  /** Left in the source by a temporary failure (the first one stops the batch). */
  kept: number;
}

/**
 * `RUP_MAILGW_TEST_KILL=<n>:<point>`: the process kills itself (SIGKILL,
 * nothing cleaned up) after the n-th message the gateway handled, at
 * `handled` (its changes committed, nothing recorded yet) or `recorded`
 * (recorded in the journal, not yet removed from the source). The fault
 * tests use it to prove that a run dying anywhere loses and duplicates
 * nothing.
 */
function killPoint(env: NodeJS.ProcessEnv): { after: number; point: string } | null {
  const m = /^(\d+):(handled|recorded)$/.exec(env.RUP_MAILGW_TEST_KILL ?? '');
  return m ? { after: Number(m[1]), point: m[2]! } : null;
}

/** One run over one source. */
export class Batch {
  readonly counts: BatchCounts = { stored: 0, bounced: 0, ignored: 0, alreadyHandled: 0, kept: 0 };
  private handledCount = 0;
  private readonly kill: { after: number; point: string } | null;

  private constructor(
    private readonly tracker: Tracker,
    readonly journal: HandledJournal,
    private readonly options: GatewayOptions,
    private readonly report: BatchReporter,
    env: NodeJS.ProcessEnv,
  ) {
    this.kill = killPoint(env);
  }

  /**
   * Starts a run over the source named `sourceId` (which also names its
   * journal); RUP_ERR_MAIL_SOURCE when another run reads that source.
   */
  static async start(tracker: Tracker, sourceId: string, options: GatewayOptions, report: BatchReporter, env: NodeJS.ProcessEnv = process.env): Promise<Batch> {
    const journal = await HandledJournal.open(join(databaseDir(tracker.config), 'mailgw'), sourceId);
    return new Batch(tracker, journal, options, report, env);
  }

  private maybeDie(point: string): void {
    if (this.kill && this.kill.point === point && this.kill.after === this.handledCount) process.kill(process.pid, 'SIGKILL');
  }

  /** True when a msg with this Message-Id is in the tracker (committed). */
  private async stored(messageId: string): Promise<boolean> {
    const db = await this.tracker.open({ userid: '1' }, { checked: false });
    try {
      if (!db.schema.getClass('msg').properties.has('messageid')) return false;
      return (await db.getclass('msg').stringFind({ messageid: messageId })).length > 0;
    } finally {
      await db.close();
    }
  }

  /**
   * Handles one message of the source, identified by `key` (unique in the
   * source, stable across runs), and says whether the source may remove
   * it now or must keep it and stop.
   *
   * A message without a Message-Id is given one made from the source and
   * key (as a mail transfer agent adds one to mail that lacks it), so
   * that what it stores can be recognised if this run dies right after
   * committing it.
   */
  async handle(key: string, original: Buffer): Promise<Disposition> {
    if (this.journal.has(key)) {
      this.counts.alreadyHandled++;
      return 'remove';
    }
    let messageId = messageIdOf(original);
    let raw = original;
    if (!messageId) {
      messageId = `<mailgw.${createHash('sha256').update(this.journal.file).update('\0').update(key).digest('hex').slice(0, 32)}@${String(this.tracker.config.MAIL_DOMAIN || 'localhost')}>`;
      raw = withMessageId(original, messageId);
    }
    const inFlight = this.journal.inFlight;
    if (inFlight && inFlight.key === key && inFlight.messageId === messageId && (await this.stored(messageId))) {
      this.journal.done(key);
      this.counts.alreadyHandled++;
      return 'remove';
    }
    this.journal.begin(key, messageId);
    const result = await processMessage(this.tracker, raw, this.options);
    this.handledCount++;
    this.maybeDie('handled');
    this.report(result);
    if (result.outcome === 'tempfail') {
      this.counts.kept++;
      return 'stop';
    }
    this.counts[result.outcome]++;
    this.journal.done(key);
    this.maybeDie('recorded');
    return 'remove';
  }

  /** Called once the source has removed every message recorded as handled. */
  removalsApplied(): void {
    this.journal.reset();
  }

  /** Ends the run (releases the journal's lock). */
  close(): void {
    this.journal.close();
  }
}
