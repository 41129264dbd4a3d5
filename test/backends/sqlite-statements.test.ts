/**
 * SQLite statements prepared once and reused (lib/backends/sql/sqlite-backend.ts):
 * errors still reach the caller, and a statement that failed is prepared
 * again rather than reused.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteBackend } from '../../lib/backends/sql/sqlite-backend.js';
import { isRupError } from '../../lib/errors.js';

describe('backends/sql/sqlite-backend: prepared statements', () => {
  let dir: string;
  let backend: SqliteBackend;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rup-sqlite-'));
    backend = await SqliteBackend.open(join(dir, 'db'), 1000);
    const tx = await backend.beginWrite();
    await tx.run('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE)');
    await tx.commit();
  });
  afterEach(async () => {
    await backend.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports a statement that cannot be prepared each time it is run, and keeps working', async () => {
    for (let i = 0; i < 2; i++) {
      await assert.rejects(backend.reader.all('SELEC id FROM t'), (err: unknown) => isRupError(err) && err.code === 'RUP_ERR_DATABASE' && /syntax error/.test(err.message));
    }
    assert.deepEqual(await backend.reader.all('SELECT COUNT(*) AS n FROM t'), [{ n: 0 }]);
  });

  it('runs the same statement with new parameters, and again after it failed', async () => {
    const tx = await backend.beginWrite();
    const insert = 'INSERT INTO t (id, name) VALUES (?, ?)';
    assert.deepEqual(await tx.run(insert, [1, 'one']), { changes: 1 });
    await assert.rejects(tx.run(insert, [2, 'one']), /UNIQUE/);
    assert.deepEqual(await tx.run(insert, [2, 'two']), { changes: 1 });
    await tx.commit();
    const select = 'SELECT name FROM t WHERE id = ?';
    assert.deepEqual(await backend.reader.all(select, [1]), [{ name: 'one' }]);
    assert.deepEqual(await backend.reader.all(select, [2]), [{ name: 'two' }]);
  });

  it('sees each commit through a statement the reader has run before (no snapshot kept between runs)', async () => {
    const count = 'SELECT COUNT(*) AS n FROM t';
    for (let i = 1; i <= 3; i++) {
      const tx = await backend.beginWrite();
      await tx.run('INSERT INTO t (id, name) VALUES (?, ?)', [i, `n${i}`]);
      await tx.commit();
      assert.deepEqual(await backend.reader.all(count), [{ n: i }]);
    }
  });
});
