/**
 * Roundup's filter semantics for String, Link, Multilink, id, Number,
 * Integer and Boolean properties and for transitive property paths: the
 * testFilteringXxx cases of Roundup's test/db_test_base.py, ported to the
 * async API and run on every backend.
 */
import assert from 'node:assert/strict';
import type { FilterSpec, FilterValue } from '../../lib/hyperdb/filter-spec.js';
import { type FilterFixture, basicFixture, transitiveFixture } from './filter-fixtures.js';
import { skipWithoutBackend } from '../support/trackers.js';

for (const backend of ['sqlite', 'postgresql'] as const) {
  describe(`hyperdb filter: strings, links and values (${backend})`, function () {
    let basic: FilterFixture;
    let trans: FilterFixture;

    before(async function () {
      await skipWithoutBackend(this, backend);
      basic = await basicFixture(backend);
      trans = await transitiveFixture(backend);
    });

    after(async () => {
      await basic?.cleanup();
      await trans?.cleanup();
    });

    describe('String properties', () => {
      it('match case-insensitive substrings, every value of a list having to match', async () => {
        const f = (title: string | string[]) => basic.filter('issue', { title });
        assert.deepEqual(await f(['one']), ['1']);
        assert.deepEqual(await f(['issue one']), ['1']);
        assert.deepEqual(await f(['issue', 'one']), ['1']);
        assert.deepEqual(await f(['issue']), ['1', '2', '3']);
        assert.deepEqual(await f(['one', 'two']), []);
        assert.deepEqual(await f(['One']), ['1']);
        assert.deepEqual(await f(['Issue One']), ['1']);
        assert.deepEqual(await f(['ISSUE', 'ONE']), ['1']);
        assert.deepEqual(await f('iSSUE'), ['1', '2', '3']);
        assert.deepEqual(await f(['One', 'Two']), []);
      });

      it('match the whole value case-sensitively in an exact match spec, ANDed with substring searches', async () => {
        await basic.scratch(async (db) => {
          // Issue 2 becomes 'issue', which the substring 'issue' also finds in 1 and 3.
          await db.getclass('issue').set('2', { title: 'issue' });
          const exact = (title: string | string[], spec: Record<string, string> = {}) => db.getclass('issue').filter(null, spec, { exactMatchSpec: { title } });
          assert.deepEqual(await exact(['one']), []);
          assert.deepEqual(await exact(['issue one']), ['1']);
          assert.deepEqual(await exact(['issue', 'one']), []);
          assert.deepEqual(await exact(['issue']), ['2']);
          assert.deepEqual(await exact(['one', 'two']), []);
          assert.deepEqual(await exact(['One']), []);
          assert.deepEqual(await exact(['Issue One']), []);
          assert.deepEqual(await exact(['ISSUE', 'ONE']), []);
          assert.deepEqual(await exact(['iSSUE']), []);
          assert.deepEqual(await exact('non four'), ['4']);
          assert.deepEqual(await exact(['issue'], { title: 'iSSUE' }), ['2']);
        });
      });

      it('match the LIKE wildcards %, _ and \\ and quotes in a value literally', async () => {
        await basic.scratch(async (db) => {
          await db.getclass('issue').set('1', { title: 'With % symbol' });
          await db.getclass('issue').set('2', { title: 'With _ symbol' });
          await db.getclass('issue').set('3', { title: 'With \\ symbol' });
          await db.getclass('issue').set('4', { title: "With ' symbol" });
          const f = (title: string) => db.getclass('issue').filter(null, { title });
          assert.deepEqual(await f('%'), ['1']);
          assert.deepEqual(await f('_'), ['2']);
          assert.deepEqual(await f('\\'), ['3']);
          assert.deepEqual(await f("'"), ['4']);
          assert.deepEqual(await f('h % s'), ['1']);
          assert.deepEqual(await f('With%symbol'), []);
          assert.deepEqual(await f('With_symbol'), []);
          assert.deepEqual(await db.getclass('issue').filter(null, {}, { exactMatchSpec: { title: 'With _ symbol' } }), ['2']);
          assert.deepEqual(await db.getclass('issue').filter(null, {}, { exactMatchSpec: { title: 'With _ symbo%' } }), []);
        });
      });

      it('match non-ASCII text, folding the case of ASCII letters within it', async () => {
        await basic.scratch(async (db) => {
          await db.getclass('issue').set('1', { title: 'Straße über Ärger €5' });
          await db.getclass('issue').set('2', { title: 'Strasse' });
          const f = (title: string) => db.getclass('issue').filter(null, { title });
          assert.deepEqual(await f('über'), ['1']);
          assert.deepEqual(await f('ße ü'), ['1']);
          assert.deepEqual(await f('Ärger €'), ['1']);
          assert.deepEqual(await f('STRAßE'), ['1']);
          assert.deepEqual(await f('strasse'), ['2']);
          assert.deepEqual(await db.getclass('issue').filter(null, {}, { exactMatchSpec: { title: 'Straße über Ärger €5' } }), ['1']);
          assert.deepEqual(await db.getclass('issue').filter(null, {}, { exactMatchSpec: { title: 'straße über ärger €5' } }), []);
        });
      });

      it('fold the case of non-ASCII letters (PostgreSQL ILIKE; SQLite LIKE folds ASCII only)', async function () {
        if (backend === 'sqlite') this.skip();
        await basic.scratch(async (db) => {
          await db.getclass('issue').set('1', { title: 'Straße über Ärger' });
          assert.deepEqual(await db.getclass('issue').filter(null, { title: 'ÜBER ärger' }), ['1']);
        });
      });
    });

    describe('Link properties', () => {
      it('match any of the ids given, and -1 or null an empty Link', async () => {
        const f = (spec: FilterSpec) => basic.filter('issue', spec, { sort: ['+', 'id'] });
        assert.deepEqual(await f({ status: '1' }), ['2', '3']);
        assert.deepEqual(await f({ status: ['1', '3'] }), ['2', '3', '4']);
        assert.deepEqual(await f({ status: '1,3' }), ['2', '3', '4']);
        assert.deepEqual(await f({ assignedto: '-1' }), ['3', '4']);
        assert.deepEqual(await f({ assignedto: null }), ['3', '4']);
        assert.deepEqual(await f({ assignedto: [null] }), ['3', '4']);
        assert.deepEqual(await f({ assignedto: ['-1', null] }), ['3', '4']);
        assert.deepEqual(await f({ assignedto: ['1', null] }), ['1', '3', '4']);
        assert.deepEqual(await f({ status: '4' }), []);
      });

      it('treat an empty list of values as -1 (matching empty Links and Multilinks)', async () => {
        assert.deepEqual(await basic.filter('issue', { assignedto: [] }), ['3', '4']);
        assert.deepEqual(await basic.filter('issue', { status: [], 'status.name': 'unread' }), []);
        await basic.scratch(async (db) => {
          await db.getclass('issue').set('4', { keywords: [] });
          assert.deepEqual(await db.getclass('issue').filter(null, { keywords: [], keywords2: [] }), ['4']);
        });
      });

      it('accept key values of the target class in place of ids', async () => {
        assert.deepEqual(await basic.filter('issue', { status: 'unread' }), ['2', '3']);
        assert.deepEqual(await basic.filter('issue', { status: ['unread', 'testing'] }), ['2', '3', '4']);
        assert.deepEqual(await basic.filter('issue', { status: 'unread,3' }), ['2', '3', '4']);
        assert.deepEqual(await basic.filter('issue', { assignedto: 'fred' }), ['2']);
        assert.deepEqual(await basic.filter('issue', { nosy: ['bleep'] }), ['4']);
        await assert.rejects(basic.filter('issue', { status: 'nosuch' }), { code: 'RUP_ERR_VALUE', message: "property status: 'nosuch' is not a status." });
      });

      it('evaluate RPN expressions: -2 NOT, -3 AND, -4 OR, with NOT matching empty Links', async () => {
        const f = (assignedto: string[], sort: readonly [string, string] = ['+', 'assignedto']) => basic.filter('issue', { assignedto }, { sort });
        // Sorting by a user Link sorts by username; empty Links first.
        assert.deepEqual(await basic.filter('issue', {}, { sort: ['+', 'assignedto'] }), ['3', '4', '1', '2']);
        assert.deepEqual(await f(['1']), ['1']);
        assert.deepEqual(await f(['2']), ['2']);
        assert.deepEqual(await f(['-1'], ['+', 'status']), ['4', '3']);
        assert.deepEqual(await f(['-1']), ['3', '4']);
        assert.deepEqual(await f(['1', '-1'], ['+', 'id']), ['1', '3', '4']);
        assert.deepEqual(await f(['1', '-1']), ['3', '4', '1']);
        assert.deepEqual(await f(['2', '-1']), ['3', '4', '2']);
        assert.deepEqual(await f(['1', '-2'], ['+', 'id']), ['2', '3', '4']);
        assert.deepEqual(await f(['1', '-2']), ['3', '4', '2']);
        assert.deepEqual(await f(['-1', '-2']), ['1', '2']);
        assert.deepEqual(await f(['1', '2', '-3']), []);
        assert.deepEqual(await f(['1', '2', '-4']), ['1', '2']);
        assert.deepEqual(await f(['1', '-2', '2', '-2', '-3']), ['3', '4']);
        assert.deepEqual(await f(['1', '-2', '2', '-2', '-4']), ['3', '4', '1', '2']);
      });

      it('evaluate the documented example creator=3,1,-4,-2 (neither user 3 nor user 1)', async () => {
        await basic.scratch(async (db) => {
          const mine = await db.getclass('issue').create({ title: 'by fred' });
          assert.deepEqual(await db.getclass('issue').filter(null, { creator: '3,1,-4,-2' }), [mine]);
          assert.deepEqual(await db.getclass('issue').filter(null, { creator: '2,-2' }), ['1', '2', '3', '4']);
        }, 'fred');
      });
    });

    describe('Multilink properties', () => {
      it('match any of the ids given, and -1 an empty Multilink', async () => {
        assert.deepEqual(await basic.filter('issue', { nosy: '3' }, { sort: ['+', 'id'] }), ['4']);
        assert.deepEqual(await basic.filter('issue', { nosy: '-1' }, { sort: ['+', 'id'] }), ['1', '2']);
        assert.deepEqual(await basic.filter('issue', { nosy: ['1', '2'] }, { sort: ['+', 'status'], group: ['-', 'deadline'] }), ['4', '3']);
        assert.deepEqual(await basic.filter('issue', { nosy: '2', status: '1' }, { sort: ['+', 'id'] }), ['3']);
        assert.deepEqual(await basic.filter('issue', { files: '1' }, { sort: ['-', 'activity'], group: ['+', 'status'] }), ['4']);
      });

      it('evaluate RPN expressions over the linked ids', async () => {
        // keywords: issue 1 [1, 2], 2 [1, 3], 3 [2, 3, 4], 4 [1, 2, 4]
        const f = (keywords: string[]) => basic.filter('issue', { keywords });
        assert.deepEqual(await f(['1', '2', '-3']), ['1', '4']);
        assert.deepEqual(await f(['1', '2', '4', '-3', '-3']), ['4']);
        assert.deepEqual(await f(['3', '4', '-2', '-3']), ['2']);
        assert.deepEqual(await f(['2', '3', '4', '-2', '-3', '-3']), []);
        assert.deepEqual(await f(['1', '2']), ['1', '2', '3', '4']);
        assert.deepEqual(await f(['1', '2', '-4']), ['1', '2', '3', '4']);
        assert.deepEqual(await f(['3', '4']), ['2', '3', '4']);
        assert.deepEqual(await f(['3', '4', '-4']), ['2', '3', '4']);
        assert.deepEqual(await f(['3', '4', '-3', '1', '2', '-3', '-4']), ['1', '3', '4']);
        assert.deepEqual(await f(['2', '-1', '-3']), []);
      });

      it('evaluate RPN expressions involving empty Multilinks', async () => {
        await basic.scratch(async (db) => {
          await db.getclass('issue').set('1', { keywords: [] });
          const f = (keywords: string[]) => db.getclass('issue').filter(null, { keywords });
          assert.deepEqual(await f(['-1']), ['1']);
          assert.deepEqual(await f(['3', '-1']), ['1', '2', '3']);
          assert.deepEqual(await f(['3', '-1', '-4']), ['1', '2', '3']);
          assert.deepEqual(await f(['-1', '3', '-4']), ['1', '2', '3']);
          assert.deepEqual(await f(['3', '-1', '-3']), []);
          assert.deepEqual(await f(['-1', '3', '-3']), []);
          assert.deepEqual(await f(['4', '-1', '-3', '3', '-1', '-4', '-4']), ['1', '2', '3']);
          assert.deepEqual(await f(['-1', '-2']), ['2', '3', '4']);
        });
      });

      it('evaluate the documented example keyword=1,2,-3,-2 (not both keywords)', async () => {
        assert.deepEqual(await basic.filter('issue', { keywords: '1,2,-3,-2' }), ['2', '3']);
        assert.deepEqual(await basic.filter('issue', { keywords: 'Key1,Key2' }), ['1', '2', '3', '4']);
      });

      it('combine conditions on two Multilinks to the same class independently', async () => {
        await basic.scratch(async (db) => {
          await db.getclass('issue').set('4', { keywords: [] });
          const f = (spec: FilterSpec) => db.getclass('issue').filter(null, spec);
          assert.deepEqual(await f({ keywords: ['1', '3', '-3'], keywords2: ['2', '3', '-3'] }), ['2']);
          assert.deepEqual(await f({ keywords: ['-1'], keywords2: ['-1'] }), ['4']);
          assert.deepEqual(await f({ 'keywords.name': 'y4', 'keywords.order': 40 }), ['3']);
          assert.deepEqual(await f({ keywords: '3', 'keywords2.order': 40 }), ['3']);
        });
      });

      it('apply a Multilink value and conditions on its properties to the same linked item', async () => {
        await basic.scratch(async (db) => {
          await db.getclass('issue').set('4', { keywords: [] });
          // Issue 3 links keywords 3 and 4, but keyword 3's order is 30, not 40.
          assert.deepEqual(await db.getclass('issue').filter(null, { keywords: '3', 'keywords.order': 40 }), []);
          assert.deepEqual(await db.getclass('issue').filter(null, { keywords: '4', 'keywords.order': 40 }), ['3']);
        });
      });

      it('reject malformed expressions, naming the operator and its position', async () => {
        const cases: Array<[string, string[], string]> = [
          ['keywords', ['1', '-3'], 'The operator -3 (and) at position 2 has too few arguments.'],
          ['keywords', ['-2'], 'The operator -2 (not) at position 1 has too few arguments.'],
          ['keywords', ['1', '2', '-4', '-4'], 'The operator -4 (or) at position 4 has too few arguments.'],
          ['keywords', ['1', '2', '3', '-3'], 'The expression is incomplete: 2 values are left without an operator.'],
          ['keywords', ['1', 'Key2', '-3'], 'The value "Key2" at position 2 is neither an id nor an operator.'],
          ['assignedto', ['1', '-3'], 'The operator -3 (and) at position 2 has too few arguments.'],
          ['assignedto', ['-4'], 'The operator -4 (or) at position 1 has too few arguments.'],
        ];
        for (const [prop, values, message] of cases) {
          await assert.rejects(basic.filter('issue', { [prop]: values }), { code: 'RUP_ERR_FILTER', message });
        }
      });
    });

    describe('ids, numbers and flags', () => {
      it('filter id by one id or a list of ids', async () => {
        const f = (id: string | string[]) => basic.filter('issue', { id }, { sort: ['+', 'id'] });
        assert.deepEqual(await f('1'), ['1']);
        assert.deepEqual(await f('2'), ['2']);
        assert.deepEqual(await f('100'), []);
        assert.deepEqual(await f(['1', '3']), ['1', '3']);
        assert.deepEqual(await f('4,2'), ['2', '4']);
        assert.deepEqual(await f([]), []);
      });

      it('match Boolean values given as words, numbers or booleans, a list matching any', async () => {
        const f = (assignable: FilterValue) => basic.filter('user', { assignable }, { sort: ['+', 'id'] });
        for (const yes of ['1', ['1'], 'True', ['True'], true, [true], 1, [1], 'yes']) assert.deepEqual(await f(yes), ['3', '4'], String(yes));
        for (const no of ['0', ['0'], 'False', ['False'], false, [false], 0, [0], 'no']) assert.deepEqual(await f(no), ['5'], String(no));
        for (const both of [['0', '1'], ['False', 'True'], [0, 1], [false, true]]) assert.deepEqual(await f(both), ['3', '4', '5'], String(both));
      });

      it('match Number values by equality, a list matching any', async () => {
        const f = (age: FilterValue) => basic.filter('user', { age }, { sort: ['+', 'id'] });
        assert.deepEqual(await f('1'), ['3']);
        assert.deepEqual(await f('1.5'), ['4']);
        assert.deepEqual(await f('2'), ['5']);
        assert.deepEqual(await f(['1', '2']), ['3', '5']);
        assert.deepEqual(await f(2), ['5']);
        assert.deepEqual(await f([1, 2]), ['3', '5']);
        assert.deepEqual(await f(' 1.5 '), ['4']);
        await assert.rejects(f('old'), { code: 'RUP_ERR_VALUE', message: "property age: 'old' is not a number" });
      });

      it('match Integer values by equality, a list matching any', async () => {
        const f = (rating: FilterValue) => basic.filter('user', { rating }, { sort: ['+', 'id'] });
        assert.deepEqual(await f('5'), ['3', '5']);
        assert.deepEqual(await f(['-2', 5]), ['3', '4', '5']);
        assert.deepEqual(await f(0), []);
        await assert.rejects(f('1.5'), { code: 'RUP_ERR_VALUE', message: "property rating: '1.5' is not an integer" });
      });

      it('reject searching a Password property', async () => {
        await assert.rejects(basic.filter('user', { password: 'x' }), { code: 'RUP_ERR_FILTER', message: 'property password: Password properties cannot be searched' });
      });
    });

    describe('transitive properties', () => {
      it('follow Links one and two levels deep (supervisor.username, supervisor.supervisor.username)', async () => {
        const f = (spec: FilterSpec) => trans.filter('user', spec, { sort: ['+', 'username'] });
        assert.deepEqual(await f({ 'supervisor.username': 'ceo' }), ['4', '5']);
        assert.deepEqual(await f({ 'supervisor.supervisor.username': 'ceo' }), ['6', '7', '8', '9', '10']);
        assert.deepEqual(await f({ 'supervisor.supervisor': '3' }), ['6', '7', '8', '9', '10']);
        assert.deepEqual(await f({ 'supervisor.supervisor.id': '3' }), ['6', '7', '8', '9', '10']);
        assert.deepEqual(await f({ 'supervisor.username': 'grouplead1' }), ['6', '7']);
        assert.deepEqual(await f({ 'supervisor.username': 'grouplead2' }), ['8', '9', '10']);
        assert.deepEqual(await f({ 'supervisor.username': 'grouplead2', 'supervisor.supervisor.username': 'ceo' }), ['8', '9', '10']);
        assert.deepEqual(await f({ 'supervisor.supervisor': '3', supervisor: '4' }), ['6', '7']);
      });

      it('page transitive results with limit and offset', async () => {
        const f = (spec: FilterSpec, limit: number, offset?: number) =>
          trans.filter('user', spec, { sort: ['+', 'username'], limit, offset });
        assert.deepEqual(await f({ 'supervisor.username': 'ceo' }, 1), ['4']);
        assert.deepEqual(await f({ 'supervisor.supervisor.username': 'ceo' }, 4), ['6', '7', '8', '9']);
        assert.deepEqual(await f({ 'supervisor.supervisor': '3' }, 2, 2), ['8', '9']);
        assert.deepEqual(await f({ 'supervisor.supervisor.id': '3' }, 3, 1), ['7', '8', '9']);
        assert.deepEqual(await f({ 'supervisor.username': 'grouplead2' }, 2, 2), ['10']);
        assert.deepEqual(await f({ 'supervisor.username': 'grouplead2', 'supervisor.supervisor.username': 'ceo' }, 4, 3), []);
        assert.deepEqual(await f({ 'supervisor.supervisor': '3', supervisor: '4' }, 1, 5), []);
      });

      it('follow an issue Link to the user and beyond (assignedto.username, assignedto.supervisor.username)', async () => {
        const f = (spec: FilterSpec) => trans.filter('issue', spec, { sort: ['+', 'id'] });
        assert.deepEqual(await f({ 'assignedto.username': 'worker1' }), ['1', '2']);
        assert.deepEqual(await f({ 'assignedto.username': 'WORKER' }), ['1', '2', '3', '4', '5', '6', '7', '8']);
        assert.deepEqual(await f({ 'assignedto.supervisor.username': 'grouplead1' }), ['1', '2', '3']);
        assert.deepEqual(await f({ 'assignedto.supervisor.username': 'grouplead2' }), ['4', '5', '6', '7', '8']);
        assert.deepEqual(await f({ 'assignedto.supervisor.username': 'grouplead2', status: '1' }), ['4', '6', '8']);
        assert.deepEqual(await f({ 'assignedto.supervisor.username': 'grouplead2', status: '2' }), ['5', '7']);
        assert.deepEqual(await f({ 'assignedto.supervisor.username': ['grouplead2'], status: '2' }), ['5', '7']);
        assert.deepEqual(await f({ 'assignedto.supervisor': ['4', '5'], status: '2' }), ['1', '3', '5', '7']);
      });

      it('follow Multilinks (messages.author, messages.date, nosy.supervisor.username)', async () => {
        const f = (spec: FilterSpec) => trans.filter('issue', spec, { sort: ['+', 'id'] });
        assert.deepEqual(await f({ 'messages.author.username': 'grouplead1' }), []);
        assert.deepEqual(await f({ 'messages.author': '6' }), ['1', '2']);
        assert.deepEqual(await f({ 'messages.author.id': '6' }), ['1', '2']);
        assert.deepEqual(await f({ 'messages.author.username': 'worker1' }), ['1', '2']);
        assert.deepEqual(await f({ 'messages.author': '10' }), ['6', '7', '8']);
        assert.deepEqual(await f({ 'messages.author': '9' }), ['5', '8']);
        assert.deepEqual(await f({ 'messages.author': ['9', '10'] }), ['5', '6', '7', '8']);
        assert.deepEqual(await f({ 'messages.author': ['8', '9'] }), ['4', '5', '8']);
        assert.deepEqual(await f({ 'messages.author': ['8', '9'], status: '1' }), ['4', '8']);
        assert.deepEqual(await f({ 'messages.author': ['8', '9'], status: '2' }), ['5']);
        assert.deepEqual(await f({ 'messages.author': ['8', '9', '10'], 'messages.date': '2006-01-22.21:00;2006-01-23' }), ['6', '7', '8']);
        assert.deepEqual(await f({ 'nosy.supervisor.username': 'ceo' }), ['1', '2']);
        assert.deepEqual(await f({ 'messages.author': ['6', '9'] }), ['1', '2', '5', '8']);
        assert.deepEqual(await f({ messages: ['5', '7'] }), ['3', '5', '8']);
        assert.deepEqual(await f({ 'messages.author': ['6', '9'], messages: ['5', '7'] }), ['5', '8']);
      });

      it('apply conditions through one Multilink to the same message, and through Links to the same user', async () => {
        const f = (spec: FilterSpec) => trans.filter('issue', spec, { sort: ['+', 'id'] });
        // Issue 8 has message 8 (worker5, 2006-01-23) and message 7 (worker4, 2006-01-24).
        assert.deepEqual(await f({ 'messages.author': '10', 'messages.date': '2006-01-24' }), []);
        assert.deepEqual(await f({ 'messages.author': '9', 'messages.date': '2006-01-24' }), ['5', '8']);
        assert.deepEqual(await f({ messages: '8', 'messages.author.username': 'worker4' }), []);
        assert.deepEqual(await f({ messages: ['7', '8'], 'messages.author.username': 'worker4' }), ['5', '8']);
        assert.deepEqual(await f({ 'assignedto.supervisor.username': 'grouplead2', 'assignedto.username': 'worker3' }), ['4']);
      });

      it('follow a Link and then a Multilink (status.mls)', async () => {
        assert.deepEqual(await basic.filter('issue', { 'status.mls': '1' }, { sort: ['+', 'status'] }), ['2', '3']);
        assert.deepEqual(await basic.filter('issue', { 'status.mls': '2' }, { sort: ['+', 'status'] }), ['2', '3']);
        assert.deepEqual(await basic.filter('issue', { 'status.mls': '-1' }, { sort: ['+', 'id'] }), ['1', '4']);
      });

      it('reject unknown property names, naming the class and the path', async () => {
        await assert.rejects(trans.filter('issue', { 'assignedto.badprop': 'x' }), {
          code: 'RUP_ERR_NO_SUCH_PROPERTY',
          message: 'Class user has no property badprop in assignedto.badprop.',
        });
        await assert.rejects(trans.filter('issue', { badprop: 'x' }), { code: 'RUP_ERR_NO_SUCH_PROPERTY', message: 'Class issue has no property badprop in badprop.' });
        await assert.rejects(trans.filter('issue', { 'assignedto.supervisor.badprop': '1' }), {
          code: 'RUP_ERR_NO_SUCH_PROPERTY',
          message: 'Class user has no property badprop in assignedto.supervisor.badprop.',
        });
        await assert.rejects(trans.filter('issue', {}, { sort: ['+', 'messages.badprop'] }), {
          code: 'RUP_ERR_NO_SUCH_PROPERTY',
          message: 'Class msg has no property badprop in messages.badprop.',
        });
      });
    });
  });
}
