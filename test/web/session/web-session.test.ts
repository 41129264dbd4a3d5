import assert from 'node:assert/strict';
import { RupError } from '../../../lib/errors.js';
import { type CookieSettings, REMEMBER_ME_SECONDS, formatSessionCookie } from '../../../lib/web/session/cookie.js';
import { type SessionServices, configureSessionServices } from '../../../lib/web/session/session-services.js';
import { WebSession, asWebSession } from '../../../lib/web/session/web-session.js';
import { type TestTracker, createTestTracker } from '../../support/trackers.js';

const settings: CookieSettings = { name: 'roundup_session_demo', path: '/demo/', secure: false, sameSite: 'Lax' };

describe('web session (load, change, save, cookie)', () => {
  let tt: TestTracker;
  let services: SessionServices;
  let now = 1_700_000_000;

  before(async () => {
    tt = await createTestTracker();
    services = configureSessionServices(tt.tracker, { now: () => now });
  });
  after(async () => {
    await tt?.cleanup();
  });

  const cookieFor = (sid: string) => `other=1; ${settings.name}=${sid}`;

  it('starts without a session and sends no cookie when nothing is stored', async () => {
    const session = await WebSession.load(services, settings, undefined);
    assert.equal(session.id, null);
    assert.equal(session.username, null);
    await session.save();
    assert.deepEqual(session.setCookieHeaders(), []);
  });

  it('deletes the cookie of a session that does not exist (any more)', async () => {
    const session = await WebSession.load(services, settings, cookieFor('unknown-session'));
    assert.equal(session.id, null);
    assert.deepEqual(session.setCookieHeaders(), [formatSessionCookie(settings, null, null, now)]);
  });

  it('creates a session with a browser-session cookie when something is stored, and loads it again', async () => {
    const first = await WebSession.load(services, settings, undefined);
    first.set('colour', 'blue');
    await first.save();
    assert.match(first.id!, /^[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(first.setCookieHeaders(), [`${settings.name}=${first.id}; Path=/demo/; SameSite=Lax; HttpOnly`]);
    assert.deepEqual(await services.backend.sessions.get(first.id!, now), { data: { colour: 'blue' }, timestamp: now });

    const again = await WebSession.load(services, settings, cookieFor(first.id!));
    assert.equal(again.id, first.id);
    assert.equal(again.get('colour'), 'blue');
    assert.deepEqual(again.setCookieHeaders(), []);
  });

  it('logs in with a new session id, deleting the old record, and remembers for a year when asked', async () => {
    const before = await WebSession.load(services, settings, undefined);
    before.set('colour', 'red');
    await before.save();
    const oldId = before.id!;
    const session = await WebSession.load(services, settings, cookieFor(oldId));
    await session.logIn('admin', { remember: true });
    assert.notEqual(session.id, oldId);
    assert.equal(session.username, 'admin');
    assert.equal(await services.backend.sessions.get(oldId, now), null);
    assert.deepEqual(await services.backend.sessions.get(session.id!, now), { data: { colour: 'red', user: 'admin' }, timestamp: now });
    assert.deepEqual(session.setCookieHeaders(), [formatSessionCookie(settings, session.id, REMEMBER_ME_SECONDS, now)]);
  });

  it('refreshes the timestamp of a used session at most once a minute', async () => {
    const login = await WebSession.load(services, settings, undefined);
    await login.logIn('mary');
    const sid = login.id!;
    const start = now;
    now = start + 30;
    await (await WebSession.load(services, settings, cookieFor(sid))).refresh();
    assert.equal((await services.backend.sessions.get(sid, now))?.timestamp, start);
    now = start + 90;
    await (await WebSession.load(services, settings, cookieFor(sid))).refresh();
    assert.equal((await services.backend.sessions.get(sid, now))?.timestamp, start + 90);
    now = start;
  });

  it('destroy deletes the record and the cookie', async () => {
    const login = await WebSession.load(services, settings, undefined);
    await login.logIn('admin');
    const sid = login.id!;
    const session = await WebSession.load(services, settings, cookieFor(sid));
    await session.destroy();
    assert.equal(session.id, null);
    assert.equal(session.username, null);
    assert.equal(await services.backend.sessions.get(sid, now), null);
    assert.deepEqual(session.setCookieHeaders(), [formatSessionCookie(settings, null, null, now)]);
  });

  it('expires a session unused for more than a week', async () => {
    const login = await WebSession.load(services, settings, undefined);
    await login.logIn('admin');
    const sid = login.id!;
    now += 7 * 86400 + 1;
    const later = await WebSession.load(services, settings, cookieFor(sid));
    assert.equal(later.username, null);
    assert.equal(later.id, null);
  });

  it('refuses to treat another SessionHandle as a web session', () => {
    assert.throws(
      () => asWebSession({ id: null, get: () => undefined, set: () => undefined, destroy: async () => undefined }),
      (err: unknown) => err instanceof RupError && err.code === 'RUP_ERR_TRACKER' && /session middleware is not installed/.test(err.message),
    );
  });
});
