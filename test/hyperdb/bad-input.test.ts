/**
 * Bad input to every hyperdb operation: unknown classes, properties and
 * items, values of the wrong type, dangling links and malformed
 * designators, each refused with its RupError code and a message naming
 * what was wrong (Roundup's testExceptions, ported), and nothing stored.
 * On both backends.
 */
import assert from 'node:assert/strict';
import { DateTime } from '../../lib/hyperdb/date.js';
import { rawToHyperdb } from '../../lib/hyperdb/raw-values.js';
import { splitDesignator } from '../../lib/hyperdb/schema.js';
import { BACKENDS, rejectsWith, throwsWith, useTracker } from './hyperdb-fixtures.js';

describe('splitDesignator', () => {
  it('splits the trailing digits from a class name', () => {
    assert.deepEqual(splitDesignator('issue42'), ['issue', '42']);
    assert.deepEqual(splitDesignator('issue007'), ['issue', '007']);
    assert.deepEqual(splitDesignator('file_nidx7'), ['file_nidx', '7']);
    assert.deepEqual(splitDesignator('issue_42'), ['issue_', '42']);
    assert.deepEqual(splitDesignator('a1b2'), ['a1b', '2']);
    assert.deepEqual(splitDesignator('x1'), ['x', '1']);
  });

  it('refuses anything else, quoting it', () => {
    for (const bad of ['issue', '42', '', 'issue 42', ' issue42', 'issue42 ', 'issue-42', '_issue1', 'issue1a', '1issue1']) {
      throwsWith(() => splitDesignator(bad), 'RUP_ERR_DESIGNATOR', `"${bad}" not a node designator`);
    }
  });
});

