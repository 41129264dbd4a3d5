import assert from 'node:assert/strict';
import type { Database } from '../../lib/hyperdb/database.js';
import { Tracker } from '../../lib/tracker/tracker.js';
import { runScript } from '../support/scripts.js';
import { type TestTracker, createTestTracker, skipWithoutBackend } from '../support/trackers.js';

/*
 * Full-text search as a tracker user meets it (Roundup's native indexer
 * rules): issue titles, and the text of the messages and text/plain files
 * linked to issues, searched with every word required.
 */

for (const backend of ['sqlite', 'postgresql'] as const) {
  describe(`hyperdb/hyper-class searchText: full-text search of a tracker (${backend})`, function () {
    let t: TestTracker | undefined;
    let db: Database;
    const ids: Record<string, string> = {};

    before(async function () {
      await skipWithoutBackend(this, backend);
      t = await createTestTracker({ backend });
      db = await t.tracker.open({ username: 'admin' }, { checked: false });
      const issue = db.getclass('issue');
      const msg = db.getclass('msg');
      const file = db.getclass('file');
      ids.printer = await issue.create({ title: 'The printer catches fire' });
      ids.scanner = await issue.create({ title: 'Scanner jams daily' });
      ids.tonerMsg = await msg.create({ content: 'The toner smells of burnt coffee.', author: '1' });
      ids.toner = await issue.create({ title: 'Strange smell', messages: [ids.tonerMsg] });
      ids.traceFile = await file.create({ name: 'trace.txt', type: 'text/plain', content: 'segfault in frobnicate()' });
      ids.pdfFile = await file.create({ name: 'manual.pdf', type: 'application/pdf', content: 'segfault hiddenword' });
      ids.crash = await issue.create({ title: 'Crash on start', files: [ids.traceFile] });
      ids.pdf = await issue.create({ title: 'Manual attached', files: [ids.pdfFile] });
      await db.commit();
    });

    after(async () => {
      await db?.close();
      await t?.cleanup();
    });

    const search = async (query: string, classname = 'issue') => [...(await db.getclass(classname).searchText(query))].sort();

    it('finds issues by the words of their title, whatever the case and order', async () => {
      assert.deepEqual(await search('printer'), [ids.printer]);
      assert.deepEqual(await search('PRINTER'), [ids.printer]);
      assert.deepEqual(await search('fire Printer'), [ids.printer]);
      assert.deepEqual(await search('jams'), [ids.scanner]);
    });

    it('finds issues through the text of their messages and files, and the messages and files themselves', async () => {
      assert.deepEqual(await search('toner'), [ids.toner]);
      assert.deepEqual(await search('toner', 'msg'), [ids.tonerMsg]);
      assert.deepEqual(await search('frobnicate'), [ids.crash]);
      assert.deepEqual(await search('frobnicate', 'file'), [ids.traceFile]);
    });

    it('ignores stop words, in the text and in the query', async () => {
      assert.deepEqual(await search('the'), []);
      assert.deepEqual(await search('the printer'), [ids.printer]);
      assert.deepEqual(await search('of', 'msg'), []);
    });

    it('requires every word of the query to occur in the same text', async () => {
      assert.deepEqual(await search('printer jams'), []);
      assert.deepEqual(await search('printer nowhere'), []);
      // "smell" is in the issue title and "toner" in its message: two texts, no match.
      assert.deepEqual(await search('smell toner'), []);
      assert.deepEqual(await search('burnt coffee toner'), [ids.toner]);
    });

    it('does not index files whose type is not text/plain', async () => {
      assert.deepEqual(await search('hiddenword'), []);
      assert.deepEqual(await search('hiddenword', 'file'), []);
      assert.deepEqual(await search('segfault'), [ids.crash]);
    });

    it('finds a message committed by another process on the next search, without reopening the tracker', async () => {
      assert.deepEqual(await search('zanzibar'), []);
      const msgid = await runScript<string>('add-message', [t!.home, ids.scanner!, 'Seen again in the Zanzibar office.']);
      assert.deepEqual(await search('zanzibar'), [ids.scanner]);
      assert.deepEqual(await search('zanzibar office', 'msg'), [msgid]);
    });
  });
}

describe('tracker/tracker warm: the full-text index loaded before the first search', function () {
  it('loads the index when asked, not at the first search', async () => {
    const t = await createTestTracker();
    try {
      const db = await t.tracker.open({ username: 'admin' }, { checked: false });
      for (let i = 0; i < 3; i++) await db.getclass('issue').create({ title: `printer number ${i}` });
      await db.commit();
      await db.close();
      // Two freshly started processes; one warms up. Then the stored words go behind their backs
      // (no change number moves): only a copy loaded before can still find the issues.
      const [cold, warmed] = [await reopen(t), await reopen(t)];
      try {
        await warmed.warm();
        const tx = await t.tracker.storage.backend.beginWrite();
        await tx.run('DELETE FROM __textindex');
        await tx.commit();
        const found = async (tracker: Tracker) => {
          const reader = await tracker.open({ username: 'admin' }, { checked: false });
          try {
            return (await reader.getclass('issue').searchText('printer')).size;
          } finally {
            await reader.close();
          }
        };
        assert.equal(await found(warmed), 3);
        assert.equal(await found(cold), 0);
      } finally {
        await cold.close();
        await warmed.close();
      }
    } finally {
      await t.cleanup();
    }
  });
});

function reopen(t: TestTracker): Promise<Tracker> {
  return Tracker.open(t.home);
}
