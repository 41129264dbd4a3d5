import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tracker } from '../../../lib/tracker/tracker.js';
import { CSRF_FAILURE } from '../../../lib/web/csrf.js';
import { configureSessionServices } from '../../../lib/web/session/session-services.js';
import { type TestTracker, createTestTracker } from '../../support/trackers.js';
import { BASE_URL, type TestResponse, basic, cookiePair, send, startAuthHarness } from './auth-harness.js';

const COOKIE = 'roundup_session_Roundupissuetracker';
const POST_HEADERS = { Referer: `${BASE_URL}issue`, Origin: 'http://tracker.example' };
const sha = (text: string) => `{SHA}${createHash('sha1').update(text).digest('hex')}`;
const httpDate = (seconds: number) => new Date(Math.floor(seconds) * 1000).toUTCString();

describe('web authentication, sessions and CSRF over HTTP', function () {
  this.timeout(30000);
  let tt: TestTracker;
  let harness: Awaited<ReturnType<typeof startAuthHarness>>;
  let now = 1_700_000_000;

  before(async () => {
    tt = await createTestTracker();
    configureSessionServices(tt.tracker, { now: () => now });
    const setup = await tt.tracker.open({ userid: '1' }, { checked: false });
    const users = setup.getclass('user');
    await users.create({ username: 'mary', password: 'mary-pw', roles: 'User' });
    await users.create({ username: 'legacy', password: sha('old-secret'), roles: 'User' });
    await users.create({ username: 'norole', password: 'secret', roles: '' });
    await users.create({ username: 'bob@example.com', password: 'bob-pw', roles: 'User' });
    await setup.commit();
    await setup.close();
    harness = await startAuthHarness(tt.tracker);
  });
  after(async () => {
    await harness?.close();
    await tt?.cleanup();
  });
  // Each test starts a minute later: login attempts of earlier tests do not count against its rate limit.
  beforeEach(() => {
    now += 60;
  });

  /** Runs `fn` with [web] settings changed, restoring them afterwards. */
  async function withSettings<T>(settings: Record<string, string>, fn: () => Promise<T>): Promise<T> {
    const config = tt.tracker.config;
    const saved = Object.keys(settings).map((name) => [name, config.text('web', name)!] as const);
    for (const [name, value] of Object.entries(settings)) config.set('web', name, value);
    try {
      return await fn();
    } finally {
      for (const [name, value] of saved) config.set('web', name, value);
    }
  }

  const get = (path: string, headers: Record<string, string> = {}) => send(harness.port, 'GET', path, { headers });
  const post = (path: string, form: Record<string, string>, headers: Record<string, string> = {}) =>
    send(harness.port, 'POST', path, { form, headers: { ...POST_HEADERS, ...headers } });

  /** A page's fresh CSRF token, for the browser with this cookie. */
  async function tokenFor(cookie?: string): Promise<string> {
    const page = await get('/demo/', cookie ? { Cookie: cookie } : {});
    return page.body.csrf as string;
  }

  async function login(username: string, password: string, extra: Record<string, string> = {}, cookie?: string): Promise<TestResponse> {
    const form = { '@action': 'login', __login_name: username, __login_password: password, '@csrf': await tokenFor(cookie), ...extra };
    return post('/demo/', form, cookie ? { Cookie: cookie } : {});
  }

  /** Logs in and returns the `Cookie` header value of the new session. */
  async function session(username = 'admin', password = 'admin'): Promise<string> {
    const res = await login(username, password);
    assert.equal(res.status, 302, JSON.stringify(res.body));
    return cookiePair(res, COOKIE)!;
  }

  async function sessionCount(): Promise<number> {
    const rows = await tt.tracker.storage.backend.reader.all<{ n: number }>('SELECT COUNT(*) AS n FROM sessions');
    return Number(rows[0]!.n);
  }

  async function issueTitles(): Promise<string[]> {
    const db = await tt.tracker.open({ userid: '1' }, { checked: false });
    try {
      const issues = db.getclass('issue');
      return Promise.all((await issues.list()).map(async (id) => (await issues.get(id, 'title')) as string));
    } finally {
      await db.close();
    }
  }

  describe('login and logout', () => {
    it('treats a request without credentials as anonymous and sets no cookie', async () => {
      const res = await get('/demo/');
      assert.equal(res.status, 200);
      assert.equal(res.body.user, 'anonymous');
      assert.deepEqual(res.cookies, []);
    });

    it('logs in with the right password: a new session, a browser-session cookie, a redirect with a welcome', async () => {
      const before = await sessionCount();
      const res = await login('admin', 'admin');
      assert.equal(res.status, 302);
      assert.equal(res.headers.location, `${BASE_URL}?@ok_message=Welcome%20admin%21`);
      assert.equal(res.cookies.length, 1);
      assert.match(res.cookies[0]!, new RegExp(`^${COOKIE}=[A-Za-z0-9_-]{43}; Path=/demo/; SameSite=Lax; HttpOnly$`));
      assert.equal(await sessionCount(), before + 1);
      const sid = cookiePair(res, COOKIE)!.split('=')[1]!;
      const stored = await tt.tracker.storage.backend.reader.all<{ v: string }>('SELECT session_value AS v FROM sessions WHERE session_key = ?', [sid]);
      assert.deepEqual(JSON.parse(stored[0]!.v), { user: 'admin' });
      const page = await get('/demo/', { Cookie: cookiePair(res, COOKIE)! });
      assert.equal(page.body.user, 'admin');
      assert.deepEqual(page.cookies, []);
    });

    it('keeps the cookie for a year with "remember me"', async () => {
      const res = await login('admin', 'admin', { remember: '1' });
      assert.equal(res.status, 302);
      assert.match(res.cookies[0]!, new RegExp(`^${COOKIE}=[A-Za-z0-9_-]{43}; Path=/demo/; Expires=${httpDate(now + 365 * 86400)}; SameSite=Lax; HttpOnly$`));
    });

    it('gives the same message for an unknown user and a wrong password, and starts no session', async () => {
      const before = await sessionCount();
      const unknown = await login('nosuchuser', 'admin');
      const wrong = await login('mary', 'wrong');
      for (const res of [unknown, wrong]) {
        assert.equal(res.status, 403);
        assert.deepEqual(res.body.errors, ['Invalid login']);
        assert.deepEqual(res.cookies, []);
      }
      assert.equal(await sessionCount(), before);
    });

    it('refuses a user without Web Access', async () => {
      const res = await login('norole', 'secret');
      assert.equal(res.status, 403);
      assert.deepEqual(res.body.errors, ['You do not have permission to login']);
      assert.deepEqual(res.cookies, []);
    });

    it('goes back to __came_from without its old messages, with the welcome or the error', async () => {
      const from = `${BASE_URL}issue?@action=search&@ok_message=old&@error_message=blam&@sort=-activity`;
      const ok = await login('mary', 'mary-pw', { __came_from: from });
      assert.equal(ok.status, 302);
      assert.equal(ok.headers.location, `${BASE_URL}issue?%40action=search&%40ok_message=Welcome+mary%21&%40sort=-activity`);
      assert.ok(cookiePair(ok, COOKIE));
      const bad = await login('mary', 'nope', { __came_from: `${BASE_URL}issue39?@action=logout&@pagesize=50` });
      assert.equal(bad.status, 302);
      assert.equal(bad.headers.location, `${BASE_URL}issue39?%40error_message=Invalid+login&%40pagesize=50`);
      assert.deepEqual(bad.cookies, []);
    });

    it('refuses a __came_from outside the tracker and does not log in', async () => {
      const res = await login('admin', 'admin', { __came_from: 'http://evil.example/demo/' });
      assert.equal(res.status, 400);
      assert.deepEqual(res.body.errors, ['Net location in http://evil.example/demo/ does not match base: tracker.example']);
      assert.deepEqual(res.cookies, []);
    });

    it('refuses a login by GET and one without a user name', async () => {
      const viaGet = await get('/demo/?@action=login&__login_name=admin&__login_password=admin');
      assert.equal(viaGet.status, 400);
      assert.deepEqual(viaGet.body.errors, ['Invalid request']);
      const noName = await post('/demo/', { '@action': 'login', '@csrf': await tokenFor() });
      assert.equal(noName.status, 400);
      assert.deepEqual(noName.body.errors, ['Username required']);
    });

    it('logs out: the session is destroyed, the cookie deleted, the browser sent home', async () => {
      const cookie = await session();
      const sid = cookie.split('=')[1]!;
      const res = await get('/demo/issue?@action=logout', { Cookie: cookie });
      assert.equal(res.status, 302);
      assert.equal(res.headers.location, BASE_URL);
      assert.deepEqual(res.cookies, [`${COOKIE}=; Path=/demo/; Expires=${httpDate(now - 1)}; SameSite=Lax; HttpOnly`]);
      assert.equal((await tt.tracker.storage.backend.reader.all('SELECT 1 FROM sessions WHERE session_key = ?', [sid])).length, 0);
      const after = await get('/demo/', { Cookie: cookie });
      assert.equal(after.body.user, 'anonymous');
      assert.deepEqual(after.cookies, [`${COOKIE}=; Path=/demo/; Expires=${httpDate(now - 1)}; SameSite=Lax; HttpOnly`]);
    });

    it('re-hashes a legacy SHA password as PBKDF2S5 on login', async () => {
      const res = await login('legacy', 'old-secret');
      assert.equal(res.status, 302);
      const db = await tt.tracker.open({ userid: '1' }, { checked: false });
      try {
        const users = db.getclass('user');
        assert.match((await users.get(await users.lookup('legacy'), 'password')) as string, /^\{PBKDF2S5\}1000\$/);
      } finally {
        await db.close();
      }
      assert.equal((await login('legacy', 'old-secret')).status, 302, 'the new hash verifies');
    });
  });

  describe('rate limiting', () => {
    it('refuses the fourth login of a minute, even with the right password, with 429 and the rate-limit headers', async () => {
      for (let i = 0; i < 3; i++) assert.equal((await login('mary', 'guess')).status, 403);
      const res = await login('mary', 'mary-pw');
      assert.equal(res.status, 429);
      assert.deepEqual(res.body.errors, ['Logins occurring too fast. Please wait: 20 seconds.']);
      assert.equal(res.headers['retry-after'], '20');
      assert.equal(res.headers['x-ratelimit-limit'], '3');
      assert.equal(res.headers['x-ratelimit-limit-period'], '60');
      assert.equal(res.headers['x-ratelimit-remaining'], '0');
      assert.equal(res.headers['x-ratelimit-reset'], '60.0');
      assert.deepEqual(res.cookies, []);
      now += 20;
      assert.equal((await login('mary', 'mary-pw')).status, 302);
    });

    it('does not limit with login_attempts_min = 0', async () => {
      await withSettings({ login_attempts_min: '0' }, async () => {
        for (let i = 0; i < 5; i++) assert.equal((await login('mary', 'guess')).status, 403);
      });
    });
  });

  describe('HTTP authentication', () => {
    it('accepts Basic credentials without starting a session', async () => {
      const res = await get('/demo/', { Authorization: basic('mary', 'mary-pw') });
      assert.equal(res.status, 200);
      assert.equal(res.body.user, 'mary');
      assert.deepEqual(res.cookies, []);
    });

    it('answers wrong Basic credentials with 401 and a Basic challenge naming the tracker', async () => {
      const res = await get('/demo/', { Authorization: basic('mary', 'wrong') });
      assert.equal(res.status, 401);
      assert.equal(res.headers['www-authenticate'], 'Basic realm="Roundup issue tracker"');
      assert.deepEqual(res.body, { user: 'anonymous', errors: ['Invalid login'] });
    });

    it('ignores Basic credentials when http_auth is off', async () => {
      await withSettings({ http_auth: 'no' }, async () => {
        const res = await get('/demo/', { Authorization: basic('mary', 'wrong') });
        assert.equal(res.status, 200);
        assert.equal(res.body.user, 'anonymous');
      });
    });

    it('refuses bearer tokens: JWT is not supported', async () => {
      const res = await get('/demo/', { Authorization: 'Bearer abc.def.ghi' });
      assert.equal(res.status, 401);
      assert.deepEqual(res.body.errors, ['Support for jwt disabled by admin.']);
    });

    it('trusts REMOTE_USER from the transport only when http_auth is on', async () => {
      assert.equal((await get('/demo/', { 'X-Test-Remote-User': 'mary' })).body.user, 'mary');
      assert.equal((await get('/demo/', { 'X-Test-Remote-User': 'nosuchuser' })).body.user, 'anonymous');
      await withSettings({ http_auth: 'no' }, async () => {
        assert.equal((await get('/demo/', { 'X-Test-Remote-User': 'mary' })).body.user, 'anonymous');
      });
    });

    it('lower-cases the realm of REMOTE_USER with http_auth_convert_realm_to_lowercase', async () => {
      assert.equal((await get('/demo/', { 'X-Test-Remote-User': 'bob@EXAMPLE.COM' })).body.user, 'anonymous');
      await withSettings({ http_auth_convert_realm_to_lowercase: 'yes' }, async () => {
        assert.equal((await get('/demo/', { 'X-Test-Remote-User': 'bob@EXAMPLE.COM' })).body.user, 'bob@example.com');
      });
    });

    it('reads a request header only when http_auth_header names it (HTTP_X_REMOTE_USER)', async () => {
      assert.equal((await get('/demo/', { 'X-Remote-User': 'mary', 'Remote-User': 'mary' })).body.user, 'anonymous');
      await withSettings({ http_auth_header: 'HTTP_X_REMOTE_USER' }, async () => {
        assert.equal((await get('/demo/', { 'X-Remote-User': 'mary' })).body.user, 'mary');
      });
    });

    it('prefers the front server user over the session cookie unless cookie_takes_precedence', async () => {
      const cookie = await session();
      assert.equal((await get('/demo/', { Cookie: cookie, 'X-Test-Remote-User': 'mary' })).body.user, 'mary');
      await withSettings({ cookie_takes_precedence: 'yes' }, async () => {
        assert.equal((await get('/demo/', { Cookie: cookie, 'X-Test-Remote-User': 'mary' })).body.user, 'admin');
        assert.equal((await get('/demo/', { 'X-Test-Remote-User': 'mary' })).body.user, 'mary');
      });
    });
  });

  describe('CSRF', () => {
    const newIssue = (title: string, cookie: string, extra: Record<string, string> = {}, headers: Record<string, string> = {}) =>
      post('/demo/issue', { '@action': 'new', title, ...extra }, { Cookie: cookie, ...headers });

    it('accepts a form with its token once, and refuses the token used again', async () => {
      const cookie = await session();
      const token = await tokenFor(cookie);
      const first = await newIssue('first', cookie, { '@csrf': token });
      assert.equal(first.status, 302);
      const again = await newIssue('again', cookie, { '@csrf': token });
      assert.equal(again.status, 400);
      assert.deepEqual(again.body.errors, [CSRF_FAILURE]);
      assert.deepEqual(await issueTitles(), ['first']);
    });

    it('refuses a forged token', async () => {
      const res = await newIssue('forged', await session(), { '@csrf': 'x'.repeat(43) });
      assert.equal(res.status, 400);
      assert.deepEqual(res.body.errors, [CSRF_FAILURE]);
      assert.ok(!(await issueTitles()).includes('forged'));
    });

    it('accepts a form without a token under csrf_enforce_token=yes and refuses it under required', async () => {
      const cookie = await session();
      await withSettings({ csrf_enforce_token: 'required' }, async () => {
        const res = await newIssue('no token, required', cookie);
        assert.equal(res.status, 400);
        assert.deepEqual(res.body.errors, [CSRF_FAILURE]);
      });
      assert.equal((await newIssue('no token, yes', cookie)).status, 302);
      const titles = await issueTitles();
      assert.ok(titles.includes('no token, yes'));
      assert.ok(!titles.includes('no token, required'));
    });

    it('destroys a token sent in a GET query, so the form holding it is refused', async () => {
      const cookie = await session();
      const token = await tokenFor(cookie);
      const leak = await get(`/demo/issue?@csrf=${token}`, { Cookie: cookie, Referer: `${BASE_URL}issue3` });
      assert.equal(leak.status, 200);
      assert.deepEqual(harness.log.at(-1), { level: 'error', message: `csrf key used with wrong method from: ${BASE_URL}issue3` });
      const res = await newIssue('leaked', cookie, { '@csrf': token });
      assert.equal(res.status, 400);
      assert.ok(!(await issueTitles()).includes('leaked'));
    });

    it('refuses a foreign Origin', async () => {
      const cookie = await session();
      const res = await newIssue('evil origin', cookie, { '@csrf': await tokenFor(cookie) }, { Origin: 'http://evil.example' });
      assert.equal(res.status, 403);
      assert.deepEqual(res.body.errors, ['Invalid Origin http://evil.example']);
      assert.ok(!(await issueTitles()).includes('evil origin'));
    });

    it('lets a missing Referer pass under yes and refuses it under required', async () => {
      const cookie = await session();
      const noReferer = { Referer: '', Origin: 'http://tracker.example' };
      const strip = (headers: Record<string, string>) => Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== ''));
      const postWithout = (title: string, token: string) =>
        send(harness.port, 'POST', '/demo/issue', { form: { '@action': 'new', title, '@csrf': token }, headers: strip({ ...noReferer, Cookie: cookie }) });
      assert.equal((await postWithout('no referer, yes', await tokenFor(cookie))).status, 302);
      const token = await tokenFor(cookie);
      await withSettings({ csrf_enforce_header_referer: 'required' }, async () => {
        const res = await postWithout('no referer, required', token);
        assert.equal(res.status, 403);
        assert.deepEqual(res.body.errors, ['Missing header: REFERER']);
      });
      const titles = await issueTitles();
      assert.ok(titles.includes('no referer, yes'));
      assert.ok(!titles.includes('no referer, required'));
    });

    it("refuses the token of another session of the same user, and a logged-out session's token", async () => {
      const first = await session();
      const second = await session();
      assert.notEqual(first, second);
      const res = await newIssue('other session', second, { '@csrf': await tokenFor(first) });
      assert.equal(res.status, 400);
      assert.deepEqual(res.body.errors, [CSRF_FAILURE]);
      const token = await tokenFor(second);
      await get('/demo/?@action=logout', { Cookie: second });
      const anonymous = await post('/demo/', { '@action': 'login', __login_name: 'admin', __login_password: 'admin', '@csrf': token });
      assert.equal(anonymous.status, 400);
      assert.deepEqual(anonymous.cookies, []);
      assert.ok(!(await issueTitles()).includes('other session'));
    });
  });

  describe('anonymous without Web Access', () => {
    let closed: TestTracker;
    let closedHarness: Awaited<ReturnType<typeof startAuthHarness>>;

    before(async () => {
      closed = await createTestTracker({ initialise: false });
      await closed.tracker.close();
      const schema = join(closed.home, 'schema.js');
      writeFileSync(schema, readFileSync(schema, 'utf8').replace("security.addPermissionToRole('Anonymous', 'Web Access');", ''));
      closed.tracker = await Tracker.open(closed.home);
      await closed.tracker.initialise('admin');
      closedHarness = await startAuthHarness(closed.tracker);
    });
    after(async () => {
      await closedHarness?.close();
      await closed?.cleanup();
    });

    it('refuses pages, but allows logging in and the registration page', async () => {
      const page = await send(closedHarness.port, 'GET', '/demo/issue');
      assert.equal(page.status, 403);
      assert.deepEqual(page.body.errors, ['Anonymous users are not allowed to use the web interface']);
      const register = await send(closedHarness.port, 'GET', '/demo/user?@template=register');
      assert.equal(register.status, 200);
      const res = await send(closedHarness.port, 'POST', '/demo/', {
        form: { '@action': 'login', __login_name: 'admin', __login_password: 'admin' },
        headers: POST_HEADERS,
      });
      assert.equal(res.status, 302);
      const cookie = res.cookies[0]!.split(';')[0]!;
      assert.equal((await send(closedHarness.port, 'GET', '/demo/issue', { headers: { Cookie: cookie } })).body.user, 'admin');
    });
  });
});
