import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { Database } from '../../../lib/hyperdb/database.js';
import { verifyPassword } from '../../../lib/hyperdb/password.js';
import { countLoginAttempt } from '../../../lib/web/auth/login-rate.js';
import { INVALID_LOGIN, NO_LOGIN_PERMISSION, type LoginSettings, checkLogin } from '../../../lib/web/auth/verify-login.js';
import { configureSessionServices } from '../../../lib/web/session/session-services.js';
import { type TestTracker, createTestTracker } from '../../support/trackers.js';

const sha = (text: string) => `{SHA}${createHash('sha1').update(text).digest('hex')}`;

describe('login checks', () => {
  let tt: TestTracker;
  let db: Database;
  let ids: Record<string, string>;
  const settings: LoginSettings = { migratePasswords: true, loginEmptyPasswords: false, rounds: 1000 };

  before(async () => {
    tt = await createTestTracker();
    const setup = await tt.tracker.open({ userid: '1' }, { checked: false });
    const users = setup.getclass('user');
    ids = {
      alice: await users.create({ username: 'alice', password: 'wonderland', roles: 'User' }),
      norole: await users.create({ username: 'norole', password: 'secret', roles: '' }),
      empty: await users.create({ username: 'empty', roles: 'User' }),
      legacy: await users.create({ username: 'legacy', password: sha('old-secret'), roles: 'User' }),
      broken: await users.create({ username: 'broken', roles: 'User' }),
    };
    await setup.commit();
    await setup.close();
    // A stored value no scheme can check (written past the property rules, as an import of damaged data could).
    const tx = await tt.tracker.storage.backend.beginWrite();
    await tx.run('UPDATE "_user" SET "_password" = ? WHERE id = ?', ['{XYZ}abc', Number(ids.broken)]);
    await tx.commit();
  });
  beforeEach(async () => {
    db = (await tt.tracker.open({ userid: '2' }, { checked: true })).system();
  });
  afterEach(async () => {
    await db.close();
  });
  after(async () => {
    await tt?.cleanup();
  });

  const stored = async (userid: string) => {
    const check = await tt.tracker.open({ userid: '1' }, { checked: false });
    try {
      return (await check.getclass('user').get(userid, 'password')) as string | null;
    } finally {
      await check.close();
    }
  };

  it('accepts the right password of a user with Web Access', async () => {
    assert.deepEqual(await checkLogin(db, 'alice', 'wonderland', settings), { ok: true, userid: ids.alice, username: 'alice' });
    assert.deepEqual(await checkLogin(db, 'admin', 'admin', settings), { ok: true, userid: '1', username: 'admin' });
  });

  it('gives one message for an unknown user and for a wrong password', async () => {
    assert.deepEqual(await checkLogin(db, 'nobody', 'wonderland', settings), { ok: false, message: INVALID_LOGIN });
    assert.deepEqual(await checkLogin(db, 'alice', 'wrong', settings), { ok: false, message: INVALID_LOGIN });
    assert.deepEqual(await checkLogin(db, '@current_user', '', settings), { ok: false, message: INVALID_LOGIN });
    assert.equal(INVALID_LOGIN, 'Invalid login');
  });

  it('refuses a user without Web Access only after the right password', async () => {
    assert.deepEqual(await checkLogin(db, 'norole', 'secret', settings), { ok: false, message: NO_LOGIN_PERMISSION });
    assert.deepEqual(await checkLogin(db, 'norole', 'guess', settings), { ok: false, message: INVALID_LOGIN });
    assert.equal(NO_LOGIN_PERMISSION, 'You do not have permission to login');
  });

  it('lets a user without a password in with an empty one only when login_empty_passwords is on', async () => {
    assert.deepEqual(await checkLogin(db, 'empty', '', settings), { ok: false, message: INVALID_LOGIN });
    const open = { ...settings, loginEmptyPasswords: true };
    assert.deepEqual(await checkLogin(db, 'empty', '', open), { ok: true, userid: ids.empty, username: 'empty' });
    assert.deepEqual(await checkLogin(db, 'empty', 'something', open), { ok: false, message: INVALID_LOGIN });
    assert.deepEqual(await checkLogin(db, 'alice', '', open), { ok: false, message: INVALID_LOGIN });
  });

  it('counts a stored password no scheme can check as a wrong password', async () => {
    assert.deepEqual(await checkLogin(db, 'broken', 'abc', settings), { ok: false, message: INVALID_LOGIN });
  });

  it('keeps a legacy hash when migrate_passwords is off', async () => {
    assert.equal((await checkLogin(db, 'legacy', 'old-secret', { ...settings, migratePasswords: false })).ok, true);
    assert.equal(await stored(ids.legacy), sha('old-secret'));
  });

  it('re-hashes a legacy SHA password with PBKDF2S5 on a successful login', async () => {
    assert.equal((await checkLogin(db, 'legacy', 'old-secret', settings)).ok, true);
    const hash = (await stored(ids.legacy))!;
    assert.match(hash, /^\{PBKDF2S5\}1000\$/);
    assert.deepEqual(await verifyPassword(hash, 'old-secret', { rounds: 1000 }), { ok: true, needsMigration: false });
  });

  it('re-hashes a PBKDF2S5 password with fewer rounds than configured', async () => {
    assert.equal((await checkLogin(db, 'alice', 'wonderland', { ...settings, rounds: 2000 })).ok, true);
    assert.match((await stored(ids.alice))!, /^\{PBKDF2S5\}2000\$/);
  });

  it('does not re-hash after a wrong password', async () => {
    const before = await stored(ids.alice);
    await checkLogin(db, 'alice', 'nope', { ...settings, rounds: 3000 });
    assert.equal(await stored(ids.alice), before);
  });
});

