import assert from 'node:assert/strict';
import { createTestTracker } from '../support/trackers.js';

describe('smoke', () => {
  it('creates and reads an issue', async () => {
    const t = await createTestTracker();
    try {
      const db = await t.tracker.open({ username: 'admin' }, { checked: false });
      const id = await db.getclass('issue').create({ title: 'hello world', priority: 'bug' });
      const msg = await db.getclass('msg').create({ content: 'Some text here. And more', author: '1' });
      await db.getclass('issue').set(id, { messages: [msg] });
      await db.commit();
      assert.equal(await db.getclass('issue').get(id, 'title'), 'hello world');
      console.log(await db.getclass('issue').getnode(id));
      console.log(await db.getclass('msg').getnode(msg));
      console.log(await db.getclass('issue').history(id));
      console.log(await db.getclass('issue').filter(null, { title: 'hello' }, { sort: [['-', 'priority']] }));
      console.log(await db.getclass('issue').searchText('text'));
      await db.close();
    } finally {
      await t.cleanup();
    }
  });
});
