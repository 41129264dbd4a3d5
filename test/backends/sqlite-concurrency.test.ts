import assert from 'node:assert/strict';
import type { Database } from '../../lib/hyperdb/database.js';
import { type RunningScript, runScript, startScript } from '../support/scripts.js';
import { type TestTracker, createTestTracker } from '../support/trackers.js';

/*
 * SQLite shared by several processes (server, mail gateway, admin tool) and
 * by several units of work in one process: WAL mode, a busy timeout from
 * [rdbms] sqlite_timeout, one writer connection per process.
 */

describe('backends/sql/sqlite-backend: concurrent writers', () => {
  let t: TestTracker | undefined;
  let holder: RunningScript | undefined;
  const open: Database[] = [];

  afterEach(async () => {
    holder?.stop();
    holder = undefined;
    for (const db of open.splice(0)) await db.close();
    await t?.cleanup();
    t = undefined;
  });

  async function admin(tt: TestTracker): Promise<Database> {
    const db = await tt.tracker.open({ username: 'admin' }, { checked: false });
    open.push(db);
    return db;
  }

  it('runs the database in WAL mode with the busy timeout of [rdbms] sqlite_timeout', async () => {
    t = await createTestTracker({ backend: 'sqlite', settings: { rdbms_sqlite_timeout: '7' } });
    const { reader } = t.tracker.storage.backend;
    assert.deepEqual(await reader.all('PRAGMA journal_mode'), [{ journal_mode: 'wal' }]);
    assert.deepEqual(await reader.all('PRAGMA busy_timeout'), [{ timeout: 7000 }]);
  });

  it('lets several processes create issues at once: every one succeeds, ids are distinct and nothing is lost', async () => {
    t = await createTestTracker({ backend: 'sqlite' });
    const processes = 4;
    const perProcess = 15;
    const db = await admin(t);
    const mine: string[] = [];
    const [children] = await Promise.all([
      Promise.all(Array.from({ length: processes }, (_, k) => runScript<string[]>('create-issues', [t!.home, String(perProcess), `p${k}`]))),
      (async () => {
        // This process writes at the same time, through its own writer connection.
        for (let n = 1; n <= perProcess; n++) {
          mine.push(await db.getclass('issue').create({ title: `parent ${n}` }));
          await db.commit();
        }
      })(),
    ]);
    const all = [...children.flat(), ...mine];
    const total = (processes + 1) * perProcess;
    assert.equal(all.length, total);
    assert.equal(new Set(all).size, total);
    for (const ids of [...children, mine]) {
      assert.deepEqual(ids, [...ids].sort((a, b) => Number(a) - Number(b)), 'each process gets increasing ids');
    }
    const issue = db.getclass('issue');
    const stored = await issue.list();
    assert.deepEqual(stored, Array.from({ length: total }, (_, i) => String(i + 1)));
    const titles = [...(await issue.getMany(stored)).values()].map((v) => v.title as string).sort();
    const expected = [
      ...Array.from({ length: processes }, (_, k) => Array.from({ length: perProcess }, (_, n) => `p${k} ${n + 1}`)).flat(),
      ...Array.from({ length: perProcess }, (_, n) => `parent ${n + 1}`),
    ].sort();
    assert.deepEqual(titles, expected);
  });

  it('fails a writer with RUP_ERR_LOCKED when another process holds the lock past sqlite_timeout; a retry afterwards succeeds', async () => {
    t = await createTestTracker({ backend: 'sqlite', settings: { rdbms_sqlite_timeout: '1' } });
    holder = startScript('hold-write-lock', [t.home, 'held by another process']);
    await holder.waitForLine('locked');
    const db = await admin(t);
    const issue = db.getclass('issue');
    await assert.rejects(issue.create({ title: 'too early' }), {
      code: 'RUP_ERR_LOCKED',
      message: 'the database is locked by another process (SQLITE_BUSY: database is locked)',
    });
    // Readers are not blocked by the writer, and do not see its uncommitted issue.
    assert.deepEqual(await issue.list(), []);
    holder.send('commit');
    const result = await holder.finished;
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout, 'locked\n"1"\n');
    const id = await issue.create({ title: 'after the lock was released' });
    await db.commit();
    assert.equal(id, '2');
    assert.deepEqual(await issue.list(), ['1', '2']);
    assert.equal(await issue.get('1', 'title'), 'held by another process');
  });

  it('serialises two concurrent units of work of one process: the second writes after the first commits, without errors', async () => {
    t = await createTestTracker({ backend: 'sqlite' });
    const [a, b] = [await admin(t), await admin(t)];
    const events: string[] = [];
    const work = async (db: Database, name: string) => {
      const ids: string[] = [];
      for (let n = 1; n <= 3; n++) {
        ids.push(await db.getclass('issue').create({ title: `${name} ${n}` }));
        events.push(`${name} created`);
      }
      await db.commit();
      events.push(`${name} committed`);
      return ids;
    };
    const [idsA, idsB] = await Promise.all([work(a, 'A'), work(b, 'B')]);
    assert.deepEqual(idsA, ['1', '2', '3']);
    assert.deepEqual(idsB, ['4', '5', '6']);
    assert.deepEqual(events, [
      'A created',
      'A created',
      'A created',
      'A committed',
      'B created',
      'B created',
      'B created',
      'B committed',
    ]);
    const issue = a.getclass('issue');
    assert.deepEqual(
      [...(await issue.getMany(await issue.list())).values()].map((v) => v.title),
      ['A 1', 'A 2', 'A 3', 'B 1', 'B 2', 'B 3'],
    );
  });
});
