import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadTrackerConfig } from '../tracker/config.js';

/**
 * The start-up check of the tracker homes: cheap (no plugin is imported,
 * no database opened, so trackers still load lazily and one broken
 * plugin cannot stop the server), but enough to refuse a mistyped path, a
 * directory that is not a tracker home or an invalid config.ini before
 * the server detaches. Every problem of every home is returned.
 */
export function trackerHomeProblems(trackers: ReadonlyMap<string, string>): string[] {
  const problems: string[] = [];
  for (const [name, home] of trackers) {
    if (!existsSync(home)) {
      problems.push(`Tracker "${name}": the tracker home ${home} does not exist`);
      continue;
    }
    if (!statSync(home).isDirectory()) {
      problems.push(`Tracker "${name}": the tracker home ${home} is not a directory`);
      continue;
    }
    const missing = ['config.ini', 'schema.js'].filter((file) => !existsSync(join(home, file)));
    if (missing.length > 0) {
      const python = existsSync(join(home, 'schema.py')) ? ' (it has schema.py: a Python Roundup tracker; see docs/migrating.md)' : '';
      problems.push(`Tracker "${name}": ${home} is not a tracker home: no ${missing.join(' and no ')}${python}`);
      continue;
    }
    try {
      loadTrackerConfig(home);
    } catch (err) {
      problems.push(`Tracker "${name}": ${(err as Error).message}`);
    }
  }
  return problems;
}
