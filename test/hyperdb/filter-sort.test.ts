/**
 * Roundup's filter ordering and result windows: sort and group keys,
 * Links sorted by their target's order property, Multilinks compared as
 * sorted lists, transitive keys, None-first ordering, retired items,
 * limit/offset paging and search_matches restrictions. Ported from
 * Roundup's testFiltering*Sort*, testFilteringRetired* and
 * testFilteringTransitiveLinkSort* tests.
 */
import assert from 'node:assert/strict';
import type { FilterOptions, SortSpec } from '../../lib/hyperdb/filter-spec.js';
import { type FilterFixture, basicFixture, transitiveFixture } from './filter-fixtures.js';
import { skipWithoutBackend } from '../support/trackers.js';

type Key = readonly [string | null, string];

for (const backend of ['sqlite', 'postgresql'] as const) {
  describe(`hyperdb filter: sorting, retired items and paging (${backend})`, function () {
    // Basic issues: 1 'issue one' in-progress bug(order '1') assignedto admin, nosy []
    //               2 'issue two' unread bug assignedto fred, nosy []
    //               3 'issue three' unread wish(order '3'), nosy [admin, fred]
    //               4 'non four' testing wish, nosy [admin, fred, bleep]
    let basic: FilterFixture;
    let trans: FilterFixture;
    /** Roundup's filt(None, {}, sort, group). */
    const sorted = (fx: FilterFixture, cn: string, sort: Key | Key[], group?: Key, spec = {}) =>
      fx.filter(cn, spec, { sort: sort as SortSpec, group: group as SortSpec | undefined });

    before(async function () {
      await skipWithoutBackend(this, backend);
      basic = await basicFixture(backend);
      trans = await transitiveFixture(backend);
    });

    after(async () => {
      await basic?.cleanup();
      await trans?.cleanup();
    });

    describe('sort and group keys', () => {
      it('sort Strings without regard to case', async () => {
        assert.deepEqual(await sorted(basic, 'issue', ['+', 'title']), ['1', '3', '2', '4']);
        assert.deepEqual(await sorted(basic, 'issue', ['-', 'title']), ['4', '2', '3', '1']);
        await basic.scratch(async (db) => {
          const f = (dir: string) => db.getclass('issue').filter(null, {}, { sort: [dir, 'title'] });
          await db.getclass('issue').set('3', { title: 'Issue three' });
          assert.deepEqual(await f('+'), ['1', '3', '2', '4']);
          assert.deepEqual(await f('-'), ['4', '2', '3', '1']);
          await db.getclass('issue').set('1', { title: '1st issue' });
          await db.getclass('issue').set('2', { title: '2' });
          assert.deepEqual(await f('+'), ['1', '2', '3', '4']);
          assert.deepEqual(await f('-'), ['4', '3', '2', '1']);
        });
      });

      it('sort Intervals by length and Dates by time, unset values first ascending and last descending', async () => {
        assert.deepEqual(await sorted(basic, 'issue', ['+', 'foo']), ['3', '4', '1', '2']);
        assert.deepEqual(await sorted(basic, 'issue', ['-', 'foo']), ['2', '1', '4', '3']);
        assert.deepEqual(await sorted(basic, 'issue', ['+', 'deadline']), ['2', '1', '3', '4']);
        assert.deepEqual(await sorted(basic, 'issue', ['-', 'deadline']), ['4', '3', '1', '2']);
        assert.deepEqual(await sorted(basic, 'user', ['+', 'age']), ['1', '2', '3', '4', '5']);
        assert.deepEqual(await sorted(basic, 'user', ['-', 'age']), ['5', '4', '3', '1', '2']);
        assert.deepEqual(await sorted(basic, 'user', ['-', 'assignable']), ['3', '4', '5', '1', '2']);
      });

      it('sort Links by the order property of the target class, not by its name or id', async () => {
        await basic.scratch(async (db) => {
          // feature (id 1) sorts after bug (order '1') and wish (order '3') once its order is '9'.
          await db.getclass('priority').set('1', { order: '9' });
          await db.getclass('issue').set('2', { priority: '1' });
          assert.deepEqual(await db.getclass('issue').filter(null, {}, { sort: ['+', 'priority'] }), ['1', '3', '4', '2']);
          assert.deepEqual(await db.getclass('issue').filter(null, {}, { sort: ['-', 'priority'] }), ['2', '3', '4', '1']);
        });
      });

      it('sort user Links by username and classes without an order property by their label', async () => {
        assert.deepEqual(await sorted(basic, 'issue', ['+', 'assignedto']), ['3', '4', '1', '2']);
        assert.deepEqual(await sorted(basic, 'issue', ['-', 'assignedto']), ['2', '1', '3', '4']);
        assert.deepEqual(await sorted(basic, 'issue', ['+', 'status']), ['1', '4', '2', '3']);
        assert.deepEqual(await sorted(basic, 'issue', ['-', 'status']), ['2', '3', '4', '1']);
      });

      it('sort by group keys first, then sort keys, then id', async () => {
        assert.deepEqual(await sorted(basic, 'issue', ['+', 'status'], ['+', 'priority']), ['1', '2', '4', '3']);
        assert.deepEqual(await sorted(basic, 'issue', ['+', 'status'], ['+', 'priority'], { priority: '2' }), ['4', '3']);
        assert.deepEqual(await sorted(basic, 'issue', ['+', 'status'], ['+', 'priority'], { 'priority.order': '3' }), ['4', '3']);
        assert.deepEqual(await sorted(basic, 'issue', ['+', 'priority'], ['+', 'status'], { priority: ['2', '3'] }), ['1', '4', '2', '3']);
        assert.deepEqual(await sorted(basic, 'issue', ['+', 'priority'], ['+', 'status']), ['1', '4', '2', '3']);
        assert.deepEqual(await sorted(basic, 'issue', ['+', 'deadline'], ['+', 'priority']), ['2', '1', '3', '4']);
        assert.deepEqual(await sorted(basic, 'issue', ['-', 'deadline'], ['+', 'priority']), ['1', '2', '4', '3']);
        assert.deepEqual(await sorted(basic, 'issue', ['+', 'deadline'], ['-', 'priority']), ['3', '4', '2', '1']);
        assert.deepEqual(await sorted(basic, 'issue', ['-', 'deadline'], ['-', 'priority']), ['4', '3', '1', '2']);
      });

      it('take lists of keys, count a property once (its first mention) and read a null direction as +', async () => {
        assert.deepEqual(await sorted(basic, 'issue', [['+', 'status'], ['-', 'title']]), ['1', '4', '2', '3']);
        assert.deepEqual(await sorted(basic, 'issue', [['+', 'status'], ['+', 'title']]), ['1', '4', '3', '2']);
        assert.deepEqual(await sorted(basic, 'issue', [['+', 'status'], ['-', 'status']]), ['1', '4', '2', '3']);
        assert.deepEqual(await sorted(basic, 'issue', ['+', 'status'], ['-', 'status']), ['2', '3', '4', '1']);
        assert.deepEqual(await sorted(basic, 'issue', [null, 'status']), ['1', '4', '2', '3']);
        assert.deepEqual(await basic.filter('issue', {}, { sort: [] }), ['1', '2', '3', '4']);
      });

      it('break ties by id ascending unless id is itself a key', async () => {
        assert.deepEqual(await sorted(basic, 'issue', ['+', 'priority']), ['1', '2', '3', '4']);
        assert.deepEqual(await sorted(basic, 'issue', ['-', 'priority']), ['3', '4', '1', '2']);
        assert.deepEqual(await sorted(basic, 'issue', ['-', 'id']), ['4', '3', '2', '1']);
        assert.deepEqual(await sorted(basic, 'issue', ['-', 'id'], ['+', 'priority']), ['2', '1', '4', '3']);
        assert.deepEqual(await sorted(trans, 'user', ['+', 'id']), ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
      });
    });

    describe('transitive sort keys', () => {
      const supervisorChain = (dirs: string): Key[] => [
        ['+', 'supervisor.supervisor.supervisor'],
        [dirs[0]!, 'supervisor.supervisor'],
        [dirs[1]!, 'supervisor'],
        ['+', 'username'],
      ];
      const assigneeChain = (dir: string, ...more: Key[]): Key[] => [
        ['+', 'assignedto.supervisor.supervisor.supervisor'],
        ['+', 'assignedto.supervisor.supervisor'],
        [dir, 'assignedto.supervisor'],
        ['+', 'assignedto'],
        ...more,
      ];

      it('sort through chains of Links, unset values first ascending and last descending', async () => {
        assert.deepEqual(await sorted(trans, 'user', supervisorChain('++')), ['1', '3', '2', '4', '5', '6', '7', '8', '9', '10']);
        assert.deepEqual(await sorted(trans, 'user', supervisorChain('--')), ['8', '9', '10', '6', '7', '4', '5', '1', '3', '2']);
        assert.deepEqual(await sorted(trans, 'issue', assigneeChain('+')), ['1', '2', '3', '4', '5', '6', '7', '8']);
        assert.deepEqual(await sorted(trans, 'issue', assigneeChain('-')), ['4', '5', '6', '7', '8', '1', '2', '3']);
      });

      it('sort through chains of Links ending on a supervisor who supervises himself', async () => {
        await trans.scratch(async (db) => {
          for (const id of ['1', '2', '3']) await db.getclass('user').set(id, { supervisor: '3' });
          const f = (cn: string, sort: Key[], spec = {}) => db.getclass(cn).filter(null, spec, { sort: sort as SortSpec });
          assert.deepEqual(await f('user', [], { supervisor: '3' }), ['1', '2', '3', '4', '5']);
          assert.deepEqual(await f('user', supervisorChain('++')), ['1', '3', '2', '4', '5', '6', '7', '8', '9', '10']);
          assert.deepEqual(await f('user', supervisorChain('--')), ['8', '9', '10', '6', '7', '1', '3', '2', '4', '5']);
          assert.deepEqual(await f('issue', assigneeChain('+')), ['1', '2', '3', '4', '5', '6', '7', '8']);
          assert.deepEqual(await f('issue', assigneeChain('-')), ['4', '5', '6', '7', '8', '1', '2', '3']);
          assert.deepEqual(await f('issue', assigneeChain('+', ['-', 'status'])), ['2', '1', '3', '4', '5', '6', '8', '7']);
          assert.deepEqual(await f('issue', assigneeChain('+', ['+', 'status'])), ['1', '2', '3', '4', '5', '7', '6', '8']);
          assert.deepEqual(await f('issue', assigneeChain('-', ['+', 'status'])), ['4', '5', '7', '6', '8', '1', '2', '3']);
          const chain = assigneeChain('-', ['+', 'status']);
          assert.deepEqual(await f('issue', chain, { assignedto: ['6', '7', '8', '9', '10'] }), ['4', '5', '7', '6', '8', '1', '2', '3']);
          assert.deepEqual(await f('issue', chain, { assignedto: ['6', '7', '8', '9'] }), ['4', '5', '1', '2', '3']);
        });
      });
    });

    describe('Multilink sort keys', () => {
      it('compare Multilinks as lists of their items, each list sorted in the key direction', async () => {
        // +: [] [] [admin, bleep, fred] [admin, fred]; -: [fred, bleep, admin] [fred, admin] [] []
        assert.deepEqual(await sorted(basic, 'issue', ['+', 'nosy']), ['1', '2', '4', '3']);
        assert.deepEqual(await sorted(basic, 'issue', ['-', 'nosy']), ['4', '3', '1', '2']);
      });

      it('combine Multilink keys with group keys in either role', async () => {
        assert.deepEqual(await sorted(basic, 'issue', ['+', 'nosy'], ['+', 'status']), ['1', '4', '2', '3']);
        assert.deepEqual(await sorted(basic, 'issue', ['-', 'nosy'], ['+', 'status']), ['1', '4', '3', '2']);
        assert.deepEqual(await sorted(basic, 'issue', ['+', 'nosy'], ['-', 'status']), ['2', '3', '4', '1']);
        assert.deepEqual(await sorted(basic, 'issue', ['-', 'nosy'], ['-', 'status']), ['3', '2', '4', '1']);
        assert.deepEqual(await sorted(basic, 'issue', ['+', 'status'], ['+', 'nosy']), ['1', '2', '4', '3']);
        assert.deepEqual(await sorted(basic, 'issue', ['-', 'status'], ['+', 'nosy']), ['2', '1', '4', '3']);
        assert.deepEqual(await sorted(basic, 'issue', ['+', 'status'], ['-', 'nosy']), ['4', '3', '1', '2']);
        assert.deepEqual(await sorted(basic, 'issue', ['-', 'status'], ['-', 'nosy']), ['4', '3', '2', '1']);
      });

      it('sort by properties reached through a Multilink (messages.author, messages.date)', async () => {
        const f = (...keys: Key[]) => sorted(trans, 'issue', keys);
        assert.deepEqual(await f(['+', 'messages.author']), ['1', '2', '3', '4', '5', '8', '6', '7']);
        assert.deepEqual(await f(['-', 'messages.author']), ['8', '6', '7', '5', '4', '3', '1', '2']);
        assert.deepEqual(await f(['+', 'messages.date']), ['6', '7', '8', '5', '4', '3', '1', '2']);
        assert.deepEqual(await f(['-', 'messages.date']), ['1', '2', '3', '4', '8', '5', '6', '7']);
        assert.deepEqual(await f(['+', 'messages.author'], ['+', 'messages.date']), ['1', '2', '3', '4', '5', '8', '6', '7']);
        assert.deepEqual(await f(['-', 'messages.author'], ['+', 'messages.date']), ['8', '6', '7', '5', '4', '3', '1', '2']);
        assert.deepEqual(await f(['+', 'messages.author'], ['-', 'messages.date']), ['1', '2', '3', '4', '5', '8', '6', '7']);
        assert.deepEqual(await f(['-', 'messages.author'], ['-', 'messages.date']), ['8', '6', '7', '5', '4', '3', '1', '2']);
        assert.deepEqual(await f(['+', 'messages.author'], ['+', 'assignedto']), ['1', '2', '3', '4', '5', '8', '6', '7']);
        assert.deepEqual(await f(['+', 'messages.author'], ['-', 'assignedto.supervisor'], ['-', 'assignedto']), ['1', '2', '3', '4', '5', '8', '6', '7']);
        assert.deepEqual(
          await f(
            ['+', 'messages.author.supervisor.supervisor.supervisor'],
            ['+', 'messages.author.supervisor.supervisor'],
            ['+', 'messages.author.supervisor'],
            ['+', 'messages.author'],
          ),
          ['1', '2', '3', '4', '5', '6', '7', '8'],
        );
      });
    });

    describe('retired items', () => {
      it('are left out by default; retired: true gives only them and null both kinds', async () => {
        await basic.scratch(async (db) => {
          await db.getclass('issue').retire('1');
          const expected = new Map<boolean | null, string[][]>([
            [null, [['1'], ['1'], ['1'], ['1', '2', '3'], []]],
            [true, [['1'], ['1'], ['1'], ['1'], []]],
            [false, [[], [], [], ['2', '3'], []]],
          ]);
          const titles = [['one'], ['issue one'], ['issue', 'one'], ['issue'], ['one', 'two']];
          for (const [retired, results] of expected) {
            for (const [i, title] of titles.entries()) {
              const found = await db.getclass('issue').filter(null, { title }, { sort: ['+', 'id'], retired });
              assert.deepEqual(found, results[i], `${String(retired)} ${title.join(' ')}`);
            }
          }
          assert.deepEqual(await db.getclass('issue').filter(null, {}), ['2', '3', '4']);
          assert.deepEqual(await db.getclass('issue').filter(null, {}, { sort: ['-', 'nosy'], retired: null }), ['4', '3', '1', '2']);
          assert.deepEqual(await db.getclass('issue').filter(null, {}, { sort: ['-', 'nosy'], retired: true }), ['1']);
        });
      });

      it('are left out of Link searches by default', async () => {
        await basic.scratch(async (db) => {
          await db.getclass('issue').retire('2');
          assert.deepEqual(await db.getclass('issue').filter(null, { status: '1' }, { sort: ['+', 'id'] }), ['3']);
        });
      });
    });

    describe('paging', () => {
      it('returns limit/offset windows of the full sorted list, whether sorted in SQL or in process', async () => {
        const cases: Array<[FilterFixture, string, FilterOptions]> = [
          [basic, 'issue', { sort: ['+', 'id'] }],
          [basic, 'issue', { sort: [['+', 'priority'], ['-', 'title']] }],
          [basic, 'issue', { sort: ['-', 'nosy'], group: ['+', 'status'] }],
          [trans, 'issue', { sort: ['-', 'messages.date'] }],
          [trans, 'user', { sort: [['-', 'supervisor'], ['+', 'username']] }],
        ];
        for (const [fx, cn, options] of cases) {
          const full = await fx.filter(cn, {}, options);
          const what = `${cn} ${JSON.stringify(options)}`;
          for (let offset = 0; offset <= full.length + 1; offset++) {
            for (const limit of [0, 1, 2, 3, 100]) {
              assert.deepEqual(await fx.filter(cn, {}, { ...options, limit, offset }), full.slice(offset, offset + limit), `${what} limit ${limit} offset ${offset}`);
            }
            assert.deepEqual(await fx.filter(cn, {}, { ...options, offset }), full.slice(offset), `${what} offset ${offset}`);
          }
          assert.deepEqual(await fx.filter(cn, {}, { ...options, limit: 2 }), full.slice(0, 2), `${what} limit 2`);
        }
      });
    });

    describe('search matches', () => {
      it('restrict the result to the ids given; an empty set gives nothing', async () => {
        assert.deepEqual(await basic.filter('issue', {}, {}, ['3', '1']), ['1', '3']);
        assert.deepEqual(await basic.filter('issue', { status: '1' }, {}, new Set(['1', '3'])), ['3']);
        assert.deepEqual(await basic.filter('issue', {}, {}, ['2', '4', '999']), ['2', '4']);
        assert.deepEqual(await basic.filter('issue', {}, { sort: ['+', 'nosy'] }, ['3', '4']), ['4', '3']);
        assert.deepEqual(await basic.filter('issue', {}, {}, []), []);
        assert.deepEqual(await basic.filter('issue', {}, {}, new Set()), []);
        assert.deepEqual(await basic.filter('issue', {}, {}, null), ['1', '2', '3', '4']);
      });

      it('restrict the result to long lists of ids (more than 50)', async () => {
        await basic.scratch(async (db) => {
          const created: string[] = [];
          for (let i = 0; i < 60; i++) created.push(await db.getclass('issue').create({ title: `bulk ${i}` }));
          const matches = ['1', ...created.slice(0, 55)];
          const issue = db.getclass('issue');
          assert.deepEqual(await issue.filter(matches, { title: 'bulk' }), created.slice(0, 55));
          assert.deepEqual(await issue.filter(matches, {}), ['1', ...created.slice(0, 55)]);
          assert.deepEqual(await issue.filter(matches, {}, { sort: ['-', 'id'], limit: 3, offset: 1 }), created.slice(51, 54).reverse());
          assert.deepEqual(await issue.filter(matches, {}, { sort: ['+', 'nosy'], limit: 2 }), ['1', created[0]]);
          await issue.retire(created[0]!);
          assert.deepEqual((await issue.filter(matches, { title: 'bulk' })).length, 54);
          assert.deepEqual((await issue.filter(matches, { title: 'bulk' }, { retired: null })).length, 55);
        });
      });
    });
  });
}
