/**
 * The `[mail] debug` file: mail the tracker would send, appended to a
 * file instead. The layout is the one Roundup's `smtp_send` writes, so
 * our debug files and Roundup's read alike (and open as mbox files):
 *
 *     From <envelope sender> <date>
 *     FROM: <envelope sender>
 *     TO: <envelope recipients, joined by ", ">
 *     <the whole message>
 *     <empty line>
 *
 * One difference: Roundup's separator line prints the month number where
 * the day of the month belongs (a `%m` for `%d` slip in its format), so
 * "Sat Nov 11 ..." on the 21st of November; we write the day.
 */

import { appendFileSync } from 'node:fs';
import { RupError } from '../errors.js';
import { mboxDate } from './mime.js';

/** One mail as the debug file holds it. */
export function debugFileEntry(sender: string, recipients: readonly string[], message: string, utcMs: number): string {
  return `From ${sender} ${mboxDate(utcMs)}\nFROM: ${sender}\nTO: ${recipients.join(', ')}\n${message}\n\n`;
}

/**
 * Appends one mail to the debug file with a single write (O_APPEND), so
 * mails written by several processes at once do not interleave. The write
 * is synchronous: appending a few kilobytes costs the kernel less than
 * the three hand-overs to libuv's thread pool an asynchronous append
 * costs, and a tracker sending nosy mail to the debug file sends a lot.
 */
export async function appendDebugMail(file: string, sender: string, recipients: readonly string[], message: string, utcMs: number): Promise<void> {
  appendFileSync(file, debugFileEntry(sender, recipients, message, utcMs), 'utf8');
}

/** One mail read back from a debug file. */
export interface DebugFileMail {
  sender: string;
  recipients: string[];
  /** The message text (headers, empty line, body). */
  message: string;
}

/**
 * Splits a debug file's text into its mails (the reverse of
 * {@link debugFileEntry}); for tests and for tools that replay the file.
 * Throws RUP_ERR_VALUE for text that is not such a file.
 */
export function parseDebugFile(text: string): DebugFileMail[] {
  const mails: DebugFileMail[] = [];
  const chunks = text.split(/^(?=From \S+ \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}\n)/m).filter((c) => c.startsWith('From '));
  for (const chunk of chunks) {
    const m = /^From \S+ [^\n]*\nFROM: ([^\n]*)\nTO: ([^\n]*)\n([\s\S]*)\n\n$/.exec(chunk);
    if (!m) throw new RupError('RUP_ERR_VALUE', `Not a mail debug file entry: ${JSON.stringify(chunk.slice(0, 80))}`);
    mails.push({ sender: m[1]!, recipients: m[2]!.split(', ').filter((r) => r !== ''), message: m[3]! });
  }
  return mails;
}