describe('login rate limit (login_attempts_min)', () => {
  let tt: TestTracker;
  let now = 1_700_000_000;

  before(async () => {
    tt = await createTestTracker();
    configureSessionServices(tt.tracker, { now: () => now });
  });
  after(async () => {
    await tt?.cleanup();
  });

  it('allows 3 attempts a minute per name, then asks to wait 20 seconds with the rate-limit headers', async () => {
    const services = configureSessionServices(tt.tracker, { now: () => now });
    for (let i = 0; i < 3; i++) assert.equal(await countLoginAttempt(services, 'mary', 3), null);
    assert.deepEqual(await countLoginAttempt(services, 'mary', 3), {
      message: 'Logins occurring too fast. Please wait: 20 seconds.',
      headers: {
        'X-RateLimit-Limit': '3',
        'X-RateLimit-Limit-Period': '60',
        'X-RateLimit-Remaining': '0',
        'X-RateLimit-Reset': '60.0',
        'Retry-After': '20',
      },
    });
    assert.equal(await countLoginAttempt(services, 'someone-else', 3), null);
    assert.deepEqual((await services.backend.otks.get('LOGIN-mary', now))?.data, { tat: now + 60 });
    now += 20;
    assert.equal(await countLoginAttempt(services, 'mary', 3), null);
    assert.notEqual(await countLoginAttempt(services, 'mary', 3), null);
  });

  it('keeps a counter an hour after its last use', async () => {
    const services = configureSessionServices(tt.tracker, { now: () => now });
    await countLoginAttempt(services, 'hour', 3);
    now += 3600;
    assert.notEqual(await services.backend.otks.get('LOGIN-hour', now), null);
    now += 1;
    assert.equal(await services.backend.otks.get('LOGIN-hour', now), null);
  });

  it('is off with 0', async () => {
    const services = configureSessionServices(tt.tracker, { now: () => now });
    for (let i = 0; i < 10; i++) assert.equal(await countLoginAttempt(services, 'free', 0), null);
    assert.equal(await services.backend.otks.get('LOGIN-free', now), null);
  });
});
