import assert from 'node:assert/strict';
import {
  UTC,
  civilFromDays,
  daysFromCivil,
  daysInMonth,
  fieldsToMs,
  fixedOffsetZone,
  isLeapYear,
  isValidTimezone,
  localToUtc,
  msToFields,
  resolveTimezone,
  utcToLocal,
} from '../../lib/hyperdb/timezone.js';

const at = (iso: string): number => Date.parse(iso);
const wall = (year: number, month: number, day: number, hour = 0, minute = 0, second = 0, millisecond = 0) => ({
  year,
  month,
  day,
  hour,
  minute,
  second,
  millisecond,
});

describe('hyperdb/timezone', () => {
  describe('resolveTimezone', () => {
    it('treats no zone, an empty string and 0 as UTC', () => {
      assert.equal(resolveTimezone(undefined), UTC);
      assert.equal(resolveTimezone(null), UTC);
      assert.equal(resolveTimezone(''), UTC);
      assert.equal(resolveTimezone(0), UTC);
      assert.equal(resolveTimezone('0'), UTC);
    });

    it('reads integers and integer strings as hour offsets east of UTC', () => {
      assert.equal(resolveTimezone(1).offsetAt(0), 60);
      assert.equal(resolveTimezone('-5').offsetAt(0), -300);
      assert.equal(resolveTimezone('+3').offsetAt(0), 180);
      assert.equal(resolveTimezone(23).offsetAt(0), 23 * 60);
      assert.equal(resolveTimezone('-5').name, '-5');
    });

    it('follows daylight saving time for IANA names in summer and winter', () => {
      const warsaw = resolveTimezone('Europe/Warsaw');
      assert.equal(warsaw.offsetAt(at('2006-07-01T12:00:00Z')), 120);
      assert.equal(warsaw.offsetAt(at('2006-01-01T12:00:00Z')), 60);
      const newYork = resolveTimezone('America/New_York');
      assert.equal(newYork.offsetAt(at('2006-07-01T12:00:00Z')), -240);
      assert.equal(newYork.offsetAt(at('2006-01-01T12:00:00Z')), -300);
    });

    it('resolves the UTC aliases without the time zone database', () => {
      assert.equal(resolveTimezone('UTC').offsetAt(0), 0);
      assert.equal(resolveTimezone('GMT').offsetAt(at('2006-07-01T00:00:00Z')), 0);
    });

    it('returns the same cached zone for the same name', () => {
      assert.equal(resolveTimezone('Europe/Warsaw'), resolveTimezone(' Europe/Warsaw '));
    });

    it('rejects unknown zone names with RUP_ERR_VALUE', () => {
      assert.throws(() => resolveTimezone('Mars/Olympus'), { name: 'RupError', code: 'RUP_ERR_VALUE', message: 'Unknown time zone "Mars/Olympus"' });
      assert.throws(() => resolveTimezone('5.5'), { code: 'RUP_ERR_VALUE', message: 'Unknown time zone "5.5"' });
    });

    it('rejects offsets that are out of range or not whole hours', () => {
      const message = (tz: string) =>
        `Invalid time zone offset "${tz}": expected a whole number of hours from -23 to 23 or a zone name such as Europe/Warsaw`;
      assert.throws(() => resolveTimezone(24), { code: 'RUP_ERR_VALUE', message: message('24') });
      assert.throws(() => resolveTimezone('-30'), { code: 'RUP_ERR_VALUE', message: message('-30') });
      assert.throws(() => resolveTimezone(5.5), { code: 'RUP_ERR_VALUE', message: message('5.5') });
    });
  });

  describe('abbreviation', () => {
    it('names fixed offsets UTC±H and IANA zones by their short name', () => {
      assert.equal(resolveTimezone(-5).abbreviation(0), 'UTC-5');
      assert.equal(resolveTimezone('+5').abbreviation(0), 'UTC+5');
      assert.equal(UTC.abbreviation(0), 'UTC');
      assert.equal(fixedOffsetZone(330).abbreviation(0), 'UTC+5:30');
      const newYork = resolveTimezone('America/New_York');
      assert.equal(newYork.abbreviation(at('2006-07-01T12:00:00Z')), 'EDT');
      assert.equal(newYork.abbreviation(at('2006-01-01T12:00:00Z')), 'EST');
    });
  });

  describe('fixedOffsetZone', () => {
    it('makes a constant zone named like a +HHMM suffix', () => {
      const zone = fixedOffsetZone(-330);
      assert.equal(zone.name, '-0530');
      assert.equal(zone.offsetAt(at('2006-07-01T00:00:00Z')), -330);
      assert.equal(fixedOffsetZone(0), UTC);
    });
  });

  describe('isValidTimezone', () => {
    it('accepts IANA names and whole hour offsets from -23 to 23', () => {
      assert.equal(isValidTimezone('Europe/Warsaw'), true);
      assert.equal(isValidTimezone('America/New_York'), true);
      assert.equal(isValidTimezone('UTC'), true);
      assert.equal(isValidTimezone('5'), true);
      assert.equal(isValidTimezone('-23'), true);
      assert.equal(isValidTimezone(23), true);
      assert.equal(isValidTimezone(0), true);
    });

    it('refuses unknown names, out-of-range or fractional offsets and non-values', () => {
      assert.equal(isValidTimezone('Mars/Olympus'), false);
      assert.equal(isValidTimezone('24'), false);
      assert.equal(isValidTimezone(-24), false);
      assert.equal(isValidTimezone(5.5), false);
      assert.equal(isValidTimezone('5.5'), false);
      assert.equal(isValidTimezone(''), false);
      assert.equal(isValidTimezone(null), false);
      assert.equal(isValidTimezone(undefined), false);
      assert.equal(isValidTimezone({}), false);
    });
  });

  describe('utcToLocal and localToUtc', () => {
    it('convert with a numeric offset', () => {
      assert.deepEqual(utcToLocal(at('2006-04-04T10:00:00Z'), 2), wall(2006, 4, 4, 12));
      assert.equal(localToUtc(wall(2006, 4, 4, 12), 2), at('2006-04-04T10:00:00Z'));
      assert.equal(localToUtc(wall(2000, 4, 17, 3, 45), '-5'), at('2000-04-17T08:45:00Z'));
    });

    it('convert in a DST zone in summer and winter', () => {
      assert.equal(localToUtc(wall(2006, 4, 4, 12), 'Europe/Warsaw'), at('2006-04-04T10:00:00Z'));
      assert.equal(localToUtc(wall(2006, 1, 1, 12), 'Europe/Warsaw'), at('2006-01-01T11:00:00Z'));
      assert.deepEqual(utcToLocal(at('2006-07-01T16:00:00Z'), 'America/New_York'), wall(2006, 7, 1, 12));
      assert.deepEqual(utcToLocal(at('2006-01-01T17:00:00Z'), 'America/New_York'), wall(2006, 1, 1, 12));
    });

    it('read a time skipped by the spring change with the offset in force before it', () => {
      // Warsaw jumped from 02:00 CET to 03:00 CEST on 2006-03-26.
      assert.equal(localToUtc(wall(2006, 3, 26, 2, 30), 'Europe/Warsaw'), at('2006-03-26T01:30:00Z'));
      assert.equal(localToUtc(wall(2006, 4, 2, 2, 30), 'America/New_York'), at('2006-04-02T07:30:00Z'));
    });

    it('read a time repeated by the autumn change as standard time', () => {
      // 02:30 happened twice in Warsaw on 2006-10-29 (00:30 and 01:30 UTC).
      assert.equal(localToUtc(wall(2006, 10, 29, 2, 30), 'Europe/Warsaw'), at('2006-10-29T01:30:00Z'));
      assert.equal(localToUtc(wall(2006, 10, 29, 1, 30), 'America/New_York'), at('2006-10-29T06:30:00Z'));
    });

    it('keep milliseconds and accept an already resolved zone', () => {
      const zone = resolveTimezone('Europe/Warsaw');
      assert.equal(localToUtc(wall(2006, 7, 1, 12, 0, 0, 250), zone), at('2006-07-01T10:00:00.250Z'));
      assert.deepEqual(utcToLocal(at('2006-07-01T10:00:00.250Z'), zone), wall(2006, 7, 1, 12, 0, 0, 250));
    });
  });

  describe('calendar helpers', () => {
    it('know leap years and month lengths', () => {
      assert.equal(isLeapYear(2000), true);
      assert.equal(isLeapYear(1900), false);
      assert.equal(isLeapYear(2004), true);
      assert.equal(isLeapYear(2003), false);
      assert.equal(daysInMonth(2000, 2), 29);
      assert.equal(daysInMonth(1900, 2), 28);
      assert.equal(daysInMonth(2003, 4), 30);
      assert.equal(daysInMonth(2003, 12), 31);
    });

    it('convert civil dates to day numbers and back, including year 1 and dates before 1970', () => {
      assert.equal(daysFromCivil(1970, 1, 1), 0);
      assert.equal(daysFromCivil(2000, 3, 1), 11_017);
      assert.equal(daysFromCivil(1, 1, 1), -719_162);
      assert.deepEqual(civilFromDays(-719_162), [1, 1, 1]);
      assert.deepEqual(civilFromDays(11_016), [2000, 2, 29]);
      assert.deepEqual(civilFromDays(-1), [1969, 12, 31]);
    });

    it('convert fields to milliseconds and back without Date.UTC year mapping', () => {
      const fields = wall(33, 1, 1, 0, 0, 0, 0);
      assert.equal(fieldsToMs(fields), -61_125_753_600_000);
      assert.deepEqual(msToFields(-61_125_753_600_000), fields);
      assert.deepEqual(msToFields(at('1901-12-13T20:45:52.125Z')), wall(1901, 12, 13, 20, 45, 52, 125));
    });
  });
});
