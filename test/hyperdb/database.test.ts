/**
 * The Database handle as detectors and schemas reach it (lib/hyperdb/database.ts):
 * `db.<classname>` and methods usable detached from the handle.
 */
import assert from 'node:assert/strict';
import { useTracker } from './hyperdb-fixtures.js';

describe('hyperdb database handle', () => {
  const h = useTracker('sqlite');

  it('gives class handles as properties and methods bound to the database, the same function at each access', async () => {
    const db = await h.open();
    const { getuid } = db;
    assert.equal(getuid(), '1');
    assert.equal(db.getuid, db.getuid);
    assert.equal((db as unknown as Record<string, unknown>).issue, db.getclass('issue'));
    assert.equal((db as unknown as Record<string, unknown>).nosuchclass, undefined);
  });
});
