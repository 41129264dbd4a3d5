import assert from 'node:assert/strict';
import type { Database } from '../../../lib/hyperdb/database.js';
import { logInUser, loginAction } from '../../../lib/web/actions/login.js';
import { logoutAction } from '../../../lib/web/actions/logout.js';
import { SubmittedForm } from '../../../lib/web/form/form-data.js';
import { cookieSettings } from '../../../lib/web/session/cookie.js';
import { type SessionServices, configureSessionServices } from '../../../lib/web/session/session-services.js';
import { WebSession } from '../../../lib/web/session/web-session.js';
import type { SessionHandle, WebRequest } from '../../../lib/web/web-types.js';
import { type TestTracker, createTestTracker } from '../../support/trackers.js';

const BASE = 'http://tracker.example/demo/';

describe('login and logout actions', () => {
  let tt: TestTracker;
  let services: SessionServices;
  let now = 1_700_000_000;
  let db: Database;

  before(async () => {
    tt = await createTestTracker();
    services = configureSessionServices(tt.tracker, { now: () => now });
  });
  after(async () => {
    await tt?.cleanup();
  });
  beforeEach(async () => {
    now += 60;
    db = await tt.tracker.open({ userid: '2' }, { checked: true });
  });
  afterEach(async () => {
    await db.close();
  });

  async function request(fields: Record<string, string>, options: { session?: SessionHandle; method?: string; classname?: string; itemid?: string } = {}): Promise<WebRequest> {
    return {
      tracker: tt.tracker,
      db,
      user: { userid: '2', username: 'anonymous', anonymous: true },
      session: options.session ?? (await WebSession.load(services, cookieSettings(tt.tracker, BASE, '/demo/'), undefined)),
      method: options.method ?? 'POST',
      headers: {},
      remoteAddress: '127.0.0.1',
      baseUrl: BASE,
      basePath: '/demo/',
      target: { classname: options.classname ?? null, itemid: options.itemid ?? null, filename: null, template: null },
      form: new SubmittedForm(Object.entries(fields)),
      messages: { ok: [], error: [] },
    };
  }

  it('is a POST action checked for CSRF; logout works from a link', () => {
    assert.equal(loginAction.name, 'login');
    assert.equal(loginAction.changesData, true);
    assert.equal(logoutAction.name, 'logout');
    assert.equal(logoutAction.changesData, false);
  });

  it('sends the browser back to the page the form was on, with the welcome', async () => {
    const req = await request({ __login_name: 'admin', __login_password: 'admin' }, { classname: 'issue', itemid: '12' });
    assert.deepEqual(await loginAction.run(req), { kind: 'redirect', location: `${BASE}issue12?@ok_message=Welcome%20admin%21` });
    assert.equal((req.session as WebSession).username, 'admin');
  });

  it('keeps the fragment of __came_from and encodes its query as Python urlencode', async () => {
    const req = await request({
      __login_name: 'admin',
      __login_password: 'admin',
      __came_from: `${BASE}issue?@filter=title&title=a+b%2Fc&keyword=1&keyword=2&empty=#top`,
    });
    assert.deepEqual(await loginAction.run(req), {
      kind: 'redirect',
      location: `${BASE}issue?%40filter=title&%40ok_message=Welcome+admin%21&keyword=1&keyword=2&title=a+b%2Fc#top`,
    });
  });

  it('reports an improperly escaped __came_from with Roundup message', async () => {
    const req = await request({ __login_name: 'admin', __login_password: 'admin', __came_from: `${BASE}issue?x=<script>` });
    assert.deepEqual(await loginAction.run(req), { kind: 'render', status: 400 });
    assert.deepEqual(req.messages.error, [`Query component (x=<script>) in ${BASE}issue?x=<script> is not properly escaped`]);
  });

  it('logs in a user checked by another action (confirming a registration)', async () => {
    const req = await request({});
    await logInUser(req, 'admin', { remember: true });
    const session = req.session as WebSession;
    assert.equal(session.username, 'admin');
    assert.match(session.setCookieHeaders()[0]!, /; Expires=/);
  });

  it('refuses to log in when the request has no server-side session', async () => {
    const fake: SessionHandle = { id: null, get: () => undefined, set: () => undefined, destroy: async () => undefined };
    const req = await request({ __login_name: 'admin', __login_password: 'admin' }, { session: fake });
    await assert.rejects(loginAction.run(req), { code: 'RUP_ERR_TRACKER' });
  });

  it('logout destroys the session and redirects to the tracker home', async () => {
    const session = await WebSession.load(services, cookieSettings(tt.tracker, BASE, '/demo/'), undefined);
    await session.logIn('admin');
    const sid = session.id!;
    const req = await request({}, { session, method: 'GET' });
    assert.deepEqual(await logoutAction.run(req), { kind: 'redirect', location: BASE });
    assert.equal(session.id, null);
    assert.equal(await services.backend.sessions.get(sid, now), null);
  });
});
