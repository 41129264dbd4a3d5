import assert from 'node:assert/strict';
import { isRupError } from '../../../lib/errors.js';
import type { Database } from '../../../lib/hyperdb/database.js';
import type { DateTime } from '../../../lib/hyperdb/date.js';
import { Interval } from '../../../lib/hyperdb/interval.js';
import { verifyPassword } from '../../../lib/hyperdb/password.js';
import { editAction, lastActivityValue, readLastActivity } from '../../../lib/web/actions/edit.js';
import type { WebTarget } from '../../../lib/web/web-types.js';
import { type WebTestTracker, createWebTestTracker, makeForm, webRequest } from '../web-fixtures.js';
import { skipWithoutBackend } from '../../support/trackers.js';

for (const backend of ['sqlite', 'postgresql'] as const) describe(`web action edit (Roundup EditItemAction) [${backend}]`, function () {
  before(function () {
    return skipWithoutBackend(this, backend);
  });
  let tt: WebTestTracker;
  let issue: string;

  beforeEach(async () => {
    tt = await createWebTestTracker({ backend });
    const setup = await tt.admin();
    issue = await setup.getclass('issue').create({ title: 'Original', status: '1', priority: '3' });
    await setup.commit();
    await setup.close();
  });
  afterEach(async () => {
    await tt?.cleanup();
  });

  async function submit(userid: string, fields: Record<string, string | string[]>, target: Partial<WebTarget> = {}, method = 'POST') {
    const db: Database = await tt.open(userid);
    try {
      const req = webRequest(tt, db, { form: makeForm(fields), method, target: { classname: 'issue', itemid: issue, template: 'item', ...target } });
      const outcome = await editAction.run(req);
      return { outcome, req };
    } finally {
      await db.close();
    }
  }

  async function stored(classname: string, id: string): Promise<Record<string, unknown>> {
    const check = await tt.admin();
    try {
      return await check.getclass(classname).getnode(id);
    } finally {
      await check.close();
    }
  }

  it('changes the item and redirects with "issue1 title, priority edited ok"', async () => {
    const { outcome } = await submit(tt.chef, { title: 'Renamed', priority: 'urgent', status: 'unread' });
    assert.deepEqual(outcome, {
      kind: 'redirect',
      location: 'http://tracker.example/demo/issue1?@ok_message=issue%201%20title%2C%20priority%20edited%20ok&@template=item',
    });
    const node = await stored('issue', issue);
    assert.equal(node.title, 'Renamed');
    assert.equal(node.priority, '2');
    assert.equal(node.actor, tt.chef);
  });

  it('adds a note as a new message by the user', async () => {
    const { outcome } = await submit(tt.chef, { '@note': 'A comment.' });
    assert.equal(outcome.kind, 'redirect');
    const location = (outcome as { location: string }).location;
    assert.equal(location, 'http://tracker.example/demo/issue1?@ok_message=msg%201%20created%0Aissue%201%20messages%2C%20status%20edited%20ok&@template=item');
    const node = await stored('issue', issue);
    assert.deepEqual(node.messages, ['1']);
    // The classic status detector: a message moves an unread issue to chatting, and the edit reports it.
    assert.equal(node.status, '3');
    assert.equal((await stored('msg', '1')).author, tt.chef);
  });

  describe('edit collisions (@lastactivity)', () => {
    async function activityOf(): Promise<DateTime> {
      return (await stored('issue', issue)).activity as DateTime;
    }

    it('writes the activity in the form Roundup reads back', async () => {
      const activity = await activityOf();
      const text = lastActivityValue(activity);
      assert.match(text, /^\d{4}-\d\d-\d\d\.\d\d:\d\d:\d\d$/);
      assert.equal(readLastActivity(makeForm({ '@lastactivity': text }))!.toString(), activity.toString());
      assert.equal(readLastActivity(makeForm({ ':lastactivity': text }))!.toString(), activity.toString());
      assert.equal(readLastActivity(makeForm({})), null);
    });

    it('refuses a change made on a page older than the item, storing nothing (409)', async () => {
      const seen = (await activityOf()).sub(Interval.parse('1m'));
      const { outcome, req } = await submit(tt.chef, { title: 'Mine', '@lastactivity': lastActivityValue(seen) });
      assert.deepEqual(outcome, { kind: 'render', status: 409 });
      const message =
        'Edit Error: someone else has edited this issue (title). View <a target="_blank" href="issue1">their changes</a> in a new window.';
      assert.deepEqual(req.messages.error, [message]);
      assert.ok(req.messages.trusted?.has(message));
      assert.equal((await stored('issue', issue)).title, 'Original');
    });

    it('accepts the change when the page is as new as the item', async () => {
      const { outcome } = await submit(tt.chef, { title: 'Mine', '@lastactivity': lastActivityValue(await activityOf()) });
      assert.equal(outcome.kind, 'redirect');
      assert.equal((await stored('issue', issue)).title, 'Mine');
    });

    it('lets a note through an old page: only changed properties collide', async () => {
      const seen = (await activityOf()).sub(Interval.parse('1m'));
      const { outcome } = await submit(tt.chef, { title: 'Original', '@note': 'me too', '@lastactivity': lastActivityValue(seen) });
      assert.equal(outcome.kind, 'redirect');
      assert.deepEqual((await stored('issue', issue)).messages, ['1']);
    });
  });

  it('refuses anonymous with 403 and stores nothing', async () => {
    await assert.rejects(submit('2', { title: 'defaced' }), (err) => isRupError(err, 'RUP_ERR_PERMISSION') && err.message === 'You do not have permission to edit issue');
    assert.equal((await stored('issue', issue)).title, 'Original');
  });

  it("refuses a User changing another user's details and stores nothing", async () => {
    await assert.rejects(
      submit(tt.chef, { realname: 'Mary Evil' }, { classname: 'user', itemid: tt.mary }),
      (err) => isRupError(err, 'RUP_ERR_PERMISSION') && err.message === 'You do not have permission to edit user',
    );
    assert.equal((await stored('user', tt.mary)).realname, 'Contrary, Mary');
  });

  it('lets a user change their own password but not their roles (Roundup testCheckAndPropertyPermission)', async () => {
    const ok = await submit(tt.mary, { password: 'ob', '@confirm@password': 'ob' }, { classname: 'user', itemid: tt.mary });
    assert.equal(ok.outcome.kind, 'redirect');
    assert.equal((await verifyPassword((await stored('user', tt.mary)).password as string, 'ob')).ok, true);
    await assert.rejects(submit(tt.mary, { roles: 'User,Admin' }, { classname: 'user', itemid: tt.mary }), (err) => isRupError(err, 'RUP_ERR_PERMISSION'));
    assert.equal((await stored('user', tt.mary)).roles, 'User');
  });

  it('refuses to change a retired item and stores nothing', async () => {
    const setup = await tt.admin();
    await setup.getclass('issue').retire(issue);
    await setup.commit();
    await setup.close();
    const { outcome, req } = await submit(tt.chef, { title: 'Back from the dead' });
    assert.deepEqual(outcome, { kind: 'render', status: 400 });
    assert.deepEqual(req.messages.error, ['Edit Error: Requested item is retired']);
    assert.equal((await stored('issue', issue)).title, 'Original');
  });

  it('shows form problems as "Form Error: ..." and stores nothing', async () => {
    const { outcome, req } = await submit(tt.chef, { title: 'x', status: 'nosuch' });
    assert.deepEqual(outcome, { kind: 'render', status: 400 });
    assert.deepEqual(req.messages.error, ["Form Error: property status: 'nosuch' is not a status."]);
    assert.equal((await stored('issue', issue)).title, 'Original');
  });

  it('rolls back the other items when one write fails', async () => {
    const { req } = await submit(tt.chef, { '@note': 'kept?', superseder: '5000' });
    assert.deepEqual(req.messages.error, ['Edit Error: issue has no node 5000']);
    const check = await tt.admin();
    try {
      assert.deepEqual(await check.getclass('msg').list(), []);
    } finally {
      await check.close();
    }
  });

  it('refuses a GET', async () => {
    const { outcome, req } = await submit(tt.chef, { title: 'x' }, {}, 'GET');
    assert.deepEqual(outcome, { kind: 'render', status: 400 });
    assert.deepEqual(req.messages.error, ['Invalid request']);
  });

  it('edits items named by designator from an index page and keeps the index view', async () => {
    const { outcome } = await submit(tt.chef, { [`issue${issue}@title`]: 'From the index', '@columns': 'id,title', '@sort': '-activity' }, { itemid: null, template: 'index' });
    assert.deepEqual(outcome, {
      kind: 'redirect',
      location:
        'http://tracker.example/demo/issue?@ok_message=issue%201%20title%20edited%20ok&@template=index&@columns=id,title&@sort=-activity&@pagesize=50&@startwith=0',
    });
    assert.equal((await stored('issue', issue)).title, 'From the index');
  });
});
