/**
 * Units of work as transactions (Roundup's testTransactions and the
 * architecture's decision 3): rollback discards items, journal, file
 * content and index entries; a change that failed after writing blocks
 * commit until rollback; writers in one process take turns; an unfinished
 * unit of work leaves nothing; reads outside a transaction see committed
 * data only. On both backends.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { isRupError } from '../../lib/errors.js';
import { BACKENDS, rejectsWith, useTracker } from './hyperdb-fixtures.js';

for (const backend of BACKENDS) {
  describe(`hyperdb transactions (${backend})`, () => {
    const h = useTracker(backend);
    const fileDir = () => join(h.t.home, 'db', 'files', 'file', '0');

    it('discards on rollback the items, journal entries, file content and index entries of the unit of work', async () => {
      const db = await h.open();
      const base = await db.getclass('issue').create({ title: 'baseline' });
      await db.commit();

      const id = await db.getclass('issue').create({ title: 'zebrafinch sighting' });
      const file = await db.getclass('file').create({ content: 'quokka words' });
      await db.getclass('issue').set(base, { title: 'changed', files: [file] });
      await db.getclass('status').retire('2');
      assert.deepEqual(await db.getclass('issue').list(), [base, id]);
      await db.rollback();

      assert.deepEqual(await db.getclass('issue').list(), [base]);
      assert.equal(await db.getclass('issue').get(base, 'title'), 'baseline');
      assert.deepEqual(await db.getclass('issue').get(base, 'files'), []);
      assert.equal(await db.getclass('file').hasnode(file), false);
      assert.equal(existsSync(fileDir()) && readdirSync(fileDir()).length > 0, false);
      assert.equal(await db.getclass('status').isRetired('2'), false);
      assert.deepEqual((await db.getclass('issue').history(base)).map((e) => e.action), ['create']);
      assert.deepEqual((await db.getclass('status').history('2')).map((e) => e.action), ['create']);
      assert.deepEqual(await db.getclass('issue').searchText('zebrafinch'), new Set());
      assert.deepEqual(await db.getclass('file').searchText('quokka'), new Set());

      // The same work committed is found, so the empty searches above prove the rollback.
      const kept = await db.getclass('issue').create({ title: 'zebrafinch sighting' });
      const keptFile = await db.getclass('file').create({ content: 'quokka words' });
      await db.commit();
      const db2 = await h.open();
      assert.deepEqual(await db2.getclass('issue').searchText('zebrafinch'), new Set([kept]));
      assert.deepEqual(await db2.getclass('file').searchText('quokka'), new Set([keptFile]));
    });

    it('refuses to commit, or change anything, after a change failed once it had written, until rollback', async () => {
      const db = await h.open();
      await db.getclass('stuff').create({ stuff: 'written before' });
      await assert.rejects(db.getclass('stuff').create({ stuff: 'fail after writing' }), {
        message: 'the reactor failed after the item was written',
      });
      await rejectsWith(db.commit(), 'RUP_ERR_DATABASE', 'cannot commit: a change failed (the reactor failed after the item was written); roll back');
      await rejectsWith(
        db.getclass('stuff').create({ stuff: 'more' }),
        'RUP_ERR_DATABASE',
        'an earlier change failed (the reactor failed after the item was written); roll back before changing anything else',
      );
      await db.rollback();
      const id = await db.getclass('stuff').create({ stuff: 'after rollback' });
      await db.commit();
      const db2 = await h.open();
      assert.deepEqual(await db2.getclass('stuff').getnodeids(), [id]);
      assert.equal(await db2.getclass('stuff').get(id, 'stuff'), 'after rollback');
    });

    it('keeps the unit of work usable after a change refused before it wrote anything', async () => {
      const db = await h.open();
      const first = await db.getclass('stuff').create({ stuff: 'first' });
      await rejectsWith(db.getclass('stuff').create({ stuff: 'reject me' }), 'RUP_ERR_REJECT', 'stuff "reject me" is refused');
      await rejectsWith(db.getclass('issue').create({ title: 'dangling', status: '99' }), 'RUP_ERR_VALUE', 'status has no node 99');
      const second = await db.getclass('stuff').create({ stuff: 'second' });
      await db.commit();
      const db2 = await h.open();
      assert.deepEqual(await db2.getclass('stuff').list(), [first, second]);
      assert.deepEqual(await db2.getclass('issue').list(), []);
    });

    it('makes a second writer wait for the first to commit, then start from what it committed', async () => {
      const setup = await h.open();
      const id = await setup.getclass('issue').create({ title: 'start' });
      await setup.commit();

      const first = await h.open({ username: 'admin' });
      const second = await h.open({ username: 'fred' });
      const events: string[] = [];
      await first.getclass('issue').set(id, { title: 'first' });
      const waiting = second.getclass('issue').set(id, { title: 'second' }).then((changes) => {
        events.push('second set');
        return changes;
      });
      assert.equal(await first.getclass('issue').get(id, 'title'), 'first');
      events.push('first commits');
      await first.commit();
      events.push('first committed');
      assert.deepEqual(await waiting, { title: 'second' });
      await second.commit();
      assert.deepEqual(events, ['first commits', 'first committed', 'second set']);

      const db = await h.open();
      assert.equal(await db.getclass('issue').get(id, 'title'), 'second');
      const sets = (await db.getclass('issue').history(id)).filter((e) => e.action === 'set');
      assert.deepEqual(sets.map((e) => [e.userid, e.params]), [['1', { title: 'start' }], ['2', { title: 'first' }]]);
    });

    it('refuses a key value a concurrent unit of work took, once that one commits', async () => {
      const first = await h.open();
      const second = await h.open({ username: 'fred' });
      await first.getclass('status').create({ name: 'dup' });
      // A read writes what the first unit of work holds back: its row now exists, uncommitted.
      assert.deepEqual(await first.getclass('status').list(), ['1', '2', '3', '4', '5']);
      if (backend === 'sqlite') {
        // One writer at a time: the second create waits, then sees the committed key.
        const attempt = second.getclass('status').create({ name: 'dup' }).then(
          () => null,
          (err: unknown) => err,
        );
        await first.commit();
        const err = await attempt;
        assert.ok(isRupError(err, 'RUP_ERR_DUPLICATE_KEY'));
        assert.equal(err.message, 'node with key "dup" exists');
        await second.commit();
      } else {
        // Concurrent transactions: the uncommitted key is invisible to the second one, whose
        // row the unique index holds until the first commits, then refuses.
        await second.getclass('status').create({ name: 'dup' });
        const committing = second.commit().then(
          () => null,
          (err: unknown) => err,
        );
        await first.commit();
        const err = await committing;
        assert.ok(isRupError(err, 'RUP_ERR_DUPLICATE_KEY'));
        assert.match(err.message, /^a key value is already used by another item \(/);
      }
      const db = await h.open();
      assert.deepEqual(await db.getclass('status').stringFind({ name: 'dup' }), ['5']);
    });

    it('leaves nothing behind a unit of work closed without commit, and refuses to use it afterwards', async () => {
      const db = await h.open();
      const id = await db.getclass('issue').create({ title: 'never committed' });
      await db.getclass('file').create({ content: 'never written' });
      await db.getclass('status').set('1', { name: 'renamed' });
      await db.close();
      await db.close();
      await rejectsWith(db.getclass('issue').get(id, 'title'), 'RUP_ERR_DATABASE', 'the database has been closed');
      await rejectsWith(db.commit(), 'RUP_ERR_DATABASE', 'the database has been closed');

      const db2 = await h.open();
      assert.deepEqual(await db2.getclass('issue').getnodeids(), []);
      assert.deepEqual(await db2.getclass('file').getnodeids(), []);
      assert.equal(existsSync(fileDir()) && readdirSync(fileDir()).length > 0, false);
      assert.equal(await db2.getclass('status').get('1', 'name'), 'unread');
      assert.deepEqual((await db2.getclass('status').history('1')).map((e) => e.action), ['create']);
    });

    it('shows a unit of work that has not written only committed data', async () => {
      const writer = await h.open();
      const reader = await h.open({ username: 'fred' });
      const id = await writer.getclass('issue').create({ title: 'in progress' });
      assert.deepEqual(await writer.getclass('issue').list(), [id]);
      assert.deepEqual(await reader.getclass('issue').list(), []);
      assert.equal(await reader.getclass('issue').hasnode(id), false);
      await rejectsWith(reader.getclass('issue').get(id, 'title'), 'RUP_ERR_NO_SUCH_ITEM', `issue has no node ${id}`);
      await writer.commit();
      assert.deepEqual(await reader.getclass('issue').list(), [id]);
      assert.equal(await reader.getclass('issue').get(id, 'title'), 'in progress');
    });

    it('starts its first write from the latest committed data, whatever it read before', async () => {
      const reader = await h.open({ username: 'fred' });
      assert.equal(await reader.getclass('status').get('3', 'name'), 'testing');
      const writer = await h.open();
      await writer.getclass('status').set('3', { name: 'tested' });
      await writer.commit();
      await reader.getclass('status').set('3', { mls: ['1'] });
      assert.equal(await reader.getclass('status').get('3', 'name'), 'tested');
      await reader.commit();
      const db = await h.open();
      const sets = (await db.getclass('status').history('3')).filter((e) => e.action === 'set');
      assert.deepEqual(sets.map((e) => [e.userid, e.params]), [['1', { name: 'testing' }], ['2', { mls: [['+', ['1']]] }]]);
      assert.deepEqual(await db.getclass('status').getnode('3').then((n) => [n.name, n.mls]), ['tested', ['1']]);
    });
  });
}