for (const backend of BACKENDS) {
  describe(`hyperdb bad input (${backend})`, () => {
    const h = useTracker(backend);

    it('refuses an unknown class', async () => {
      const db = await h.open();
      throwsWith(() => db.getclass('fubar'), 'RUP_ERR_NO_SUCH_CLASS', 'no such class "fubar"');
      throwsWith(() => db.schema.getClass('fubar'), 'RUP_ERR_NO_SUCH_CLASS', 'no such class "fubar"');
      assert.equal(db.hasClass('fubar'), false);
      assert.equal(db.hasClass('issue'), true);
    });

    it('refuses an unknown property in every operation', async () => {
      const db = await h.open();
      const issue = db.getclass('issue');
      const id = await issue.create({ title: 'spam' });
      const message = 'issue has no property "fubar"';
      await rejectsWith(issue.create({ title: 'x', fubar: 'x' }), 'RUP_ERR_NO_SUCH_PROPERTY', message);
      await rejectsWith(issue.set(id, { fubar: 'x' }), 'RUP_ERR_NO_SUCH_PROPERTY', message);
      await rejectsWith(issue.get(id, 'fubar'), 'RUP_ERR_NO_SUCH_PROPERTY', message);
      await rejectsWith(issue.find({ fubar: '1' }), 'RUP_ERR_NO_SUCH_PROPERTY', message);
      await rejectsWith(issue.stringFind({ fubar: 'x' }), 'RUP_ERR_NO_SUCH_PROPERTY', message);
      await rejectsWith(issue.filter(null, { fubar: 'x' }), 'RUP_ERR_NO_SUCH_PROPERTY', 'Class issue has no property fubar in fubar.');
      await rejectsWith(
        rawToHyperdb(await db.rawContext(), db.schema.getClass('issue'), id, 'fubar', 'x'),
        'RUP_ERR_NO_SUCH_PROPERTY',
        "'fubar' is not a property of issue",
      );
      throwsWith(() => issue.def.prop('fubar'), 'RUP_ERR_NO_SUCH_PROPERTY', message);
      await db.commit();
      const db2 = await h.open();
      assert.deepEqual(await db2.getclass('issue').list(), [id]);
      assert.deepEqual((await db2.getclass('issue').history(id)).map((e) => e.action), ['create']);
    });

    it('refuses a missing or malformed item id in every operation', async () => {
      const db = await h.open();
      const issue = db.getclass('issue');
      for (const bad of ['99', 'abc', '', '-1', '1.5']) {
        const message = `issue has no node ${bad}`;
        await rejectsWith(issue.get(bad, 'title'), 'RUP_ERR_NO_SUCH_ITEM', message);
        await rejectsWith(issue.getnode(bad), 'RUP_ERR_NO_SUCH_ITEM', message);
        await rejectsWith(issue.set(bad, { title: 'x' }), 'RUP_ERR_NO_SUCH_ITEM', message);
        await rejectsWith(issue.retire(bad), 'RUP_ERR_NO_SUCH_ITEM', message);
        await rejectsWith(issue.restore(bad), 'RUP_ERR_NO_SUCH_ITEM', message);
        await rejectsWith(issue.destroy(bad), 'RUP_ERR_NO_SUCH_ITEM', message);
        await rejectsWith(issue.isRetired(bad), 'RUP_ERR_NO_SUCH_ITEM', message);
        await rejectsWith(issue.history(bad), 'RUP_ERR_NO_SUCH_ITEM', message);
        assert.equal(await issue.hasnode(bad), false);
        assert.equal((await issue.getMany([bad])).size, 0);
      }
      await rejectsWith(db.getclass('file').get('1', 'content'), 'RUP_ERR_NO_SUCH_ITEM', 'file has no node 1');
      await db.commit();
    });

    it("refuses values of the wrong type on set with Roundup's messages, changing nothing", async () => {
      const db = await h.open();
      const user = await db.getclass('user').create({ username: 'pete' });
      const issue = await db.getclass('issue').create({ title: 'spam', status: '1' });
      const cases: Array<[string, string, Record<string, unknown>, string]> = [
        ['user', user, { username: 5 }, 'new property "username" not a string'],
        ['user', user, { password: true }, 'new property "password" not a Password'],
        ['user', user, { age: 'a' }, 'new property "age" not numeric'],
        ['user', user, { rating: '1.5' }, 'new property "rating" not integer'],
        ['user', user, { assignable: 'true' }, 'new property "assignable" not boolean'],
        ['user', user, { supervisor: ['1'] }, 'link value must be String'],
        ['issue', issue, { deadline: '2020-01-01' }, 'new property "deadline" not a Date'],
        ['issue', issue, { foo: 86400 }, 'new property "foo" not an Interval'],
        ['issue', issue, { nosy: '1' }, 'new property "nosy" not an iterable of ids'],
        ['issue', issue, { nosy: [null] }, '"nosy" multilink value ([null]) must contain Strings'],
        ['issue', issue, { title: 'ok', deadline: 5 }, 'new property "deadline" not a Date'],
      ];
      for (const [cn, id, values, message] of cases) {
        await rejectsWith(db.getclass(cn).set(id, values), 'RUP_ERR_VALUE', message);
      }
      await db.commit();
      const db2 = await h.open();
      assert.deepEqual((await db2.getclass('user').history(user, { enforceperm: false })).map((e) => e.action), ['create']);
      assert.equal(await db2.getclass('issue').get(issue, 'title'), 'spam');
    });

    it('refuses dangling links and key values of retired items, but allows linking to a retired item by id', async () => {
      const db = await h.open();
      await rejectsWith(db.getclass('issue').create({ title: 'x', status: '99' }), 'RUP_ERR_VALUE', 'status has no node 99');
      await rejectsWith(db.getclass('issue').create({ title: 'x', superseder: ['99'] }), 'RUP_ERR_VALUE', 'issue has no node 99');
      await rejectsWith(db.getclass('msg').create({ content: 'x', author: '99' }), 'RUP_ERR_VALUE', 'user has no node 99');
      await rejectsWith(db.getclass('msg').create({ content: 'x', recipients: ['1', '99'] }), 'RUP_ERR_VALUE', 'user has no node 99');
      await db.getclass('status').retire('2');
      await rejectsWith(
        db.getclass('issue').create({ title: 'x', status: 'in-progress' }),
        'RUP_ERR_VALUE',
        'new property "status": in-progress not a status',
      );
      const id = await db.getclass('issue').create({ title: 'x', status: '2', deadline: DateTime.parse('2020-01-01') });
      await db.commit();
      const db2 = await h.open();
      assert.deepEqual(await db2.getclass('issue').list(), [id]);
      assert.equal(await db2.getclass('issue').get(id, 'status'), '2');
      assert.deepEqual(await db2.getclass('msg').list(), []);
    });
  });
}
