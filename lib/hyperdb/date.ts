/**
 * Roundup's `date.Date` as `DateTime`: an instant kept in UTC with
 * millisecond precision, parsed from the date syntax users type (partial
 * dates, `.` for now, `+ 1m 10d` arithmetic, a time zone), and printed the
 * way Roundup prints it (`2000-06-24.13:03:59`, its serialised form, its
 * export tuple, strftime-style pretty forms).
 *
 * Input without an explicit offset is wall-clock time in the user's zone.
 * Arithmetic in a spec (`2000-06-25 + 1m 10d`, and the end of a range's
 * precision) runs on that wall clock too, so "+ 1d" across a daylight
 * saving change still lands on the same local time of day; Roundup runs it
 * on the UTC fields, which gives the same result for fixed offsets.
 */

import { RupError, isRupError } from '../errors.js';
import { Interval } from './interval.js';
import {
  type CivilFields,
  type Timezone,
  type TimezoneSpec,
  civilFromDays,
  daysFromCivil,
  daysInMonth,
  fieldsToMs,
  fixedOffsetZone,
  msToFields,
  toZone,
  utcToWallMs,
  wallMsToUtc,
} from './timezone.js';

/** Roundup's `Date.get_tuple()`: `[y, m, d, H, M, S(float), 0, 0, 0]`. */
export type DateTuple = [number, number, number, number, number, number, number, number, number];

/** Options of {@link DateTime.parse}. */
export interface DateParseOptions {
  /** The user's zone, for input without an explicit `+HHMM`; default UTC. */
  tz?: TimezoneSpec | Timezone | null;
  /** The current time (`.`, partial dates, relative specs); default the clock. */
  now?: DateTime;
  /**
   * Return the last millisecond the spec's precision covers instead of its
   * first: `2003` gives 2003-12-31.23:59:59.999, `2003-04` the end of
   * April, `12:00` 12:00:59.999. Roundup's `add_granularity`, used for the
   * upper bound of a single-value date filter (Roundup stops at :59 whole
   * seconds; the extra .999 keeps stored fractional seconds inside).
   * The serialised form is exact and is returned unchanged, as in Roundup.
   */
  endOfPrecision?: boolean;
}

/** Roundup's message for text that is no date at all. */
const DATE_USAGE = 'Not a date spec: "yyyy-mm-dd", "mm-dd", "HH:MM", "HH:MM:SS" or "yyyy-mm-dd.HH:MM:SS.SSS"';
const DATE_USAGE_TAIL = 'not a date / time spec "yyyy-mm-dd", "mm-dd", "HH:MM", "HH:MM:SS" or "yyyy-mm-dd.HH:MM:SS.SSS"';

// Roundup's date_re: [yyyy[-mm[-dd]] | mm-dd] [. or T] [H]H:MM[:SS[.fff]]
// then either a zone offset +HHMM or an interval to add. Groups: 1 y,
// 2 m, 3 d, 4 a (month), 5 b (day), 6 separator, 7 H, 8 M, 9 S,
// 10 zone sign, 11 zone hours, 12 zone minutes, 13 interval.
const DATE_RE =
  /^(?:(\d{4})(?:[/-](\d\d?)(?:[/-](\d\d?))?)?|(\d\d?)[/-](\d\d?))?([.T])?(?:(?:(\d?\d):(\d\d))?(?::(\d\d?(?:\.\d+)?))?)?(?:\s?([+-])(\d\d):?(\d\d)|([\d\smywd+-]+))?$/;
// Roundup's serialised form yyyymmddHHMMSS[.fff], always UTC.
const SERIALISED_RE = /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d?)(\.\d+)?$/;

