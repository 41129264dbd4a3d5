import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from '../../../lib/hyperdb/database.js';
import { type DebugFileMail, parseDebugFile } from '../../../lib/mail/debug-file.js';
import { SubmittedForm } from '../../../lib/web/form/form-data.js';
import type { OneTimeKeys, RegisteredUser, RegistrationServices } from '../../../lib/web/actions/registration-common.js';
import type { WebRequest } from '../../../lib/web/web-types.js';
import { type BackendName, type TestTracker, createTestTracker } from '../../support/trackers.js';

/**
 * One-time keys kept in memory with a clock the test moves, standing in
 * for the session helper's store (same contract: random URL-safe keys,
 * expiry, take destroys).
 */
export class MemoryOneTimeKeys implements OneTimeKeys {
  readonly records = new Map<string, { data: Record<string, unknown>; expires: number }>();
  now = 0;

  async create(data: Record<string, unknown>, lifetimeSeconds: number): Promise<string> {
    const key = randomBytes(32).toString('base64url');
    this.records.set(key, { data: structuredClone(data), expires: this.now + lifetimeSeconds });
    return key;
  }

  async get(key: string): Promise<Record<string, unknown> | null> {
    const record = this.records.get(key);
    if (!record || record.expires <= this.now) return null;
    return structuredClone(record.data);
  }

  async take(key: string): Promise<Record<string, unknown> | null> {
    const data = await this.get(key);
    this.records.delete(key);
    return data;
  }
}

/** A classic tracker with its mail going to a debug file, plus the services the actions need. */
export interface RegistrationTracker extends TestTracker {
  keys: MemoryOneTimeKeys;
  /** Who the actions logged in, in order. */
  logins: RegisteredUser[];
  services: RegistrationServices;
  mailFile: string;
  /** The mails written so far. */
  mails(): DebugFileMail[];
  /** A unit of work acting as `userid` (checked), as a request gets. */
  open(userid: string): Promise<Database>;
  /** An unchecked unit of work for checking stored data. */
  admin(): Promise<Database>;
  /** A request from `userid` (anonymous by default) with the form fields. */
  request(db: Database, fields: Record<string, string>, options?: { method?: string }): WebRequest;
}

/** A classic (or minimal) tracker set up for the registration actions; mail goes to `mail.log` in its home. */
export async function createRegistrationTracker(
  options: { settings?: Record<string, string>; template?: string; backend?: BackendName } = {},
): Promise<RegistrationTracker> {
  const base = await createTestTracker({
    template: options.template,
    backend: options.backend,
    settings: { mail_debug: 'mail.log', web_registration_delay: '0', ...options.settings },
  });
  const mailFile = join(base.home, 'mail.log');
  const keys = new MemoryOneTimeKeys();
  const logins: RegisteredUser[] = [];
  const services: RegistrationServices = {
    oneTimeKeys: () => keys,
    logIn: async (_req, user) => {
      logins.push(user);
    },
  };
  return {
    ...base,
    keys,
    logins,
    services,
    mailFile,
    mails: () => (existsSync(mailFile) ? parseDebugFile(readFileSync(mailFile, 'utf8')) : []),
    open: (userid) => base.tracker.open({ userid }, { checked: true }),
    admin: () => base.tracker.open({ userid: '1' }, { checked: false }),
    request(db, fields, requestOptions = {}) {
      const userid = db.getuid();
      return {
        tracker: base.tracker,
        db,
        user: { userid, username: userid === '2' ? 'anonymous' : `user${userid}`, anonymous: userid === '2' },
        session: { id: null, get: () => undefined, set: () => undefined, destroy: async () => undefined },
        method: requestOptions.method ?? 'POST',
        headers: {},
        remoteAddress: '127.0.0.1',
        baseUrl: 'http://tracker.example/demo/',
        basePath: '/demo/',
        target: { classname: 'user', itemid: null, filename: null, template: 'register' },
        form: new SubmittedForm(Object.entries(fields)),
        messages: { ok: [], error: [] },
      };
    },
  };
}

/** The body of a debug-file mail, quoted-printable decoded. */
export function mailBody(mail: DebugFileMail): string {
  const body = mail.message.slice(mail.message.indexOf('\n\n') + 2);
  return Buffer.from(
    body
      .replace(/=\n/g, '')
      .replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))),
    'latin1',
  ).toString('utf8');
}

/** A header of a debug-file mail, unfolded. */
export function mailHeader(mail: DebugFileMail, name: string): string | undefined {
  const head = mail.message.slice(0, mail.message.indexOf('\n\n')).replace(/\n[ \t]+/g, ' ');
  const m = new RegExp(`^${name}: (.*)$`, 'mi').exec(head);
  return m?.[1];
}
