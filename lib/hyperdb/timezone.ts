/**
 * Time zones and wall-clock arithmetic for dates.
 *
 * A zone is what Roundup accepts as a user's or the tracker's `timezone`:
 * an integer hour offset (`1`, `-5`, `"+3"`) or an IANA zone name
 * (`Europe/Warsaw`), the latter resolved with `Intl.DateTimeFormat` so the
 * offset follows daylight saving time at the instant in question (Roundup
 * does the same with pytz).
 *
 * Wall-clock fields are handled as "wall milliseconds": the fields encoded
 * as if they were UTC. That keeps calendar arithmetic in one place (the
 * civil-day conversions below) and makes a zone nothing more than a
 * function from a UTC instant to an offset.
 */

import { RupError } from '../errors.js';

/** What callers pass as a time zone: an hour offset or an IANA name. */
export type TimezoneSpec = string | number;

/** A resolved time zone. */
export interface Timezone {
  /** The zone as the user wrote it (`Europe/Warsaw`, `-5`), `UTC` when none. */
  readonly name: string;
  /** Offset from UTC in minutes, east positive, at the UTC instant `utcMs`. */
  offsetAt(utcMs: number): number;
  /** Short zone label for `%Z` (`CET`, `EST`, `GMT+1`, `UTC+5`) at `utcMs`. */
  abbreviation(utcMs: number): string;
}

/** Calendar and clock fields of one instant; `month` and `day` count from 1. */
export interface CivilFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

const MS_PER_MINUTE = 60_000;
const MS_PER_DAY = 86_400_000;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** True for Gregorian leap years. */
export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Number of days in `month` (1-12) of `year`. */
export function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month - 1];
}

/**
 * Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * algorithm). Works for any year, unlike `Date.UTC`, which maps years
 * 0-99 to 1900-1999.
 */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** Inverse of {@link daysFromCivil}: `[year, month, day]` of a day number. */
export function civilFromDays(days: number): [number, number, number] {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (month <= 2 ? 1 : 0), month, day];
}

/** Milliseconds since the epoch of `fields` read as UTC (no range checks). */
export function fieldsToMs(fields: CivilFields): number {
  const days = daysFromCivil(fields.year, fields.month, fields.day);
  return days * MS_PER_DAY + ((fields.hour * 60 + fields.minute) * 60 + fields.second) * 1000 + fields.millisecond;
}

/** The UTC calendar fields of an epoch-milliseconds value. */
export function msToFields(ms: number): CivilFields {
  const days = Math.floor(ms / MS_PER_DAY);
  let rest = ms - days * MS_PER_DAY;
  const [year, month, day] = civilFromDays(days);
  const millisecond = rest % 1000;
  rest = (rest - millisecond) / 1000;
  return {
    year,
    month,
    day,
    hour: Math.floor(rest / 3600),
    minute: Math.floor(rest / 60) % 60,
    second: rest % 60,
    millisecond,
  };
}

/** A zone with a constant offset: Roundup's `SimpleTimezone` and UTC. */
class FixedTimezone implements Timezone {
  constructor(
    readonly name: string,
    private readonly minutes: number,
  ) {}

  offsetAt(): number {
    return this.minutes;
  }

  abbreviation(): string {
    if (this.minutes === 0) return 'UTC';
    const sign = this.minutes < 0 ? '-' : '+';
    const abs = Math.abs(this.minutes);
    const minutes = abs % 60;
    return `UTC${sign}${(abs - minutes) / 60}${minutes ? `:${String(minutes).padStart(2, '0')}` : ''}`;
  }
}

/** An IANA zone; offsets come from the platform's time zone database. */
class NamedTimezone implements Timezone {
  /** Formats an instant as `M/D/YYYY, HH:MM:SS` wall time in the zone. */
  private readonly wallFormat: Intl.DateTimeFormat;
  private shortNameFormat: Intl.DateTimeFormat | undefined;

  constructor(readonly name: string) {
    // Throws RangeError for names the time zone database does not know.
    this.wallFormat = new Intl.DateTimeFormat('en-US', {
      timeZone: name,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  }

  offsetAt(utcMs: number): number {
    // format() is several times faster than formatToParts(); the digit
    // runs come out in the fixed order month, day, year, hour, minute,
    // second whatever the separators are.
    const text = this.wallFormat.format(utcMs);
    const parts = [0, 0, 0, 0, 0, 0];
    let index = -1;
    let inDigits = false;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code >= 48 && code <= 57) {
        if (!inDigits) {
          index++;
          inDigits = true;
        }
        if (index < 6) parts[index] = parts[index] * 10 + (code - 48);
      } else {
        inDigits = false;
      }
    }
    const wallSeconds = daysFromCivil(parts[2], parts[0], parts[1]) * 86_400 + parts[3] * 3600 + parts[4] * 60 + parts[5];
    const utcSeconds = Math.floor(utcMs / 1000);
    return Math.round((wallSeconds - utcSeconds) / 60);
  }

  abbreviation(utcMs: number): string {
    this.shortNameFormat ??= new Intl.DateTimeFormat('en-US', { timeZone: this.name, timeZoneName: 'short' });
    const part = this.shortNameFormat.formatToParts(utcMs).find((p) => p.type === 'timeZoneName');
    return part ? part.value : this.name;
  }
}

/** UTC, the zone used when none is configured (Roundup's default `timezone = 0`). */
export const UTC: Timezone = new FixedTimezone('UTC', 0);

