import assert from 'node:assert/strict';
import { isRupError } from '../../../lib/errors.js';
import type { Database } from '../../../lib/hyperdb/database.js';
import { applyForm } from '../../../lib/web/form/apply-form.js';
import type { ParsedForm } from '../../../lib/web/form/parse-form.js';
import { type WebTestTracker, createWebTestTracker } from '../web-fixtures.js';
import { skipWithoutBackend } from '../../support/trackers.js';

for (const backend of ['sqlite', 'postgresql'] as const) describe(`web form writes (Roundup _editnodes, test_actions EditItemActionTestCase) [${backend}]`, function () {
  before(function () {
    return skipWithoutBackend(this, backend);
  });
  let tt: WebTestTracker;
  let db: Database;
  let issue: string;

  // A tracker per test: ids are part of what is checked, and PostgreSQL sequences survive a rollback.
  beforeEach(async () => {
    tt = await createWebTestTracker({ backend });
    db = await tt.open('1');
    issue = await db.getclass('issue').create({ title: 'Existing' });
    await db.getclass('msg').create({ content: 'old 1' });
    await db.getclass('msg').create({ content: 'old 2' });
    await db.getclass('issue').set(issue, { messages: ['1', '2'] });
  });
  afterEach(async () => {
    await db.close();
    await tt.cleanup();
  });

  it('attaches a new message to the existing ones (testMessageAttach)', async () => {
    const parsed: ParsedForm = {
      items: [
        { classname: 'msg', id: '-1', props: { content: 't' } },
        { classname: 'issue', id: issue, props: {} },
      ],
      links: [{ classname: 'issue', id: issue, propname: 'messages', targets: [{ classname: 'msg', id: '-1' }] }],
    };
    assert.deepEqual(await applyForm(db, parsed), { messages: ['msg 3 created', 'issue 1 messages edited ok'], createdContextId: null });
    assert.deepEqual(await db.getclass('issue').get(issue, 'messages'), ['1', '2', '3']);
  });

  it('attaches new files, skipping links to items that will not exist (testFileAttach)', async () => {
    const parsed: ParsedForm = {
      items: [
        { classname: 'file', id: '-1', props: { content: Buffer.from('t'), type: 'text/plain', name: 't.txt' } },
        { classname: 'issue', id: issue, props: {} },
      ],
      links: [
        { classname: 'issue', id: issue, propname: 'messages', targets: [{ classname: 'msg', id: '-1' }] },
        { classname: 'issue', id: issue, propname: 'files', targets: [{ classname: 'file', id: '-1' }] },
        { classname: 'msg', id: '-1', propname: 'files', targets: [{ classname: 'file', id: '-1' }] },
      ],
    };
    const applied = await applyForm(db, parsed);
    assert.deepEqual(applied.messages, ['file 1 created', 'issue 1 files edited ok']);
    assert.deepEqual(await db.getclass('issue').get(issue, 'files'), ['1']);
    assert.deepEqual(await db.getclass('issue').get(issue, 'messages'), ['1', '2']);
  });

  it('links an existing item with no changes of its own (testLinkExisting)', async () => {
    const other = await db.getclass('issue').create({ title: 'Other' });
    const parsed: ParsedForm = {
      items: [
        { classname: 'issue', id: other, props: {} },
        { classname: 'msg', id: '1', props: {} },
      ],
      links: [{ classname: 'issue', id: other, propname: 'messages', targets: [{ classname: 'msg', id: '1' }] }],
    };
    // The classic status detector moves the issue to chatting, and the report says so.
    assert.deepEqual((await applyForm(db, parsed)).messages, [`issue ${other} messages, status edited ok`]);
    assert.deepEqual(await db.getclass('issue').get(other, 'messages'), ['1']);
  });

  it('links a new item to an existing one through a Link (testLinkNewToExisting)', async () => {
    const parsed: ParsedForm = {
      items: [
        { classname: 'msg', id: '-1', props: { content: 'reply' } },
        { classname: 'user', id: tt.chef, props: {} },
      ],
      links: [{ classname: 'msg', id: '-1', propname: 'author', targets: [{ classname: 'user', id: tt.chef }] }],
    };
    assert.deepEqual((await applyForm(db, parsed)).messages, ['msg 3 created']);
    assert.equal(await db.getclass('msg').get('3', 'author'), tt.chef);
  });

  it('skips links to items the form neither names nor creates', async () => {
    const parsed: ParsedForm = {
      items: [{ classname: 'msg', id: '-1', props: { content: 'alone' } }],
      links: [{ classname: 'msg', id: '-1', propname: 'author', targets: [{ classname: 'user', id: tt.chef }] }],
    };
    assert.deepEqual((await applyForm(db, parsed)).messages, ['msg 3 created']);
    assert.equal(await db.getclass('msg').get('3', 'author'), null);
  });

  it('fills new ids into the context item it creates and reports its id', async () => {
    const parsed: ParsedForm = {
      items: [
        { classname: 'issue', id: null, props: { title: 'New' } },
        { classname: 'msg', id: '-1', props: { content: 'first' } },
        { classname: 'user', id: tt.chef, props: {} },
      ],
      links: [
        { classname: 'issue', id: null, propname: 'messages', targets: [{ classname: 'msg', id: '-1' }] },
        { classname: 'issue', id: null, propname: 'assignedto', targets: [{ classname: 'user', id: tt.chef }] },
      ],
    };
    const applied = await applyForm(db, parsed);
    assert.equal(applied.createdContextId, '2');
    assert.deepEqual(await db.getclass('issue').get('2', 'messages'), ['3']);
    assert.equal(await db.getclass('issue').get('2', 'assignedto'), tt.chef);
  });

  it('checks edit permission on every changed property before writing', async () => {
    const user = await tt.open(tt.chef);
    try {
      const parsed: ParsedForm = { items: [{ classname: 'user', id: tt.chef, props: { realname: 'Chef', roles: 'Admin' } }], links: [] };
      await assert.rejects(applyForm(user, parsed), (err) => isRupError(err, 'RUP_ERR_PERMISSION') && err.message === 'You do not have permission to edit user');
    } finally {
      await user.close();
    }
  });
});
