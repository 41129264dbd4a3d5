/**
 * Shared set-up of the template and permission tests: trackers installed
 * from the shipped templates, units of work that are closed (rolled back
 * if uncommitted) after each test, a compact description of a property's
 * type and options, and an assertion on RupError code and message.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ErrorCode, isRupError } from '../../lib/errors.js';
import type { Database } from '../../lib/hyperdb/database.js';
import type { AnyProperty } from '../../lib/hyperdb/properties.js';
import { Tracker, type Actor } from '../../lib/tracker/tracker.js';
import { type BackendName, type TestTracker, createTestTracker, skipWithoutBackend } from '../support/trackers.js';

/** Asserts that `promise` rejects with a RupError of `code` whose message is exactly `message`. */
export async function rejectsWith(promise: Promise<unknown>, code: ErrorCode, message: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(isRupError(err), `expected a RupError, got ${String(err)}`);
    assert.equal(err.code, code, `code of: ${err.message}`);
    assert.equal(err.message, message);
    return true;
  });
}

/**
 * A property's type and every option that differs from the default, as one
 * string: `Link user no-journal`, `String indexme`, `Number required`.
 */
export function propertySignature(prop: AnyProperty): string {
  const parts: string[] = [prop.kind];
  if (prop.kind === 'Link' || prop.kind === 'Multilink') {
    parts.push(prop.target);
    if (!prop.doJournal) parts.push('no-journal');
    if (!prop.tryIdParsing) parts.push('no-id-parsing');
    if (prop.revMultilink) parts.push(`rev_multilink=${prop.revMultilink}`);
    if (prop.msgHeaderProperty) parts.push(`msg_header_property=${prop.msgHeaderProperty}`);
  }
  if (prop.kind === 'String' && prop.indexme) parts.push('indexme');
  if (prop.kind === 'Password' && prop.scheme) parts.push(`scheme=${prop.scheme}`);
  if (prop.kind === 'Number' && prop.useDouble) parts.push('use_double');
  if (prop.kind === 'Date') {
    if (prop.offset !== undefined) parts.push(`offset=${prop.offset}`);
    if (!prop.displayTime) parts.push('no-time');
    if (prop.format) parts.push(`format=${prop.format}`);
  }
  if (prop.required) parts.push('required');
  if (prop.quiet) parts.push('quiet');
  if (prop.kind !== 'Multilink' && prop.getDefaultValue() !== null) parts.push(`default=${String(prop.getDefaultValue())}`);
  return parts.join(' ');
}

/** The signatures of a class's properties, by name. */
export function signatures(props: Map<string, AnyProperty>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, prop] of props) out[name] = propertySignature(prop);
  return out;
}

/** The properties every class has automatically, with their signatures. */
export const AUTOMATIC_PROPERTIES = { id: 'String', creation: 'Date', activity: 'Date', creator: 'Link user', actor: 'Link user' };

/** A test tracker plus the units of work opened on it, all closed by `cleanup`. */
export interface TemplateTracker {
  readonly t: TestTracker;
  /** The tracker opened (the test tracker's own, or a reopened one after a config change). */
  readonly tracker: Tracker;
  /** Opens a unit of work (unchecked unless asked); closed by cleanup. */
  open(actor: Actor, options?: { checked?: boolean }): Promise<Database>;
  /** Creates users through an unchecked admin unit of work and commits; returns their ids by name. */
  addUsers(users: ReadonlyArray<Record<string, unknown> & { username: string }>): Promise<Record<string, string>>;
  /** Closes the units of work opened so far (uncommitted changes are rolled back). */
  closeOpened(): Promise<void>;
  /** Closes everything and deletes the tracker. */
  cleanup(): Promise<void>;
}

/**
 * Installs and initialises `template` on `backend`. `detectorsIni`, when
 * given, replaces the home's `detectors/config.ini` and the tracker is
 * opened again so that its detectors read the new settings.
 */
export async function templateTracker(options: {
  template: string;
  backend?: BackendName;
  settings?: Record<string, string>;
  detectorsIni?: string;
}): Promise<TemplateTracker> {
  const t = await createTestTracker({ template: options.template, backend: options.backend ?? 'sqlite', settings: options.settings });
  let tracker = t.tracker;
  if (options.detectorsIni !== undefined) {
    await t.tracker.close();
    writeFileSync(join(t.home, 'detectors', 'config.ini'), options.detectorsIni);
    tracker = await Tracker.open(t.home);
  }
  const opened: Database[] = [];
  const handle: TemplateTracker = {
    t,
    tracker,
    async open(actor, openOptions = {}) {
      const db = await tracker.open(actor, { checked: openOptions.checked ?? false });
      opened.push(db);
      return db;
    },
    async addUsers(users) {
      const db = await tracker.open({ username: 'admin' }, { checked: false });
      try {
        const ids: Record<string, string> = {};
        for (const user of users) ids[user.username] = await db.getclass('user').create(user);
        await db.commit();
        return ids;
      } finally {
        await db.close();
      }
    },
    async closeOpened() {
      for (const db of opened.splice(0)) await db.close();
    },
    async cleanup() {
      await handle.closeOpened();
      if (tracker !== t.tracker) await tracker.close();
      await t.cleanup();
    },
  };
  return handle;
}

/** Options of {@link useTemplateTracker}. */
export interface UseTemplateOptions {
  template: string;
  backend?: BackendName;
  settings?: Record<string, string>;
  detectorsIni?: string;
  /** One tracker for the whole suite instead of a fresh one per test. */
  shared?: boolean;
}

/**
 * Mocha hooks giving the calling suite a tracker of `template` on
 * `backend`: a fresh one per test, or one for the suite when `shared`.
 * PostgreSQL suites are skipped (with the reason) when no server is reachable.
 */
export function useTemplateTracker(options: UseTemplateOptions): { readonly h: TemplateTracker } {
  let current: TemplateTracker | null = null;
  const start = async () => {
    current = await templateTracker(options);
  };
  const stop = async () => {
    await current?.cleanup();
    current = null;
  };
  before(async function () {
    await skipWithoutBackend(this, options.backend ?? 'sqlite');
    if (options.shared) await start();
  });
  after(async () => {
    if (options.shared) await stop();
  });
  beforeEach(async () => {
    if (!options.shared) await start();
  });
  afterEach(async () => {
    if (options.shared) await current?.closeOpened();
    else await stop();
  });
  return {
    get h() {
      if (!current) throw new Error('no tracker: useTemplateTracker() hooks have not run');
      return current;
    },
  };
}
