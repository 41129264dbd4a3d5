/**
 * Shared set-up of the mail gateway tests: trackers made by importing
 * the classic export of the Python Roundup (with its users alice, bob,
 * carol, retired dave), the incoming mail fixtures, and reading back what
 * the gateway sent through `[mail] debug`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ParsedMail, simpleParser } from 'mailparser';
import { importTracker } from '../../../lib/admin/import.js';
import type { Database } from '../../../lib/hyperdb/database.js';
import { parseDebugFile } from '../../../lib/mail/debug-file.js';
import { Mailer } from '../../../lib/mail/mailer.js';
import { type GatewayOptions, type GatewayResult, processMessage } from '../../../lib/mail/gateway/gateway.js';
import type { Tracker } from '../../../lib/tracker/tracker.js';
import { sharedFixtures } from '../../support/paths.js';
import { type BackendName, createTestTracker } from '../../support/trackers.js';

export const INCOMING_MAIL = join(sharedFixtures, 'incoming-mail');
export const CLASSIC_EXPORT = join(sharedFixtures, 'roundup-classic-export');

/** The bytes of an incoming-mail fixture. */
export function fixtureMail(name: string): Buffer {
  return readFileSync(join(INCOMING_MAIL, name));
}

/** A message written in a test: LF line ends, as mail fixtures in Roundup's tests. */
export function mail(text: string): Buffer {
  return Buffer.from(text.replace(/^\n/, ''), 'utf8');
}

/** A mail the gateway sent, read back from the debug file. */
export interface SentMail {
  sender: string;
  recipients: string[];
  text: string;
  parsed: ParsedMail;
}

export interface GatewayTracker {
  home: string;
  tracker: Tracker;
  /** The `[mail] debug` file the tracker's mail goes to. */
  debugFile: string;
  /** Runs the gateway on a message. */
  process(raw: Buffer, options?: GatewayOptions): Promise<GatewayResult>;
  /** The mails sent so far, parsed. */
  sent(): Promise<SentMail[]>;
  /** Runs `fn` with an unchecked database and closes it. */
  read<T>(fn: (db: Database) => Promise<T>): Promise<T>;
  cleanup(): Promise<void>;
}

/**
 * A tracker of the classic template holding the classic export of the
 * Python Roundup (imported as `roundup-admin import` does), with its mail
 * going to a debug file in the tracker home.
 */
export async function importedTracker(backend: BackendName = 'sqlite', settings: Record<string, string> = {}): Promise<GatewayTracker> {
  const t = await createTestTracker({ backend, initialise: false, settings });
  const db = await t.tracker.open({ userid: '1' }, { checked: false });
  try {
    await importTracker(db, CLASSIC_EXPORT);
    await db.commit();
  } finally {
    await db.close();
  }
  const debugFile = join(t.home, 'sent-mail.txt');
  t.tracker.config.set('mail', 'debug', debugFile);
  return {
    home: t.home,
    tracker: t.tracker,
    debugFile,
    // The mailer is made without the environment, so a SENDMAILDEBUG of the test run cannot take the mail elsewhere.
    process: (raw, options) => processMessage(t.tracker, raw, { mailer: Mailer.fromConfig(t.tracker.config, {}, {}), ...options }),
    async sent() {
      if (!existsSync(debugFile)) return [];
      const out: SentMail[] = [];
      for (const m of parseDebugFile(readFileSync(debugFile, 'utf8'))) {
        out.push({ sender: m.sender, recipients: m.recipients, text: m.message, parsed: await simpleParser(m.message) });
      }
      return out;
    },
    async read(fn) {
      const rdb = await t.tracker.open({ userid: '1' }, { checked: false });
      try {
        return await fn(rdb);
      } finally {
        await rdb.close();
      }
    },
    cleanup: () => t.cleanup(),
  };
}

/** The text part of a sent mail (the first part of a bounce). */
export function bodyText(sent: SentMail): string {
  return sent.parsed.text ?? '';
}

/** The original message attached to a bounce, as text. */
export function bouncedOriginal(sent: SentMail): string {
  const original = sent.parsed.attachments.find((a) => a.filename === 'original-message.txt');
  return original ? original.content.toString('utf8') : '';
}
