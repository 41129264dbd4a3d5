/**
 * `migrate`, `pack`, `reindex` and `perftest`: the upkeep commands, with
 * Roundup's arguments and messages (do_migrate, do_pack, do_reindex,
 * do_perftest). Where Roundup's parser rejects what its help promises
 * (`pack 2w`), the help is followed.
 */
import { performance } from 'node:perf_hooks';
import { LAYOUT_VERSION } from '../../backends/sql/schema-sync.js';
import { RupError, isRupError } from '../../errors.js';
import { DateTime } from '../../hyperdb/date.js';
import type { HyperClass } from '../../hyperdb/hyper-class.js';
import { Interval } from '../../hyperdb/interval.js';
import { DEFAULT_SCHEME, KNOWN_SCHEMES, MIN_PBKDF2_ROUNDS, hashPassword } from '../../hyperdb/password.js';
import { startProgress } from '../../util/progress.js';
import { type AdminCommand, UsageError } from '../command.js';
import type { AdminContext } from '../context.js';
import { getClass, println, propsFromArgs } from './common.js';

export const migrateCommand: AdminCommand = {
  name: 'migrate',
  needsTracker: true,
  help: `Usage: migrate

Update a tracker's database to be compatible with the Roundup
codebase.

You should run the "migrate" command for your tracker once
you've installed the latest codebase.

Do this before you use the web, command-line or mail interface
and before any users access the tracker.

This command will respond with either "Tracker updated" (if
you've not previously run it on an RDBMS backend) or "No
migration action required" (if you have run it, or have used
another interface to the tracker, or possibly because you are
using anydbm).

It's safe to run this even if it's not required, so just get
into the habit.`,
  async run(ctx) {
    // Opening the tracker brings the database layout up to date; this
    // reports whether that open had to (the version is our table layout's).
    const { previousVersion } = (await ctx.tracker()).schemaChanges;
    if (previousVersion !== null && previousVersion < LAYOUT_VERSION) {
      println(ctx, `Tracker updated to schema version ${LAYOUT_VERSION}.`);
      ctx.markDirty();
    } else {
      println(ctx, `No migration action required. At schema version ${LAYOUT_VERSION}.`);
    }
    return 0;
  },
};

/** A period: whole numbers of years, months, weeks and days, in that order, each at most once. */
const PERIOD_RE = /^(?:\d+y\s*)?(?:\d+m\s*)?(?:\d+w\s*)?(?:\d+d\s*)?$/;
const DATE_RE = /^\d{4}-\d\d?-\d\d?$/;

/**
 * The instant before which `pack` removes journal entries: now less a
 * period (`3y`, `2y 1m`, `1m 25d`, `2w 3d`) or the start (UTC) of a
 * `YYYY-MM-DD` date. A usage error names what is wrong.
 */
export function packBefore(value: string, now: DateTime = DateTime.now()): DateTime {
  const text = value.trim();
  if (text !== '' && PERIOD_RE.test(text)) return now.sub(Interval.parse(text));
  if (DATE_RE.test(text)) {
    try {
      return DateTime.parse(text);
    } catch (err) {
      if (isRupError(err, 'RUP_ERR_DATE')) throw new UsageError(`Invalid date "${value}": ${err.message}`);
      throw err;
    }
  }
  throw new UsageError(`Invalid format "${value}": use a period such as "3y", "2y 1m", "1m 25d" or "2w 3d", or a date "YYYY-MM-DD"`);
}

export const packCommand: AdminCommand = {
  name: 'pack',
  needsTracker: true,
  help: `Usage: pack period | date

Remove journal entries older than a period of time specified or
before a certain date.

A period is specified using the suffixes "y", "m", and "d". The
suffix "w" (for "week") means 7 days.

      "3y" means three years
      "2y 1m" means two years and one month
      "1m 25d" means one month and 25 days
      "2w 3d" means two weeks and three days

Date format is "YYYY-MM-DD" eg:
    2001-01-01
`,
  async run(ctx, args) {
    if (args.length !== 1) throw new UsageError('Not enough arguments supplied');
    const before = packBefore(args[0]!);
    await (await ctx.db()).pack(before);
    ctx.markDirty();
    return 0;
  },
};

/** Items reindexed per call, so the progress display moves and memory stays flat. */
const REINDEX_BATCH = 200;

/** Reindexes `ids` of a class in batches with a progress display; returns the ids that do not exist. */
async function reindexIds(ctx: AdminContext, cls: HyperClass, ids: readonly string[], label: string): Promise<string[]> {
  const bar = startProgress({ label, total: ids.length, enabled: ctx.io.isTTY });
  const missing: string[] = [];
  for (let i = 0; i < ids.length; i += REINDEX_BATCH) {
    const batch = ids.slice(i, i + REINDEX_BATCH);
    missing.push(...(await cls.reindex(batch)));
    bar.tick(batch.length);
  }
  bar.finish();
  return missing;
}

