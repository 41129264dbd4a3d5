/**
 * Data sets for the filter tests, built once per suite and backend.
 *
 * - `basicFixture`: Roundup's `filteringSetup` (test/db_test_base.py) on
 *   the schema of its hyperdb tests (test/fixtures/homes/filter-schema):
 *   users 3-5 (bleep, blop, blorp) with ages and flags, issues 1-4 with
 *   dates, intervals, statuses, priorities and nosy lists, plus four
 *   keywords set on the issues as its Multilink expression tests do.
 * - `transitiveFixture`: Roundup's `filteringSetupTransitiveSearch`: a
 *   supervisor hierarchy (users 3-10), one message per user (msg 1-8)
 *   and issues 1-8 assigned to and messaged by them.
 * - `classicFixture`: the classic template with users alice (User, time
 *   zone Europe/Warsaw) and bob (User), 60 issues, dated messages and
 *   saved queries, for permission, time zone and query count tests.
 *
 * Tests that change data do it in a unit of work they never commit
 * (`scratch`), so every test sees the data set as built.
 */
import { join } from 'node:path';
import { DateTime } from '../../lib/hyperdb/date.js';
import type { Database } from '../../lib/hyperdb/database.js';
import type { FilterOptions, FilterSpec } from '../../lib/hyperdb/filter-spec.js';
import { Interval } from '../../lib/hyperdb/interval.js';
import { fixtureHomes } from '../support/fixture-homes.js';
import { type BackendName, type TestTracker, createTestTracker } from '../support/trackers.js';

/** A tracker with its data set, and ways to query it. */
export interface FilterFixture {
  readonly backend: BackendName;
  readonly t: TestTracker;
  /** Opens a unit of work as the named user (unchecked unless asked). */
  open(username?: string, checked?: boolean): Promise<Database>;
  /** `filter` on a fresh unchecked admin unit of work, closed afterwards. */
  filter(classname: string, spec: FilterSpec, options?: FilterOptions, searchMatches?: Iterable<string> | null): Promise<string[]>;
  /** Runs `work` in a unit of work that is rolled back, whatever it changed. */
  scratch<T>(work: (db: Database) => Promise<T>, username?: string): Promise<T>;
  cleanup(): Promise<void>;
}

function fixture(backend: BackendName, t: TestTracker): FilterFixture {
  const open = (username = 'admin', checked = false) => t.tracker.open({ username }, { checked });
  const scratch = async <T>(work: (db: Database) => Promise<T>, username = 'admin'): Promise<T> => {
    const db = await open(username);
    try {
      return await work(db);
    } finally {
      await db.rollback();
      await db.close();
    }
  };
  return {
    backend,
    t,
    open,
    scratch,
    filter: (classname, spec, options = {}, searchMatches = null) =>
      scratch((db) => db.getclass(classname).filter(searchMatches, spec, options)),
    cleanup: () => t.cleanup(),
  };
}

/** Roundup's filteringSetup plus the keywords of its Multilink expression tests. */
export async function basicFixture(backend: BackendName): Promise<FilterFixture> {
  const t = await createTestTracker({ template: join(fixtureHomes, 'filter-schema'), backend });
  const db = await t.tracker.open({ username: 'admin' }, { checked: false });
  try {
    await db.getclass('user').create({ username: 'bleep', age: 1, assignable: true, rating: 5 });
    await db.getclass('user').create({ username: 'blop', age: 1.5, assignable: true, rating: -2 });
    await db.getclass('user').create({ username: 'blorp', age: 2, assignable: false, rating: 5 });
    const f = await db.getclass('file').create({ content: Buffer.from(Array.from({ length: 255 }, (_, i) => i)) });
    await db.getclass('issue').create({
      title: 'issue one', status: '2', assignedto: '1', foo: Interval.parse('1:10'), priority: '3',
      deadline: DateTime.parse('2003-02-16.22:50'),
    });
    await db.getclass('issue').create({
      title: 'issue two', status: '1', assignedto: '2', foo: Interval.parse('1d'), priority: '3',
      deadline: DateTime.parse('2003-01-01.00:00'),
    });
    await db.getclass('issue').create({ title: 'issue three', status: '1', priority: '2', nosy: ['1', '2'], deadline: DateTime.parse('2003-02-18') });
    await db.getclass('issue').create({
      title: 'non four', status: '3', foo: Interval.parse('0:10'), priority: '2', nosy: ['1', '2', '3'],
      deadline: DateTime.parse('2004-03-08'), files: [f],
    });
    for (const [n, order] of [[1, 10], [2, 20], [3, 30], [4, 40]] as const) await db.getclass('keyword').create({ name: `Key${n}`, order });
    const keywords: Array<[string[], string[]]> = [
      [['1', '2'], ['3', '4']],
      [['1', '3'], ['2', '3']],
      [['2', '3', '4'], ['1', '3', '4']],
      [['1', '2', '4'], []],
    ];
    for (const [i, [kw, kw2]] of keywords.entries()) await db.getclass('issue').set(String(i + 1), { keywords: kw, keywords2: kw2 });
    await db.commit();
  } finally {
    await db.close();
  }
  return fixture(backend, t);
}

