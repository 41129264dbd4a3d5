/**
 * Date and Interval filters: Roundup's range syntax (geek `from;to` and
 * English `from X to Y`), single values covering their precision, comma
 * lists of ranges, `-` for unset, ranges relative to now, and the user's
 * time zone. Ported from Roundup's testFilteringRange* tests.
 */
import assert from 'node:assert/strict';
import { DateTime } from '../../lib/hyperdb/date.js';
import { Interval } from '../../lib/hyperdb/interval.js';
import { type FilterFixture, basicFixture, classicFixture } from './filter-fixtures.js';
import { skipWithoutBackend } from '../support/trackers.js';

for (const backend of ['sqlite', 'postgresql'] as const) {
  describe(`hyperdb filter: dates and intervals (${backend})`, function () {
    // Issue deadlines: 1 2003-02-16.22:50, 2 2003-01-01.00:00, 3 2003-02-18, 4 2004-03-08.
    // Issue foo: 1 1:10, 2 1d, 3 unset, 4 0:10.
    let basic: FilterFixture;
    let classic: FilterFixture;
    const deadline = (spec: string) => basic.filter('issue', { deadline: spec });
    const foo = (spec: string) => basic.filter('issue', { foo: spec });

    before(async function () {
      await skipWithoutBackend(this, backend);
      basic = await basicFixture(backend);
      classic = await classicFixture(backend);
    });

    after(async () => {
      await basic?.cleanup();
      await classic?.cleanup();
    });

    describe('Date ranges', () => {
      it('accept the geek form from;to with either side open', async () => {
        assert.deepEqual(await deadline('2003-02-10; 2003-02-23'), ['1', '3']);
        assert.deepEqual(await deadline('2003-02-16;'), ['1', '3', '4']);
        // An upper bound is the instant named: 2003-02-16 is its midnight, before issue 1's 22:50.
        assert.deepEqual(await deadline('; 2003-02-16'), ['2']);
        assert.deepEqual(await deadline('2003-02-16.22:50;2003-02-18'), ['1', '3']);
        assert.deepEqual(await deadline(';'), ['1', '2', '3', '4']);
      });

      it('accept the English form from X to Y, from X, to Y and X to Y, in any case', async () => {
        assert.deepEqual(await deadline('from 2003-02-10 to 2003-02-23'), ['1', '3']);
        assert.deepEqual(await deadline('from 2003-02-16'), ['1', '3', '4']);
        assert.deepEqual(await deadline('to 2003-02-16'), ['2']);
        assert.deepEqual(await deadline('2003-02-10 to 2003-02-23'), ['1', '3']);
        assert.deepEqual(await deadline('FROM 2003-02-10 To 2003-02-23'), ['1', '3']);
      });

      it('expand a single value to its precision: year, month, day, minute, second', async () => {
        assert.deepEqual(await deadline('2002'), []);
        assert.deepEqual(await deadline('2003'), ['1', '2', '3']);
        assert.deepEqual(await deadline('2004'), ['4']);
        assert.deepEqual(await deadline('2003-02'), ['1', '3']);
        assert.deepEqual(await deadline('2003-01'), ['2']);
        assert.deepEqual(await deadline('2003-02-16'), ['1']);
        assert.deepEqual(await deadline('2003-02-17'), []);
        assert.deepEqual(await deadline('2003-02-16.22:50'), ['1']);
        assert.deepEqual(await deadline('2003-02-16.22:49'), []);
        assert.deepEqual(await deadline('2003-02-16.22:50:00'), ['1']);
        assert.deepEqual(await deadline('2003/02/16'), ['1']);
      });

      it('expand a month to its own length, whatever the month', async () => {
        await basic.scratch(async (db) => {
          for (let month = 1; month <= 12; month++) {
            for (let day = 1; day <= month; day++) {
              const mm = String(month).padStart(2, '0');
              await db.getclass('issue').create({ title: `${month}.${day}`, deadline: DateTime.parse(`2001-${mm}-${String(day).padStart(2, '0')}.00:00`) });
            }
          }
          for (let month = 1; month <= 12; month++) {
            const found = await db.getclass('issue').filter(null, { deadline: `2001-${String(month).padStart(2, '0')}` });
            assert.equal(found.length, month, `2001-${month}`);
          }
          assert.equal((await db.getclass('issue').filter(null, { deadline: '2001' })).length, 78);
        });
      });

      it('OR comma-separated ranges, - matching items without a date', async () => {
        await basic.scratch(async (db) => {
          // Ids come from the database: PostgreSQL sequences do not roll back with the other scratch tests.
          const none = await db.getclass('issue').create({ title: 'no deadline' });
          const f = (spec: string | string[]) => db.getclass('issue').filter(null, { deadline: spec });
          assert.deepEqual(await f('-'), [none]);
          assert.deepEqual(await f(';2003-02-01,2004;'), ['2', '4']);
          assert.deepEqual(await f('-,;2003-02-01,2004;'), ['2', '4', none]);
          assert.deepEqual(await f(['2003-01', '2004']), ['2', '4']);
          assert.deepEqual(await f('2002,2005'), []);
        });
      });

      it('read values relative to now (-2d;, . -1w;, ; -1w)', async () => {
        await basic.scratch(async (db) => {
          // A minute of slack keeps each date inside its range however long the test takes.
          const ago = (spec: string) => DateTime.now().sub(Interval.parse(spec)).add(Interval.parse('00:01'));
          const twoDays = await db.getclass('issue').create({ deadline: ago('2d') });
          const oneDay = await db.getclass('issue').create({ deadline: ago('1d') });
          const eightDays = await db.getclass('issue').create({ deadline: ago('8d') });
          const f = (spec: string) => db.getclass('issue').filter(null, { deadline: spec });
          assert.deepEqual(await f('-2d;'), [twoDays, oneDay]);
          assert.deepEqual(await f('-1d;'), [oneDay]);
          assert.deepEqual(await f('-1w;'), [twoDays, oneDay]);
          assert.deepEqual(await f('. -2d;'), [twoDays, oneDay]);
          assert.deepEqual(await f('. -1d;'), [oneDay]);
          assert.deepEqual(await f('. -1w;'), [twoDays, oneDay]);
          assert.deepEqual(await f('; -1w'), ['1', '2', '3', '4', eightDays]);
          assert.deepEqual(await f('from -3d to -1d'), [twoDays]);
        });
      });

      it('follow a transitive path to a date (messages.date)', async () => {
        await basic.scratch(async (db) => {
          const m1 = await db.getclass('msg').create({ content: 'a', date: DateTime.parse('2006-01-22.21:30') });
          const m2 = await db.getclass('msg').create({ content: 'b', date: DateTime.parse('2006-01-24') });
          await db.getclass('issue').set('1', { messages: [m1] });
          await db.getclass('issue').set('2', { messages: [m1, m2] });
          await db.getclass('issue').set('3', { messages: [m2] });
          assert.deepEqual(await db.getclass('issue').filter(null, { 'messages.date': '2006-01-22.21:00;2006-01-23' }), ['1', '2']);
          assert.deepEqual(await db.getclass('issue').filter(null, { 'messages.date': '2006-01-24' }), ['2', '3']);
          assert.deepEqual(await db.getclass('issue').filter(null, { 'messages.date': '-' }), []);
        });
      });

      it('reject a malformed date', async () => {
        await assert.rejects(deadline('yesterday'), {
          code: 'RUP_ERR_DATE',
          message: 'Not a date spec: "yyyy-mm-dd", "mm-dd", "HH:MM", "HH:MM:SS" or "yyyy-mm-dd.HH:MM:SS.SSS"',
        });
        await assert.rejects(deadline('2003-13'), { code: 'RUP_ERR_DATE', message: 'month must be in 1..12' });
        await assert.rejects(deadline('from '), { code: 'RUP_ERR_DATE', message: 'Invalid range "from": "from" and "to" must be followed by a value' });
      });
    });

    describe('the user time zone', () => {
      // Messages 1 and 2 are dated 2003-02-16.22:50 and 23:30 UTC, that is 23:50 and 00:30 (next day) in Warsaw.
      const asUser = (username: string, date: string) => classic.scratch((db) => db.getclass('msg').filter(null, { date }), username);

      it('reads range bounds in the time zone of the user filtering', async () => {
        assert.deepEqual(await asUser('admin', '2003-02-16'), ['1', '2']);
        assert.deepEqual(await asUser('alice', '2003-02-16'), ['1']);
        assert.deepEqual(await asUser('admin', '2003-02-17'), []);
        assert.deepEqual(await asUser('alice', '2003-02-17'), ['2']);
        assert.deepEqual(await asUser('admin', '2003-02-16.22:00;2003-02-16.23:00'), ['1']);
        assert.deepEqual(await asUser('alice', '2003-02-16.22:00;2003-02-16.23:00'), []);
        assert.deepEqual(await asUser('alice', '2003-02-16.23:50'), ['1']);
        assert.deepEqual(await asUser('admin', '2003-02-16.23:50'), []);
        assert.deepEqual(await asUser('alice', 'from 2003-02-17 to 2003-02-17.01:00'), ['2']);
      });

      it('lets an explicit +HHMM offset override the user time zone', async () => {
        assert.deepEqual(await asUser('alice', '2003-02-16.22:00+0000;2003-02-16.23:00+0000'), ['1']);
        assert.deepEqual(await asUser('admin', '2003-02-16.23:00+0100;2003-02-17.00:00+0100'), ['1']);
      });
    });

    describe('Interval ranges', () => {
      it('accept from/to ranges in both syntaxes, compared by length', async () => {
        assert.deepEqual(await foo('from 0:50 to 2:00'), ['1']);
        assert.deepEqual(await foo('from 0:50 to 1d 2:00'), ['1', '2']);
        assert.deepEqual(await foo('from 5:50'), ['2']);
        assert.deepEqual(await foo('to 0:05'), []);
        assert.deepEqual(await foo('0:50;2:00'), ['1']);
        assert.deepEqual(await foo(';0:10'), ['4']);
        assert.deepEqual(await foo('1:00;'), ['1', '2']);
      });

      it('OR comma-separated ranges, - matching items without an interval', async () => {
        assert.deepEqual(await foo('-'), ['3']);
        assert.deepEqual(await foo('-,from 1d'), ['2', '3']);
        assert.deepEqual(await foo('to 0:10,from 1d'), ['2', '4']);
      });

      it('compare negative intervals below zero', async () => {
        await basic.scratch(async (db) => {
          await db.getclass('issue').set('3', { foo: Interval.parse('-1d') });
          assert.deepEqual(await db.getclass('issue').filter(null, { foo: ';0:00' }), ['3']);
          assert.deepEqual(await db.getclass('issue').filter(null, { foo: 'from -2d to -1d' }), ['3']);
        });
      });
    });
  });
}
