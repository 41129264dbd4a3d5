/**
 * Shared set-up of the hyperdb data tests: a fresh tracker per test on the
 * requested backend (classic template or the `hyperdb-types` fixture, the
 * schema of Roundup's test/db_test_base.py), units of work closed after
 * each test, the raw-value context, and an assertion on RupError code and
 * message.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { type ErrorCode, isRupError } from '../../lib/errors.js';
import type { Database } from '../../lib/hyperdb/database.js';
import type { Actor } from '../../lib/tracker/tracker.js';
import { testFixtures } from '../support/paths.js';
import { type BackendName, type TestTracker, createTestTracker, skipWithoutBackend } from '../support/trackers.js';

/** Every suite runs once per backend. */
export const BACKENDS: readonly BackendName[] = ['sqlite', 'postgresql'];

/**
 * The fixture template with every property type and option. Its initial
 * data (ids matter to the tests): users admin=1 (Admin), fred=2 (User);
 * mls unread_1=1, unread_2=2; statuses unread=1 (mls 1,2), in-progress=2,
 * testing=3, resolved=4; priorities feature=1, wish=2, bug=3.
 */
export const TYPES_TEMPLATE = join(testFixtures, 'homes', 'hyperdb-types');

export interface TrackerHandle {
  /** The current test's tracker. */
  readonly t: TestTracker;
  /** Opens a unit of work (admin, unchecked by default); it is closed after the test. */
  open(actor?: Actor, options?: { checked?: boolean }): Promise<Database>;
}

/**
 * Registers mocha hooks giving every test of the calling suite a new
 * tracker installed from `template` on `backend` (or, with `shared`, one
 * tracker for the whole suite, for tests that do not depend on each
 * other's data); PostgreSQL suites are skipped (with the reason) when no
 * server is reachable. Units of work opened through the handle are closed
 * after each test.
 */
export function useTracker(backend: BackendName, template: string = TYPES_TEMPLATE, options: { shared?: boolean } = {}): TrackerHandle {
  let current: TestTracker | null = null;
  const opened: Database[] = [];
  const install = async () => {
    current = await createTestTracker({ backend, template });
  };
  const remove = async () => {
    await current?.cleanup();
    current = null;
  };
  before(async function () {
    await skipWithoutBackend(this, backend);
    if (options.shared) await install();
  });
  if (!options.shared) beforeEach(install);
  afterEach(async () => {
    for (const db of opened.splice(0)) await db.close();
    if (!options.shared) await remove();
  });
  if (options.shared) after(remove);
  return {
    get t() {
      if (!current) throw new Error('no tracker: useTracker() hooks have not run');
      return current;
    },
    async open(actor = { username: 'admin' }, options = {}) {
      const db = await this.t.tracker.open(actor, { checked: options.checked ?? false });
      opened.push(db);
      return db;
    },
  };
}

/** Asserts that `promise` rejects with a RupError of `code` whose message is exactly `message` (or matches it). */
export async function rejectsWith(promise: Promise<unknown>, code: ErrorCode, message: string | RegExp): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(isRupError(err), `expected a RupError, got ${String(err)}`);
    assert.equal(err.code, code, `code of: ${err.message}`);
    if (typeof message === 'string') assert.equal(err.message, message);
    else assert.match(err.message, message);
    return true;
  });
}

/** Same as {@link rejectsWith} for a synchronous call. */
export function throwsWith(fn: () => unknown, code: ErrorCode, message: string | RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(isRupError(err), `expected a RupError, got ${String(err)}`);
    assert.equal(err.code, code, `code of: ${err.message}`);
    if (typeof message === 'string') assert.equal(err.message, message);
    else assert.match(err.message, message);
    return true;
  });
}

