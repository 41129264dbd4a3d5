/**
 * Roundup's `date.Range`: one range of dates or intervals as typed into a
 * search field, in either of its two syntaxes:
 *
 * - English: `from X to Y`, `from X`, `to Y` (keywords in any case; the
 *   documentation calls `from` optional, so `X to Y` works too);
 * - "geek": `X;Y`, `X;`, `;Y`.
 *
 * A single value without keywords or `;` covers its own precision:
 * `2003` the whole year, `2003-04` that month, `12:00` that minute.
 * Bounds are inclusive. Lists of ranges (commas) and the `-` "no value"
 * form belong to the caller.
 */

import { RupError } from '../errors.js';
import { DateTime } from './date.js';
import { Interval } from './interval.js';
import type { Timezone, TimezoneSpec } from './timezone.js';

/** Inclusive bounds of a date filter; a missing side is open. */
export interface DateRange {
  readonly from?: DateTime;
  readonly to?: DateTime;
}

/** Inclusive bounds of an interval filter; a missing side is open. */
export interface IntervalRange {
  readonly from?: Interval;
  readonly to?: Interval;
}

/** Options of {@link parseDateRange} and {@link parseIntervalRange}. */
export interface RangeOptions {
  /** The user's zone the values are read in; default UTC. */
  tz?: TimezoneSpec | Timezone | null;
  /** The current time for relative values; default the clock. */
  now?: DateTime;
}

/** A range spec split into its texts: two optional bounds, or one value. */
type RangeParts = { single: string } | { from?: string; to?: string };

/**
 * Split a range spec. A keyword with nothing after it is an error, as in
 * Roundup (its pattern needs at least one character after `from`/`to`);
 * an empty side of `;` is an open bound.
 */
function splitRange(spec: string): RangeParts {
  const text = spec.trim();
  const semicolon = text.indexOf(';');
  if (semicolon >= 0) {
    const from = text.slice(0, semicolon).trim();
    const to = text.slice(semicolon + 1).trim();
    return { from: from || undefined, to: to || undefined };
  }
  // Date and interval values never contain the letters of "to" or "from"
  // (only digits, separators and the units y m w d), so a plain search
  // finds the keywords.
  const lower = text.toLowerCase();
  const toAt = lower.indexOf('to');
  const head = (toAt >= 0 ? text.slice(0, toAt) : text).trim();
  const hasFrom = head.toLowerCase().startsWith('from');
  if (toAt < 0 && !hasFrom) return { single: text };
  const from = hasFrom ? head.slice(4).trim() : head;
  const to = toAt >= 0 ? text.slice(toAt + 2).trim() : undefined;
  if ((hasFrom && from === '') || to === '') {
    throw new RupError('RUP_ERR_DATE', `Invalid range "${text}": "from" and "to" must be followed by a value`);
  }
  return { from: from || undefined, to };
}

/**
 * Parse one date range (see the module comment for the syntax). Each
 * value is any {@link DateTime.parse} input, read in `options.tz`:
 * `-2m; -1m` is from two months ago to one month ago, `; 20:00 +1d` up to
 * 20:00 tomorrow. A single value such as `2003-04` spans its precision,
 * `from` its first millisecond and `to` its last.
 *
 * @throws RupError `RUP_ERR_DATE` for a malformed value or range; a
 *   single value naming no date or time (`-1d` alone) fails with Roundup's
 *   "Could not determine granularity".
 */
export function parseDateRange(spec: string, options: RangeOptions = {}): DateRange {
  const parts = splitRange(spec);
  const base = { tz: options.tz, now: options.now ?? DateTime.now() };
  if ('single' in parts) {
    return {
      from: DateTime.parse(parts.single, base),
      to: DateTime.parse(parts.single, { ...base, endOfPrecision: true }),
    };
  }
  return {
    from: parts.from === undefined ? undefined : DateTime.parse(parts.from, base),
    to: parts.to === undefined ? undefined : DateTime.parse(parts.to, base),
  };
}

/**
 * Parse one interval range, e.g. `from 0:50 to 2:00`, `-1d;`, `1w 2d;`.
 * A single value `N<unit>` runs from N to N+1 of its smallest unit
 * (toward zero when negative), as Roundup's `Range(spec, Interval)` does:
 * `3d` is 3 to 4 days, `-1d` is -1 day to 0. Compare bounds with
 * {@link Interval.asSeconds}.
 *
 * @throws RupError `RUP_ERR_DATE` for a malformed value or range.
 */
export function parseIntervalRange(spec: string, options: RangeOptions = {}): IntervalRange {
  const parts = splitRange(spec);
  const base = { tz: options.tz, now: options.now ?? DateTime.now() };
  if ('single' in parts) {
    return {
      from: Interval.parse(parts.single, base),
      to: Interval.parse(parts.single, { ...base, endOfPrecision: true }),
    };
  }
  return {
    from: parts.from === undefined ? undefined : Interval.parse(parts.from, base),
    to: parts.to === undefined ? undefined : Interval.parse(parts.to, base),
  };
}
