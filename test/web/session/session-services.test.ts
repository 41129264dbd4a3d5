import assert from 'node:assert/strict';
import { RupError } from '../../../lib/errors.js';
import {
  LAST_CLEAN_KEY,
  SessionServices,
  configureSessionServices,
  sessionServices,
} from '../../../lib/web/session/session-services.js';
import { RECORD_EXPIRY_SECONDS } from '../../../lib/web/session/session-store.js';
import { sessionRows } from '../../support/session-db.js';
import { type TestTracker, createTestTracker } from '../../support/trackers.js';

const WEEK = RECORD_EXPIRY_SECONDS;

describe('session services', () => {
  let tt: TestTracker;
  let now = 1_700_000_000;
  let services: SessionServices;

  before(async () => {
    tt = await createTestTracker();
    services = configureSessionServices(tt.tracker, { now: () => now });
  });
  after(async () => {
    await tt?.cleanup();
  });

  it('gives the same services for a tracker every time', () => {
    assert.equal(sessionServices(tt.tracker), services);
  });

  it('cleans expired sessions and keys at most once an hour, and another process skips a cleanup just done', async () => {
    const { sessions, otks } = services.backend;
    const start = now;
    await sessions.set('stale-1', { user: 'admin' }, start - WEEK - 10);
    await otks.set('stale-key-1', { uid: '1' }, start - WEEK - 10);
    await services.cleanUpIfDue();
    const raw = async (table: 'sessions' | 'otks', key: string) =>
      (await sessionRows(tt.tracker, table, `SELECT * FROM ${table} WHERE ${table === 'sessions' ? 'session' : 'otk'}_key = ?`, [key])).length;
    assert.equal(await raw('sessions', 'stale-1'), 0);
    assert.equal(await raw('otks', 'stale-key-1'), 0);
    assert.deepEqual((await otks.get(LAST_CLEAN_KEY, now))?.data, { last_use: start });

    // Half an hour later: not due, in this process or in another one (fresh services on the same database).
    now = start + 1800;
    await sessions.set('stale-2', { user: 'admin' }, now - WEEK - 10);
    await services.cleanUpIfDue();
    await new SessionServices(services.backend, () => now).cleanUpIfDue();
    assert.equal(await raw('sessions', 'stale-2'), 1);

    // An hour after the last cleanup, another process does it.
    now = start + 3600;
    await new SessionServices(services.backend, () => now).cleanUpIfDue();
    assert.equal(await raw('sessions', 'stale-2'), 0);
    assert.deepEqual((await otks.get(LAST_CLEAN_KEY, now))?.data, { last_use: start + 3600 });
  });

  it('keeps registration keys: 43 URL-safe characters, readable until taken once, gone after their lifetime', async () => {
    const keys = services.oneTimeKeys();
    const key = await keys.create({ kind: 'register', props: { username: 'joe' } }, 600);
    assert.match(key, /^[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(await keys.get(key), { kind: 'register', props: { username: 'joe' } });
    assert.deepEqual(await keys.take(key), { kind: 'register', props: { username: 'joe' } });
    assert.equal(await keys.take(key), null);
    const short = await keys.create({ kind: 'passrst' }, 600);
    now += 601;
    assert.equal(await keys.get(short), null);
  });

  it('refuses a [sessiondb] backend it does not have, saying what to do', async () => {
    const other = await createTestTracker({ settings: { sessiondb_backend: 'redis' } });
    try {
      assert.throws(
        () => sessionServices(other.tracker),
        (err: unknown) =>
          err instanceof RupError &&
          err.code === 'RUP_ERR_CONFIG' &&
          err.message === `${other.tracker.config.file}: [sessiondb] backend: "redis" is not available; leave it empty to keep sessions in the sqlite database`,
      );
    } finally {
      await other.cleanup();
    }
  });

  it('accepts [sessiondb] backend naming the main backend', async () => {
    const other = await createTestTracker({ settings: { sessiondb_backend: 'sqlite' } });
    try {
      assert.equal(sessionServices(other.tracker).backend.kind, 'sqlite', 'files of their own beside the database, as Roundup');
    } finally {
      await other.cleanup();
    }
  });
});
