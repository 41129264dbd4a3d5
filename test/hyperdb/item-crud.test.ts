/**
 * Item operations of the hyperdb, per property type, ported from Roundup's
 * test/db_test_base.py (DBTest: testStringChange ... testIntegerUnset,
 * testKeyValue, testRetire, testDestroy*, testQuietProperty, testFind) and
 * run on both backends. Every value written is read back through a new
 * unit of work after commit.
 */
import assert from 'node:assert/strict';
import { DateTime } from '../../lib/hyperdb/date.js';
import { Interval } from '../../lib/hyperdb/interval.js';
import { verifyPassword } from '../../lib/hyperdb/password.js';
import { BACKENDS, rejectsWith, useTracker } from './hyperdb-fixtures.js';

const d = (spec: string) => DateTime.parse(spec);
const iv = (spec: string) => Interval.parse(spec);

for (const backend of BACKENDS) {
  describe(`hyperdb items (${backend})`, () => {
    const h = useTracker(backend);

    /** Commits `db` and returns a new unit of work as admin. */
    async function committed(db: Awaited<ReturnType<typeof h.open>>) {
      await db.commit();
      return h.open();
    }

    describe('automatic properties', () => {
      it('allocates ids per class from 1 in sequence and never reuses the id of a retired item', async () => {
        const db = await h.open();
        const stuff = db.getclass('stuff');
        assert.deepEqual([await stuff.create({ stuff: 'a' }), await stuff.create({ stuff: 'b' }), await stuff.create({ stuff: 'c' })], ['1', '2', '3']);
        assert.equal(await db.getclass('gadget').create({ name: 'g' }), '1');
        await db.getclass('stuff').retire('3');
        const db2 = await committed(db);
        assert.equal(await db2.getclass('stuff').create({ stuff: 'd' }), '4');
        const db3 = await committed(db2);
        assert.deepEqual(await db3.getclass('stuff').getnodeids(), ['1', '2', '3', '4']);
        assert.deepEqual(await db3.getclass('stuff').list(), ['1', '2', '4']);
      });

      it('sets creation, activity, creator and actor on create, and activity and actor on set', async () => {
        const db = await h.open();
        const id = await db.getclass('issue').create({ title: 'spam' });
        const created = await db.getclass('issue').getnode(id);
        assert.ok(created.creation instanceof DateTime);
        assert.equal((created.activity as DateTime).epochMs, (created.creation as DateTime).epochMs);
        assert.equal(created.creator, '1');
        assert.equal(created.actor, '1');
        await db.commit();

        const fred = await h.open({ username: 'fred' });
        assert.deepEqual(await fred.getclass('issue').set(id, { title: 'asfasd' }), { title: 'asfasd' });
        await fred.commit();

        const db2 = await h.open();
        const item = await db2.getclass('issue').getnode(id);
        assert.equal((item.creation as DateTime).epochMs, (created.creation as DateTime).epochMs);
        assert.equal(item.creator, '1');
        assert.equal(item.actor, '2');
        const history = await db2.getclass('issue').history(id, { enforceperm: false, skipquiet: false });
        assert.equal(history.length, 2);
        assert.equal((item.activity as DateTime).epochMs, history[1]!.date.epochMs);
        assert.equal(history[1]!.userid, '2');
      });

      it('refuses the reserved names id, creation, activity, creator and actor on create and set', async () => {
        const db = await h.open();
        const message = 'stuff: "id", "creation", "activity", "creator" and "actor" are reserved';
        for (const name of ['id', 'creation', 'activity', 'creator', 'actor']) {
          await rejectsWith(db.getclass('stuff').create({ stuff: 'x', [name]: '1' }), 'RUP_ERR_VALUE', message);
        }
        const id = await db.getclass('stuff').create({ stuff: 'x' });
        for (const name of ['id', 'creation', 'activity', 'creator', 'actor']) {
          await rejectsWith(db.getclass('stuff').set(id, { [name]: '1' }), 'RUP_ERR_VALUE', message);
        }
        const db2 = await committed(db);
        assert.deepEqual(await db2.getclass('stuff').getnodeids(), ['1']);
      });

      it('lists the automatic properties with getprops() and leaves them out of getprops(false)', async () => {
        const db = await h.open();
        assert.deepEqual([...db.getclass('stuff').getprops().keys()].sort(), ['activity', 'actor', 'creation', 'creator', 'id', 'stuff', 'target']);
        assert.deepEqual([...db.getclass('stuff').getprops(false).keys()].sort(), ['stuff', 'target']);
        assert.equal(db.getclass('stuff').getprops().get('creator')!.kind, 'Link');
        assert.equal(db.getclass('stuff').getprops().get('creation')!.kind, 'Date');
      });
    });

    describe('String', () => {
      it('stores, changes and unsets text, unicode included', async () => {
        const db = await h.open();
        const id = await db.getclass('issue').create({ title: 'äöü€', status: '1' });
        assert.equal(await db.getclass('issue').get(id, 'title'), 'äöü€');
        let db2 = await committed(db);
        assert.equal(await db2.getclass('issue').get(id, 'title'), 'äöü€');
        await db2.getclass('issue').set(id, { title: 'change € change' });
        db2 = await committed(db2);
        assert.equal(await db2.getclass('issue').get(id, 'title'), 'change € change');
        await db2.getclass('issue').set(id, { title: null });
        db2 = await committed(db2);
        assert.equal(await db2.getclass('issue').get(id, 'title'), null);
      });

      it('keeps CR and CRLF as given (only rawToHyperdb normalises line ends)', async () => {
        const db = await h.open();
        const id = await db.getclass('stuff').create({ stuff: 'a\r\nb\rc' });
        const db2 = await committed(db);
        assert.equal(await db2.getclass('stuff').get(id, 'stuff'), 'a\r\nb\rc');
      });

      it('refuses a value that is not a string', async () => {
        const db = await h.open();
        await rejectsWith(db.getclass('status').create({ name: 1 }), 'RUP_ERR_VALUE', 'new property "name" not a string');
        await rejectsWith(db.getclass('status').set('1', { name: 1 }), 'RUP_ERR_VALUE', 'new property "name" not a string');
      });
    });

    describe('Password', () => {
      it('stores a new password encoded with PBKDF2S5 and the configured rounds', async () => {
        const db = await h.open();
        const id = await db.getclass('user').create({ username: 'foo', password: 'sekrit' });
        const db2 = await committed(db);
        const stored = (await db2.getclass('user').get(id, 'password')) as string;
        assert.match(stored, /^\{PBKDF2S5\}1000\$[./0-9A-Za-z]+\$[./0-9A-Za-z]+$/);
        assert.deepEqual(await verifyPassword(stored, 'sekrit', { rounds: 1000 }), { ok: true, needsMigration: false });
        assert.equal((await verifyPassword(stored, 'wrong', { rounds: 1000 })).ok, false);
      });

      it('keeps an already encoded password as given and unsets with null', async () => {
        const db = await h.open();
        const sha = '{SHA}a94a8fe5ccb19ba61c4c0873d391e987982fbbd3';
        const id = await db.getclass('user').create({ username: 'foo', password: sha });
        let db2 = await committed(db);
        assert.equal(await db2.getclass('user').get(id, 'password'), sha);
        await db2.getclass('user').set(id, { password: null });
        db2 = await committed(db2);
        assert.equal(await db2.getclass('user').get(id, 'password'), null);
      });

      it('refuses a value that is not a string', async () => {
        const db = await h.open();
        await rejectsWith(db.getclass('user').create({ username: 'foo', password: 5 }), 'RUP_ERR_VALUE', 'new property "password" not a Password');
      });
    });

    describe('Date', () => {
      it('stores dates exactly, 29 February and far years included, and unsets with null', async () => {
        const db = await h.open();
        const id = await db.getclass('issue').create({ title: 'spam', deadline: d('2008-02-29') });
        let db2 = await committed(db);
        assert.equal(String(await db2.getclass('issue').get(id, 'deadline')), '2008-02-29.00:00:00');
        for (const spec of ['2038', '1970', '0033', '9999', '2016-06-30.22:39:07.125']) {
          await db2.getclass('issue').set(id, { deadline: d(spec) });
          db2 = await committed(db2);
          assert.equal(((await db2.getclass('issue').get(id, 'deadline')) as DateTime).epochMs, d(spec).epochMs, spec);
        }
        await db2.getclass('issue').set(id, { deadline: null });
        db2 = await committed(db2);
        assert.equal(await db2.getclass('issue').get(id, 'deadline'), null);
      });

      it('refuses a value that is not a DateTime', async () => {
        const db = await h.open();
        await rejectsWith(db.getclass('issue').create({ title: 'spam', deadline: 1 }), 'RUP_ERR_VALUE', 'new property "deadline" not a Date');
        const id = await db.getclass('issue').create({ title: 'spam' });
        await rejectsWith(db.getclass('issue').set(id, { deadline: '2008-02-29' }), 'RUP_ERR_VALUE', 'new property "deadline" not a Date');
      });
    });

    describe('Interval', () => {
      it('stores, changes and unsets intervals', async () => {
        const db = await h.open();
        const id = await db.getclass('issue').create({ title: 'spam', foo: iv('-1d') });
        let db2 = await committed(db);
        assert.equal(String(await db2.getclass('issue').get(id, 'foo')), '- 1d');
        await db2.getclass('issue').set(id, { foo: iv('1y 2m 3d 4:05:06') });
        db2 = await committed(db2);
        assert.equal(String(await db2.getclass('issue').get(id, 'foo')), '+ 1y 2m 3d 4:05:06');
        await db2.getclass('issue').set(id, { foo: null });
        db2 = await committed(db2);
        assert.equal(await db2.getclass('issue').get(id, 'foo'), null);
      });

      it('refuses a value that is not an Interval', async () => {
        const db = await h.open();
        await rejectsWith(db.getclass('issue').create({ title: 'spam', foo: 1 }), 'RUP_ERR_VALUE', 'new property "foo" not an Interval');
      });
    });

    describe('Boolean, Number and Integer', () => {
      it('stores booleans (true, false, 1 and 0) and unsets with null', async () => {
        const db = await h.open();
        const one = await db.getclass('user').create({ username: 'one', assignable: true });
        const two = await db.getclass('user').create({ username: 'two', assignable: 0 });
        const three = await db.getclass('user').create({ username: 'three', assignable: 1 });
        let db2 = await committed(db);
        const assignable = (id: string) => db2.getclass('user').get(id, 'assignable');
        assert.deepEqual([await assignable(one), await assignable(two), await assignable(three)], [true, false, true]);
        await db2.getclass('user').set(one, { assignable: false });
        await db2.getclass('user').set(two, { assignable: null });
        db2 = await committed(db2);
        assert.deepEqual([await assignable(one), await assignable(two)], [false, null]);
      });

      it('stores numbers, double precision included, and numeric strings as numbers', async () => {
        const db = await h.open();
        const id = await db.getclass('user').create({ username: 'foo', age: 1, longnumber: 1.00123456789e55 });
        let db2 = await committed(db);
        assert.equal(await db2.getclass('user').get(id, 'age'), 1);
        assert.equal(await db2.getclass('user').get(id, 'longnumber'), 1.00123456789e55);
        await db2.getclass('user').set(id, { age: '2.5', longnumber: 100.123456789 });
        db2 = await committed(db2);
        assert.equal(await db2.getclass('user').get(id, 'age'), 2.5);
        assert.equal(await db2.getclass('user').get(id, 'longnumber'), 100.123456789);
        await db2.getclass('user').set(id, { age: 0, longnumber: -1 });
        db2 = await committed(db2);
        assert.deepEqual([await db2.getclass('user').get(id, 'age'), await db2.getclass('user').get(id, 'longnumber')], [0, -1]);
        await db2.getclass('user').set(id, { age: null });
        db2 = await committed(db2);
        assert.equal(await db2.getclass('user').get(id, 'age'), null);
      });

      it('stores integers and unsets with null', async () => {
        const db = await h.open();
        const id = await db.getclass('user').create({ username: 'foo', rating: 100 });
        const zero = await db.getclass('user').create({ username: 'bar', rating: 0 });
        let db2 = await committed(db);
        assert.deepEqual([await db2.getclass('user').get(id, 'rating'), await db2.getclass('user').get(zero, 'rating')], [100, 0]);
        await db2.getclass('user').set(id, { rating: -1 });
        db2 = await committed(db2);
        assert.equal(await db2.getclass('user').get(id, 'rating'), -1);
        await db2.getclass('user').set(id, { rating: null });
        db2 = await committed(db2);
        assert.equal(await db2.getclass('user').get(id, 'rating'), null);
      });

      it("refuses wrong types with Roundup's messages", async () => {
        const db = await h.open();
        await rejectsWith(db.getclass('user').create({ username: 'foo', age: 'a' }), 'RUP_ERR_VALUE', 'new property "age" not numeric');
        await rejectsWith(db.getclass('user').create({ username: 'foo', rating: 1.5 }), 'RUP_ERR_VALUE', 'new property "rating" not integer');
        await rejectsWith(db.getclass('user').create({ username: 'foo', rating: 'ten' }), 'RUP_ERR_VALUE', 'new property "rating" not integer');
        await rejectsWith(db.getclass('user').create({ username: 'foo', assignable: 'true' }), 'RUP_ERR_VALUE', 'new property "assignable" not boolean');
        const id = await db.getclass('user').create({ username: 'foo3' });
        await rejectsWith(db.getclass('user').set(id, { age: 'a' }), 'RUP_ERR_VALUE', 'new property "age" not numeric');
        await rejectsWith(db.getclass('user').set(id, { assignable: 2 }), 'RUP_ERR_VALUE', 'new property "assignable" not boolean');
      });
    });

    describe('Link', () => {
      it('stores an id or a key value as the id, changes it and unsets with null', async () => {
        const db = await h.open();
        const id = await db.getclass('issue').create({ title: 'spam', status: '1' });
        let db2 = await committed(db);
        assert.equal(await db2.getclass('issue').get(id, 'status'), '1');
        await db2.getclass('issue').set(id, { status: 'testing' });
        db2 = await committed(db2);
        assert.equal(await db2.getclass('issue').get(id, 'status'), '3');
        await db2.getclass('issue').set(id, { status: 2 });
        db2 = await committed(db2);
        assert.equal(await db2.getclass('issue').get(id, 'status'), '2');
        await db2.getclass('issue').set(id, { status: null });
        db2 = await committed(db2);
        assert.equal(await db2.getclass('issue').get(id, 'status'), null);
      });

      it('refuses a dangling id, an unknown key value and a value that is not a string', async () => {
        const db = await h.open();
        await rejectsWith(db.getclass('issue').create({ title: 'spam', status: '99' }), 'RUP_ERR_VALUE', 'status has no node 99');
        await rejectsWith(db.getclass('issue').create({ title: 'spam', status: 'bar' }), 'RUP_ERR_VALUE', 'new property "status": bar not a status');
        await rejectsWith(db.getclass('issue').create({ title: 'spam', status: {} }), 'RUP_ERR_VALUE', 'link value must be String');
        const id = await db.getclass('issue').create({ title: 'spam', status: '1' });
        await rejectsWith(db.getclass('issue').set(id, { status: '100' }), 'RUP_ERR_VALUE', 'status has no node 100');
        const db2 = await committed(db);
        assert.equal(await db2.getclass('issue').get(id, 'status'), '1');
      });
    });

    describe('Multilink', () => {
      it('stores ids sorted numerically and de-duplicated, key values as ids, and null as empty', async () => {
        const db = await h.open();
        for (let i = 0; i < 10; i++) await db.getclass('user').create({ username: `foo${i}` });
        const id = await db.getclass('issue').create({ title: 'spam', nosy: ['5', '3', '12', '4', '3'] });
        let db2 = await committed(db);
        assert.deepEqual(await db2.getclass('issue').get(id, 'nosy'), ['3', '4', '5', '12']);
        await db2.getclass('issue').set(id, { nosy: ['fred', 'admin', 'foo0'] });
        db2 = await committed(db2);
        assert.deepEqual(await db2.getclass('issue').get(id, 'nosy'), ['1', '2', '3']);
        await db2.getclass('issue').set(id, { nosy: [] });
        db2 = await committed(db2);
        assert.deepEqual(await db2.getclass('issue').get(id, 'nosy'), []);
        await db2.getclass('issue').set(id, { nosy: [2, '1'] });
        await db2.getclass('issue').set(id, { nosy: null });
        db2 = await committed(db2);
        assert.deepEqual(await db2.getclass('issue').get(id, 'nosy'), []);
      });

      it('hands out copies: changing a returned list changes nothing stored', async () => {
        const db = await h.open();
        const id = await db.getclass('issue').create({ title: 'spam', nosy: ['1'] });
        (await db.getclass('issue').get(id, 'nosy') as string[]).push('2');
        ((await db.getclass('issue').getnode(id)).nosy as string[]).push('2');
        assert.deepEqual(await db.getclass('issue').get(id, 'nosy'), ['1']);
      });

      it('refuses a non-list, non-string entries, dangling ids and unknown key values', async () => {
        const db = await h.open();
        await rejectsWith(db.getclass('issue').create({ title: 'spam', nosy: 'hello' }), 'RUP_ERR_VALUE', 'new property "nosy" not an iterable of ids');
        await rejectsWith(db.getclass('issue').create({ title: 'spam', nosy: [{}] }), 'RUP_ERR_VALUE', '"nosy" multilink value ([{}]) must contain Strings');
        await rejectsWith(db.getclass('issue').create({ title: 'spam', nosy: ['10'] }), 'RUP_ERR_VALUE', 'user has no node 10');
        await rejectsWith(db.getclass('issue').create({ title: 'spam', nosy: ['foo0'] }), 'RUP_ERR_VALUE', 'new property "nosy": foo0 not a user');
        const id = await db.getclass('issue').create({ title: 'spam' });
        await rejectsWith(db.getclass('issue').set(id, { nosy: 'invalid type' }), 'RUP_ERR_VALUE', 'new property "nosy" not an iterable of ids');
        const db2 = await committed(db);
        assert.deepEqual(await db2.getclass('issue').list(), [id]);
      });
    });

    describe('key properties', () => {
      it('requires the key on create and finds items by it with lookup', async () => {
        const db = await h.open();
        await rejectsWith(db.getclass('user').create({}), 'RUP_ERR_VALUE', 'key property "username" is required');
        const id = await db.getclass('user').create({ username: 'spam' });
        assert.equal(await db.getclass('user').lookup('spam'), id);
        const db2 = await committed(db);
        assert.equal(await db2.getclass('user').lookup('spam'), id);
        await rejectsWith(db2.getclass('user').lookup('nobody'), 'RUP_ERR_KEY_NOT_FOUND', 'No key (username) value "nobody" for "user"');
        await rejectsWith(db2.getclass('issue').lookup('fubar'), 'RUP_ERR_VALUE', 'No key property set for class issue');
      });

      it('refuses a key value another active item has, on create and on set', async () => {
        const db = await h.open();
        await rejectsWith(db.getclass('status').create({ name: 'unread' }), 'RUP_ERR_DUPLICATE_KEY', 'node with key "unread" exists');
        await rejectsWith(db.getclass('status').set('2', { name: 'unread' }), 'RUP_ERR_DUPLICATE_KEY', 'node with key "unread" exists');
        assert.deepEqual(await db.getclass('status').set('1', { name: 'unread' }), {});
        const db2 = await committed(db);
        assert.deepEqual(await db2.getclass('status').getnodeids(), ['1', '2', '3', '4']);
        assert.equal(await db2.getclass('status').get('2', 'name'), 'in-progress');
      });

      it('frees the key of a retired item for reuse and then refuses to restore it', async () => {
        const db = await h.open();
        const first = await db.getclass('user').create({ username: 'spam' });
        let db2 = await committed(db);
        await db2.getclass('user').retire(first);
        await rejectsWith(db2.getclass('user').lookup('spam'), 'RUP_ERR_KEY_NOT_FOUND', 'No key (username) value "spam" for "user"');
        const second = await db2.getclass('user').create({ username: 'spam' });
        assert.notEqual(second, first);
        await rejectsWith(
          db2.getclass('user').restore(first),
          'RUP_ERR_DUPLICATE_KEY',
          'Key property (username) of retired node clashes with existing one (spam)',
        );
        db2 = await committed(db2);
        assert.equal(await db2.getclass('user').lookup('spam'), second);
        assert.equal(await db2.getclass('user').isRetired(first), true);
        assert.equal(await db2.getclass('user').get(first, 'username'), 'spam');
      });

      it('restores a retired item whose key is still free', async () => {
        const db = await h.open();
        await db.getclass('status').retire('2');
        let db2 = await committed(db);
        await db2.getclass('status').restore('2');
        db2 = await committed(db2);
        assert.equal(await db2.getclass('status').lookup('in-progress'), '2');
        assert.equal(await db2.getclass('status').isRetired('2'), false);
      });
    });

    describe('retire, restore, destroy and listing', () => {
      it('keeps a retired item readable but out of list, getnodeids(false), find and lookup, and refuses to change it', async () => {
        const db = await h.open();
        const issue = await db.getclass('issue').create({ title: 'spam', status: '1' });
        await db.getclass('status').retire('1');
        assert.deepEqual(await db.getclass('status').getnodeids(), ['1', '2', '3', '4']);
        assert.deepEqual(await db.getclass('status').getnodeids(null), ['1', '2', '3', '4']);
        assert.deepEqual(await db.getclass('status').getnodeids(true), ['1']);
        assert.deepEqual(await db.getclass('status').getnodeids(false), ['2', '3', '4']);
        assert.deepEqual(await db.getclass('status').list(), ['2', '3', '4']);
        assert.equal(await db.getclass('status').isRetired('1'), true);
        assert.equal(await db.getclass('status').get('1', 'name'), 'unread');
        await rejectsWith(db.getclass('status').set('1', { name: 'hello' }), 'RUP_ERR_NO_SUCH_ITEM', 'Requested item is retired');
        let db2 = await committed(db);
        assert.equal(await db2.getclass('status').isRetired('1'), true);
        assert.equal(await db2.getclass('status').get('1', 'name'), 'unread');
        assert.deepEqual(await db2.getclass('status').list(), ['2', '3', '4']);
        assert.equal(await db2.getclass('status').count(), 4);
        assert.equal(await db2.getclass('status').hasnode('1'), true);
        assert.equal(await db2.getclass('issue').get(issue, 'status'), '1');
        await db2.getclass('issue').retire(issue);
        assert.deepEqual(await db2.getclass('issue').find({ status: '1' }), []);
        await db2.getclass('status').restore('1');
        db2 = await committed(db2);
        assert.equal(await db2.getclass('status').isRetired('1'), false);
        assert.deepEqual(await db2.getclass('status').list(), ['1', '2', '3', '4']);
      });

      it('answers hasnode for existing, missing and malformed ids', async () => {
        const db = await h.open();
        assert.equal(await db.getclass('status').hasnode('4'), true);
        assert.equal(await db.getclass('status').hasnode('5'), false);
        assert.equal(await db.getclass('status').hasnode('abc'), false);
        assert.equal(await db.getclass('status').hasnode(''), false);
      });

      for (const commitFirst of [false, true]) {
        it(`destroys an item and its journal completely${commitFirst ? ' (after a commit)' : ''}`, async () => {
          let db = await h.open();
          const id = await db.getclass('issue').create({ title: 'Mr Friendly', status: '1' });
          if (commitFirst) db = await committed(db);
          const count = await db.getclass('issue').count();
          await db.getclass('issue').destroy(id);
          assert.equal(await db.getclass('issue').count(), count - 1);
          assert.equal(await db.getclass('issue').hasnode(id), false);
          await rejectsWith(db.getclass('issue').get(id, 'title'), 'RUP_ERR_NO_SUCH_ITEM', `issue has no node ${id}`);
          await rejectsWith(db.getclass('issue').history(id), 'RUP_ERR_NO_SUCH_ITEM', `issue has no node ${id}`);
          const db2 = await committed(db);
          assert.deepEqual(await db2.getclass('issue').getnodeids(), []);
          assert.deepEqual(await h.t.tracker.storage.journal.get(db2.uow.exec, 'issue', [id]), []);
        });
      }

      it('brings a destroyed item back on rollback', async () => {
        const db = await h.open();
        const id = await db.getclass('issue').create({ title: 'Mr Friendly' });
        await db.commit();
        await db.getclass('issue').destroy(id);
        assert.deepEqual(await db.getclass('issue').list(), []);
        await db.rollback();
        assert.equal(await db.getclass('issue').get(id, 'title'), 'Mr Friendly');
        assert.equal((await db.getclass('issue').history(id)).length, 1);
      });
    });

    describe('get, getnode and getMany', () => {
      it('getnode gives every property, automatic and computed ones included', async () => {
        const db = await h.open();
        const id = await db.getclass('status').create({ name: 'new', mls: ['2', '1'] });
        const db2 = await committed(db);
        const node = await db2.getclass('status').getnode(id);
        assert.deepEqual(Object.keys(node).sort(), ['activity', 'actor', 'creation', 'creator', 'id', 'mls', 'name']);
        assert.deepEqual({ ...node, creation: null, activity: null }, { id, name: 'new', mls: ['1', '2'], creator: '1', actor: '1', creation: null, activity: null });
        assert.deepEqual(Object.keys(await db2.getclass('user').getnode('2')).sort(), [
          'activity', 'actor', 'address', 'age', 'assignable', 'creation', 'creator', 'id', 'issues', 'longnumber',
          'nosy_issues', 'password', 'rating', 'realname', 'roles', 'supervisor', 'username',
        ]);
      });

      it('getMany loads several items at once and leaves unknown ids out', async () => {
        const db = await h.open();
        const many = await db.getclass('status').getMany(['3', '99', '1', 'x']);
        assert.deepEqual([...many.keys()].sort(), ['1', '3']);
        assert.equal(many.get('1')!.name, 'unread');
        assert.deepEqual(many.get('1')!.mls, ['1', '2']);
        assert.equal(many.get('3')!.name, 'testing');
      });
    });

    describe('set', () => {
      it('returns only the values that really changed, quiet properties left out', async () => {
        const db = await h.open();
        const user = await db.getclass('user').create({ username: 'pete', age: 10, assignable: false });
        const issue = await db.getclass('issue').create({ title: 'title', deadline: d('2016-06-30.22:39') });
        assert.deepEqual(
          await db.getclass('user').set(user, { username: 'new', age: 20, supervisor: '2', assignable: true, password: 'x', rating: 4, realname: 'newname' }),
          { supervisor: '2', username: 'new' },
        );
        assert.deepEqual(
          await db.getclass('issue').set(issue, { title: 'title2', deadline: d('2016-07-13.22:39'), assignedto: '2', nosy: ['2', '1'] }),
          { title: 'title2' },
        );
        assert.deepEqual(await db.getclass('user').set(user, { username: 'new', supervisor: '2' }), {});
        assert.deepEqual(await db.getclass('user').set(user, {}), {});
        const db2 = await committed(db);
        assert.equal(await db2.getclass('user').get(user, 'age'), 20);
        assert.deepEqual(await db2.getclass('issue').get(issue, 'nosy'), ['1', '2']);
        assert.deepEqual((await db2.getclass('user').history(user, { enforceperm: false, skipquiet: false })).map((e) => e.action), ['create', 'set']);
      });
    });

    describe('find and stringFind', () => {
      it('finds active items linking to any of the ids, across Link and Multilink properties', async () => {
        const db = await h.open();
        await db.getclass('user').create({ username: 'test' });
        const i1 = await db.getclass('issue').create({ title: 'a', status: '1', nosy: ['1'] });
        const i2 = await db.getclass('issue').create({ title: 'b', status: '2', nosy: ['2'], assignedto: '2' });
        const i3 = await db.getclass('issue').create({ title: 'c', status: '1', nosy: ['1', '2'] });
        const i4 = await db.getclass('issue').create({ title: 'd', status: '3', nosy: ['1'], assignedto: '1' });
        const db2 = await committed(db);
        assert.deepEqual(await db2.getclass('issue').find({ status: '1' }), [i1, i3]);
        assert.deepEqual(await db2.getclass('issue').find({ status: { 1: 1 } }), [i1, i3]);
        assert.deepEqual(await db2.getclass('issue').find({ status: '4', nosy: '3' }), []);
        assert.deepEqual(await db2.getclass('issue').find({ status: '1', nosy: '3' }), [i1, i3]);
        assert.deepEqual(await db2.getclass('issue').find({ status: ['2', '3'] }), [i2, i4]);
        assert.deepEqual(await db2.getclass('issue').find({ nosy: '2' }), [i2, i3]);
        assert.deepEqual(await db2.getclass('issue').find({ nosy: ['2'], status: '3' }), [i2, i3, i4]);
        assert.deepEqual(await db2.getclass('issue').find({ assignedto: null }), [i1, i3]);
        assert.deepEqual(await db2.getclass('issue').find({ assignedto: '-1' }), [i1, i3]);
        assert.deepEqual(await db2.getclass('issue').find({ assignedto: [null, '1'] }), [i1, i3, i4]);
        await db2.getclass('issue').retire(i1);
        assert.deepEqual(await db2.getclass('issue').find({ status: '1', nosy: '3' }), [i3]);
      });

      it('refuses properties that are not Link or Multilink', async () => {
        const db = await h.open();
        await rejectsWith(db.getclass('issue').find({ title: 'fubar' }), 'RUP_ERR_VALUE', "'title' not a Link/Multilink property");
        await rejectsWith(db.getclass('issue').find({ fubar: '1' }), 'RUP_ERR_NO_SUCH_PROPERTY', 'issue has no property "fubar"');
      });

      it('stringFind matches whole String values ignoring case, among active items', async () => {
        const db = await h.open();
        const a = await db.getclass('stuff').create({ stuff: 'Hello' });
        const b = await db.getclass('stuff').create({ stuff: 'hello' });
        await db.getclass('stuff').create({ stuff: 'hello world' });
        const c = await db.getclass('stuff').create({ stuff: 'HELLO' });
        await db.getclass('stuff').retire(c);
        const db2 = await committed(db);
        assert.deepEqual(await db2.getclass('stuff').stringFind({ stuff: 'HELLO' }), [a, b]);
        assert.deepEqual(await db2.getclass('user').stringFind({ username: 'FRED', address: 'fred@example.com' }), ['2']);
        await rejectsWith(db2.getclass('issue').stringFind({ status: '1' }), 'RUP_ERR_VALUE', "'status' not a String property");
      });
    });
  });
}
