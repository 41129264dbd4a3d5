import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testFixtures } from './paths.js';

/** The fixture tracker homes, one per loading scenario (`test/fixtures/homes/<scenario>`). */
export const fixtureHomes = join(testFixtures, 'homes');

/** A private copy of a fixture home; `remove` deletes it. */
export interface HomeCopy {
  home: string;
  remove(): void;
}

/**
 * Copies `test/fixtures/homes/<scenario>` into a new temporary folder, so
 * opening it (which creates `db/`) never writes into the repository and
 * every copy is a tracker home of its own.
 */
export function copyFixtureHome(scenario: string): HomeCopy {
  const parent = mkdtempSync(join(tmpdir(), 'rup-home-'));
  const home = join(parent, scenario);
  cpSync(join(fixtureHomes, scenario), home, { recursive: true });
  return { home, remove: () => rmSync(parent, { recursive: true, force: true }) };
}