/** A designator (`issue42`) and a range (`issue:23-1000`), with Roundup's patterns. */
const DESIGNATOR_RE = /^([A-Za-z]+)([0-9]+)$/;
const RANGE_RE = /^([A-Za-z]+):([0-9]+)-([0-9]+)$/;

export const reindexCommand: AdminCommand = {
  name: 'reindex',
  needsTracker: true,
  help: `Usage: reindex [classname|classname:#-#|designator]*
Re-generate a tracker's search indexes.

This will re-generate the search indexes for a tracker.
This will typically happen automatically.

You can incrementally reindex using an argument like:

    reindex issue:23-1000

to reindex issue class items 23-1000. Missing items
are reported but do not stop indexing of the range.`,
  async run(ctx, args) {
    const db = await ctx.db();
    ctx.markDirty();
    if (!args.length) {
      // The whole index is derived data: start empty so nothing stale survives.
      await db.clearTextIndex();
      for (const classname of db.getclasses()) {
        const cls = db.getclass(classname);
        await reindexIds(ctx, cls, await cls.getnodeids(null), `Reindex ${classname}`);
      }
      return 0;
    }
    for (const arg of args) {
      const item = DESIGNATOR_RE.exec(arg);
      const range = RANGE_RE.exec(arg);
      if (item) {
        const missing = await getClass(db, item[1]!).reindex([item[2]!]);
        if (missing.length) throw new UsageError(`no such item "${arg}"`);
      } else if (range) {
        const cls = getClass(db, range[1]!);
        const ids: string[] = [];
        for (let id = Number(range[2]); id < Number(range[3]); id++) ids.push(String(id));
        for (const id of await reindexIds(ctx, cls, ids, `Reindexing ${range[1]}`)) println(ctx, `no such item "${range[1]}${id}"`);
      } else {
        const cls = getClass(db, arg);
        await reindexIds(ctx, cls, await cls.getnodeids(null), `Reindex ${arg}`);
      }
    }
    return 0;
  },
};

/** The password hashed by perftest (Roundup's). */
const PERFTEST_PASSWORD = 'this is a long password to hash';

function printSchemes(ctx: AdminContext): void {
  println(ctx, `Supported schemes (default is first, case sensitive):\n   ${KNOWN_SCHEMES.join(', ')}.`);
}

/** `rounds=` as Roundup reads it: `,` and `.` thousands separators dropped, then Python's int(). Null if not a number. */
function parseRounds(text: string): number | null {
  const digits = text.replace(/[,.]/g, '');
  return /^\s*[+-]?\d+(?:_\d+)*\s*$/.test(digits) ? Number(digits.replace(/_/g, '').trim()) : null;
}

export const perftestCommand: AdminCommand = {
  name: 'perftest',
  needsTracker: true,
  help: `Usage: perftest [mode] [arguments]*

Time operations in Roundup. Supported arguments:

    [password] [rounds=<integer>] [scheme=<scheme>]

'password' is the default mode.  The tracker's config.ini
setting for 'password_pbkdf2_default_rounds' is the default
value for 'rounds'. On the command line, 'rounds' can include
thousands separator of ',' or '.'.  'scheme' is the default
coded into Roundup. List supported schemes by using 'scheme='.
`,
  async run(ctx, args) {
    const words = [...args];
    if (!words.length || words[0]!.includes('=')) words.unshift('password');
    if (words[0] !== 'password') throw new UsageError(`Unknown mode "${words[0]}" (supported: password)`);
    const given = propsFromArgs(words.slice(1));
    const tracker = await ctx.tracker();

    let rounds = tracker.config.PASSWORD_PBKDF2_DEFAULT_ROUNDS as number;
    if (given.has('rounds')) {
      const raw = given.get('rounds') ?? null;
      const parsed = raw === null ? null : parseRounds(raw);
      if (parsed === null) {
        println(ctx, `Invalid 'rounds'. It must be an integer not: ${raw ?? 'None'}`);
        return 0;
      }
      rounds = parsed;
    }
    if (rounds < MIN_PBKDF2_ROUNDS) {
      println(ctx, "Invalid 'rounds'. Must be larger than 999.");
      return 0;
    }
    const scheme = given.has('scheme') ? given.get('scheme') : DEFAULT_SCHEME;
    if (scheme === null || scheme === undefined) {
      printSchemes(ctx);
      return 0;
    }

    const started = performance.now();
    try {
      await hashPassword(PERFTEST_PASSWORD, { scheme, rounds });
    } catch (err) {
      if (!(err instanceof RupError) || err.code !== 'RUP_ERR_VALUE') throw err;
      println(ctx, err.message);
      printSchemes(ctx);
      return 0;
    }
    const seconds = (performance.now() - started) / 1000;
    const shown = scheme.startsWith('PBKDF2') ? String(rounds) : 'scheme does not support rounds.';
    println(ctx, `Hash time: ${seconds.toFixed(9)} seconds, scheme: ${scheme}, rounds: ${shown}`);
    return 0;
  },
};
