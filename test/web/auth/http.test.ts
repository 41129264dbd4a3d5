import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tracker } from '../../../lib/tracker/tracker.js';
import { CSRF_FAILURE } from '../../../lib/web/csrf.js';
import { configureSessionServices } from '../../../lib/web/session/session-services.js';
import { sessionRows } from '../../support/session-db.js';
import { type TestTracker, createTestTracker } from '../../support/trackers.js';
import { BASE_URL, type Browser, COOKIE, ORIGIN, type ServedTracker, basic, cookiePair, errorsOf, send, serveTracker, userOf } from '../app-harness.js';

const sha = (text: string) => `{SHA}${createHash('sha1').update(text).digest('hex')}`;
const httpDate = (seconds: number) => new Date(Math.floor(seconds) * 1000).toUTCString();

describe('web authentication, sessions and CSRF over HTTP (the app with its defaults)', function () {
  this.timeout(60000);
  let tt: TestTracker;
  let served: ServedTracker;
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
    served = await serveTracker(tt.tracker);
    // The session tables are made by the first request that uses the stores (its hourly cleanup).
    assert.equal((await send(served.port, 'GET', '/demo/')).status, 200);
  });
  after(async () => {
    await served?.close();
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

  const get = (path: string, headers: Record<string, string> = {}) => send(served.port, 'GET', `/demo/${path}`, { headers });

  /** A browser logged in as the user. */
  async function loggedIn(username = 'admin', password = 'admin'): Promise<Browser> {
    const browser = served.browser();
    const res = await browser.login(username, password);
    assert.equal(res.status, 302, errorsOf(res.body).join());
    return browser;
  }

  async function sessionCount(): Promise<number> {
    const rows = await sessionRows<{ n: number }>(tt.tracker, 'sessions', 'SELECT COUNT(*) AS n FROM sessions');
    return Number(rows[0]!.n);
  }

  async function storedSession(sid: string): Promise<unknown> {
    const rows = await sessionRows<{ v: string }>(tt.tracker, 'sessions', 'SELECT session_value AS v FROM sessions WHERE session_key = ?', [sid]);
    return rows[0] ? JSON.parse(rows[0].v) : null;
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
      const before = await sessionCount();
      const res = await get('');
      assert.equal(res.status, 200);
      assert.equal(userOf(res.body), 'anonymous');
      assert.deepEqual(res.cookies, []);
      assert.equal(await sessionCount(), before);
    });

    it('logs in with the right password: a new session, a browser-session cookie, a redirect with a welcome', async () => {
      const before = await sessionCount();
      const browser = served.browser();
      const res = await browser.login('admin', 'admin');
      assert.equal(res.status, 302);
      assert.equal(res.headers.location, `${BASE_URL}?@ok_message=Welcome%20admin%21`);
      assert.equal(res.cookies.length, 1);
      assert.match(res.cookies[0]!, new RegExp(`^${COOKIE}=[A-Za-z0-9_-]{43}; Path=/demo/; SameSite=Lax; HttpOnly$`));
      assert.equal(await sessionCount(), before + 1);
      assert.deepEqual(await storedSession(browser.cookie!.split('=')[1]!), { user: 'admin' });
      const page = await browser.get('');
      assert.equal(page.status, 200);
      assert.equal(userOf(page.body), 'admin');
      assert.deepEqual(page.cookies, []);
    });

    it('keeps the cookie for a year with "remember me"', async () => {
      const res = await served.browser().login('admin', 'admin', { remember: 'yes' });
      assert.equal(res.status, 302);
      assert.match(res.cookies[0]!, new RegExp(`^${COOKIE}=[A-Za-z0-9_-]{43}; Path=/demo/; Expires=${httpDate(now + 365 * 86400)}; SameSite=Lax; HttpOnly$`));
      assert.deepEqual(await storedSession(cookiePair(res)!.split('=')[1]!), { user: 'admin' });
    });

    it('gives the same answer for an unknown user and a wrong password, and starts no session', async () => {
      const before = await sessionCount();
      const unknown = await served.browser().login('nosuchuser', 'admin');
      const wrong = await served.browser().login('mary', 'wrong');
      for (const res of [unknown, wrong]) {
        assert.equal(res.status, 403);
        assert.deepEqual(errorsOf(res.body), ['Invalid login']);
        assert.equal(userOf(res.body), 'anonymous');
        assert.deepEqual(res.cookies, []);
      }
      const withoutTokens = (body: string) => body.replace(/name="@csrf" value="[^"]*"/g, '');
      assert.equal(withoutTokens(unknown.body), withoutTokens(wrong.body));
      assert.equal(await sessionCount(), before);
    });

    it('refuses a user without Web Access', async () => {
      const before = await sessionCount();
      const res = await served.browser().login('norole', 'secret');
      assert.equal(res.status, 403);
      assert.deepEqual(errorsOf(res.body), ['You do not have permission to login']);
      assert.deepEqual(res.cookies, []);
      assert.equal(await sessionCount(), before);
    });

    it('goes back to __came_from without its old messages, with the welcome or the error', async () => {
      const from = `${BASE_URL}issue?@action=search&@ok_message=old&@error_message=blam&@sort=-activity`;
      const ok = await served.browser().login('mary', 'mary-pw', { __came_from: from });
      assert.equal(ok.status, 302);
      assert.equal(ok.headers.location, `${BASE_URL}issue?%40action=search&%40ok_message=Welcome+mary%21&%40sort=-activity`);
      assert.deepEqual(await storedSession(cookiePair(ok)!.split('=')[1]!), { user: 'mary' });
      const bad = await served.browser().login('mary', 'nope', { __came_from: `${BASE_URL}issue39?@action=logout&@pagesize=50` });
      assert.equal(bad.status, 302);
      assert.equal(bad.headers.location, `${BASE_URL}issue39?%40error_message=Invalid+login&%40pagesize=50`);
      assert.deepEqual(bad.cookies, []);
    });

    it('refuses a __came_from outside the tracker and does not log in', async () => {
      const before = await sessionCount();
      const res = await served.browser().login('admin', 'admin', { __came_from: 'http://evil.example/demo/' });
      assert.equal(res.status, 400);
      assert.deepEqual(errorsOf(res.body), ['Net location in http://evil.example/demo/ does not match base: tracker.example']);
      assert.deepEqual(res.cookies, []);
      assert.equal(await sessionCount(), before);
    });

    it('refuses a login by GET and one without a user name', async () => {
      const before = await sessionCount();
      const viaGet = await get('?@action=login&__login_name=admin&__login_password=admin');
      assert.equal(viaGet.status, 400);
      assert.deepEqual(errorsOf(viaGet.body), ['Invalid request']);
      const noName = await served.browser().post('', { '@action': 'login' });
      assert.equal(noName.status, 400);
      assert.deepEqual(errorsOf(noName.body), ['Username required']);
      assert.equal(await sessionCount(), before);
    });

    it('logs out: the session is destroyed, the cookie deleted, the browser sent home', async () => {
      const browser = await loggedIn();
      const cookie = browser.cookie!;
      const res = await browser.get('issue?@action=logout');
      assert.equal(res.status, 302);
      assert.equal(res.headers.location, BASE_URL);
      assert.deepEqual(res.cookies, [`${COOKIE}=; Path=/demo/; Expires=${httpDate(now - 1)}; SameSite=Lax; HttpOnly`]);
      assert.equal(await storedSession(cookie.split('=')[1]!), null);
      const after = await get('', { Cookie: cookie });
      assert.equal(userOf(after.body), 'anonymous');
      assert.deepEqual(after.cookies, [`${COOKIE}=; Path=/demo/; Expires=${httpDate(now - 1)}; SameSite=Lax; HttpOnly`]);
    });

    it('re-hashes a legacy SHA password as PBKDF2S5 on login', async () => {
      const res = await served.browser().login('legacy', 'old-secret');
      assert.equal(res.status, 302);
      const db = await tt.tracker.open({ userid: '1' }, { checked: false });
      try {
        const users = db.getclass('user');
        assert.match((await users.get(await users.lookup('legacy'), 'password')) as string, /^\{PBKDF2S5\}1000\$/);
      } finally {
        await db.close();
      }
      assert.equal((await served.browser().login('legacy', 'old-secret')).status, 302, 'the new hash verifies');
    });
  });

  describe('rate limiting', () => {
    it('refuses the fourth login of a minute, even with the right password, with 429 and the rate-limit headers', async () => {
      for (let i = 0; i < 3; i++) assert.equal((await served.browser().login('mary', 'guess')).status, 403);
      const before = await sessionCount();
      const res = await served.browser().login('mary', 'mary-pw');
      assert.equal(res.status, 429);
      assert.deepEqual(errorsOf(res.body), ['Logins occurring too fast. Please wait: 20 seconds.']);
      assert.equal(res.headers['retry-after'], '20');
      assert.equal(res.headers['x-ratelimit-limit'], '3');
      assert.equal(res.headers['x-ratelimit-limit-period'], '60');
      assert.equal(res.headers['x-ratelimit-remaining'], '0');
      assert.equal(res.headers['x-ratelimit-reset'], '60.0');
      assert.deepEqual(res.cookies, []);
      assert.equal(await sessionCount(), before);
      now += 20;
      assert.equal((await served.browser().login('mary', 'mary-pw')).status, 302);
      assert.equal(await sessionCount(), before + 1);
    });

    it('does not limit with login_attempts_min = 0', async () => {
      await withSettings({ login_attempts_min: '0' }, async () => {
        for (let i = 0; i < 5; i++) assert.equal((await served.browser().login('mary', 'guess')).status, 403);
      });
    });
  });

  describe('HTTP authentication', () => {
    it('accepts Basic credentials without starting a session', async () => {
      const before = await sessionCount();
      const res = await get('', { Authorization: basic('mary', 'mary-pw') });
      assert.equal(res.status, 200);
      assert.equal(userOf(res.body), 'mary');
      assert.deepEqual(res.cookies, []);
      assert.equal(await sessionCount(), before);
    });

    it('answers wrong Basic credentials with 401, a Basic challenge naming the tracker, and the front page as anonymous', async () => {
      const res = await get('issue', { Authorization: basic('mary', 'wrong') });
      assert.equal(res.status, 401);
      assert.equal(res.headers['www-authenticate'], 'Basic realm="Roundup issue tracker"');
      assert.deepEqual(errorsOf(res.body), ['Invalid login']);
      assert.equal(userOf(res.body), 'anonymous');
    });

    it('re-hashes a legacy password on a Basic login too', async () => {
      const db = await tt.tracker.open({ userid: '1' }, { checked: false });
      const users = db.getclass('user');
      const id = await users.create({ username: 'oldbasic', password: sha('basic-secret'), roles: 'User' });
      await db.commit();
      await db.close();
      assert.equal(userOf((await get('', { Authorization: basic('oldbasic', 'basic-secret') })).body), 'oldbasic');
      const check = await tt.tracker.open({ userid: '1' }, { checked: false });
      try {
        assert.match((await check.getclass('user').get(id, 'password')) as string, /^\{PBKDF2S5\}1000\$/);
      } finally {
        await check.close();
      }
    });

    it('ignores Basic credentials when http_auth is off', async () => {
      await withSettings({ http_auth: 'no' }, async () => {
        const res = await get('', { Authorization: basic('mary', 'wrong') });
        assert.equal(res.status, 200);
        assert.equal(userOf(res.body), 'anonymous');
      });
    });

    it('refuses bearer tokens: JWT is not supported', async () => {
      const res = await get('', { Authorization: 'Bearer abc.def.ghi' });
      assert.equal(res.status, 401);
      assert.deepEqual(errorsOf(res.body), ['Support for jwt disabled by admin.']);
    });

    it('trusts REMOTE_USER from the transport only when http_auth is on', async () => {
      assert.equal(userOf((await get('', { 'X-Test-Remote-User': 'mary' })).body), 'mary');
      assert.equal(userOf((await get('', { 'X-Test-Remote-User': 'nosuchuser' })).body), 'anonymous');
      await withSettings({ http_auth: 'no' }, async () => {
        assert.equal(userOf((await get('', { 'X-Test-Remote-User': 'mary' })).body), 'anonymous');
      });
    });

    it('acts as the REMOTE_USER: what it creates is theirs', async () => {
      const token = (await get('issue?@template=item', { 'X-Test-Remote-User': 'mary' })).body.match(/name="@csrf" value="([^"]+)"/)![1]!;
      const res = await send(served.port, 'POST', '/demo/issue', {
        form: { '@action': 'new', title: 'by remote user', '@csrf': token },
        headers: { 'X-Test-Remote-User': 'mary', Referer: `${BASE_URL}issue`, Origin: ORIGIN },
      });
      assert.equal(res.status, 302);
      const db = await tt.tracker.open({ userid: '1' }, { checked: false });
      try {
        const issues = db.getclass('issue');
        const id = (await issues.filter(null, { title: 'by remote user' }))[0]!;
        assert.equal(await issues.get(id, 'creator'), await db.getclass('user').lookup('mary'));
      } finally {
        await db.close();
      }
    });

    it('lower-cases the realm of REMOTE_USER with http_auth_convert_realm_to_lowercase', async () => {
      assert.equal(userOf((await get('', { 'X-Test-Remote-User': 'bob@EXAMPLE.COM' })).body), 'anonymous');
      await withSettings({ http_auth_convert_realm_to_lowercase: 'yes' }, async () => {
        assert.equal(userOf((await get('', { 'X-Test-Remote-User': 'bob@EXAMPLE.COM' })).body), 'bob@example.com');
      });
    });

    it('reads a request header only when http_auth_header names it (HTTP_X_REMOTE_USER)', async () => {
      assert.equal(userOf((await get('', { 'X-Remote-User': 'mary', 'Remote-User': 'mary' })).body), 'anonymous');
      await withSettings({ http_auth_header: 'HTTP_X_REMOTE_USER' }, async () => {
        assert.equal(userOf((await get('', { 'X-Remote-User': 'mary' })).body), 'mary');
      });
    });

    it('prefers the front server user over the session cookie unless cookie_takes_precedence', async () => {
      const cookie = (await loggedIn()).cookie!;
      assert.equal(userOf((await get('', { Cookie: cookie, 'X-Test-Remote-User': 'mary' })).body), 'mary');
      await withSettings({ cookie_takes_precedence: 'yes' }, async () => {
        assert.equal(userOf((await get('', { Cookie: cookie, 'X-Test-Remote-User': 'mary' })).body), 'admin');
        assert.equal(userOf((await get('', { 'X-Test-Remote-User': 'mary' })).body), 'mary');
      });
    });
  });

  describe('CSRF', () => {
    const newIssue = (browser: Browser, title: string, extra: Record<string, string> = {}, headers: Record<string, string> = {}) =>
      browser.post('issue', { '@action': 'new', title, ...extra }, { headers });

    it('accepts a form with its token once, and refuses the token used again', async () => {
      const browser = await loggedIn();
      const token = await browser.token();
      const first = await newIssue(browser, 'first', { '@csrf': token });
      assert.equal(first.status, 302);
      const again = await newIssue(browser, 'again', { '@csrf': token });
      assert.equal(again.status, 400);
      assert.deepEqual(errorsOf(again.body), [CSRF_FAILURE]);
      const titles = await issueTitles();
      assert.ok(titles.includes('first'));
      assert.ok(!titles.includes('again'));
    });

    it('refuses a forged token', async () => {
      const res = await newIssue(await loggedIn(), 'forged', { '@csrf': 'x'.repeat(43) });
      assert.equal(res.status, 400);
      assert.deepEqual(errorsOf(res.body), [CSRF_FAILURE]);
      assert.ok(!(await issueTitles()).includes('forged'));
    });

    it('accepts a form without a token under csrf_enforce_token=yes and refuses it under required', async () => {
      const browser = await loggedIn();
      await withSettings({ csrf_enforce_token: 'required' }, async () => {
        const res = await browser.post('issue', { '@action': 'new', title: 'no token, required' }, { token: false });
        assert.equal(res.status, 400);
        assert.deepEqual(errorsOf(res.body), [CSRF_FAILURE]);
      });
      assert.equal((await browser.post('issue', { '@action': 'new', title: 'no token, yes' }, { token: false })).status, 302);
      const titles = await issueTitles();
      assert.ok(titles.includes('no token, yes'));
      assert.ok(!titles.includes('no token, required'));
    });

    it('destroys a token sent in a GET query and logs it, so the form holding it is refused', async () => {
      const browser = await loggedIn();
      const token = await browser.token();
      const leak = await browser.get(`issue?@csrf=${token}`, { Referer: `${BASE_URL}issue3` });
      assert.equal(leak.status, 200);
      assert.equal(served.logged.at(-1), `error: csrf key used with wrong method from: ${BASE_URL}issue3`);
      const res = await newIssue(browser, 'leaked', { '@csrf': token });
      assert.equal(res.status, 400);
      assert.deepEqual(errorsOf(res.body), [CSRF_FAILURE]);
      assert.ok(!(await issueTitles()).includes('leaked'));
    });

    it('refuses a foreign Origin (403)', async () => {
      const res = await newIssue(await loggedIn(), 'evil origin', {}, { Origin: 'http://evil.example' });
      assert.equal(res.status, 403);
      assert.deepEqual(errorsOf(res.body), ['Invalid Origin http://evil.example']);
      assert.ok(!(await issueTitles()).includes('evil origin'));
    });

    it('refuses a foreign Referer and a foreign Host (403)', async () => {
      const browser = await loggedIn();
      const referer = await newIssue(browser, 'evil referer', {}, { Referer: 'http://evil.example/demo/issue' });
      assert.equal(referer.status, 403);
      assert.deepEqual(errorsOf(referer.body), ['Invalid Referer http://evil.example/demo/issue, http://tracker.example/demo/']);
      const token = await browser.token();
      const host = await browser.request('POST', 'issue', {
        form: { '@action': 'new', title: 'evil host', '@csrf': token },
        headers: { Referer: `${BASE_URL}issue`, Origin: ORIGIN },
        host: 'evil.example',
      });
      assert.equal(host.status, 403);
      const titles = await issueTitles();
      assert.ok(!titles.includes('evil referer'));
      assert.ok(!titles.includes('evil host'));
    });

    it('lets a missing Referer pass under yes and refuses it under required', async () => {
      const browser = await loggedIn();
      assert.equal((await newIssue(browser, 'no referer, yes', {}, { Referer: '' })).status, 302);
      await withSettings({ csrf_enforce_header_referer: 'required' }, async () => {
        const res = await newIssue(browser, 'no referer, required', {}, { Referer: '' });
        assert.equal(res.status, 403);
        assert.deepEqual(errorsOf(res.body), ['Missing header: REFERER']);
      });
      const titles = await issueTitles();
      assert.ok(titles.includes('no referer, yes'));
      assert.ok(!titles.includes('no referer, required'));
    });

    it("refuses the token of another session of the same user, and a logged-out session's token", async () => {
      const first = await loggedIn();
      const second = await loggedIn();
      assert.notEqual(first.cookie, second.cookie);
      const res = await newIssue(second, 'other session', { '@csrf': await first.token() });
      assert.equal(res.status, 400);
      assert.deepEqual(errorsOf(res.body), [CSRF_FAILURE]);
      const token = await second.token();
      await second.get('?@action=logout');
      assert.equal(second.cookie, undefined);
      const before = await sessionCount();
      const anonymous = await second.post('', { '@action': 'login', __login_name: 'admin', __login_password: 'admin', '@csrf': token });
      assert.equal(anonymous.status, 400);
      assert.deepEqual(anonymous.cookies, []);
      assert.equal(await sessionCount(), before);
      assert.ok(!(await issueTitles()).includes('other session'));
    });
  });

  describe('anonymous without Web Access', () => {
    let closed: TestTracker;
    let closedServer: ServedTracker;

    before(async () => {
      closed = await createTestTracker({ initialise: false });
      await closed.tracker.close();
      const schema = join(closed.home, 'schema.js');
      writeFileSync(schema, readFileSync(schema, 'utf8').replace("security.addPermissionToRole('Anonymous', 'Web Access');", ''));
      closed.tracker = await Tracker.open(closed.home);
      await closed.tracker.initialise('admin');
      closedServer = await serveTracker(closed.tracker);
    });
    after(async () => {
      await closedServer?.close();
      await closed?.cleanup();
    });

    it('refuses pages (403, the front page with the reason), but allows logging in and the registration page', async () => {
      const browser = closedServer.browser();
      const page = await browser.get('issue');
      assert.equal(page.status, 403);
      assert.deepEqual(errorsOf(page.body), ['Anonymous users are not allowed to use the web interface']);
      assert.equal((await browser.get('user?@template=register')).status, 200);
      const res = await browser.login('admin', 'admin');
      assert.equal(res.status, 302);
      const issues = await browser.get('issue');
      assert.equal(issues.status, 200);
      assert.equal(userOf(issues.body), 'admin');
    });
  });
});
