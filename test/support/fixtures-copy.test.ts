import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { sharedFixtures, vendoredFixtures } from './paths.js';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

describe('test/fixtures/roundup', () => {
  it('is a byte-for-byte copy of the shared fixtures', function () {
    if (sharedFixtures === vendoredFixtures) this.skip();
    const shared = files(sharedFixtures).map((f) => relative(sharedFixtures, f)).sort();
    const ours = files(vendoredFixtures)
      .map((f) => relative(vendoredFixtures, f))
      .filter((f) => f !== 'COPY.md')
      .sort();
    assert.deepEqual(ours, shared);
    for (const f of shared) assert.ok(readFileSync(join(sharedFixtures, f)).equals(readFileSync(join(vendoredFixtures, f))), f);
  });
});
