/**
 * rawToHyperdb: user input (form fields, admin arguments, mail
 * [prop=value]) converted with Roundup's rules and messages (hyperdb.py
 * rawToHyperdb, convertLinkValue and each type's from_raw), on both
 * backends, key lookups and current Multilink values coming from the
 * database.
 */
import assert from 'node:assert/strict';
import type { Database } from '../../lib/hyperdb/database.js';
import { DateTime } from '../../lib/hyperdb/date.js';
import { verifyPassword } from '../../lib/hyperdb/password.js';
import { type RawContext, rawToHyperdb } from '../../lib/hyperdb/raw-values.js';
import { BACKENDS, TYPES_TEMPLATE, rejectsWith, useTracker } from './hyperdb-fixtures.js';

for (const backend of BACKENDS) {
  describe(`hyperdb rawToHyperdb (${backend})`, () => {
    // The tests only add items they then refer to by the ids they got: one tracker serves them all.
    const h = useTracker(backend, TYPES_TEMPLATE, { shared: true });
    let db: Database;
    let ctx: RawContext;
    beforeEach(async () => {
      db = await h.open();
      ctx = await db.rawContext();
    });
    /** Converts `raw` for `classname.prop` of item `itemid` (null: a new item). */
    const raw = (classname: string, prop: string, value: string | string[], itemid: string | null = null) =>
      rawToHyperdb(ctx, db.schema.getClass(classname), itemid, prop, value);

    it('refuses unknown property names and strips the name and the value', async () => {
      await rejectsWith(raw('issue', 'fubar', 'x'), 'RUP_ERR_NO_SUCH_PROPERTY', "'fubar' is not a property of issue");
      assert.equal(await raw('issue', ' title ', '  spam  '), 'spam');
      await rejectsWith(raw('issue', 'title', ['a', 'b']), 'RUP_ERR_VALUE', 'property title: only Multilink properties take a list of values');
    });

    it('turns CRLF and CR into LF in strings, but keeps FileClass content byte for byte', async () => {
      assert.equal(await raw('issue', 'title', 'a\r\nb\rc\nd'), 'a\nb\nc\nd');
      assert.equal(await raw('file', 'content', 'a\r\nb\rc'), 'a\r\nb\rc');
      const id = await db.getclass('stuff').create({ stuff: await raw('stuff', 'stuff', 'one\r\ntwo') });
      await db.commit();
      const db2 = await h.open();
      assert.equal(await db2.getclass('stuff').get(id, 'stuff'), 'one\ntwo');
    });

    it('encodes passwords, keeps encoded ones, unsets on empty input and reports bad encodings', async () => {
      const encoded = (await raw('user', 'password', 'sekrit')) as string;
      assert.match(encoded, /^\{PBKDF2S5\}1000\$/);
      assert.equal((await verifyPassword(encoded, 'sekrit', { rounds: 1000 })).ok, true);
      assert.equal(await raw('user', 'password', '{SHA}a94a8fe5ccb19ba61c4c0873d391e987982fbbd3'), '{SHA}a94a8fe5ccb19ba61c4c0873d391e987982fbbd3');
      assert.equal(await raw('user', 'password', ''), null);
      await rejectsWith(raw('user', 'password', '{FOO}bar'), 'RUP_ERR_VALUE', "property password: Unknown encryption scheme: 'FOO'");
    });

    it("reads dates in the user's zone, or the property's offset, unless the input gives one; reports invalid ones", async () => {
      assert.equal(String(await raw('issue', 'deadline', '2003-02-20')), '2003-02-20.00:00:00');
      assert.equal(String(await raw('issue', 'deadline', ' 2003-02-20.13:45 +0200 ')), '2003-02-20.11:45:00');
      assert.ok((await raw('issue', 'deadline', '.')) instanceof DateTime);
      assert.equal(String(await raw('gadget', 'built', '2003-02-20.12:00')), '2003-02-20.10:00:00');
      assert.equal(await raw('issue', 'deadline', ''), null);
      await rejectsWith(
        raw('issue', 'deadline', 'not a date'),
        'RUP_ERR_VALUE',
        `property deadline: 'not a date' is an invalid date (Not a date spec: "yyyy-mm-dd", "mm-dd", "HH:MM", "HH:MM:SS" or "yyyy-mm-dd.HH:MM:SS.SSS")`,
      );
    });

    it('reads intervals and reports invalid ones', async () => {
      assert.equal(String(await raw('issue', 'foo', '-1d')), '- 1d');
      assert.equal(String(await raw('issue', 'foo', '2w 3d 1:30')), '+ 17d 1:30');
      assert.equal(await raw('issue', 'foo', ''), null);
      await rejectsWith(
        raw('issue', 'foo', 'forever'),
        'RUP_ERR_VALUE',
        "property foo: 'forever' is an invalid date interval (Not an interval spec: [+-] [#y] [#m] [#w] [#d] [[[H]H:MM]:SS] [date spec])",
      );
    });

    it('reads decimal numbers and integers, and says which are not', async () => {
      assert.equal(await raw('user', 'age', ' 2.5 '), 2.5);
      assert.equal(await raw('user', 'age', '-1e3'), -1000);
      assert.equal(await raw('user', 'age', '.5'), 0.5);
      assert.equal(await raw('user', 'age', ''), null);
      for (const bad of ['abc', '0x10', '1,5', 'Infinity']) {
        await rejectsWith(raw('user', 'age', bad), 'RUP_ERR_VALUE', `property age: '${bad}' is not a number`);
      }
      assert.equal(await raw('user', 'rating', '42'), 42);
      assert.equal(await raw('user', 'rating', '-7'), -7);
      assert.equal(await raw('user', 'rating', ''), null);
      for (const bad of ['1.5', 'ten', '1e3']) {
        await rejectsWith(raw('user', 'rating', bad), 'RUP_ERR_VALUE', `property rating: '${bad}' is not an integer`);
      }
    });

    it('reads checked, yes, true, on and 1 (any case) as true and anything else as false', async () => {
      for (const yes of ['checked', 'yes', 'true', 'on', '1', 'YES', ' On ']) assert.equal(await raw('user', 'assignable', yes), true, yes);
      for (const no of ['no', 'false', 'off', '0', '', 'bogus']) assert.equal(await raw('user', 'assignable', no), false, no);
    });

    it('takes an id or a key value for a Link, unsets on empty or -1, and names what it cannot find', async () => {
      assert.equal(await raw('issue', 'status', '2'), '2');
      assert.equal(await raw('issue', 'status', '007'), '7');
      assert.equal(await raw('issue', 'status', 'testing'), '3');
      assert.equal(await raw('issue', 'status', ''), null);
      assert.equal(await raw('issue', 'status', '-1'), null);
      await rejectsWith(raw('issue', 'status', 'bogus'), 'RUP_ERR_VALUE', "property status: 'bogus' is not a status.");
      await rejectsWith(raw('issue', 'feedback', 'hello'), 'RUP_ERR_VALUE', 'you may only enter ID values for property feedback');
      assert.equal(await raw('issue', 'feedback', '12'), '12');
    });

    it('resolves @current_user to the acting user in Links and Multilinks to users', async () => {
      assert.equal(await raw('issue', 'assignedto', '@current_user'), '1');
      const fred = await h.open({ username: 'fred' });
      const fredCtx = await fred.rawContext();
      assert.equal(await rawToHyperdb(fredCtx, fred.schema.getClass('issue'), null, 'assignedto', '@current_user'), '2');
      assert.deepEqual(await rawToHyperdb(fredCtx, fred.schema.getClass('issue'), null, 'nosy', 'admin,@current_user'), ['1', '2']);
      await rejectsWith(raw('issue', 'status', '@current_user'), 'RUP_ERR_VALUE', "property status: '@current_user' is not a status.");
    });

    it('replaces a Multilink with a comma list of ids and keys, sorted and de-duplicated', async () => {
      assert.deepEqual(await raw('issue', 'nosy', '2,1'), ['1', '2']);
      assert.deepEqual(await raw('issue', 'nosy', ' fred , admin,2 '), ['1', '2']);
      assert.deepEqual(await raw('issue', 'nosy', ['admin', ' 2 ', '']), ['1', '2']);
      assert.deepEqual(await raw('issue', 'nosy', ''), []);
      await rejectsWith(raw('issue', 'nosy', 'admin,nobody'), 'RUP_ERR_VALUE', "property nosy: 'nobody' is not a user.");
      const id = await db.getclass('issue').create({ title: 'spam', nosy: ['1'] });
      assert.deepEqual(await raw('issue', 'nosy', '2', id), ['2']);
    });

    it('edits a Multilink with +a and -b relative to the stored value', async () => {
      const pete = await db.getclass('user').create({ username: 'pete' });
      const id = await db.getclass('issue').create({ title: 'spam', nosy: ['1', pete] });
      await db.commit();
      ctx = await db.rawContext();
      assert.deepEqual(await raw('issue', 'nosy', '+fred', id), ['1', '2', pete]);
      assert.deepEqual(await raw('issue', 'nosy', '-admin', id), [pete]);
      assert.deepEqual(await raw('issue', 'nosy', '+fred,-admin', id), ['2', pete]);
      assert.deepEqual(await raw('issue', 'nosy', '- 2', id), ['1', pete]);
      assert.deepEqual(await raw('issue', 'nosy', 'fred,+admin', id), ['1', '2', pete]);
      assert.deepEqual(await raw('issue', 'nosy', '+fred', null), ['2']);
      assert.deepEqual(await raw('issue', 'nosy', '+fred,-admin', '-1'), ['2']);
      await db.getclass('issue').set(id, { nosy: await raw('issue', 'nosy', '+fred,-pete', id) });
      await db.commit();
      const db2 = await h.open();
      assert.deepEqual(await db2.getclass('issue').get(id, 'nosy'), ['1', '2']);
    });

    it('leaves the existence of Link ids to create and set, which report dangling ones', async () => {
      const value = await raw('issue', 'status', '99');
      assert.equal(value, '99');
      await rejectsWith(db.getclass('issue').create({ title: 'spam', status: value }), 'RUP_ERR_VALUE', 'status has no node 99');
    });
  });

  describe(`hyperdb rawToHyperdb time zones (classic, ${backend})`, () => {
    const h = useTracker(backend, 'classic');

    it("reads dates in the acting user's time zone, else the tracker's", async () => {
      const setup = await h.open();
      await setup.getclass('user').set('1', { timezone: 'America/New_York' });
      await setup.commit();
      for (const [username, expected] of [['admin', '2003-02-20.17:00:00'], ['anonymous', '2003-02-20.12:00:00']]) {
        const db = await h.open({ username });
        const value = await rawToHyperdb(await db.rawContext(), db.schema.getClass('msg'), null, 'date', '2003-02-20.12:00');
        assert.equal(String(value), expected, username);
      }
    });
  });
}
