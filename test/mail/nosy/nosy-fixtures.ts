/**
 * Shared set-up of the nosy mail tests: a classic tracker with the users
 * of Roundup's fixture tracker (alice, bob, carol, dave with their real
 * names and addresses), its keywords, and its mail going to the `[mail]
 * debug` file in the home, read back mail by mail.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from '../../../lib/hyperdb/database.js';
import { type DebugFileMail, parseDebugFile } from '../../../lib/mail/debug-file.js';
import { Mailer } from '../../../lib/mail/mailer.js';
import { Tracker } from '../../../lib/tracker/tracker.js';
import { type BackendName, createTestTracker } from '../../support/trackers.js';
import { decodeQuotedPrintable, splitMessage } from '../mail-helpers.js';

export const PEOPLE = {
  alice: { realname: 'Alice Adams', address: 'alice@example.com' },
  bob: { realname: 'Bob Brown', address: 'bob@example.org' },
  carol: { realname: 'Carol Chen', address: 'carol@example.net' },
  dave: { realname: 'Dave Østergaard', address: 'dave@example.com' },
} as const;
export type Person = keyof typeof PEOPLE;

export interface NosyTracker {
  home: string;
  tracker: Tracker;
  debugFile: string;
  /** User ids by name (admin is 1, anonymous 2). */
  ids: Record<Person, string>;
  /** Runs `fn` as a user on an unchecked unit of work (as detectors and the mail gateway see it), then commits. */
  as<T>(user: Person | 'admin', fn: (db: Database) => Promise<T>): Promise<T>;
  /** The mails written to the debug file so far. */
  sent(): DebugFileMail[];
  /** Forgets the mails sent so far. */
  clearSent(): void;
  cleanup(): Promise<void>;
}

/**
 * A classic tracker like the one Roundup's fixture mails came from:
 * `[tracker] web` http://localhost:8080/fx/, mail domain example.com,
 * keywords ui, backend and mail; `settings` are more config.ini options,
 * `prepare` may change the home (schema.js, detectors) before it opens.
 */
export async function nosyTracker(
  settings: Record<string, string> = {},
  options: { backend?: BackendName; prepare?: (home: string) => void } = {},
): Promise<NosyTracker> {
  const t = await createTestTracker({ backend: options.backend, settings: { tracker_web: 'http://localhost:8080/fx/', ...settings } });
  let tracker = t.tracker;
  if (options.prepare) {
    // Schema and detector changes take effect when the tracker is opened again.
    options.prepare(t.home);
    await tracker.close();
    tracker = await Tracker.open(t.home);
  }
  const debugFile = join(t.home, 'mail-debug.txt');
  // Made without the environment: a SENDMAILDEBUG of the test run must not take the mail elsewhere.
  tracker.messaging.useMailer(Mailer.fromConfig(tracker.config, {}, {}));
  const as = async <T>(user: Person | 'admin', fn: (db: Database) => Promise<T>): Promise<T> => {
    const db = await tracker.open({ username: user }, { checked: false });
    try {
      const result = await fn(db);
      await db.commit();
      return result;
    } finally {
      await db.close();
    }
  };
  const ids = await as('admin', async (db) => {
    const out = {} as Record<Person, string>;
    for (const [name, p] of Object.entries(PEOPLE)) {
      out[name as Person] = await db.getclass('user').create({ username: name, realname: p.realname, address: p.address, roles: 'User' });
    }
    for (const keyword of ['ui', 'backend', 'mail']) await db.getclass('keyword').create({ name: keyword });
    return out;
  });
  return {
    home: t.home,
    tracker,
    debugFile,
    ids,
    as,
    sent: () => (existsSync(debugFile) ? parseDebugFile(readFileSync(debugFile, 'utf8')) : []),
    clearSent: () => rmSync(debugFile, { force: true }),
    async cleanup() {
      await tracker.close();
      await t.cleanup();
    },
  };
}

/** Looks up the ids of key values (`keys(db, 'keyword', ['ui'])`). */
export async function keys(db: Database, classname: string, values: readonly string[]): Promise<string[]> {
  const cl = db.getclass(classname);
  const ids: string[] = [];
  // One at a time: a unit of work's queries share one connection.
  for (const v of values) ids.push(await cl.lookup(v));
  return ids;
}

/** The decoded text body of a single-part mail. */
export function textBody(message: string): string {
  return decodeQuotedPrintable(splitMessage(message).body).toString('utf8');
}

/** The header names of a mail, in order. */
export function headerNames(message: string): string[] {
  return splitMessage(message).headers.map(([name]) => name);
}