/** Roundup's filteringSetupTransitiveSearch. */
export async function transitiveFixture(backend: BackendName): Promise<FilterFixture> {
  const t = await createTestTracker({ template: join(fixtureHomes, 'filter-schema'), backend });
  const db = await t.tracker.open({ username: 'admin' }, { checked: false });
  try {
    const users: Array<Record<string, unknown>> = [
      { username: 'ceo', age: 129 },
      { username: 'grouplead1', age: 29, supervisor: '3' },
      { username: 'grouplead2', age: 29, supervisor: '3' },
      { username: 'worker1', age: 25, supervisor: '4' },
      { username: 'worker2', age: 24, supervisor: '4' },
      { username: 'worker3', age: 23, supervisor: '5' },
      { username: 'worker4', age: 22, supervisor: '5' },
      { username: 'worker5', age: 21, supervisor: '5' },
    ];
    // One message per user, dated 2006-01-30 for the ceo down to 2006-01-23 for worker5.
    const msgOf = new Map<string, string>();
    let day = 30;
    for (const user of users) {
      const uid = await db.getclass('user').create(user);
      msgOf.set(uid, await db.getclass('msg').create({ author: uid, content: ' ', date: DateTime.parse(`2006-01-${day}`) }));
      day -= 1;
    }
    const m = (uid: string) => msgOf.get(uid)!;
    const issues: Array<Record<string, unknown>> = [
      { title: 'ts1', status: '2', assignedto: '6', priority: '3', messages: [m('6')], nosy: ['4'] },
      { title: 'ts2', status: '1', assignedto: '6', priority: '3', messages: [m('6')], nosy: ['5'] },
      { title: 'ts4', status: '2', assignedto: '7', priority: '3', messages: [m('7')] },
      { title: 'ts5', status: '1', assignedto: '8', priority: '3', messages: [m('8')] },
      { title: 'ts6', status: '2', assignedto: '9', priority: '3', messages: [m('9')] },
      { title: 'ts7', status: '1', assignedto: '10', priority: '3', messages: [m('10')] },
      { title: 'ts8', status: '2', assignedto: '10', priority: '3', messages: [m('10')], foo: Interval.parse('-1d') },
      { title: 'ts9', status: '1', assignedto: '10', priority: '3', messages: [m('10'), m('9')] },
    ];
    for (const issue of issues) await db.getclass('issue').create(issue);
    await db.commit();
  } finally {
    await db.close();
  }
  return fixture(backend, t);
}

/** Number of issues in the classic fixture. */
export const CLASSIC_ISSUES = 60;

/**
 * The classic template with users 3 alice (User, Europe/Warsaw) and 4 bob
 * (User); issues 1-60 titled `issue NN` assigned in turn to alice, bob
 * and nobody; messages 1 and 2 dated 2003-02-16.22:50 and 23:30 (UTC);
 * queries 1-5: 1 and 4 private to alice, 2 private to bob, 3 and 5 public.
 */
export async function classicFixture(backend: BackendName): Promise<FilterFixture> {
  const t = await createTestTracker({ template: 'classic', backend });
  const db = await t.tracker.open({ username: 'admin' }, { checked: false });
  try {
    const alice = await db.getclass('user').create({ username: 'alice', roles: 'User', address: 'zoe@example.com', timezone: 'Europe/Warsaw' });
    const bob = await db.getclass('user').create({ username: 'bob', roles: 'User', address: 'abe@example.com' });
    await db.getclass('msg').create({ content: 'first', author: alice, date: DateTime.parse('2003-02-16.22:50') });
    await db.getclass('msg').create({ content: 'second', author: bob, date: DateTime.parse('2003-02-16.23:30') });
    const assignees = [alice, bob, null];
    for (let i = 1; i <= CLASSIC_ISSUES; i++) {
      await db.getclass('issue').create({ title: `issue ${String(i).padStart(2, '0')}`, assignedto: assignees[i % 3], priority: String((i % 5) + 1) });
    }
    for (const [name, privateFor] of [['alice 1', alice], ['bob', bob], ['public 1', null], ['alice 2', alice], ['public 2', null]] as const) {
      await db.getclass('query').create({ klass: 'issue', name, url: '@sort=id', private_for: privateFor });
    }
    await db.commit();
  } finally {
    await db.close();
  }
  return fixture(backend, t);
}
