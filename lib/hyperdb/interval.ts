/**
 * Roundup's `date.Interval`: a signed span of years, months, days and
 * time, as typed by users (`3y`, `- 1d 2:50`), stored by the hyperdb and
 * shown on pages (`+ 22d 2:00`, `2 weeks ago`).
 *
 * Fields are kept as given, not normalised (`0:90` stays 90 minutes), and
 * the sign is separate from the (non-negative) magnitudes, as in Roundup,
 * so `toString()`, `toTuple()` and `serialise()` print what Roundup prints.
 */

import { RupError } from '../errors.js';
import { DateTime } from './date.js';
import { localToUtc, toZone, utcToLocal, type Timezone, type TimezoneSpec } from './timezone.js';

/** Roundup's `Interval.get_tuple()`: `[sign, year, month, day, hour, minute, second]`. */
export type IntervalTuple = [number, number, number, number, number, number, number];

/** Options of {@link Interval.parse}. */
export interface IntervalParseOptions {
  /** Accept a date (`2003-03-18`, `-4d 2003-03-18`) meaning the span from it to now; default true. */
  allowDate?: boolean;
  /** Zone a date inside the spec is read in; default UTC. */
  tz?: TimezoneSpec | Timezone | null;
  /** The current time, for the date form; default the clock. */
  now?: DateTime;
  /**
   * Grow the least significant unit given by one (toward zero for
   * negative intervals): Roundup's `add_granularity`, used for the upper
   * bound of a single-value interval filter.
   */
  endOfPrecision?: boolean;
}

/**
 * Translation hooks for {@link Interval.pretty}, called with Roundup's own
 * message ids (`"%(number)s year"`, `"tomorrow"`, `"%s ago"`, ...), so a
 * gettext catalogue made for Roundup applies unchanged.
 */
export interface IntervalTranslator {
  gettext(msgid: string): string;
  ngettext(singular: string, plural: string, n: number): string;
}

const ENGLISH: IntervalTranslator = {
  gettext: (msgid) => msgid,
  ngettext: (singular, plural, n) => (n === 1 ? singular : plural),
};

// Roundup's two wordings: without the date form where dates are not
// allowed (arithmetic inside a date spec), with it elsewhere.
const USAGE = 'Not an interval spec: [+-] [#y] [#m] [#w] [#d] [[[H]H:MM]:SS]';
const USAGE_WITH_DATE = `${USAGE} [date spec]`;

// Same grammar as Roundup's interval_re, anchored at the end so trailing
// garbage is refused instead of ignored. Groups: sign, y, m, w, d, H, M,
// S, date.
const INTERVAL_RE =
  /^\s*([-+])?\s*(?:(\d+)\s*y)?\s*(?:(\d+)\s*m)?\s*(?:(\d+)\s*w)?\s*(?:(\d+)\s*d)?\s*(?:(?:(\d+):(\d+))?(?::(\d+))?)?\s*((?:\d{4}[/-])?(?:\d\d?)?[/-](?:\d\d?)?[.T]?(?:\d?\d:\d\d)?(?::\d\d)?)?\s*$/;
