import assert from 'node:assert/strict';
import { ANONYMOUS_REFUSED, anonymousAccessRefusal } from '../../../lib/web/auth/anonymous-access.js';
import { type AuthInput, authenticate } from '../../../lib/web/auth/determine-user.js';
import { cookieSettings } from '../../../lib/web/session/cookie.js';
import { configureSessionServices } from '../../../lib/web/session/session-services.js';
import { WebSession } from '../../../lib/web/session/web-session.js';
import { type TestTracker, createTestTracker } from '../../support/trackers.js';

const BASE = 'http://tracker.example/demo/';

describe('determining the user of a request', () => {
  let tt: TestTracker;
  let now = 1_700_000_000;

  before(async () => {
    tt = await createTestTracker();
    configureSessionServices(tt.tracker, { now: () => now });
  });
  after(async () => {
    await tt?.cleanup();
  });

  const input = (extra: Partial<AuthInput> = {}): AuthInput => ({ headers: {}, baseUrl: BASE, basePath: '/demo/', ...extra });

  async function sessionCookie(username: string): Promise<string> {
    const services = configureSessionServices(tt.tracker, { now: () => now });
    const settings = cookieSettings(tt.tracker, BASE, '/demo/');
    const session = await WebSession.load(services, settings, undefined);
    await session.logIn(username);
    return `${settings.name}=${session.id}`;
  }

  it('uses the session user, and falls back to the session when REMOTE_USER is empty', async () => {
    const cookie = await sessionCookie('admin');
    const bySession = await authenticate(tt.tracker, input({ headers: { cookie } }));
    assert.deepEqual(bySession.user, { userid: '1', username: 'admin', anonymous: false });
    assert.equal(bySession.refusal, null);
    const emptyRemote = await authenticate(tt.tracker, input({ headers: { cookie }, environment: { REMOTE_USER: '' } }));
    assert.equal(emptyRemote.user.username, 'admin');
  });

  it('makes the user anonymous when the session names a user that no longer exists, or the lookup alias', async () => {
    const gone = await authenticate(tt.tracker, input({ headers: { cookie: await sessionCookie('ghost') } }));
    assert.deepEqual(gone.user, { userid: '2', username: 'anonymous', anonymous: true });
    const alias = await authenticate(tt.tracker, input({ environment: { REMOTE_USER: '@current_user' } }));
    assert.equal(alias.user.username, 'anonymous');
  });

  it('ignores Authorization schemes it does not know, and malformed Basic credentials are a failed login', async () => {
    assert.equal((await authenticate(tt.tracker, input({ headers: { authorization: 'Digest abc' } }))).refusal, null);
    const malformed = await authenticate(tt.tracker, input({ headers: { authorization: 'Basic !!!' } }));
    assert.deepEqual(malformed.refusal, { status: 401, message: 'Invalid login', headers: { 'WWW-Authenticate': 'Basic realm="Roundup issue tracker"' } });
  });

  it('refreshes the session that identified the user, once a minute', async () => {
    const cookie = await sessionCookie('admin');
    const sid = cookie.split('=')[1]!;
    const services = configureSessionServices(tt.tracker, { now: () => now });
    const start = now;
    now += 120;
    await authenticate(tt.tracker, input({ headers: { cookie } }));
    assert.equal((await services.backend.sessions.get(sid, now))?.timestamp, start + 120);
  });

  it('fails clearly when the tracker has no anonymous user', async () => {
    const other = await createTestTracker();
    try {
      const db = await other.tracker.open({ userid: '1' }, { checked: false });
      await db.getclass('user').retire('2');
      await db.commit();
      await db.close();
      await assert.rejects(authenticate(other.tracker, input()), {
        code: 'RUP_ERR_TRACKER',
        message: `the tracker ${other.home} has no "anonymous" user, which the web interface needs`,
      });
    } finally {
      await other.cleanup();
    }
  });

  describe('anonymous access check', () => {
    it('lets logged-in users and anonymous with Web Access through', async () => {
      const db = await tt.tracker.open({ userid: '2' }, { checked: true });
      try {
        const request = { action: null, classname: 'issue', template: null };
        assert.equal(await anonymousAccessRefusal(db, { userid: '2', username: 'anonymous', anonymous: true }, request), null);
        assert.equal(await anonymousAccessRefusal(db, { userid: '1', username: 'admin', anonymous: false }, request), null);
        assert.equal(ANONYMOUS_REFUSED, 'Anonymous users are not allowed to use the web interface');
      } finally {
        await db.close();
      }
    });
  });
});
