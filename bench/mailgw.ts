/**
 * Mail gateway throughput, each message opening a new issue of a
 * tracker holding the classic export:
 * - pipe mode: one `roundup-mailgw <home>` process per message, as an MTA
 *   alias runs it (process start and tracker load included);
 * - IMAP batch mode: one `roundup-mailgw <home> imap ...` run over a
 *   mailbox of a private Dovecot (skipped, with the reason, where Dovecot
 *   cannot run).
 * MAILGW_PIPE=n and MAILGW_IMAP=n change the message counts.
 */

import { performance } from 'node:perf_hooks';
import { type Dovecot, MAIL_PASSWORD, MAIL_USER, dovecotUnavailable, startDovecot } from '../test/mail/sources/dovecot-server.js';
import { batchMessages, newIssueTitles, runMailgw, sourceTracker } from '../test/mail/sources/source-fixtures.js';

async function pipeMode(count: number): Promise<string> {
  const t = await sourceTracker();
  try {
    const messages = batchMessages(count);
    const start = performance.now();
    for (const raw of messages) {
      const run = await runMailgw([t.home], { input: raw });
      if (run.status !== 0) throw new Error(`pipe mode exited ${run.status}: ${run.stderr}`);
    }
    const seconds = (performance.now() - start) / 1000;
    const stored = (await newIssueTitles(t)).length;
    return `[mailgw] pipe mode, one process per message: ${stored} messages in ${seconds.toFixed(1)} s: ${(stored / seconds).toFixed(2)} messages/s`;
  } finally {
    await t.cleanup();
  }
}

async function imapBatch(count: number): Promise<string> {
  const reason = dovecotUnavailable();
  if (reason) return `[mailgw] IMAP batch mode skipped: ${reason}`;
  let dovecot: Dovecot | null = null;
  const t = await sourceTracker();
  try {
    dovecot = await startDovecot();
    await dovecot.deliver(batchMessages(count), 'Bench');
    const start = performance.now();
    const run = await runMailgw([t.home, 'imap', `${MAIL_USER}:${MAIL_PASSWORD}@127.0.0.1:${dovecot.imapPort}`, 'Bench']);
    const seconds = (performance.now() - start) / 1000;
    if (run.status !== 0) throw new Error(`IMAP batch exited ${run.status}: ${run.stderr}`);
    const stored = (await newIssueTitles(t)).length;
    return `[mailgw] IMAP batch mode against Dovecot, one process: ${stored} messages in ${seconds.toFixed(1)} s: ${(stored / seconds).toFixed(2)} messages/s`;
  } finally {
    await dovecot?.stop();
    await t.cleanup();
  }
}

/** Runs both measurements and returns the lines to print. */
export async function benchMailgw(): Promise<string[]> {
  return [await pipeMode(Number(process.env.MAILGW_PIPE ?? 30)), await imapBatch(Number(process.env.MAILGW_IMAP ?? 300))];
}
