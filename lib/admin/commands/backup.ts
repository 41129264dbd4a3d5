/** `backup backup_dir`: a consistent copy of the running tracker (see backup/tracker-backup.ts). */
import { relative } from 'node:path';
import { startProgress } from '../../util/progress.js';
import { backupTracker } from '../backup/tracker-backup.js';
import type { AdminCommand } from '../command.js';
import { println, requireArgs } from './common.js';

export const backupCommand: AdminCommand = {
  name: 'backup',
  needsTracker: true,
  help: `Usage: backup backup_dir
Copy the tracker into backup_dir while it keeps running.

The copy holds the tracker's configuration, schema, detectors,
extensions and templates, its file store and its database, all
as they were at one instant: the web server and the mail gateway
need not be stopped. backup_dir must be new or empty. The copy
opens as a tracker home (roundup-admin -i backup_dir ...).

An SQLite database is copied to db/db. A PostgreSQL database is
saved with pg_dump to db/postgresql.dump, or as an SQL script in
db/postgresql-dump.sql when pg_dump is not installed; opening
the copy where its database (config.ini [rdbms] name) does not
exist creates that database from the dump.`,
  async run(ctx, args) {
    requireArgs(args, 1);
    const tracker = await ctx.tracker();
    const result = await backupTracker(tracker, args[0]!, {
      progress: (label, total) => startProgress({ label, total, enabled: ctx.io.isTTY }),
    });
    const files = `${result.files} content file${result.files === 1 ? '' : 's'}`;
    println(ctx, `Backup of ${tracker.home} written to ${result.home} (database ${relative(result.home, result.database)}, ${files}).`);
    return 0;
  },
};
