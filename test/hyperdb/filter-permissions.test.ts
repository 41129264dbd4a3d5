/**
 * Filtering on a checked database (Roundup's filter_with_permissions) with
 * the classic template's roles, and the cost of loading a page of results:
 * a constant number of SQL statements whatever the page size.
 */
import assert from 'node:assert/strict';
import type { FilterOptions, FilterSpec } from '../../lib/hyperdb/filter-spec.js';
import { CLASSIC_ISSUES, type FilterFixture, classicFixture } from './filter-fixtures.js';
import { skipWithoutBackend } from '../support/trackers.js';

/** Ids from..to (inclusive) in steps, as strings. */
function ids(from: number, to: number, step = 1): string[] {
  const out: string[] = [];
  for (let i = from; i <= to; i += step) out.push(String(i));
  return out;
}

for (const backend of ['sqlite', 'postgresql'] as const) {
  describe(`hyperdb filter: permissions and query count (${backend})`, function () {
    // Users: 1 admin, 2 anonymous, 3 alice (zoe@example.com), 4 bob (abe@example.com), both role User.
    // Issues 1-60: assigned to bob (1, 4, ...), nobody (2, 5, ...) and alice (3, 6, ...).
    // Queries: 1 and 4 private to alice, 2 private to bob, 3 and 5 public.
    let classic: FilterFixture;
    const aliceIssues = ids(3, CLASSIC_ISSUES, 3);
    const asUser = async (username: string, cn: string, spec: FilterSpec, options: FilterOptions = {}, matches: string[] | null = null) => {
      const db = await classic.open(username, true);
      try {
        return await db.getclass(cn).filter(matches, spec, options);
      } finally {
        await db.close();
      }
    };

    before(async function () {
      await skipWithoutBackend(this, backend);
      classic = await classicFixture(backend);
    });

    after(async () => {
      await classic?.cleanup();
    });

    describe('on a checked database', () => {
      it('ignore filter properties the user may not search', async () => {
        const spec = { 'assignedto.address': 'zoe' };
        assert.deepEqual(await asUser('admin', 'issue', spec), aliceIssues);
        // The classic User role may view only some user properties (not address); Anonymous may search users.
        assert.deepEqual(await asUser('bob', 'issue', spec), ids(1, CLASSIC_ISSUES));
        assert.deepEqual(await asUser('anonymous', 'issue', spec), aliceIssues);
        assert.deepEqual(await asUser('bob', 'issue', { 'assignedto.username': 'alice' }), aliceIssues);
        assert.deepEqual(await asUser('bob', 'issue', {}, { exactMatchSpec: { 'assignedto.address': 'zoe@example.com' } }), ids(1, CLASSIC_ISSUES));
        assert.deepEqual(await asUser('admin', 'issue', {}, { exactMatchSpec: { 'assignedto.address': 'zoe@example.com' } }), aliceIssues);
      });

      it('ignore sort and group keys the user may not search', async () => {
        const byAddress: FilterOptions = { sort: [['+', 'assignedto.address'], ['-', 'id']], limit: 4 };
        // Unassigned first, then abe@ (bob's issues), then zoe@ (alice's).
        assert.deepEqual(await asUser('admin', 'issue', {}, byAddress), ['59', '56', '53', '50']);
        assert.deepEqual(await asUser('bob', 'issue', {}, byAddress), ['60', '59', '58', '57']);
        assert.deepEqual(await asUser('bob', 'issue', {}, { group: ['+', 'assignedto.address'], sort: ['+', 'id'], limit: 3 }), ['1', '2', '3']);
        assert.deepEqual(await asUser('bob', 'issue', {}, { sort: [['+', 'assignedto'], ['-', 'id']], limit: 2 }), ['59', '56']);
      });

      it('leave out items the user may not view, such as private queries of other users', async () => {
        assert.deepEqual(await asUser('admin', 'query', {}), ['1', '2', '3', '4', '5']);
        assert.deepEqual(await asUser('bob', 'query', {}), ['2', '3', '5']);
        assert.deepEqual(await asUser('alice', 'query', {}), ['1', '3', '4', '5']);
        assert.deepEqual(await asUser('anonymous', 'query', {}), []);
        assert.deepEqual(await asUser('bob', 'query', { name: 'alice' }), []);
        assert.deepEqual(await asUser('alice', 'query', { name: 'alice' }), ['1', '4']);
        assert.deepEqual(await asUser('bob', 'query', { private_for: '-1' }), ['3', '5']);
        assert.deepEqual(await asUser('bob', 'query', { private_for: '3' }), []);
        assert.deepEqual(await asUser('bob', 'query', {}, {}, ['1', '2', '3']), ['2', '3']);
        assert.deepEqual(await asUser('anonymous', 'user', {}), []);
      });

      it('page after leaving out the items the user may not view', async () => {
        assert.deepEqual(await asUser('bob', 'query', {}, { limit: 2 }), ['2', '3']);
        assert.deepEqual(await asUser('bob', 'query', {}, { limit: 2, offset: 2 }), ['5']);
        assert.deepEqual(await asUser('bob', 'query', {}, { offset: 1 }), ['3', '5']);
        assert.deepEqual(await asUser('bob', 'query', {}, { limit: 1, offset: 3 }), []);
        assert.deepEqual(await asUser('bob', 'query', {}, { sort: ['-', 'id'], limit: 2 }), ['5', '3']);
        assert.deepEqual(await asUser('alice', 'query', {}, { sort: ['-', 'name'], limit: 2, offset: 1 }), ['3', '4']);
      });
    });

    describe('query count', () => {
      /** SQL statements sent to load one page: the filter and the items of its ids. */
      const pageCost = async (username: string, checked: boolean, options: FilterOptions): Promise<number> => {
        const db = await classic.open(username, checked);
        try {
          // The user's roles and time zone are read once per unit of work; read them before counting.
          await db.getUserRoles();
          await db.getUserTimezone();
          const backendOf = classic.t.tracker.storage.backend;
          const before = backendOf.statements;
          const page = await db.getclass('issue').filter(null, {}, options);
          const items = await db.getclass('issue').getMany(page);
          const cost = backendOf.statements - before;
          assert.equal(items.size, options.limit);
          assert.deepEqual([...items.keys()].sort(), [...page].sort());
          return cost;
        } finally {
          await db.close();
        }
      };

      for (const [username, checked] of [['admin', false], ['bob', true], ['anonymous', true]] as const) {
        it(`is the same for 50 rows as for 5 (${username}, ${checked ? 'checked' : 'unchecked'})`, async () => {
          const sorts: FilterOptions[] = [
            { sort: ['+', 'id'] },
            { sort: [['+', 'priority'], ['-', 'assignedto']], group: ['+', 'status'] },
            { sort: ['-', 'nosy'] },
          ];
          for (const options of sorts) {
            const five = await pageCost(username, checked, { ...options, limit: 5 });
            const fifty = await pageCost(username, checked, { ...options, limit: 50, offset: 5 });
            assert.equal(fifty, five, JSON.stringify(options));
          }
        });
      }
    });
  });
}
