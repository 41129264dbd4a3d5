import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_NAME = 'rup-tracker';

/** The nearest folder at or above `start` holding our package.json, or null. */
function findPackageRoot(start: string): string | null {
  for (let dir = start; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file) && (JSON.parse(readFileSync(file, 'utf8')) as { name?: string }).name === PACKAGE_NAME) return dir;
    if (dirname(dir) === dir) return null;
  }
}

/**
 * The root of this package: found above the compiled module (`dist/lib/util/`
 * in an installed copy), else above the working directory (a build compiled
 * into another folder and run from the checkout).
 */
export const PACKAGE_ROOT: string | null = findPackageRoot(dirname(fileURLToPath(import.meta.url))) ?? findPackageRoot(process.cwd());

/** This package's version from its package.json (`unknown` when it cannot be found), for `X-Roundup-Version` and `--version`. */
export const PACKAGE_VERSION: string =
  PACKAGE_ROOT === null ? 'unknown' : (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
