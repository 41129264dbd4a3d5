import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { dialectFor } from '../../../lib/backends/sql/dialect.js';
import {
  type EphemeralTable,
  RECORD_EXPIRY_SECONDS,
  isExpired,
  newOneTimeKey,
  newSessionId,
  timestampForLifetime,
} from '../../../lib/web/session/session-store.js';
import { databaseDir } from '../../../lib/tracker/storage-factory.js';
import { sessionServices } from '../../../lib/web/session/session-services.js';
import { ensureSessionTables } from '../../../lib/web/session/sql-session-store.js';
import { sessionRows } from '../../support/session-db.js';
import { type TestTracker, createTestTracker, skipWithoutBackend } from '../../support/trackers.js';

const run = promisify(execFile);
const WORKER = fileURLToPath(new URL('./store-worker.js', import.meta.url));
const NOW = 1_700_000_000;
const WEEK = RECORD_EXPIRY_SECONDS;

describe('session store records (Roundup model)', () => {
  it('makes one-time keys and session ids of 32 random bytes in URL-safe base64 without padding', () => {
    const keys = new Set([newOneTimeKey(), newOneTimeKey(), newSessionId(), newSessionId()]);
    assert.equal(keys.size, 4);
    for (const key of keys) assert.match(key, /^[A-Za-z0-9_-]{43}$/);
  });

  it('expires a record one week after its timestamp, and gives a record a lifetime by back-dating it', () => {
    assert.equal(isExpired(NOW - WEEK, NOW), false);
    assert.equal(isExpired(NOW - WEEK - 0.001, NOW), true);
    assert.equal(timestampForLifetime(NOW, 3600), NOW - WEEK + 3600);
    assert.equal(isExpired(timestampForLifetime(NOW, 3600), NOW + 3600), false);
    assert.equal(isExpired(timestampForLifetime(NOW, 3600), NOW + 3601), true);
  });
});

