import assert from 'node:assert/strict';
import { DateTime } from '../../lib/hyperdb/date.js';
import { parseDateRange, parseIntervalRange } from '../../lib/hyperdb/date-range.js';

// Roundup's documentation examples assume this local time.
const NOW = DateTime.parse('2003-03-08.22:07:48');
const range = (spec: string, tz?: string | number) => {
  const r = parseDateRange(spec, { now: NOW, tz });
  return [r.from === undefined ? null : String(r.from), r.to === undefined ? null : String(r.to)];
};
const intervalRange = (spec: string) => {
  const r = parseIntervalRange(spec, { now: NOW });
  return [r.from === undefined ? null : String(r.from), r.to === undefined ? null : String(r.to)];
};
const DATE_USAGE = 'Not a date spec: "yyyy-mm-dd", "mm-dd", "HH:MM", "HH:MM:SS" or "yyyy-mm-dd.HH:MM:SS.SSS"';

describe('hyperdb/date-range', () => {
  describe('parseDateRange geek syntax', () => {
    it('reads both bounds', () => {
      assert.deepEqual(range('2002-11-10; 2002-12-12'), ['2002-11-10.00:00:00', '2002-12-12.00:00:00']);
      assert.deepEqual(range('2002-11-10;2002-12-12'), ['2002-11-10.00:00:00', '2002-12-12.00:00:00']);
    });

    it('reads relative bounds', () => {
      assert.deepEqual(range('-2m; -1m'), ['2003-01-08.22:07:48', '2003-02-08.22:07:48']);
    });

    it('leaves a missing side open', () => {
      assert.deepEqual(range('12:00;'), ['2003-03-08.12:00:00', null]);
      assert.deepEqual(range('; 20:00 +1d'), [null, '2003-03-09.20:00:00']);
      assert.deepEqual(range(';'), [null, null]);
    });

    it('does not widen an explicit bound to its precision', () => {
      assert.deepEqual(range('; 2003'), [null, '2003-01-01.00:00:00']);
    });
  });

  describe('parseDateRange English syntax', () => {
    it('reads from ... to ... in any case', () => {
      assert.deepEqual(range('from 2-12 to 4-2'), ['2003-02-12.00:00:00', '2003-04-02.00:00:00']);
      assert.deepEqual(range('FROM 18:00 TO +2m'), ['2003-03-08.18:00:00', '2003-05-08.22:07:48']);
    });

    it('reads one-sided ranges', () => {
      assert.deepEqual(range('tO +3d'), [null, '2003-03-11.22:07:48']);
      assert.deepEqual(range('from 2003'), ['2003-01-01.00:00:00', null]);
      assert.deepEqual(range('from 9:00'), ['2003-03-08.09:00:00', null]);
    });

    it('treats "from" as optional before "to", as documented', () => {
      assert.deepEqual(range('18:00 to +2m'), ['2003-03-08.18:00:00', '2003-05-08.22:07:48']);
    });
  });

  describe('parseDateRange single values', () => {
    it('spans a whole year (Roundup testRange)', () => {
      assert.deepEqual(range('2006'), ['2006-01-01.00:00:00', '2006-12-31.23:59:59']);
    });

    it('spans each whole month, leap February included', () => {
      const lastDay = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
      for (let month = 1; month <= 12; month++) {
        const mm = String(month).padStart(2, '0');
        assert.deepEqual(range(`2006-${mm}`), [`2006-${mm}-01.00:00:00`, `2006-${mm}-${lastDay[month - 1]}.23:59:59`]);
      }
      assert.deepEqual(range('2004-02'), ['2004-02-01.00:00:00', '2004-02-29.23:59:59']);
    });

    it('spans a day, a minute and a second', () => {
      assert.deepEqual(range('2003-04-05'), ['2003-04-05.00:00:00', '2003-04-05.23:59:59']);
      assert.deepEqual(range('04-05'), ['2003-04-05.00:00:00', '2003-04-05.23:59:59']);
      assert.deepEqual(range('12:00'), ['2003-03-08.12:00:00', '2003-03-08.12:00:59']);
      assert.deepEqual(range('2003-04-05.12:00:30'), ['2003-04-05.12:00:30', '2003-04-05.12:00:30']);
    });

    it('ends on the last millisecond so stored fractional seconds stay inside', () => {
      const r = parseDateRange('2003-04-05', { now: NOW });
      assert.equal(r.to?.millisecond, 999);
      assert.equal(r.to?.epochMs, Date.parse('2003-04-06T00:00:00Z') - 1);
      assert.equal(parseDateRange('2003-04-05.12:00:30', { now: NOW }).to?.millisecond, 999);
    });

    it('applies an interval before widening (2003-04-05 +1d is the 6th)', () => {
      assert.deepEqual(range('2003-04-05 +1d'), ['2003-04-06.00:00:00', '2003-04-06.23:59:59']);
    });

    it('spans the local month in a DST zone', () => {
      // Warsaw: CET (+1) on March 1st, CEST (+2) from March 26th 2006.
      assert.deepEqual(range('2006-03', 'Europe/Warsaw'), ['2006-02-28.23:00:00', '2006-03-31.21:59:59']);
      assert.deepEqual(range('2006-03', -5), ['2006-03-01.05:00:00', '2006-04-01.04:59:59']);
    });

    it('refuses a single value that names no date or time', () => {
      for (const spec of ['-1d', '. +30d', '.']) {
        assert.throws(() => parseDateRange(spec, { now: NOW }), { code: 'RUP_ERR_DATE', message: 'Could not determine granularity' }, spec);
      }
    });
  });

  describe('parseDateRange errors', () => {
    it('refuses a keyword without a value', () => {
      for (const spec of ['from', 'to', 'from 2003 to', 'FROM  to 2004']) {
        assert.throws(() => parseDateRange(spec, { now: NOW }), {
          code: 'RUP_ERR_DATE',
          message: `Invalid range "${spec.trim()}": "from" and "to" must be followed by a value`,
        }, spec);
      }
    });

    it('passes on errors of the values', () => {
      assert.throws(() => parseDateRange('2003; garbage', { now: NOW }), { code: 'RUP_ERR_DATE', message: DATE_USAGE });
      assert.throws(() => parseDateRange('from x to 2003', { now: NOW }), { code: 'RUP_ERR_DATE', message: DATE_USAGE });
      assert.throws(() => parseDateRange('2003-13', { now: NOW }), { code: 'RUP_ERR_DATE', message: 'month must be in 1..12' });
      assert.throws(() => parseDateRange('', { now: NOW }), { code: 'RUP_ERR_DATE', message: DATE_USAGE });
      assert.throws(() => parseDateRange('2003', { now: NOW, tz: 'Mars/Olympus' }), { code: 'RUP_ERR_VALUE' });
    });
  });

  describe('parseIntervalRange', () => {
    it('reads both syntaxes', () => {
      assert.deepEqual(intervalRange('from 0:50 to 2:00'), ['+ 0:50', '+ 2:00']);
      assert.deepEqual(intervalRange('from -1w 2d 4:32 to 4d'), ['- 9d 4:32', '+ 4d']);
      assert.deepEqual(intervalRange('-1d;'), ['- 1d', null]);
      assert.deepEqual(intervalRange('; 1:00'), [null, '+ 1:00']);
      assert.deepEqual(intervalRange('to 3d'), [null, '+ 3d']);
    });

    it('widens a single value by one of its smallest unit, toward zero when negative', () => {
      assert.deepEqual(intervalRange('3d'), ['+ 3d', '+ 4d']);
      assert.deepEqual(intervalRange('-2w 1d'), ['- 15d', '- 14d']);
      assert.deepEqual(intervalRange('-1d'), ['- 1d', '00:00']);
      assert.deepEqual(intervalRange('1:30'), ['+ 1:30', '+ 1:31']);
    });

    it('passes on errors of the values', () => {
      const usage = 'Not an interval spec: [+-] [#y] [#m] [#w] [#d] [[[H]H:MM]:SS] [date spec]';
      assert.throws(() => parseIntervalRange('from garbage'), { code: 'RUP_ERR_DATE', message: usage });
      assert.throws(() => parseIntervalRange('1d; 2x'), { code: 'RUP_ERR_DATE', message: usage });
    });
  });
});
