import assert from 'node:assert/strict';
import { showAction } from '../../../lib/web/actions/show.js';
import { type WebTestTracker, createWebTestTracker, makeForm, webRequest } from '../web-fixtures.js';

describe('web action show (Roundup ShowAction)', function () {
  let tt: WebTestTracker;

  before(async () => {
    tt = await createWebTestTracker();
  });
  after(async () => {
    await tt.cleanup();
  });

  async function show(fields: Record<string, string>) {
    const db = await tt.open('2');
    try {
      const req = webRequest(tt, db, { method: 'GET', form: makeForm(fields) });
      return { outcome: await showAction.run(req), errors: req.messages.error };
    } finally {
      await db.close();
    }
  }

  it('jumps to the designator', async () => {
    assert.deepEqual((await show({ '@type': 'issue', '@number': '1' })).outcome, { kind: 'redirect', location: 'http://tracker.example/demo/issue1' });
    assert.deepEqual((await show({ ':type': 'user', ':number': ' 12 ' })).outcome, { kind: 'redirect', location: 'http://tracker.example/demo/user12' });
  });

  it('explains what is missing or wrong', async () => {
    assert.deepEqual(await show({}), { outcome: { kind: 'render', status: 400 }, errors: ['No type specified'] });
    assert.deepEqual(await show({ '@number': '1' }), { outcome: { kind: 'render', status: 400 }, errors: ['No type specified'] });
    assert.deepEqual(await show({ '@type': 'issue' }), { outcome: { kind: 'render', status: 400 }, errors: ['No ID entered'] });
    assert.deepEqual(await show({ '@type': 'issue', '@number': 'abc' }), { outcome: { kind: 'render', status: 400 }, errors: ['"abc" is not an ID (issue ID required)'] });
  });
});
