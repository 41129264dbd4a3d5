import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the nearest folder above this file holding our package.json. */
function findRepoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && JSON.parse(readFileSync(pkg, 'utf8')).name === 'rup-tracker') return dir;
    const up = dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
}

export const repoRoot = findRepoRoot();

/** The copy of the shared fixtures kept in this repository, for checkouts that have no shared folder beside them. */
export const vendoredFixtures = join(repoRoot, 'test/fixtures/roundup');

/**
 * Data made by the Python Roundup (exports, mail), shared with the rest of
 * the company; read-only. The shared folder beside the checkout when there
 * is one (RUP_SHARED_FIXTURES overrides), else our verbatim copy of it.
 */
export const sharedFixtures = [process.env.RUP_SHARED_FIXTURES, resolve(repoRoot, '../shared/fixtures')]
  .filter((dir): dir is string => !!dir)
  .find((dir) => existsSync(join(dir, 'README.md'))) ?? vendoredFixtures;
/** Fixture tracker homes and files of our own. */
export const testFixtures = join(repoRoot, 'test/fixtures');