// Roundup's serialised form: [sign] [1] yyyy mm dd HH MM SS (year may be
// space-padded in old data).
const SERIALISED_RE = /^([+-])?1?( {3}\d|\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/;

// Granularity order of Roundup's add_granularity: the first unit present wins.
const GRANULARITY_ORDER = ['S', 'M', 'H', 'd', 'w', 'm', 'y'] as const;
type Unit = (typeof GRANULARITY_ORDER)[number];

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** A span of time; immutable. */
export class Interval {
  private constructor(
    /** +1 or -1. */
    readonly sign: 1 | -1,
    readonly year: number,
    readonly month: number,
    readonly day: number,
    readonly hour: number,
    readonly minute: number,
    readonly second: number,
  ) {}

  /**
   * Parse Roundup's interval syntax `[+|-] [Ny] [Nm] [Nw] [Nd] [[H]H:MM[:SS]]`
   * (`w` adds 7 days), the serialised form `+yyyymmddHHMMSS`, and, unless
   * `allowDate` is false, a trailing date: `2003-03-18` is the span from
   * that date to now, `-4d 2003-03-18` the span from 2003-03-14 to now.
   * When the date has no time of day, now's time of day is dropped too,
   * so the result counts whole days.
   *
   * @throws RupError `RUP_ERR_DATE` with Roundup's "Not an interval spec"
   *   wording, or a date error from the date part.
   */
  static parse(spec: string, options: IntervalParseOptions = {}): Interval {
    const units: Partial<Record<Unit, number>> = {};
    let negative = false;
    let datePart: string | undefined;
    const usage = options.allowDate === false ? USAGE : USAGE_WITH_DATE;
    const serial = SERIALISED_RE.exec(spec);
    if (serial) {
      negative = serial[1] === '-';
      const values = serial.slice(2).map((v) => Number(v.trim()));
      [units.y, units.m, units.d, units.H, units.M, units.S] = values;
    } else {
      const m = INTERVAL_RE.exec(spec);
      if (!m) throw new RupError('RUP_ERR_DATE', usage);
      negative = m[1] === '-';
      const keys: Unit[] = ['y', 'm', 'w', 'd', 'H', 'M', 'S'];
      keys.forEach((key, i) => {
        if (m[i + 2] !== undefined) units[key] = Number(m[i + 2]);
      });
      datePart = m[9];
      if ((Object.keys(units).length === 0 && datePart === undefined) || (datePart !== undefined && options.allowDate === false)) {
        throw new RupError('RUP_ERR_DATE', usage);
      }
    }

    if (options.endOfPrecision) {
      const unit = GRANULARITY_ORDER.find((u) => units[u] !== undefined);
      if (unit) units[unit] = (units[unit] as number) + (negative ? -1 : 1);
    }

    const own = new Interval(
      negative ? -1 : 1,
      units.y ?? 0,
      units.m ?? 0,
      (units.d ?? 0) + (units.w ?? 0) * 7,
      units.H ?? 0,
      units.M ?? 0,
      units.S ?? 0,
    );
    if (datePart === undefined) return own;
    return spanToNow(datePart, own, options);
  }

  /** Roundup's `Interval(seconds)`: days and time from a (truncated) number of seconds. */
  static fromSeconds(seconds: number): Interval {
    if (!Number.isFinite(seconds)) throw new RupError('RUP_ERR_VALUE', `Not a number of seconds: ${seconds}`);
    const whole = Math.trunc(seconds);
    return Interval.fromTotal(whole < 0 ? -1 : 1, 0, 0, Math.abs(whole));
  }

  /**
   * Build from Roundup's `get_tuple()` form `[sign, y, m, d, H, M, S]`, as
   * found in exports. Seconds are truncated to whole seconds as Roundup does.
   *
   * @throws RupError `RUP_ERR_DATE` for anything else.
   */
  static fromTuple(tuple: readonly number[]): Interval {
    const ok =
      Array.isArray(tuple) &&
      tuple.length === 7 &&
      (tuple[0] === 1 || tuple[0] === -1) &&
      tuple.every((n) => typeof n === 'number' && Number.isFinite(n)) &&
      tuple.slice(1, 6).every((n) => Number.isInteger(n));
    if (!ok) throw new RupError('RUP_ERR_DATE', `Unknown interval spec (${Array.from(tuple ?? []).join(', ')})`);
    const [sign, y, m, d, H, M, S] = tuple;
    return new Interval(sign as 1 | -1, y, m, d, H, M, Math.trunc(S));
  }

  /** Sign plus a non-negative total of day/time seconds, split into d, H, M, S. */
  private static fromTotal(sign: 1 | -1, year: number, month: number, seconds: number): Interval {
    return new Interval(
      sign,
      year,
      month,
      Math.floor(seconds / 86_400),
      Math.floor(seconds / 3600) % 24,
      Math.floor(seconds / 60) % 60,
      seconds % 60,
    );
  }

  /**
   * Roundup's `str(interval)`: `+ 1y 2m 3d 4:05:06`, parts that are zero
   * left out, seconds only when not zero, and `00:00` for an empty interval.
   */
  toString(): string {
    const parts: string[] = [];
    if (this.year) parts.push(`${this.year}y`);
    if (this.month) parts.push(`${this.month}m`);
    if (this.day) parts.push(`${this.day}d`);
    if (this.second) parts.push(`${this.hour}:${pad(this.minute, 2)}:${pad(this.second, 2)}`);
    else if (this.hour || this.minute) parts.push(`${this.hour}:${pad(this.minute, 2)}`);
    if (parts.length === 0) return '00:00';
    return `${this.sign > 0 ? '+' : '-'} ${parts.join(' ')}`;
  }

  /**
   * Roundup's `Interval.pretty()`: a rough English description relative
   * to now (`in 3 days`, `2 weeks ago`, `yesterday`, `in 1 1/2 hours`,
   * `just now`), translated through `tr` when given.
   */
  pretty(tr: IntervalTranslator = ENGLISH): string {
    const number = (msgid: string, n: number): string => msgid.replace('%(number)s', String(n));
    const plural = (singular: string, pluralForm: string, n: number): string => number(tr.ngettext(singular, pluralForm, n), n);
    const quarters = Math.floor(this.minute / 15);
    let text: string;
    if (this.year) {
      text = plural('%(number)s year', '%(number)s years', this.year);
    } else if (this.month || this.day > 28) {
      const months = Math.max(1, Math.floor((this.month * 30 + this.day) / 30));
      text = plural('%(number)s month', '%(number)s months', months);
    } else if (this.day > 7) {
      text = plural('%(number)s week', '%(number)s weeks', Math.floor(this.day / 7));
    } else if (this.day > 1) {
      text = plural('%(number)s day', '%(number)s days', this.day);
    } else if (this.day === 1 || this.hour > 12) {
      return tr.gettext(this.sign > 0 ? 'tomorrow' : 'yesterday');
    } else if (this.hour > 1) {
      text = plural('%(number)s hour', '%(number)s hours', this.hour);
    } else if (this.hour === 1) {
      if (this.minute < 15) text = tr.gettext('an hour');
      else if (quarters === 2) text = tr.gettext('1 1/2 hours');
      else text = plural('1 %(number)s/4 hours', '1 %(number)s/4 hours', quarters);
    } else if (this.minute < 1) {
      return tr.gettext(this.sign > 0 ? 'in a moment' : 'just now');
    } else if (this.minute === 1) {
      text = tr.gettext('1 minute');
    } else if (this.minute < 15) {
      text = plural('%(number)s minute', '%(number)s minutes', this.minute);
    } else if (quarters === 2) {
      text = tr.gettext('1/2 an hour');
    } else {
      text = plural('%(number)s/4 hour', '%(number)s/4 hours', quarters);
    }
    return tr.gettext(this.sign < 0 ? '%s ago' : 'in %s').replace('%s', text);
  }

  /**
   * Roundup's `as_seconds()`, the sort key of intervals: months count as
   * 30 days and years as 365 days.
   */
  asSeconds(): number {
    const days = this.year * 365 + this.month * 30 + this.day;
    return this.sign * (((days * 24 + this.hour) * 60 + this.minute) * 60 + this.second);
  }

  /** Roundup's `get_tuple()`: `[sign, year, month, day, hour, minute, second]`. */
  toTuple(): IntervalTuple {
    return [this.sign, this.year, this.month, this.day, this.hour, this.minute, this.second];
  }

  /** Roundup's `serialise()`: `+yyyymmddHHMMSS` (sign, then zero-padded fields). */
  serialise(): string {
    const fields = [this.month, this.day, this.hour, this.minute, this.second].map((n) => pad(n, 2)).join('');
    return `${this.sign > 0 ? '+' : '-'}${pad(this.year, 4)}${fields}`;
  }

  /** This interval with the opposite sign. */
  negate(): Interval {
    return new Interval(this.sign > 0 ? -1 : 1, this.year, this.month, this.day, this.hour, this.minute, this.second);
  }

  /**
   * Sum of two intervals, as Roundup adds them: the day/time parts are
   * summed in seconds and re-split (days never overflow into months); when
   * they cancel out, the year/month parts are summed in months instead.
   * `1:59:59 + 00:00:01` is `+ 2:00`, `1y + - 1m` is `+ 11m`.
   */
  add(other: Interval): Interval {
    return Interval.combine(this, other, 1);
  }

  /** Difference of two intervals; see {@link add}. */
  sub(other: Interval): Interval {
    return Interval.combine(this, other, -1);
  }

  /**
   * Roundup's `interval / n`: years and months are divided as months,
   * days and time as seconds, truncating; `1y / 2` is `+ 6m`,
   * `1:00 / 2` is `+ 0:30`.
   *
   * @throws RupError `RUP_ERR_VALUE` when the interval has both a
   *   year/month part and a day/time part (Roundup's "Can't divide
   *   Interval with date and time"), or `n` is not a non-zero number.
   */
  divide(n: number): Interval {
    if (typeof n !== 'number' || !Number.isFinite(n) || n === 0) {
      throw new RupError('RUP_ERR_VALUE', 'Can only divide Intervals by numbers');
    }
    const hasTime = this.day || this.hour || this.minute || this.second;
    if (this.year || this.month) {
      if (hasTime) throw new RupError('RUP_ERR_VALUE', "Can't divide Interval with date and time");
      const months = Math.trunc((this.sign * (this.year * 12 + this.month)) / n);
      const abs = Math.abs(months);
      return new Interval(months < 0 ? -1 : 1, Math.floor(abs / 12), abs % 12, 0, 0, 0, 0);
    }
    const seconds = Math.trunc(this.asSeconds() / n);
    return Interval.fromTotal(seconds < 0 ? -1 : 1, 0, 0, Math.abs(seconds));
  }

  /**
   * Order by {@link asSeconds} (as Roundup sorts intervals), ties broken
   * by the signed fields so that different spellings of the same length
   * (`1m` and `30d`) still have a stable order. Returns -1, 0 or 1.
   */
  compare(other: Interval): number {
    const a = this.sortKey();
    const b = other.sortKey();
    for (let i = 0; i < a.length; i++) {
      if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
    }
    return 0;
  }

  /** True when both have the same signed fields (a zero interval equals any other zero). */
  equals(other: Interval): boolean {
    return this.compare(other) === 0;
  }

  /**
   * Roundup's interval addition followed by its `fixTimeOverflow`. One
   * change: when the day/time part decides the sign, the year/month part
   * is re-expressed relative to that sign (Roundup keeps the raw sums, so
   * `-1y + -1:00` printed as `- -1y 1:00`).
   */
  private static combine(a: Interval, b: Interval, direction: 1 | -1): Interval {
    const bs = b.sign * direction;
    const year = a.sign * a.year + bs * b.year;
    const month = a.sign * a.month + bs * b.month;
    const seconds = a.sign * a.timeSeconds() + bs * b.timeSeconds();
    if (seconds !== 0) {
      const sign = seconds < 0 ? -1 : 1;
      return Interval.fromTotal(sign, sign * year, sign * month, Math.abs(seconds));
    }
    const months = year * 12 + month;
    const abs = Math.abs(months);
    return new Interval(months < 0 ? -1 : 1, Math.floor(abs / 12), abs % 12, 0, 0, 0, 0);
  }

  /** Magnitude of the day and time part in seconds. */
  private timeSeconds(): number {
    return ((this.day * 24 + this.hour) * 60 + this.minute) * 60 + this.second;
  }

  private sortKey(): number[] {
    const s = this.sign;
    return [this.asSeconds(), s * this.year, s * this.month, s * this.day, s * this.hour, s * this.minute, s * this.second];
  }
}

/**
 * The date form of an interval: the span from `datePart` shifted by `own`
 * to now. A date without a time of day (midnight) is compared with the
 * start of today, so whole days come out. Roundup meant the same but its
 * test for "no time given" also fires for some times (`12:30`), and it
 * ignores `own` when the date is today; both are fixed here.
 */
function spanToNow(datePart: string, own: Interval, options: IntervalParseOptions): Interval {
  const zone = toZone(options.tz);
  const now = options.now ?? DateTime.now();
  const date = DateTime.parse(datePart, { tz: zone, now });
  const local = utcToLocal(date.epochMs, zone);
  let base = now;
  if (local.hour === 0 && local.minute === 0 && local.second === 0 && local.millisecond === 0) {
    const today = utcToLocal(now.epochMs, zone);
    base = DateTime.fromEpochMs(localToUtc({ ...today, hour: 0, minute: 0, second: 0, millisecond: 0 }, zone));
  }
  return base.diff(date.add(own, zone));
}
