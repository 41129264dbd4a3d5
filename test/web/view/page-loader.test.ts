import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tracker } from '../../../lib/tracker/tracker.js';
import { type TestTracker, createTestTracker } from '../../support/trackers.js';
import { type ServedTracker, serveTracker, userOf } from '../app-harness.js';

/**
 * The page loader where a page's own loading and a kept answer meet: the
 * current user keeps their login name on the page even when the schema
 * hides login names, also on pages whose menus list every user (a list
 * kept between requests, holding that user's record without the name).
 */
describe('web/view/page-loader: the current user on pages with kept user menus', function () {
  this.timeout(60000);
  let tt: TestTracker;
  let tracker: Tracker;
  let served: ServedTracker;

  before(async () => {
    tt = await createTestTracker();
    await tt.tracker.close();
    const schemaFile = join(tt.home, 'schema.js');
    // Users may see no login names, their own included.
    const schema = readFileSync(schemaFile, 'utf8')
      .replace(/'username', |, 'username'/g, '')
      .replace("check: ownRecord,\n    description: 'User is allowed to view their own", "check: ownRecord,\n    properties: ['realname'],\n    description: 'User is allowed to view their own");
    assert.ok(schema.includes("properties: ['realname']"), 'the classic schema changed: adapt this test');
    writeFileSync(schemaFile, schema);
    tracker = await Tracker.open(tt.home);
    const setup = await tracker.open({ userid: '1' }, { checked: false });
    await setup.getclass('user').create({ username: 'mary', password: 'mary-pw', roles: 'User' });
    await setup.commit();
    await setup.close();
    served = await serveTracker(tracker);
  });
  after(async () => {
    await served?.close();
    await tracker?.close();
    await tt?.cleanup();
  });

  it('names the logged-in user on every page, before and after the menus are kept', async () => {
    const mary = served.browser();
    assert.equal((await mary.login('mary', 'mary-pw')).status, 302);
    for (const path of ['issue?@template=item', 'issue?@template=item&again=1', 'issue']) {
      const page = await mary.get(path);
      assert.equal(page.status, 200, path);
      assert.equal(userOf(page.body), 'mary', path);
    }
  });
});
