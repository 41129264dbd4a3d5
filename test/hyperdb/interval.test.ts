import assert from 'node:assert/strict';
import { DateTime } from '../../lib/hyperdb/date.js';
import { Interval, type IntervalTranslator } from '../../lib/hyperdb/interval.js';

const NOW = DateTime.parse('2003-03-08.22:07:48');
const iv = (spec: string) => Interval.parse(spec, { now: NOW });
const str = (spec: string) => String(iv(spec));

const USAGE = 'Not an interval spec: [+-] [#y] [#m] [#w] [#d] [[[H]H:MM]:SS]';
const USAGE_WITH_DATE = `${USAGE} [date spec]`;

describe('hyperdb/interval', () => {
  describe('Interval.parse and toString (Roundup testIntervalInit)', () => {
    const cases: [string, string][] = [
      ['3y', '+ 3y'],
      ['2 y 1 m', '+ 2y 1m'],
      ['1m 25d', '+ 1m 25d'],
      ['-2w 3 d ', '- 17d'],
      ['2w 3d', '+ 17d'],
      ['1w', '+ 7d'],
      [' - 1 d 2:50 ', '- 1d 2:50'],
      ['1d 2:50', '+ 1d 2:50'],
      [' 14:00 ', '+ 14:00'],
      [' 0:04:33 ', '+ 0:04:33'],
      ['  3w  1  d  2:00', '+ 22d 2:00'],
      [' + 2d', '+ 2d'],
      ['-1d', '- 1d'],
      ['+1y 2m 3w 4d 5:06:07', '+ 1y 2m 25d 5:06:07'],
      ['00:00', '00:00'],
      ['- 00:00', '00:00'],
      [':30', '+ 0:00:30'],
    ];
    for (const [spec, expected] of cases) {
      it(`prints ${JSON.stringify(spec)} as ${JSON.stringify(expected)}`, () => {
        assert.equal(str(spec), expected);
      });
    }

    it('keeps fields as given without normalising them, as Roundup does', () => {
      assert.equal(str('0:90'), '+ 0:90');
      assert.equal(str('00:00:3661'), '+ 0:00:3661');
      assert.deepEqual(iv('0:90').toTuple(), [1, 0, 0, 0, 0, 90, 0]);
    });

    it('reads the serialised form', () => {
      assert.equal(str('+00010203040506'), '+ 1y 2m 3d 4:05:06');
      assert.equal(str('-00000001000000'), '- 1d');
      assert.equal(str('   10000000000'), '+ 1y');
    });

    it('builds from a number of seconds (Roundup Interval(8.*3600))', () => {
      assert.equal(String(Interval.fromSeconds(8 * 3600)), '+ 8:00');
      assert.equal(String(Interval.fromSeconds(-90061.7)), '- 1d 1:01:01');
      assert.equal(String(Interval.fromSeconds(0)), '00:00');
    });

    it('refuses a number of seconds that is not finite', () => {
      assert.throws(() => Interval.fromSeconds(Number.NaN), { code: 'RUP_ERR_VALUE', message: 'Not a number of seconds: NaN' });
    });
  });

  describe('Interval.parse with a date', () => {
    it('gives the span from a date to now in whole days (Roundup testIntervalInitDate)', () => {
      const today = DateTime.parse('2003-03-08');
      const inTwoDays = today.add(Interval.parse('2d'));
      assert.ok(iv(String(inTwoDays)).equals(Interval.parse('- 2d')));
      const twoDaysAgo = today.sub(Interval.parse('2d'));
      assert.ok(iv(String(twoDaysAgo)).equals(Interval.parse('+ 2d')));
    });

    it('applies the interval before the date (-4d 2003-03-01 is the span from 2003-02-25)', () => {
      assert.equal(str('2003-03-01'), '+ 7d');
      assert.equal(str('-4d 2003-03-01'), '+ 11d');
      assert.equal(str('03-01'), '+ 7d');
    });

    it('keeps now\'s time of day when the date has one', () => {
      assert.equal(str('2003-03-08.12:00'), '+ 10:07:48');
      assert.equal(str('2003-03-07.12:30'), '+ 1d 9:37:48');
    });

    it('reads the date in the given zone and measures from local midnight', () => {
      // 22:07 UTC on the 8th is already 01:07 on the 9th at UTC+3.
      assert.equal(String(Interval.parse('2003-03-08', { now: NOW, tz: 3 })), '+ 1d');
      assert.equal(String(Interval.parse('2003-03-08', { now: NOW, tz: 'Europe/Warsaw' })), '00:00');
    });

    it('refuses a date where dates are not allowed', () => {
      assert.throws(() => Interval.parse('2003-03-01', { allowDate: false }), { code: 'RUP_ERR_DATE', message: USAGE });
    });
  });

  describe('Interval.parse errors', () => {
    it('rejects text that is no interval with Roundup\'s wording', () => {
      for (const spec of ['garbage', '', '   ', '3y x', '1x', '+', '1d 2']) {
        assert.throws(() => Interval.parse(spec), { name: 'RupError', code: 'RUP_ERR_DATE', message: USAGE_WITH_DATE }, spec);
      }
      assert.throws(() => Interval.parse('garbage', { allowDate: false }), { code: 'RUP_ERR_DATE', message: USAGE });
    });

    it('passes on date errors from the date part', () => {
      assert.throws(() => iv('2003-13-01'), { code: 'RUP_ERR_DATE', message: 'month must be in 1..12' });
    });
  });

  describe('granularity (Roundup testGranularity)', () => {
    it('grows the smallest unit given by one, toward zero when negative', () => {
      const end = (spec: string) => String(Interval.parse(spec, { endOfPrecision: true }));
      assert.equal(end('+1w'), '+ 14d');
      assert.equal(end('-2m 3w'), '- 2m 14d');
      assert.equal(end('3d'), '+ 4d');
      assert.equal(end('-1d'), '00:00');
      assert.equal(end('1:30'), '+ 1:31');
      assert.equal(end('2y'), '+ 3y');
    });
  });

  describe('output forms', () => {
    it('gives Roundup\'s get_tuple() and reads it back', () => {
      const interval = iv('- 1d 2:50');
      assert.deepEqual(interval.toTuple(), [-1, 0, 0, 1, 2, 50, 0]);
      assert.equal(String(Interval.fromTuple([-1, 0, 0, 1, 2, 50, 0])), '- 1d 2:50');
      assert.equal(String(Interval.fromTuple([1, 0, 0, 0, 0, 0, 5.9])), '+ 0:00:05');
    });

    it('rejects tuples that are not 7 numbers with a sign of 1 or -1', () => {
      assert.throws(() => Interval.fromTuple([2, 0, 0, 1, 0, 0, 0]), { code: 'RUP_ERR_DATE', message: 'Unknown interval spec (2, 0, 0, 1, 0, 0, 0)' });
      assert.throws(() => Interval.fromTuple([1, 0, 0, 1]), { code: 'RUP_ERR_DATE', message: 'Unknown interval spec (1, 0, 0, 1)' });
      assert.throws(() => Interval.fromTuple([1, 0.5, 0, 1, 0, 0, 0]), {
        code: 'RUP_ERR_DATE',
        message: 'Unknown interval spec (1, 0.5, 0, 1, 0, 0, 0)',
      });
    });

    it('serialises as sign plus yyyymmddHHMMSS', () => {
      assert.equal(iv('- 1d 2:50').serialise(), '-00000001025000');
      assert.equal(iv('1y 2m 3d 4:05:06').serialise(), '+00010203040506');
      assert.equal(iv(iv('3w 1d 2:00').serialise()).toString(), '+ 22d 2:00');
    });

    it('counts seconds with 30-day months and 365-day years', () => {
      assert.equal(iv('1y').asSeconds(), 31_536_000);
      assert.equal(iv('1m').asSeconds(), 2_592_000);
      assert.equal(iv('- 1d 2:50').asSeconds(), -96_600);
      assert.equal(iv('0:04:33').asSeconds(), 273);
      assert.equal(iv('00:00').asSeconds(), 0);
    });
  });

  describe('pretty (Roundup testIntervalPretty)', () => {
    const cases: [string, string][] = [
      ['2y', 'in 2 years'],
      ['1y', 'in 1 year'],
      ['2m', 'in 2 months'],
      ['1m 30d', 'in 2 months'],
      ['60d', 'in 2 months'],
      ['59d', 'in 1 month'],
      ['1m', 'in 1 month'],
      ['29d', 'in 1 month'],
      ['28d', 'in 4 weeks'],
      ['8d', 'in 1 week'],
      ['7d', 'in 7 days'],
      ['1w', 'in 7 days'],
      ['2d', 'in 2 days'],
      ['1d', 'tomorrow'],
      ['13:00', 'tomorrow'],
      ['02:00:00', 'in 2 hours'],
      ['12:00', 'in 12 hours'],
      ['01:59:00', 'in 1 3/4 hours'],
      ['01:45:00', 'in 1 3/4 hours'],
      ['01:30:00', 'in 1 1/2 hours'],
      ['01:29:00', 'in 1 1/4 hours'],
      ['01:00:00', 'in an hour'],
      ['00:45:00', 'in 3/4 hours'],
      ['00:30:00', 'in 1/2 an hour'],
      ['00:15:00', 'in 1/4 hour'],
      ['00:02:00', 'in 2 minutes'],
      ['00:01:00', 'in 1 minute'],
      ['00:00:30', 'in a moment'],
      ['00:00', 'in a moment'],
      ['-00:00:30', 'just now'],
      ['-00:05', '5 minutes ago'],
      ['-1:30', '1 1/2 hours ago'],
      ['-13:00', 'yesterday'],
      ['-1d', 'yesterday'],
      ['-3d', '3 days ago'],
      ['-2w', '2 weeks ago'],
      ['-1y', '1 year ago'],
      ['-2y', '2 years ago'],
    ];
    for (const [spec, expected] of cases) {
      it(`describes ${JSON.stringify(spec)} as ${JSON.stringify(expected)}`, () => {
        assert.equal(iv(spec).pretty(), expected);
      });
    }

    it('translates through Roundup\'s message ids', () => {
      const french: Record<string, string> = {
        'in %s': 'dans %s',
        '%s ago': 'il y a %s',
        '%(number)s days': '%(number)s jours',
        yesterday: 'hier',
      };
      const tr: IntervalTranslator = {
        gettext: (msgid) => french[msgid] ?? msgid,
        ngettext: (singular, plural, n) => french[n === 1 ? singular : plural] ?? (n === 1 ? singular : plural),
      };
      assert.equal(iv('2d').pretty(tr), 'dans 2 jours');
      assert.equal(iv('-3d').pretty(tr), 'il y a 3 jours');
      assert.equal(iv('-1d').pretty(tr), 'hier');
    });
  });

  describe('arithmetic', () => {
    it('adds intervals as Roundup does (testIntervalAdd)', () => {
      const cases: [string, string, string][] = [
        ['1y', '1y', '+ 2y'],
        ['1y', '1m', '+ 1y 1m'],
        ['1y', '2:40', '+ 1y 2:40'],
        ['1y', '- 1y', '00:00'],
        ['- 1y', '1y', '00:00'],
        ['- 1y', '- 1y', '- 2y'],
        ['1y', '- 1m', '+ 11m'],
        ['1:00', '1:00', '+ 2:00'],
        ['0:50', '0:50', '+ 1:40'],
        ['1:50', '- 1:50', '00:00'],
        ['- 1:50', '1:50', '00:00'],
        ['- 1:50', '- 1:50', '- 3:40'],
        ['1:59:59', '00:00:01', '+ 2:00'],
        ['2:00', '- 00:00:01', '+ 1:59:59'],
        ['- 1y', '- 1:00', '- 1y 1:00'],
      ];
      for (const [a, b, expected] of cases) {
        assert.equal(String(iv(a).add(iv(b))), expected, `${a} + ${b}`);
      }
    });

    it('subtracts intervals as Roundup does (testIntervalSub)', () => {
      const cases: [string, string, string][] = [
        ['1y', '- 1y', '+ 2y'],
        ['1y', '- 1m', '+ 1y 1m'],
        ['1y', '- 2:40', '+ 1y 2:40'],
        ['1y', '1y', '00:00'],
        ['1y', '1m', '+ 11m'],
        ['1:00', '- 1:00', '+ 2:00'],
        ['0:50', '- 0:50', '+ 1:40'],
        ['1:50', '1:50', '00:00'],
        ['1:59:59', '- 00:00:01', '+ 2:00'],
        ['2:00', '00:00:01', '+ 1:59:59'],
      ];
      for (const [a, b, expected] of cases) {
        assert.equal(String(iv(a).sub(iv(b))), expected, `${a} - ${b}`);
      }
    });

    it('carries time overflow into days but never into months (Roundup testOverflow)', () => {
      const zero = iv('00:00');
      const cases: [string, string][] = [
        ['0:00:60', '+ 0:01'],
        ['0:00:100', '+ 0:01:40'],
        ['0:00:3600', '+ 1:00'],
        ['0:00:86400', '+ 1d'],
        ['- 0:00:100', '- 0:01:40'],
        ['- 0:00:86400', '- 1d'],
        ['40d', '+ 40d'],
      ];
      for (const [spec, expected] of cases) {
        assert.equal(String(iv(spec).add(zero)), expected, spec);
      }
      assert.equal(String(zero.sub(iv('0:00:01'))), '- 0:00:01');
    });

    it('divides by a number (Roundup testDivision)', () => {
      assert.equal(String(iv('1y').divide(2)), '+ 6m');
      assert.equal(String(iv('1:00').divide(2)), '+ 0:30');
      assert.equal(String(iv('00:01').divide(2)), '+ 0:00:30');
      assert.equal(String(iv('- 1d').divide(2)), '- 12:00');
      assert.equal(String(iv('- 1y').divide(2)), '- 6m');
      assert.equal(String(iv('3y').divide(-2)), '- 1y 6m');
    });

    it('refuses to divide a mixed interval or by something that is not a non-zero number', () => {
      assert.throws(() => iv('1y 1d').divide(2), { code: 'RUP_ERR_VALUE', message: "Can't divide Interval with date and time" });
      assert.throws(() => iv('1d').divide(0), { code: 'RUP_ERR_VALUE', message: 'Can only divide Intervals by numbers' });
      assert.throws(() => iv('1d').divide(Number.NaN), { code: 'RUP_ERR_VALUE', message: 'Can only divide Intervals by numbers' });
    });

    it('negates', () => {
      assert.equal(String(iv('1d 2:00').negate()), '- 1d 2:00');
      assert.equal(String(iv('- 3y').negate()), '+ 3y');
    });
  });

  describe('comparison (Roundup testSorting)', () => {
    const sorted = (...specs: string[]) =>
      specs
        .map((s) => iv(s))
        .sort((a, b) => a.compare(b))
        .map(String);

    it('sorts by length', () => {
      assert.deepEqual(sorted('1y', '1d'), ['+ 1d', '+ 1y']);
      assert.deepEqual(sorted('1d', '1y'), ['+ 1d', '+ 1y']);
      assert.deepEqual(sorted('- 2d', '1d'), ['- 2d', '+ 1d']);
      assert.deepEqual(sorted('1:20', '2d', '3:30'), ['+ 1:20', '+ 3:30', '+ 2d']);
      assert.deepEqual(sorted('- 1d', '- 2d'), ['- 2d', '- 1d']);
    });

    it('breaks ties between spellings of the same length and treats all zeros as equal', () => {
      assert.equal(iv('30d').compare(iv('1m')), -1);
      assert.equal(iv('1m').compare(iv('30d')), 1);
      assert.equal(iv('1w').equals(iv('7d')), true);
      assert.equal(iv('00:00').equals(iv('- 00:00')), true);
      assert.equal(iv('1d').equals(iv('- 1d')), false);
    });
  });
});
