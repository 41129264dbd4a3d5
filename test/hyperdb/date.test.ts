import assert from 'node:assert/strict';
import { DateTime } from '../../lib/hyperdb/date.js';
import { Interval } from '../../lib/hyperdb/interval.js';

// A fixed "now" (the instant Roundup's documentation uses), so partial
// dates and relative specs give known answers.
const NOW = DateTime.parse('2003-03-08.22:07:48');
const parse = (spec: string, tz?: string | number) => DateTime.parse(spec, { now: NOW, tz });
const str = (spec: string, tz?: string | number) => String(parse(spec, tz));
const iv = (spec: string) => Interval.parse(spec);

const DATE_USAGE = 'Not a date spec: "yyyy-mm-dd", "mm-dd", "HH:MM", "HH:MM:SS" or "yyyy-mm-dd.HH:MM:SS.SSS"';
const tailUsage = (quoted: string) =>
  `${quoted} not a date / time spec "yyyy-mm-dd", "mm-dd", "HH:MM", "HH:MM:SS" or "yyyy-mm-dd.HH:MM:SS.SSS"`;

describe('hyperdb/date', () => {
  describe('DateTime.parse input forms (UTC)', () => {
    const cases: [string, string][] = [
      ['2000-04-17', '2000-04-17.00:00:00'],
      ['2000/04/17', '2000-04-17.00:00:00'],
      ['2000-4-7', '2000-04-07.00:00:00'],
      ['2000-4-17', '2000-04-17.00:00:00'],
      ['01-25', '2003-01-25.00:00:00'],
      ['2000-04-17.03:45', '2000-04-17.03:45:00'],
      ['2000/04/17.03:45', '2000-04-17.03:45:00'],
      ['2000-04-17T03:45:07', '2000-04-17.03:45:07'],
      ['2000-04-17.', '2000-04-17.00:00:00'],
      ['08-13.22:13', '2003-08-13.22:13:00'],
      ['11-07.09:32:43', '2003-11-07.09:32:43'],
      ['14:25', '2003-03-08.14:25:00'],
      ['8:47:11', '2003-03-08.08:47:11'],
      ['8:47:5', '2003-03-08.08:47:05'],
      ['2003', '2003-01-01.00:00:00'],
      ['2004-06', '2004-06-01.00:00:00'],
      ['1900-02-01', '1900-02-01.00:00:00'],
      ['1800-07-15', '1800-07-15.00:00:00'],
      ['2008-02-29', '2008-02-29.00:00:00'],
      ['0033', '0033-01-01.00:00:00'],
      ['  2003-04-05  ', '2003-04-05.00:00:00'],
    ];
    for (const [spec, expected] of cases) {
      it(`reads ${JSON.stringify(spec)} as ${expected}`, () => {
        assert.equal(str(spec), expected);
      });
    }

    it('keeps fractional seconds to the millisecond', () => {
      const date = parse('2000-04-17.03:45:07.25');
      assert.equal(String(date), '2000-04-17.03:45:07');
      assert.equal(date.millisecond, 250);
      assert.equal(date.serialise(), '20000417034507.250');
      assert.equal(parse('2000-04-17.03:45:07.0004').millisecond, 0);
      assert.equal(String(parse('2000-04-17.03:45:59.9999')), '2000-04-17.03:46:00');
    });

    it('reads "." as now', () => {
      assert.equal(parse('.').epochMs, NOW.epochMs);
    });

    it('reads the serialised form yyyymmddHHMMSS[.fff] as UTC whatever the zone', () => {
      assert.equal(str('20030101120000'), '2003-01-01.12:00:00');
      assert.equal(str('20030101120000', -5), '2003-01-01.12:00:00');
      const date = parse('20261121135738.186');
      assert.deepEqual(date.toTuple(), [2026, 11, 21, 13, 57, 38.186, 0, 0, 0]);
    });

    it('applies a trailing +HHMM / -HHMM offset instead of the user zone', () => {
      assert.equal(str('2010-01-01.12:00:00+0100'), '2010-01-01.11:00:00');
      assert.equal(str('2010-01-01T12:00 -0530'), '2010-01-01.17:30:00');
      assert.equal(str('2010-01-01.12:00+0100', 'America/New_York'), '2010-01-01.11:00:00');
      assert.equal(str('2010-07-01 -0400'), '2010-07-01.04:00:00');
    });
  });

  describe('DateTime.parse arithmetic', () => {
    const cases: [string, string][] = [
      ['. -1d', '2003-03-07.22:07:48'],
      ['. + 2d', '2003-03-10.22:07:48'],
      ['-1d', '2003-03-07.22:07:48'],
      ['-1w', '2003-03-01.22:07:48'],
      ['-2w', '2003-02-22.22:07:48'],
      ['-1m', '2003-02-08.22:07:48'],
      ['-1y', '2002-03-08.22:07:48'],
      ['+3d', '2003-03-11.22:07:48'],
      ['2000-06-26.00:34:02 + 2d', '2000-06-28.00:34:02'],
      ['2000-02-27 + 2d', '2000-02-29.00:00:00'],
      ['2001-02-27 + 2d', '2001-03-01.00:00:00'],
      ['2000-06-25 + 1m 10d', '2000-08-04.00:00:00'],
      ['2000-01-01 - 2y 2m', '1997-11-01.00:00:00'],
      ['2000-01-01 + 2m', '2000-03-01.00:00:00'],
      ['2000-01-31 + 1m', '2000-03-02.00:00:00'],
      ['20:00 +1d', '2003-03-09.20:00:00'],
    ];
    for (const [spec, expected] of cases) {
      it(`reads ${JSON.stringify(spec)} as ${expected}`, () => {
        assert.equal(str(spec), expected);
      });
    }

    it('drops fractional seconds when an interval is applied, as Roundup does', () => {
      const now = DateTime.parse('2003-03-08.22:07:48.500');
      assert.equal(DateTime.parse('. -1d', { now }).millisecond, 0);
      assert.equal(DateTime.parse('.', { now }).millisecond, 500);
    });
  });

  describe('DateTime.parse time zones', () => {
    it('reads input in a numeric zone (Roundup testOffset, EST = -5)', () => {
      assert.equal(str('2000-04-17', -5), '2000-04-17.05:00:00');
      assert.equal(str('01-25', -5), '2003-01-25.05:00:00');
      assert.equal(str('2000-04-17.03:45', -5), '2000-04-17.08:45:00');
      assert.equal(str('08-13.22:13', -5), '2003-08-14.03:13:00');
      assert.equal(str('11-07.09:32:43', -5), '2003-11-07.14:32:43');
      assert.equal(str('14:25', -5), '2003-03-08.19:25:00');
      assert.equal(str('8:47:11', -5), '2003-03-08.13:47:11');
      assert.equal(str('2006-04-04.12:00:00', 2), '2006-04-04.10:00:00');
    });

    it('takes "today" and "this year" in the user zone, not in UTC', () => {
      // 02:00 UTC on the 9th is still the evening of the 8th at UTC-5.
      const now = DateTime.parse('2003-03-09.02:00');
      assert.equal(String(DateTime.parse('14:25', { now, tz: -5 })), '2003-03-08.19:25:00');
      const newYear = DateTime.parse('2004-01-01.02:00');
      assert.equal(String(DateTime.parse('12-31.23:00', { now: newYear, tz: -5 })), '2004-01-01.04:00:00');
    });

    it('reads input in a DST zone by the offset of that date (Europe/Warsaw)', () => {
      assert.equal(str('2006-04-04.12:00:00', 'Europe/Warsaw'), '2006-04-04.10:00:00');
      assert.equal(str('2006-01-01.12:00:00', 'Europe/Warsaw'), '2006-01-01.11:00:00');
    });

    it('reads input in a DST zone by the offset of that date (America/New_York)', () => {
      assert.equal(str('2006-07-01.12:00', 'America/New_York'), '2006-07-01.16:00:00');
      assert.equal(str('2006-01-01.12:00', 'America/New_York'), '2006-01-01.17:00:00');
    });

    it('adds days on the local wall clock across a daylight saving change', () => {
      // Warsaw moved to summer time on 2006-03-26: noon is 11:00 UTC before, 10:00 after.
      assert.equal(str('2006-03-25.12:00 + 1d', 'Europe/Warsaw'), '2006-03-26.10:00:00');
    });

    it('rejects an unknown zone with RUP_ERR_VALUE', () => {
      assert.throws(() => parse('2003', 'Mars/Olympus'), { code: 'RUP_ERR_VALUE', message: 'Unknown time zone "Mars/Olympus"' });
    });
  });

  describe('DateTime.parse errors', () => {
    it('rejects text that is no date with Roundup\'s "Not a date spec" message', () => {
      for (const spec of ['1/1/06', '', '   ', 'yesterday', ':30', '2003-04-05 12:00', '2000-01-01 + 1x', '2003-04-05.12:00+2400', '12:00 -0160']) {
        assert.throws(() => parse(spec), { name: 'RupError', code: 'RUP_ERR_DATE', message: DATE_USAGE }, spec);
      }
    });

    it('rejects a malformed interval after a date, quoting the spec', () => {
      assert.throws(() => parse('12'), { code: 'RUP_ERR_DATE', message: tailUsage("'12'") });
      assert.throws(() => parse('2000-01-01 + 5-6'), { code: 'RUP_ERR_DATE', message: tailUsage("'2000-01-01 + 5-6'") });
    });

    it('rejects impossible fields with Python datetime\'s messages', () => {
      const cases: [string, string][] = [
        ['2003-13-01', 'month must be in 1..12'],
        ['2003-00-10', 'month must be in 1..12'],
        ['2003-02-29', 'day is out of range for month'],
        ['2003-04-31', 'day is out of range for month'],
        ['2003-04-00', 'day is out of range for month'],
        ['13-01', 'month must be in 1..12'],
        ['25:00', 'hour must be in 0..23'],
        ['12:60', 'minute must be in 0..59'],
        ['12:00:60', 'second must be in 0..59'],
        ['0000-01-01', 'year 0 is out of range'],
        ['20031301000000', 'month must be in 1..12'],
      ];
      for (const [spec, message] of cases) {
        assert.throws(() => parse(spec), { code: 'RUP_ERR_DATE', message }, spec);
      }
    });

    it('rejects arithmetic that leaves years 1-9999', () => {
      assert.throws(() => parse('9999-12-31 + 1d'), { code: 'RUP_ERR_DATE', message: 'year 10000 is out of range' });
      assert.throws(() => parse('0001-01-01 - 1d'), { code: 'RUP_ERR_DATE', message: 'year 0 is out of range' });
    });
  });

  describe('output forms', () => {
    const date = DateTime.parse('2026-11-21.13:57:38.186');

    it('prints Roundup\'s yyyy-mm-dd.HH:MM:SS with seconds truncated', () => {
      assert.equal(date.toString(), '2026-11-21.13:57:38');
      assert.equal(`${date}`, '2026-11-21.13:57:38');
    });

    it('serialises as yyyymmddHHMMSS.fff', () => {
      assert.equal(date.serialise(), '20261121135738.186');
      assert.equal(DateTime.parse('2003-01-02.03:04:05').serialise(), '20030102030405.000');
    });

    it('gives Roundup\'s get_tuple() with float seconds', () => {
      assert.deepEqual(date.toTuple(), [2026, 11, 21, 13, 57, 38.186, 0, 0, 0]);
      assert.deepEqual(DateTime.parse('2003-01-02').toTuple(), [2003, 1, 2, 0, 0, 0, 0, 0, 0]);
    });

    it('exposes UTC fields', () => {
      assert.deepEqual(
        [date.year, date.month, date.day, date.hour, date.minute, date.second, date.millisecond],
        [2026, 11, 21, 13, 57, 38, 186],
      );
    });

    it('gives local wall-clock time with local(tz) (Roundup testDateLocal, testSimpleTZ, testTZ)', () => {
      assert.equal(String(parse('02:42:20').local(10)), '2003-03-08.12:42:20');
      assert.equal(String(parse('2006-04-04.10:00:00').local(2)), '2006-04-04.12:00:00');
      assert.equal(String(parse('2006-04-04.10:00:00').local('Europe/Warsaw')), '2006-04-04.12:00:00');
      assert.equal(String(parse('2006-01-01.10:00:00').local('Europe/Warsaw')), '2006-01-01.11:00:00');
      assert.equal(String(parse('2006-07-01.16:00').local('America/New_York')), '2006-07-01.12:00:00');
      assert.equal(String(parse('2006-01-01.17:00').local('America/New_York')), '2006-01-01.12:00:00');
    });
  });

  describe('pretty', () => {
    it('defaults to "%d %B %Y" with a leading zero of the day turned into a space', () => {
      assert.equal(parse('2003-04-05').pretty(), ' 5 April 2003');
      assert.equal(parse('2003-04-15').pretty(), '15 April 2003');
      assert.equal(parse('2003-04-05').pretty('%Y-%m-%d'), '2003-04-05');
    });

    it('formats every supported directive', () => {
      const date = parse('2003-04-05.13:04:05.5');
      assert.equal(
        date.pretty('%Y|%y|%m|%d|%e|%H|%I|%p|%M|%S|%b|%B|%a|%A|%j|%Z|%z|%%'),
        '2003|03|04|05| 5|13|01|PM|04|05|Apr|April|Sat|Saturday|095|UTC|+0000|%',
      );
    });

    it('prints 12-hour clock edges as Python does', () => {
      assert.equal(parse('2003-04-05.00:30').pretty('%I %p'), '12 AM');
      assert.equal(parse('2003-04-05.12:30').pretty('%I %p'), '12 PM');
      assert.equal(parse('2003-12-31.23:00').pretty('%I %p %j'), '11 PM 365');
      assert.equal(parse('2004-12-31').pretty('%j %a'), '366 Fri');
    });

    it('formats the local time of the given zone', () => {
      const date = parse('2006-04-04.10:00');
      assert.equal(date.pretty('%Y-%m-%d %H:%M %z', 'Europe/Warsaw'), '2006-04-04 12:00 +0200');
      assert.equal(date.pretty('%H:%M %Z %z', 'America/New_York'), '06:00 EDT -0400');
      assert.equal(date.pretty('%H:%M %Z %z', -5), '05:00 UTC-5 -0500');
      assert.equal(parse('2006-01-01.10:00').pretty('%H:%M %z', 'Europe/Warsaw'), '11:00 +0100');
    });

    it('copies unknown directives and a trailing % as they are', () => {
      assert.equal(parse('2003-04-05').pretty('%Q %Y %'), '%Q 2003 %');
    });
  });

  describe('tuples and epoch milliseconds', () => {
    it('round-trips get_tuple() values from an export', () => {
      const date = DateTime.fromTuple([2026, 11, 21, 13, 57, 38.25, 0, 0, 0]);
      assert.equal(date.serialise(), '20261121135738.250');
      assert.deepEqual(date.toTuple(), [2026, 11, 21, 13, 57, 38.25, 0, 0, 0]);
    });

    it('reads a tuple in a zone like Roundup\'s Date(tuple, offset)', () => {
      assert.equal(String(DateTime.fromTuple(parse('2006-04-04.12:00:00').toTuple(), 2)), '2006-04-04.10:00:00');
      assert.equal(String(DateTime.fromTuple([2006, 4, 4, 12, 0, 0, 0, 0, 0], 'Europe/Warsaw')), '2006-04-04.10:00:00');
      assert.equal(String(DateTime.fromTuple([2006, 1, 1, 12, 0, 0, 0, 0, 0], 'Europe/Warsaw')), '2006-01-01.11:00:00');
    });

    it('caps seconds at 59.999 as Roundup does', () => {
      assert.equal(DateTime.fromTuple([2003, 1, 1, 0, 0, 59.9996, 0, 0, 0]).serialise(), '20030101000059.999');
    });

    it('rejects malformed tuples with "Unknown spec"', () => {
      assert.throws(() => DateTime.fromTuple([2003, 13, 1, 0, 0, 0, 0, 0, 0]), {
        code: 'RUP_ERR_DATE',
        message: 'Unknown spec (2003, 13, 1, 0, 0, 0, 0, 0, 0)',
      });
      assert.throws(() => DateTime.fromTuple([2003, 1, 1]), { code: 'RUP_ERR_DATE', message: 'Unknown spec (2003, 1, 1)' });
      assert.throws(() => DateTime.fromTuple([2003, 1.5, 1, 0, 0, 0, 0, 0, 0]), {
        code: 'RUP_ERR_DATE',
        message: 'Unknown spec (2003, 1.5, 1, 0, 0, 0, 0, 0, 0)',
      });
    });

    it('converts to and from epoch milliseconds across the whole year range (Roundup testTimestamp)', () => {
      assert.equal(parse('2038').epochMs, 2_145_916_800_000);
      assert.equal(parse('1902').epochMs, -2_145_916_800_000);
      assert.equal(String(DateTime.fromEpochMs(0)), '1970-01-01.00:00:00');
      assert.equal(String(DateTime.fromEpochMs(2_147_483_647_000)), '2038-01-19.03:14:07');
      assert.equal(parse('1901-12-13.20:45:52').epochMs, -2_147_483_648_000);
      assert.equal(parse('9999').epochMs, 253_370_764_800_000);
      assert.equal(parse('0033').epochMs, -61_125_753_600_000);
      assert.equal(DateTime.fromEpochMs(1_234.4).epochMs, 1_234);
    });

    it('rejects epoch values that are not numbers or leave years 1-9999', () => {
      assert.throws(() => DateTime.fromEpochMs(Number.NaN), { code: 'RUP_ERR_DATE', message: 'Not a time value: NaN' });
      assert.throws(() => DateTime.fromEpochMs(253_402_300_800_000), { code: 'RUP_ERR_DATE', message: 'year 10000 is out of range' });
    });
  });

  describe('arithmetic', () => {
    const add = (date: string, interval: string) => String(parse(date).add(iv(interval)));
    const sub = (date: string, interval: string) => String(parse(date).sub(iv(interval)));

    it('adds time across day, month and leap-day ends (Roundup testOffsetAdd)', () => {
      assert.equal(add('2000-02-28.23:59:59', '00:00:01'), '2000-02-29.00:00:00');
      assert.equal(add('2001-02-28.23:59:59', '00:00:01'), '2001-03-01.00:00:00');
      assert.equal(add('2000-02-28.23:58:59', '00:01:01'), '2000-02-29.00:00:00');
      assert.equal(add('2001-02-28.23:58:59', '00:01:01'), '2001-03-01.00:00:00');
      assert.equal(add('2000-02-28.22:58:59', '01:01:01'), '2000-02-29.00:00:00');
      assert.equal(add('2001-02-28.22:58:59', '01:01:01'), '2001-03-01.00:00:00');
      assert.equal(add('2000-02-28.22:58:59', '00:00:3661'), '2000-02-29.00:00:00');
      assert.equal(add('2001-02-28.22:58:59', '00:00:3661'), '2001-03-01.00:00:00');
      assert.equal(add('2001-03-01.00:00:00', '150y'), '2151-03-01.00:00:00');
    });

    it('subtracts time across day, month and leap-day ends (Roundup testOffsetSub)', () => {
      assert.equal(sub('2000-12-01', '- 1d'), '2000-12-02.00:00:00');
      assert.equal(sub('2000-01-01', '- 2y 2m'), '2002-03-01.00:00:00');
      assert.equal(sub('2000-01-01', '2m'), '1999-11-01.00:00:00');
      assert.equal(sub('2000-03-01', '60d'), '2000-01-01.00:00:00');
      assert.equal(sub('2001-03-02', '60d'), '2001-01-01.00:00:00');
      assert.equal(sub('2000-02-29.00:00:00', '00:00:01'), '2000-02-28.23:59:59');
      assert.equal(sub('2001-03-01.00:00:00', '00:00:01'), '2001-02-28.23:59:59');
      assert.equal(sub('2000-02-29.00:00:00', '00:01:01'), '2000-02-28.23:58:59');
      assert.equal(sub('2001-03-01.00:00:00', '01:01:01'), '2001-02-28.22:58:59');
      assert.equal(sub('2000-02-29.00:00:00', '00:00:3661'), '2000-02-28.22:58:59');
      assert.equal(sub('2001-03-01.00:00:00', '150y'), '1851-03-01.00:00:00');
    });

    it('adds months and years before days (Roundup testOffsetRandom)', () => {
      assert.equal(add('2000-01-01', '- 2y 2m'), '1997-11-01.00:00:00');
      assert.equal(add('2000-01-01', '2m'), '2000-03-01.00:00:00');
      assert.equal(add('2000-01-01', '60d'), '2000-03-01.00:00:00');
      assert.equal(add('2001-01-01', '60d'), '2001-03-02.00:00:00');
      assert.equal(add('2000-01-31', '1m'), '2000-03-02.00:00:00');
      assert.equal(add('2003-03-31', '- 1m'), '2003-03-03.00:00:00');
    });

    it('crosses month and year boundaries by days (Roundup testInterval*Boundary)', () => {
      assert.equal(add('2003-10-30', '2d'), '2003-11-01.00:00:00');
      assert.equal(add('2004-02-28', '1d'), '2004-02-29.00:00:00');
      assert.equal(add('2003-02-28', '1d'), '2003-03-01.00:00:00');
      assert.equal(add('2003-01-01', '59d'), '2003-03-01.00:00:00');
      assert.equal(add('2004-01-01', '59d'), '2004-02-29.00:00:00');
      assert.equal(sub('2003-11-01', '2d'), '2003-10-30.00:00:00');
      assert.equal(sub('2004-02-29', '1d'), '2004-02-28.00:00:00');
      assert.equal(sub('2003-03-01', '1d'), '2003-02-28.00:00:00');
      assert.equal(sub('2003-03-01', '59d'), '2003-01-01.00:00:00');
      assert.equal(sub('2004-02-29', '59d'), '2004-01-01.00:00:00');
      assert.equal(add('2003-12-30', '2d'), '2004-01-01.00:00:00');
      assert.equal(add('2003-01-01', '365d'), '2004-01-01.00:00:00');
      assert.equal(add('2004-01-01', '366d'), '2005-01-01.00:00:00');
      assert.equal(sub('2003-01-01', '2d'), '2002-12-30.00:00:00');
      assert.equal(sub('2004-02-01', '365d'), '2003-02-01.00:00:00');
      assert.equal(sub('2005-02-01', '365d'), '2004-02-02.00:00:00');
    });

    it('adds on the wall clock of a zone when one is given, in UTC otherwise', () => {
      const before = parse('2006-03-25.11:00');
      assert.equal(String(before.add(iv('1d'))), '2006-03-26.11:00:00');
      assert.equal(String(before.add(iv('1d'), 'Europe/Warsaw')), '2006-03-26.10:00:00');
    });

    it('drops fractional seconds when adding', () => {
      assert.equal(parse('2003-01-01.00:00:00.750').add(iv('1d')).millisecond, 0);
    });

    it('refuses results outside years 1-9999', () => {
      assert.throws(() => parse('9999-06-01').add(iv('1y')), { code: 'RUP_ERR_DATE', message: 'year 10000 is out of range' });
    });

    it('subtracts dates into days and time only (Roundup testDateSubtract)', () => {
      const diff = (a: string, b: string) => parse(a).diff(parse(b));
      const cases: [string, string, string][] = [
        ['2003-03-15', '2003-03-10', '5d'],
        ['2003-02-01', '2003-03-01', '-28d'],
        ['2003-03-01', '2003-02-01', '28d'],
        ['2003-03-03', '2003-02-01', '30d'],
        ['2003-03-03', '2002-02-01', '395d'],
        ['2003-03-03', '2003-04-01', '-29d'],
        ['2003-01-01', '2002-01-01', '365d'],
        ['1952-01-01', '1953-01-01', '-366d'],
        ['1953-01-01', '1952-01-01', '366d'],
      ];
      for (const [a, b, expected] of cases) {
        assert.ok(diff(a, b).equals(iv(expected)), `${a} - ${b}`);
      }
      assert.equal(String(diff('2004-04-06.22:04:20', '2003-07-01')), '+ 280d 22:04:20');
      assert.equal(String(diff('2003-03-10', '2003-03-11.01:02:03')), '- 1d 1:02:03');
    });

    it('truncates a date difference to whole seconds toward zero', () => {
      assert.equal(String(parse('2003-03-10.00:00:01.900').diff(parse('2003-03-10'))), '+ 0:00:01');
      assert.equal(String(parse('2003-03-10').diff(parse('2003-03-10.00:00:01.900'))), '- 0:00:01');
    });

    it('gives a zero interval for equal dates', () => {
      const zero = parse('2003-03-10').diff(parse('2003-03-10'));
      assert.equal(String(zero), '00:00');
      assert.ok(zero.equals(iv('00:00')));
    });

    it('gets back to the first date by adding the difference (Roundup docstring)', () => {
      const d1 = parse('2004-04-06.22:04:20');
      const d2 = parse('2003-07-01');
      const i1 = d1.diff(d2);
      assert.equal(String(d2.add(i1)), '2004-04-06.22:04:20');
      assert.equal(String(d1.sub(i1)), '2003-07-01.00:00:00');
    });
  });

  describe('comparison', () => {
    it('orders instants and tests equality to the millisecond', () => {
      const a = parse('2003-03-10.00:00:00');
      const b = parse('2003-03-10.00:00:00.001');
      assert.equal(a.compare(b), -1);
      assert.equal(b.compare(a), 1);
      assert.equal(a.compare(parse('2003-03-10')), 0);
      assert.equal(a.equals(parse('2003-03-10')), true);
      assert.equal(a.equals(b), false);
    });
  });
});
