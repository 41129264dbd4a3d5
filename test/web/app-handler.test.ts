import assert from 'node:assert/strict';
import { type RequestListener, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createTrackerHandler } from '../../lib/web/app.js';
import { type TestTracker, createTestTracker } from '../support/trackers.js';
import { Browser, COOKIE, errorsOf, send, userOf } from './app-harness.js';

/** `createTrackerHandler(home)` as the README shows it: the listener of a plain Node HTTP server. */
async function listen(handler: RequestListener): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  };
}

async function issueTitles(tt: TestTracker): Promise<string[]> {
  const db = await tt.tracker.open({ userid: '1' }, { checked: false });
  try {
    const issues = db.getclass('issue');
    return Promise.all((await issues.list()).map(async (id) => (await issues.get(id, 'title')) as string));
  } finally {
    await db.close();
  }
}

describe('web/app: createTrackerHandler(home) in a plain Node HTTP server', function () {
  this.timeout(60000);
  let tt: TestTracker;
  before(async () => {
    tt = await createTestTracker();
  });
  after(async () => tt?.cleanup());

  it('serves the tracker at the path of [tracker] web, with logins and forms working', async () => {
    const server = await listen(await createTrackerHandler(tt.home));
    try {
      const browser = new Browser(server.port);
      const home = await browser.get('');
      assert.equal(home.status, 200);
      assert.equal(userOf(home.body), 'anonymous');
      const login = await browser.login('admin', 'admin');
      assert.equal(login.status, 302);
      assert.match(login.cookies[0]!, new RegExp(`^${COOKIE}=[^;]+; Path=/demo/; SameSite=Lax; HttpOnly$`));
      assert.equal((await browser.post('issue', { '@action': 'new', title: 'through the handler' })).status, 302);
      assert.deepEqual(await issueTitles(tt), ['through the handler']);
    } finally {
      await server.close();
    }
  });

  it('takes its base URL from the mount point: links, cookie path and the CSRF checks follow it', async () => {
    const server = await listen(await createTrackerHandler(tt.home, { basePath: '/other/' }));
    try {
      const browser = new Browser(server.port, 'http://tracker.example/other/');
      const home = await browser.get('');
      assert.equal(home.status, 200);
      assert.match(home.body, /href="http:\/\/tracker\.example\/other\/@@file\/style\.css"/);
      assert.equal((await send(server.port, 'GET', '/demo/')).status, 404);
      const login = await browser.login('admin', 'admin');
      assert.equal(login.status, 302);
      assert.equal(login.headers.location, 'http://tracker.example/other/?@ok_message=Welcome%20admin%21');
      assert.match(login.cookies[0]!, /; Path=\/other\/; /);
      const refused = await browser.post('issue', { '@action': 'new', title: 'from the old base' }, { headers: { Referer: 'http://tracker.example/demo/issue' } });
      assert.equal(refused.status, 403);
      assert.deepEqual(errorsOf(refused.body), ['Invalid Referer http://tracker.example/demo/issue, http://tracker.example/other/']);
      assert.equal((await browser.post('issue', { '@action': 'new', title: 'at the mount point' })).status, 302);
      const titles = await issueTitles(tt);
      assert.ok(titles.includes('at the mount point'));
      assert.ok(!titles.includes('from the old base'));
    } finally {
      await server.close();
    }
  });

  it('rejects a directory that is not a tracker home', async () => {
    const home = join(tt.home, 'no-such-tracker');
    await assert.rejects(createTrackerHandler(home), { code: 'RUP_ERR_TRACKER', message: `${home}: no such tracker home` });
  });
});
