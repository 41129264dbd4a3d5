import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from '../../lib/hyperdb/database.js';
import { Tracker } from '../../lib/tracker/tracker.js';
import { SubmittedForm } from '../../lib/web/form/form-data.js';
import type { FormData, UploadedFile, WebRequest, WebTarget } from '../../lib/web/web-types.js';
import { type BackendName, createTestTracker } from '../support/trackers.js';

/** The `test` class of Roundup's test_cgi FormTestCase (one property of each type), and a FileClass `secret`. */
const TEST_CLASS = `
export default function schema(toolkit) {
  classicSchema(toolkit);
  const { db, Class, FileClass, String, Number, Integer, Boolean, Link, Multilink, Date, Interval, Password } = toolkit;
  Class(db, 'test', {
    string: String(), number: Number(), intval: Integer(), boolean: Boolean(),
    link: Link('test'), multilink: Multilink('test'), date: Date(),
    messages: Multilink('msg'), interval: Interval(), pw: Password(),
  });
  // Files only the Admin role may see, for download permission tests.
  FileClass(db, 'secret', { name: String() });
}
`;

export interface WebTestTracker {
  home: string;
  tracker: Tracker;
  /** Ids of the users Roundup's tests add: Chef (3, "Bork, Chef", password "chef-pw") and mary (4, "Contrary, Mary", "mary-pw"), both User. */
  chef: string;
  mary: string;
  /** A checked unit of work acting as the user (admin is 1, anonymous 2). */
  open(userid: string): Promise<Database>;
  /** An unchecked unit of work, for setting up and checking stored data. */
  admin(): Promise<Database>;
  cleanup(): Promise<void>;
}

/**
 * A classic tracker like the one of Roundup's test_cgi: the classic
 * schema plus the `test` class, and the users Chef and mary.
 */
export async function createWebTestTracker(options: { backend?: BackendName; settings?: Record<string, string> } = {}): Promise<WebTestTracker> {
  const base = await createTestTracker({ backend: options.backend, settings: options.settings, initialise: false });
  await base.tracker.close();
  const schemaFile = join(base.home, 'schema.js');
  writeFileSync(schemaFile, readFileSync(schemaFile, 'utf8').replace('export default function schema(', 'function classicSchema(') + TEST_CLASS);
  const tracker = await Tracker.open(base.home);
  await tracker.initialise('admin');
  const setup = await tracker.open({ userid: '1' }, { checked: false });
  const chef = await setup.getclass('user').create({ username: 'Chef', password: 'chef-pw', address: 'chef@bork.bork.bork', realname: 'Bork, Chef', roles: 'User' });
  const mary = await setup.getclass('user').create({ username: 'mary', password: 'mary-pw', address: 'mary@test.test', realname: 'Contrary, Mary', roles: 'User' });
  await setup.commit();
  await setup.close();
  return {
    home: base.home,
    tracker,
    chef,
    mary,
    open: (userid) => tracker.open({ userid }, { checked: true }),
    admin: () => tracker.open({ userid: '1' }, { checked: false }),
    async cleanup() {
      await tracker.close();
      await base.cleanup();
    },
  };
}

/** A file upload as the multipart reader delivers it. */
export function upload(field: string, filename: string, content: string, mimetype = 'application/octet-stream'): UploadedFile {
  return { field, filename, mimetype, content: Buffer.from(content) };
}

/** A form from name/value pairs (arrays give repeated fields) and uploads. */
export function makeForm(fields: Record<string, string | string[]>, files: UploadedFile[] = []): SubmittedForm {
  const pairs: Array<[string, string]> = [];
  for (const [k, v] of Object.entries(fields)) for (const one of Array.isArray(v) ? v : [v]) pairs.push([k, one]);
  return new SubmittedForm(pairs, files);
}

/** A WebRequest for calling actions directly (what the request handler builds). */
export function webRequest(
  tt: WebTestTracker,
  db: Database,
  options: { form?: FormData; method?: string; target?: Partial<WebTarget>; userid?: string; headers?: Record<string, string> } = {},
): WebRequest {
  const userid = options.userid ?? db.getuid();
  return {
    tracker: tt.tracker,
    db,
    user: { userid, username: userid === '2' ? 'anonymous' : `user${userid}`, anonymous: userid === '2' },
    session: { id: null, get: () => undefined, set: () => undefined, destroy: async () => undefined },
    method: options.method ?? 'POST',
    headers: options.headers ?? {},
    remoteAddress: '127.0.0.1',
    baseUrl: 'http://tracker.example/demo/',
    basePath: '/demo/',
    target: { classname: null, itemid: null, filename: null, template: null, ...options.target },
    form: options.form ?? new SubmittedForm(),
    messages: { ok: [], error: [] },
  };
}