/**
 * A zone with a constant offset of `minutes` east of UTC, for an explicit
 * `+HHMM` / `-HHMM` suffix on a date.
 */
export function fixedOffsetZone(minutes: number): Timezone {
  if (minutes === 0) return UTC;
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  const name = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
  return new FixedTimezone(name, minutes);
}

const HOUR_OFFSET = /^[+-]?\d+$/;
const UTC_NAMES = new Set(['utc', 'gmt', 'etc/utc', 'etc/gmt', 'zulu', 'etc/zulu', 'uct', 'etc/uct', 'universal', 'etc/universal']);
const zoneCache = new Map<string, Timezone>();

function hourOffsetZone(hours: number, name: string): Timezone {
  if (!Number.isInteger(hours) || hours < -23 || hours > 23) {
    throw new RupError('RUP_ERR_VALUE', `Invalid time zone offset "${name}": expected a whole number of hours from -23 to 23 or a zone name such as Europe/Warsaw`);
  }
  return hours === 0 ? UTC : new FixedTimezone(name, hours * 60);
}

/**
 * Resolve a zone the way Roundup's `get_timezone` does: an integer (or a
 * string holding one) is an hour offset, anything else an IANA name. No
 * zone (`undefined`, `null`, empty string) means UTC. Resolved zones are
 * cached, so calling this per value costs a map lookup.
 *
 * Unlike Python's `int()`, fractional offsets such as `5.5` are refused
 * rather than truncated: Roundup rejects `"5.5"` (pytz has no such zone)
 * and only integers pass its user auditor.
 *
 * @throws RupError `RUP_ERR_VALUE` for an unknown name or a bad offset.
 */
export function resolveTimezone(spec: TimezoneSpec | null | undefined): Timezone {
  if (spec === undefined || spec === null) return UTC;
  const name = typeof spec === 'number' ? String(spec) : spec.trim();
  if (name === '') return UTC;
  const cached = zoneCache.get(name);
  if (cached) return cached;
  let zone: Timezone;
  if (typeof spec === 'number') {
    zone = hourOffsetZone(spec, name);
  } else if (HOUR_OFFSET.test(name)) {
    zone = hourOffsetZone(Number(name), name);
  } else if (UTC_NAMES.has(name.toLowerCase())) {
    zone = new FixedTimezone(name, 0);
  } else {
    try {
      zone = new NamedTimezone(name);
    } catch (err) {
      throw new RupError('RUP_ERR_VALUE', `Unknown time zone "${name}"`, { cause: err });
    }
  }
  zoneCache.set(name, zone);
  return zone;
}

/**
 * Whether `tz` is acceptable as a user's `timezone` property: a known IANA
 * zone name, or an integer hour offset from -23 to 23 (what Roundup's user
 * auditor allows). Empty values are not zones; the caller decides whether
 * "unset" is allowed.
 */
export function isValidTimezone(tz: unknown): boolean {
  if (typeof tz !== 'string' && typeof tz !== 'number') return false;
  if (typeof tz === 'string' && tz.trim() === '') return false;
  try {
    resolveTimezone(tz);
    return true;
  } catch {
    return false;
  }
}

/** Wall-clock milliseconds (fields encoded as UTC) of a UTC instant in `tz`. */
export function utcToWallMs(utcMs: number, tz: Timezone): number {
  return utcMs + tz.offsetAt(utcMs) * MS_PER_MINUTE;
}

/**
 * The UTC instant of a wall-clock time in `tz`. Times that occur twice
 * (when clocks go back) resolve to standard time, the later instant; times
 * skipped when clocks go forward are read with the offset in force before
 * the change. Both match pytz's `localize(..., is_dst=False)`, which
 * Roundup uses.
 */
export function wallMsToUtc(wallMs: number, tz: Timezone): number {
  const before = tz.offsetAt(wallMs - MS_PER_DAY);
  const after = tz.offsetAt(wallMs + MS_PER_DAY);
  if (before === after) return wallMs - before * MS_PER_MINUTE;
  const fitsBefore = tz.offsetAt(wallMs - before * MS_PER_MINUTE) === before;
  const fitsAfter = tz.offsetAt(wallMs - after * MS_PER_MINUTE) === after;
  let offset: number;
  if (fitsBefore && fitsAfter) offset = Math.min(before, after);
  else if (fitsAfter) offset = after;
  else offset = before;
  return wallMs - offset * MS_PER_MINUTE;
}

/** Local wall-clock fields of a UTC instant in the zone `tz`. */
export function utcToLocal(utcMs: number, tz: TimezoneSpec | Timezone | null | undefined): CivilFields {
  return msToFields(utcToWallMs(utcMs, toZone(tz)));
}

/**
 * The UTC instant (epoch ms) of local wall-clock `fields` in the zone
 * `tz`; see {@link wallMsToUtc} for times that occur twice or never.
 * Fields are not range-checked; out-of-range values roll over.
 */
export function localToUtc(fields: CivilFields, tz: TimezoneSpec | Timezone | null | undefined): number {
  return wallMsToUtc(fieldsToMs(fields), toZone(tz));
}

/** Accept an already resolved zone wherever a spec is accepted. */
export function toZone(tz: TimezoneSpec | Timezone | null | undefined): Timezone {
  return typeof tz === 'object' && tz !== null ? tz : resolveTimezone(tz);
}