const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAY_NAMES = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** Python's `repr()` of a string, as Roundup's messages quote specs. */
function pyRepr(text: string): string {
  if (text.includes("'") && !text.includes('"')) return `"${text}"`;
  return `'${text.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

/**
 * Check wall-clock fields the way Python's `datetime` does, with its
 * messages (what Roundup shows for `2003-13-01` or `25:00`).
 */
function checkFields(f: CivilFields): void {
  let problem: string | undefined;
  if (f.year < 1 || f.year > 9999) problem = `year ${f.year} is out of range`;
  else if (f.month < 1 || f.month > 12) problem = 'month must be in 1..12';
  else if (f.day < 1 || f.day > daysInMonth(f.year, f.month)) problem = 'day is out of range for month';
  else if (f.hour > 23) problem = 'hour must be in 0..23';
  else if (f.minute > 59) problem = 'minute must be in 0..59';
  else if (f.second > 59) problem = 'second must be in 0..59';
  if (problem) throw new RupError('RUP_ERR_DATE', problem);
}

/** Milliseconds of a seconds text such as `7` or `59.5`, rounded to the millisecond. */
function secondsToMs(text: string): number {
  return Math.round(Number(text) * 1000);
}

/**
 * Roundup's `Date.addInterval` on wall-clock fields: seconds, minutes and
 * hours first (overflowing into days), then years and months, then days,
 * now that the month is known; fractional seconds are dropped, as Roundup
 * works in whole seconds. `2000-01-31 + 1m` is 2000-03-02.
 */
function addToFields(f: CivilFields, iv: Interval): CivilFields {
  const s = iv.sign;
  let seconds = f.hour * 3600 + f.minute * 60 + f.second + s * (iv.hour * 3600 + iv.minute * 60 + iv.second);
  const carry = Math.floor(seconds / 86_400);
  seconds -= carry * 86_400;
  let year = f.year + s * iv.year;
  const month0 = f.month - 1 + s * iv.month;
  year += Math.floor(month0 / 12);
  const month = (((month0 % 12) + 12) % 12) + 1;
  const days = daysFromCivil(year, month, 1) + f.day - 1 + s * iv.day + carry;
  const [y, m, d] = civilFromDays(days);
  if (y < 1 || y > 9999) throw new RupError('RUP_ERR_DATE', `year ${y} is out of range`);
  return { year: y, month: m, day: d, hour: Math.floor(seconds / 3600), minute: Math.floor(seconds / 60) % 60, second: seconds % 60, millisecond: 0 };
}

/** Add `iv` to the UTC instant `utcMs` on the wall clock of `zone`. */
function addInZone(utcMs: number, iv: Interval, zone: Timezone): number {
  const wall = msToFields(utcToWallMs(utcMs, zone));
  return wallMsToUtc(fieldsToMs(addToFields(wall, iv)), zone);
}

/** An instant in time, UTC, millisecond precision; immutable. */
export class DateTime {
  #fields: CivilFields | undefined;

  private constructor(private readonly ms: number) {}

  /**
   * Parse Roundup's date syntax:
   * - full and partial dates: `2000-04-17.03:45:07` (`.` or `T`,
   *   fractional seconds allowed), `2000-04-17`, `2003-06`, `2003`
   *   (January 1st), `01-25` (this year), `08-13.22:13`, `14:25` and
   *   `8:47:11` (today), `/` in place of `-`;
   * - `.` for now, optionally followed by an interval (`. -1d`), a bare
   *   interval (`-2w`) meaning now plus it, and a date plus an interval
   *   (`2000-06-25 + 1m 10d`: months and years first, then days);
   * - the serialised form `yyyymmddHHMMSS[.fff]` (UTC);
   * - a trailing `+HHMM` / `-HHMM` giving the zone of that input.
   *
   * Other input is wall-clock time in `options.tz`; "this year" and
   * "today" are those of the user's zone at `options.now`.
   *
   * @throws RupError `RUP_ERR_DATE` with Roundup's wording ("Not a date
   *   spec: ...", "'x' not a date / time spec ...", Python's "month must
   *   be in 1..12" for impossible fields).
   * @throws RupError `RUP_ERR_VALUE` for an unknown zone.
   */
  static parse(spec: string, options: DateParseOptions = {}): DateTime {
    const text = spec.trim();
    const serial = SERIALISED_RE.exec(text);
    if (serial) {
      const fields = {
        year: Number(serial[1]),
        month: Number(serial[2]),
        day: Number(serial[3]),
        hour: Number(serial[4]),
        minute: Number(serial[5]),
        second: Number(serial[6]),
        millisecond: 0,
      };
      checkFields(fields);
      return DateTime.fromEpochMs(fieldsToMs(fields) + (serial[7] ? secondsToMs(`0${serial[7]}`) : 0));
    }

    const m = text === '' ? null : DATE_RE.exec(text);
    // Seconds without hours and minutes (`:30`) fit Roundup's pattern but
    // it silently ignores them; refuse them, and zone offsets past 23:59.
    if (!m || (m[9] !== undefined && m[7] === undefined) || (m[10] !== undefined && (Number(m[11]) > 23 || Number(m[12]) > 59))) {
      throw new RupError('RUP_ERR_DATE', DATE_USAGE);
    }

    const userZone = toZone(options.tz);
    const zone = m[10] ? fixedOffsetZone((m[10] === '-' ? -1 : 1) * (Number(m[11]) * 60 + Number(m[12]))) : userZone;
    const now = options.now ?? DateTime.now();
    const hasDate = m[1] !== undefined || m[4] !== undefined;
    const hasTime = m[7] !== undefined;

    let utc = now.ms;
    if (hasDate || hasTime) {
      const today = msToFields(utcToWallMs(now.ms, zone));
      const fields: CivilFields = { ...today, hour: 0, minute: 0, second: 0, millisecond: 0 };
      if (m[1] !== undefined) {
        fields.year = Number(m[1]);
        fields.month = m[2] === undefined ? 1 : Number(m[2]);
        fields.day = m[3] === undefined ? 1 : Number(m[3]);
      } else if (m[4] !== undefined) {
        fields.month = Number(m[4]);
        fields.day = Number(m[5]);
      }
      // Fractional seconds are added after the check, so 59.9999 rounds
      // up into the next minute instead of failing as second 60.
      let fraction = 0;
      if (hasTime) {
        fields.hour = Number(m[7]);
        fields.minute = Number(m[8]);
        if (m[9] !== undefined) {
          fields.second = Math.floor(Number(m[9]));
          fraction = secondsToMs(m[9]) - fields.second * 1000;
        }
      }
      checkFields(fields);
      utc = wallMsToUtc(fieldsToMs(fields) + fraction, zone);
    }

    if (m[13] !== undefined) {
      let offset: Interval;
      try {
        offset = Interval.parse(m[13], { allowDate: false });
      } catch (err) {
        if (!isRupError(err, 'RUP_ERR_DATE')) throw err;
        throw new RupError('RUP_ERR_DATE', `${pyRepr(text)} ${DATE_USAGE_TAIL}`, { cause: err });
      }
      utc = addInZone(utc, offset, zone);
    }

    if (options.endOfPrecision) {
      const unit = DateTime.precisionOf(m);
      utc = addInZone(utc, unit, zone) - 1;
    }
    return DateTime.fromEpochMs(utc);
  }

  /**
   * The smallest unit a matched spec names, as an interval of one such
   * unit. Roundup refuses seconds and `mm-dd` here (by oversight for the
   * latter); they are taken as one second and one day.
   */
  private static precisionOf(m: RegExpExecArray): Interval {
    const unit = (tuple: [number, number, number, number, number, number]) => Interval.fromTuple([1, ...tuple]);
    if (m[9] !== undefined) return unit([0, 0, 0, 0, 0, 1]);
    if (m[8] !== undefined) return unit([0, 0, 0, 0, 1, 0]);
    if (m[3] !== undefined || m[4] !== undefined) return unit([0, 0, 1, 0, 0, 0]);
    if (m[2] !== undefined) return unit([0, 1, 0, 0, 0, 0]);
    if (m[1] !== undefined) return unit([1, 0, 0, 0, 0, 0]);
    throw new RupError('RUP_ERR_DATE', 'Could not determine granularity');
  }

  /** The current time, to the millisecond. */
  static now(): DateTime {
    return new DateTime(Date.now());
  }

  /**
   * The instant `ms` milliseconds after 1970-01-01 UTC (rounded to a
   * whole millisecond).
   *
   * @throws RupError `RUP_ERR_DATE` outside years 1-9999 or for a non-number.
   */
  static fromEpochMs(ms: number): DateTime {
    if (typeof ms !== 'number' || !Number.isFinite(ms)) throw new RupError('RUP_ERR_DATE', `Not a time value: ${ms}`);
    const whole = Math.round(ms);
    const year = civilFromDays(Math.floor(whole / 86_400_000))[0];
    if (year < 1 || year > 9999) throw new RupError('RUP_ERR_DATE', `year ${year} is out of range`);
    return new DateTime(whole);
  }

  /**
   * Build from Roundup's `get_tuple()` 9-tuple `[y, m, d, H, M, S, x, x, x]`
   * (the export format; `S` may have a fraction, the last three are
   * ignored), read as wall-clock time in `tz` (default UTC) like Roundup's
   * `Date(tuple, offset)`. Seconds keep millisecond precision and are
   * capped at 59.999, as Roundup does.
   *
   * @throws RupError `RUP_ERR_DATE` "Unknown spec (...)" for anything else.
   */
  static fromTuple(tuple: readonly number[], tz?: TimezoneSpec | Timezone | null): DateTime {
    const bad = (cause?: unknown): RupError =>
      new RupError('RUP_ERR_DATE', `Unknown spec (${Array.from(tuple ?? []).join(', ')})`, { cause });
    if (!Array.isArray(tuple) || tuple.length !== 9 || !tuple.every((n) => typeof n === 'number' && Number.isFinite(n))) throw bad();
    const [year, month, day, hour, minute, seconds] = tuple;
    if (![year, month, day, hour, minute].every(Number.isInteger) || seconds < 0) throw bad();
    const ms = Math.min(Math.round(seconds * 1000), 59_999);
    const fields = { year, month, day, hour, minute, second: Math.floor(ms / 1000), millisecond: ms % 1000 };
    try {
      checkFields(fields);
    } catch (err) {
      throw bad(err);
    }
    return DateTime.fromEpochMs(wallMsToUtc(fieldsToMs(fields), toZone(tz)));
  }

  /** Milliseconds since 1970-01-01 UTC. */
  get epochMs(): number {
    return this.ms;
  }

  private get fields(): CivilFields {
    this.#fields ??= msToFields(this.ms);
    return this.#fields;
  }

  /** UTC calendar year. */
  get year(): number {
    return this.fields.year;
  }
  /** UTC month, 1-12. */
  get month(): number {
    return this.fields.month;
  }
  /** UTC day of the month, 1-31. */
  get day(): number {
    return this.fields.day;
  }
  /** UTC hour, 0-23. */
  get hour(): number {
    return this.fields.hour;
  }
  /** UTC minute, 0-59. */
  get minute(): number {
    return this.fields.minute;
  }
  /** Whole seconds, 0-59. */
  get second(): number {
    return this.fields.second;
  }
  /** Milliseconds within the second, 0-999. */
  get millisecond(): number {
    return this.fields.millisecond;
  }

  /** Roundup's `str(date)`: `yyyy-mm-dd.HH:MM:SS` (UTC, seconds truncated). */
  toString(): string {
    const f = this.fields;
    return `${pad(f.year, 4)}-${pad(f.month, 2)}-${pad(f.day, 2)}.${pad(f.hour, 2)}:${pad(f.minute, 2)}:${pad(f.second, 2)}`;
  }

  /** Roundup's `serialise()`: `yyyymmddHHMMSS.fff` (UTC). */
  serialise(): string {
    const f = this.fields;
    return `${pad(f.year, 4)}${pad(f.month, 2)}${pad(f.day, 2)}${pad(f.hour, 2)}${pad(f.minute, 2)}${pad(f.second, 2)}.${pad(f.millisecond, 3)}`;
  }

  /** Roundup's `get_tuple()`, the export form: `[y, m, d, H, M, 38.186, 0, 0, 0]` (UTC). */
  toTuple(): DateTuple {
    const f = this.fields;
    return [f.year, f.month, f.day, f.hour, f.minute, (f.second * 1000 + f.millisecond) / 1000, 0, 0, 0];
  }

  /**
   * Roundup's `date.local(tz)`: a DateTime whose fields are this instant's
   * wall-clock time in `tz`, so `local(tz).toString()` prints local time.
   */
  local(tz: TimezoneSpec | Timezone | null | undefined): DateTime {
    return new DateTime(utcToWallMs(this.ms, toZone(tz)));
  }

  /**
   * Format the wall-clock time in `tz` (default UTC) strftime-style, like
   * Roundup's `date.local(tz).pretty(format)`. Directives: `%Y %m %d %H
   * %M %S %y %b %B %a %A %j %p %I %e %Z %z %%` (English names, as Python's
   * C locale); unknown ones are copied as they are. As in Roundup, when
   * the format starts with `%d`, a leading zero of the day becomes a
   * space (` 5 April 2003`).
   */
  pretty(format = '%d %B %Y', tz?: TimezoneSpec | Timezone | null): string {
    const zone = toZone(tz);
    const offset = zone.offsetAt(this.ms);
    const f = msToFields(this.ms + offset * 60_000);
    let out = '';
    for (let i = 0; i < format.length; i++) {
      const c = format[i];
      if (c !== '%' || i === format.length - 1) {
        out += c;
        continue;
      }
      const directive = format[++i];
      out += formatDirective(directive, f, offset, () => zone.abbreviation(this.ms));
    }
    if (format.startsWith('%d') && out[0] === '0') return ` ${out.slice(1)}`;
    return out;
  }

  /**
   * This instant plus `interval` with Roundup's semantics (see
   * `addToFields`): calendar fields are added on the wall clock of `tz`
   * (default UTC, as Roundup does), fractional seconds are dropped.
   *
   * @throws RupError `RUP_ERR_DATE` when the result leaves years 1-9999.
   */
  add(interval: Interval, tz?: TimezoneSpec | Timezone | null): DateTime {
    return DateTime.fromEpochMs(addInZone(this.ms, interval, toZone(tz)));
  }

  /** This instant minus `interval`; see {@link add}. */
  sub(interval: Interval, tz?: TimezoneSpec | Timezone | null): DateTime {
    return this.add(interval.negate(), tz);
  }

  /**
   * Roundup's `date - other`: the difference as days, hours, minutes and
   * whole seconds (never months or years), truncated toward zero. A zero
   * difference carries a negative sign, as in Roundup; it still prints
   * `00:00` and equals any zero interval.
   */
  diff(other: DateTime): Interval {
    const total = Math.trunc((this.ms - other.ms) / 1000);
    const sign = total > 0 ? 1 : -1;
    const abs = Math.abs(total);
    return Interval.fromTuple([sign, 0, 0, Math.floor(abs / 86_400), Math.floor(abs / 3600) % 24, Math.floor(abs / 60) % 60, abs % 60]);
  }

  /** -1, 0 or 1 as this instant is before, equal to or after `other`. */
  compare(other: DateTime): number {
    return this.ms < other.ms ? -1 : this.ms > other.ms ? 1 : 0;
  }

  /** True when both are the same millisecond. */
  equals(other: DateTime): boolean {
    return this.ms === other.ms;
  }
}

/** One strftime directive for {@link DateTime.pretty}. */
function formatDirective(directive: string, f: CivilFields, offsetMinutes: number, zoneName: () => string): string {
  switch (directive) {
    case 'Y':
      return pad(f.year, 4);
    case 'y':
      return pad(f.year % 100, 2);
    case 'm':
      return pad(f.month, 2);
    case 'd':
      return pad(f.day, 2);
    case 'e':
      return String(f.day).padStart(2, ' ');
    case 'H':
      return pad(f.hour, 2);
    case 'I':
      return pad(((f.hour + 11) % 12) + 1, 2);
    case 'p':
      return f.hour < 12 ? 'AM' : 'PM';
    case 'M':
      return pad(f.minute, 2);
    case 'S':
      return pad(f.second, 2);
    case 'b':
      return MONTH_NAMES[f.month - 1].slice(0, 3);
    case 'B':
      return MONTH_NAMES[f.month - 1];
    case 'a':
      return weekdayName(f).slice(0, 3);
    case 'A':
      return weekdayName(f);
    case 'j':
      return pad(daysFromCivil(f.year, f.month, f.day) - daysFromCivil(f.year, 1, 1) + 1, 3);
    case 'z': {
      const abs = Math.abs(offsetMinutes);
      return `${offsetMinutes < 0 ? '-' : '+'}${pad(Math.floor(abs / 60), 2)}${pad(abs % 60, 2)}`;
    }
    case 'Z':
      return zoneName();
    case '%':
      return '%';
    default:
      return `%${directive}`;
  }
}

function weekdayName(f: CivilFields): string {
  // 1970-01-01 was a Thursday (index 3 counting from Monday).
  const days = daysFromCivil(f.year, f.month, f.day);
  return DAY_NAMES[(((days + 3) % 7) + 7) % 7];
}