for (const backend of ['sqlite', 'postgresql'] as const) {
  describe(`SQL session and one-time-key stores (${backend})`, function () {
    let tt: TestTracker;
    let sessions: EphemeralTable;
    let otks: EphemeralTable;

    before(async function () {
      await skipWithoutBackend(this, backend);
      tt = await createTestTracker({ backend });
      const store = sessionServices(tt.tracker).backend;
      assert.equal(store.kind, backend === 'sqlite' ? 'sqlite' : 'sql');
      sessions = store.sessions;
      otks = store.otks;
    });
    after(async () => {
      await tt?.cleanup();
    });

    it('creates the tables with Roundup rdbms column names, and creating them again changes nothing', async () => {
      const storage = tt.tracker.storage;
      const tx = await storage.backend.beginWrite();
      await ensureSessionTables(tx, storage.dialect);
      await ensureSessionTables(tx, dialectFor(backend));
      await tx.commit();
      const columns = async (table: string) => (await storage.dialect.listColumns(storage.backend.reader, table)).sort();
      assert.deepEqual(await columns('sessions'), ['session_key', 'session_time', 'session_value']);
      assert.deepEqual(await columns('otks'), ['otk_key', 'otk_time', 'otk_value']);
    });

    it('stores a record and gives back its data and timestamp; set replaces the whole record', async () => {
      await sessions.set('s1', { user: 'admin', n: 1 }, NOW);
      assert.deepEqual(await sessions.get('s1', NOW), { data: { user: 'admin', n: 1 }, timestamp: NOW });
      await sessions.set('s1', { user: 'mary' }, NOW + 5);
      assert.deepEqual(await sessions.get('s1', NOW + 5), { data: { user: 'mary' }, timestamp: NOW + 5 });
      assert.equal(await sessions.get('nope', NOW), null);
    });

    it('returns nothing for a record unused for more than a week', async () => {
      await sessions.set('old', { user: 'admin' }, NOW);
      assert.notEqual(await sessions.get('old', NOW + WEEK), null);
      assert.equal(await sessions.get('old', NOW + WEEK + 1), null);
    });

    it('keeps the session and one-time-key stores apart', async () => {
      await otks.set('shared-name', { uid: '1' }, NOW);
      assert.equal(await sessions.get('shared-name', NOW), null);
      assert.deepEqual((await otks.get('shared-name', NOW))?.data, { uid: '1' });
    });

    it('take gives a record once and deletes it; an expired record is deleted and not given', async () => {
      await otks.set('k1', { uid: '2', sid: null }, NOW);
      assert.deepEqual(await otks.take('k1', NOW), { data: { uid: '2', sid: null }, timestamp: NOW });
      assert.equal(await otks.take('k1', NOW), null);
      await otks.set('k2', { uid: '2' }, timestampForLifetime(NOW, 60));
      assert.equal(await otks.take('k2', NOW + 61), null);
      assert.equal(await otks.get('k2', NOW), null, 'the expired record is gone, even for an earlier clock');
    });

    it('update reads and replaces a record in one step, and deletes it when told to', async () => {
      const seen: unknown[] = [];
      await otks.update('counter', NOW, (current) => {
        seen.push(current);
        return { data: { n: 1 }, timestamp: NOW };
      });
      const result = await otks.update('counter', NOW, (current) => {
        seen.push(current?.data);
        return { data: { n: Number(current?.data.n) + 1 }, timestamp: NOW + 1 };
      });
      assert.deepEqual(seen, [null, { n: 1 }]);
      assert.deepEqual(result, { data: { n: 2 }, timestamp: NOW + 1 });
      assert.deepEqual(await otks.get('counter', NOW), { data: { n: 2 }, timestamp: NOW + 1 });
      assert.equal(await otks.update('counter', NOW, () => null), null);
      assert.equal(await otks.get('counter', NOW), null);
    });

    it('touch moves the timestamp to now only when it is older than the given age', async () => {
      await sessions.set('t', { user: 'admin' }, NOW);
      await sessions.touch('t', NOW + 59, 60);
      assert.equal((await sessions.get('t', NOW + 59))?.timestamp, NOW);
      await sessions.touch('t', NOW + 61, 60);
      assert.equal((await sessions.get('t', NOW + 61))?.timestamp, NOW + 61);
    });

    it('destroy deletes a record and accepts an unknown key', async () => {
      await sessions.set('d', { user: 'admin' }, NOW);
      await sessions.destroy('d');
      await sessions.destroy('never-there');
      assert.equal(await sessions.get('d', NOW), null);
    });

    it('clean deletes the expired records only and says how many', async () => {
      const t = sessions;
      const far = NOW + 100 * WEEK;
      await t.set('c-live', {}, far);
      await t.set('c-dead1', {}, far - WEEK - 1);
      await t.set('c-dead2', {}, far - 2 * WEEK);
      const before = (await sessionRows<{ n: number }>(tt.tracker, 'sessions', 'SELECT COUNT(*) AS n FROM sessions WHERE session_time < ?', [far - WEEK]))[0]!.n;
      assert.equal(await t.clean(far), Number(before));
      assert.notEqual(await t.get('c-live', far), null);
      const left = await sessionRows<{ k: string }>(tt.tracker, 'sessions', 'SELECT session_key AS k FROM sessions WHERE session_key LIKE ?', ['c-%']);
      assert.deepEqual(left.map((r) => r.k), ['c-live']);
    });

    it('writes outside the tracker data (SQLite: files db-session and db-otk), so the data version stays', async function () {
      if (backend !== 'sqlite') this.skip();
      const version = async () => (await tt.tracker.storage.backend.reader.all<{ data_version: number }>('PRAGMA data_version'))[0]!.data_version;
      const before = await version();
      await sessions.set('elsewhere', { user: 'admin' }, NOW);
      await otks.set('elsewhere', { uid: '1' }, NOW);
      assert.equal(await version(), before);
      const dir = databaseDir(tt.tracker.config);
      assert.deepEqual(readdirSync(dir).filter((f) => /^db-(session|otk)$/.test(f)).sort(), ['db-otk', 'db-session']);
      assert.deepEqual(await sessionRows(tt.tracker, 'sessions', 'SELECT session_key AS k FROM sessions WHERE session_key = ?', ['elsewhere']), [{ k: 'elsewhere' }]);
    });

    it('is safe with two processes: no counter update is lost and each key is taken by one process only', async function () {
      this.timeout(60000);
      const keys = Array.from({ length: 20 }, (_, i) => `race-${i}`);
      for (const key of keys) await otks.set(key, { uid: '1' }, Date.now() / 1000);
      const worker = (...args: string[]) => run(process.execPath, [WORKER, ...args]).then((r) => JSON.parse(r.stdout));
      const [a, b] = await Promise.all([worker('count', tt.home, 'LOGIN-race', '25'), worker('count', tt.home, 'LOGIN-race', '25')]);
      assert.deepEqual([a, b], [{ done: 25 }, { done: 25 }]);
      assert.equal((await otks.get('LOGIN-race', Date.now() / 1000))?.data.n, 50);
      const [x, y] = await Promise.all([worker('take', tt.home, ...keys), worker('take', tt.home, ...[...keys].reverse())]);
      const taken = [...x.got, ...y.got].sort();
      assert.deepEqual(taken, [...keys].sort());
    });
  });
}
