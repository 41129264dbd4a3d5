import assert from 'node:assert/strict';
import { isRupError } from '../../../lib/errors.js';
import { restoreAction, retireAction } from '../../../lib/web/actions/retire.js';
import type { WebAction, WebTarget } from '../../../lib/web/web-types.js';
import { type WebTestTracker, createWebTestTracker, webRequest } from '../web-fixtures.js';
import { skipWithoutBackend } from '../../support/trackers.js';

for (const backend of ['sqlite', 'postgresql'] as const) describe(`web actions retire and restore (Roundup RetireAction, RestoreAction) [${backend}]`, function () {
  before(function () {
    return skipWithoutBackend(this, backend);
  });
  let tt: WebTestTracker;

  beforeEach(async () => {
    tt = await createWebTestTracker({ backend });
    const setup = await tt.admin();
    await setup.getclass('issue').create({ title: 'Old' });
    await setup.commit();
    await setup.close();
  });
  afterEach(async () => {
    await tt?.cleanup();
  });

  async function run(action: WebAction, userid: string, target: Partial<WebTarget>, method = 'POST') {
    const db = await tt.open(userid);
    try {
      const req = webRequest(tt, db, { method, target: { classname: 'issue', itemid: '1', template: 'item', ...target } });
      return { outcome: await action.run(req), req };
    } finally {
      await db.close();
    }
  }

  async function retired(classname = 'issue', id = '1'): Promise<boolean> {
    const check = await tt.admin();
    try {
      return await check.getclass(classname).isRetired(id);
    } finally {
      await check.close();
    }
  }

  it('retires and restores an item, redirecting with the message', async () => {
    const r = await run(retireAction, '1', {});
    assert.deepEqual(r.outcome, { kind: 'redirect', location: 'http://tracker.example/demo/issue1?@ok_message=Issue%201%20has%20been%20retired&@template=item' });
    assert.equal(await retired(), true);
    const s = await run(restoreAction, '1', { template: 'index' });
    assert.deepEqual(s.outcome, { kind: 'redirect', location: 'http://tracker.example/demo/issue?@ok_message=Issue%201%20has%20been%20restored' });
    assert.equal(await retired(), false);
  });

  it('never retires the admin or anonymous user', async () => {
    for (const id of ['1', '2']) {
      const { outcome, req } = await run(retireAction, '1', { classname: 'user', itemid: id });
      assert.deepEqual(outcome, { kind: 'render', status: 400 });
      assert.deepEqual(req.messages.error, ['You may not retire the admin or anonymous user']);
      assert.equal(await retired('user', id), false);
    }
  });

  it('refuses anonymous, who may not edit issues (403)', async () => {
    await assert.rejects(run(retireAction, '2', {}), (err) => isRupError(err, 'RUP_ERR_PERMISSION') && err.message === 'You do not have permission to retire the issue class.');
    assert.equal(await retired(), false);
  });

  it('refuses a User, who may edit but not retire issues (403)', async () => {
    await assert.rejects(run(retireAction, tt.chef, {}), (err) => isRupError(err, 'RUP_ERR_PERMISSION') && err.message === 'You do not have permission to retire issue');
    assert.equal(await retired(), false);
  });

  it('refuses a GET', async () => {
    const { outcome, req } = await run(retireAction, '1', {}, 'GET');
    assert.deepEqual(outcome, { kind: 'render', status: 400 });
    assert.deepEqual(req.messages.error, ['Invalid request']);
    assert.equal(await retired(), false);
  });

  it('answers 404 for an item that does not exist', async () => {
    await assert.rejects(run(retireAction, '1', { itemid: '99' }), (err) => isRupError(err, 'RUP_ERR_NO_SUCH_ITEM'));
  });
});
