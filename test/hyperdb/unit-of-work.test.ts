/**
 * The unit of work's write-behind and item cache (lib/hyperdb/unit-of-work.ts):
 * what a change costs in statements, and that the data and journal it
 * leaves are the same as when every change is written at once. On both
 * backends.
 */
import assert from 'node:assert/strict';
import type { Database } from '../../lib/hyperdb/database.js';
import { BACKENDS, useTracker } from './hyperdb-fixtures.js';

for (const backend of BACKENDS) {
  describe(`hyperdb unit of work (${backend})`, () => {
    const h = useTracker(backend);
    const statements = () => h.t.tracker.storage.backend.statements;

    /** Statements `fn` sends to the database. */
    async function cost(fn: () => Promise<unknown>): Promise<number> {
      const before = statements();
      await fn();
      return statements() - before;
    }

    async function journalOf(db: Database, classname: string, id: string) {
      return (await db.getclass(classname).history(id, { skipquiet: false })).map((e) => [e.action, e.params]);
    }

    it('applies changes to an item created in the same unit of work to its queued row, without a statement', async () => {
      const db = await h.open();
      const gadget = db.getclass('gadget');
      const id = await gadget.create({ name: 'first', labels: ['1'] });
      assert.equal(await cost(() => gadget.set(id, { name: 'second', size: 7 })), 0);
      assert.equal(await cost(() => gadget.set(id, { labels: [] })), 0);
      assert.equal(await gadget.get(id, 'name'), 'second');
      await db.commit();

      const other = await h.open();
      const node = await other.getclass('gadget').getnode(id);
      assert.deepEqual([node.name, node.size, node.labels], ['second', 7, []]);
      assert.deepEqual(await journalOf(other, 'gadget', id), [
        ['create', {}],
        ['set', { name: 'first', size: 3 }],
        ['set', { labels: [['-', ['1']]] }],
      ]);
    });

    it('reads an item changed in the unit of work from its cache, with the new values', async () => {
      const db = await h.open();
      const gadget = db.getclass('gadget');
      const id = await gadget.create({ name: 'cached' });
      await db.commit();

      await gadget.set(id, { name: 'renamed' });
      assert.equal(await cost(() => gadget.get(id, 'name')), 0);
      assert.equal(await gadget.get(id, 'name'), 'renamed');
      assert.ok((await gadget.get(id, 'activity')) !== null);
      await db.commit();
      assert.equal(await (await h.open()).getclass('gadget').get(id, 'name'), 'renamed');
    });

    it('changes an item the transaction already holds without locking or loading it again', async () => {
      const db = await h.open();
      const gadget = db.getclass('gadget');
      const id = await gadget.create({ name: 'held' });
      await db.commit();

      await gadget.set(id, { name: 'one' });
      await gadget.history(id);
      // Only the UPDATE: the item was locked and loaded by the first set (whose journal entry the history wrote).
      assert.equal(await cost(() => gadget.set(id, { name: 'two' })), 1);
      await db.commit();
      assert.equal(await (await h.open()).getclass('gadget').get(id, 'name'), 'two');
    });

    it('keeps the queued rows of a class when another class is read, and writes them before its own reads', async () => {
      const db = await h.open();
      const id = await db.getclass('gadget').create({ name: 'queued' });
      // One statement, the status row: the gadget row stays queued.
      assert.equal(await cost(() => db.getclass('status').get('1', 'name')), 1);
      assert.deepEqual(await db.getclass('gadget').filter(null, { name: 'queued' }), [id]);
      await db.commit();
      assert.deepEqual(await (await h.open()).getclass('gadget').list(), [id]);
    });

    it('loads items with their Multilinks in one statement', async () => {
      const db = await h.open();
      assert.equal(await cost(() => db.getclass('status').getMany(['1', '2'])), 1);
      const rows = await db.getclass('status').getMany(['1', '2']);
      assert.deepEqual(rows.get('1')!.mls, ['1', '2']);
      assert.deepEqual(rows.get('2')!.mls, []);
    });

    it('hands reactors of a change old values they may change without touching the cache', async () => {
      const db = await h.open();
      const gadget = db.getclass('gadget');
      const id = await gadget.create({ name: 'old', labels: ['1'] });
      await db.commit();
      gadget.def.detectors.react('set', (_db: unknown, _cl: unknown, _id: unknown, oldvalues: Record<string, unknown> | null) => {
        (oldvalues!.labels as string[]).push('99');
      });
      await gadget.set(id, { name: 'new' });
      assert.deepEqual(await gadget.get(id, 'labels'), ['1']);
    });
  });
}
