/**
 * The journal, as Roundup records it (test/db_test_base.py testJournals,
 * testQuietJournal, testJournalNonexistingProperty, testJournalPreCommit,
 * testPack): create with {}, set with the OLD values, Multilink changes as
 * + and - lists, link/unlink entries on the items pointed at, retired and
 * restored with null params, passwords as {SCHEME}*encrypted*; and what
 * history() hides from whom. On both backends.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from '../../lib/hyperdb/database.js';
import { DateTime } from '../../lib/hyperdb/date.js';
import { Interval } from '../../lib/hyperdb/interval.js';
import type { JournalEntry } from '../../lib/hyperdb/journal.js';
import { Tracker } from '../../lib/tracker/tracker.js';
import { BACKENDS, rejectsWith, useTracker } from './hyperdb-fixtures.js';

/** Dates and intervals as text, so entries compare with deepEqual. */
function plainValue(value: unknown): unknown {
  if (value instanceof DateTime || value instanceof Interval) return String(value);
  if (Array.isArray(value)) return value.map(plainValue);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plainValue(v)]));
  return value;
}

/** `[nodeid, userid, action, params]` of each entry. */
function plain(entries: JournalEntry[]): unknown[] {
  return entries.map((e) => [e.nodeid, e.userid, e.action, plainValue(e.params)]);
}

/** Every journal entry of an item, nothing hidden. */
function journal(db: Database, classname: string, id: string): Promise<JournalEntry[]> {
  return db.getclass(classname).history(id, { enforceperm: false, skipquiet: false });
}

for (const backend of BACKENDS) {
  describe(`hyperdb journal (${backend})`, () => {
    const h = useTracker(backend);

    describe('what is recorded', () => {
      it('records create with {} and set with the old values of what changed, dated like the item', async () => {
        const db = await h.open();
        const id = await db.getclass('issue').create({ title: 'spam', status: '1', deadline: DateTime.parse('2016-06-30.22:39') });
        assert.equal((await journal(db, 'issue', id)).length, 1);
        await db.commit();
        await db.getclass('issue').set(id, { title: 'eggs', status: 'in-progress', deadline: null, foo: Interval.parse('2d'), priority: null });
        await db.commit();

        const db2 = await h.open();
        const entries = await journal(db2, 'issue', id);
        assert.deepEqual(plain(entries), [
          [id, '1', 'create', {}],
          [id, '1', 'set', { deadline: '2016-06-30.22:39:00', foo: '- 7d', status: '1', title: 'spam' }],
        ]);
        const node = await db2.getclass('issue').getnode(id);
        assert.equal(entries[0]!.date.epochMs, (node.creation as DateTime).epochMs);
        assert.equal(entries[1]!.date.epochMs, (node.activity as DateTime).epochMs);
      });

      it('records Multilink changes as + and - lists of ids', async () => {
        const db = await h.open();
        const u3 = await db.getclass('user').create({ username: 'pete' });
        const id = await db.getclass('issue').create({ title: 'spam', nosy: ['1'] });
        await db.getclass('issue').set(id, { nosy: ['1', '2', u3] });
        await db.getclass('issue').set(id, { nosy: [u3] });
        await db.getclass('issue').set(id, { nosy: ['2'], keywords: [] });
        await db.commit();
        const db2 = await h.open();
        assert.deepEqual(plain(await journal(db2, 'issue', id)).slice(1), [
          [id, '1', 'set', { nosy: [['+', ['2', u3]]] }],
          [id, '1', 'set', { nosy: [['-', ['1', '2']]] }],
          [id, '1', 'set', { nosy: [['+', ['2']], ['-', [u3]]] }],
        ]);
      });

      it('records link and unlink entries on the items a Link or Multilink points at, by the acting user', async () => {
        const db = await h.open();
        const mary = await db.getclass('user').create({ username: 'mary', roles: 'User' });
        const id = await db.getclass('issue').create({ title: 'spam', status: '1' });
        await db.commit();
        await db.getclass('issue').set(id, { assignedto: '1', nosy: ['2'] });
        await db.commit();
        const asMary = await h.open({ username: 'mary' });
        await asMary.getclass('issue').set(id, { assignedto: '2', nosy: [] });
        await asMary.commit();

        const db2 = await h.open();
        assert.deepEqual(plain(await journal(db2, 'user', '1')).slice(1), [
          ['1', '1', 'link', ['issue', id, 'assignedto']],
          ['1', mary, 'unlink', ['issue', id, 'assignedto']],
        ]);
        assert.deepEqual(plain(await journal(db2, 'user', '2')).slice(1), [
          ['2', '1', 'link', ['issue', id, 'nosy']],
          ['2', mary, 'link', ['issue', id, 'assignedto']],
          ['2', mary, 'unlink', ['issue', id, 'nosy']],
        ]);
        assert.deepEqual(plain(await journal(db2, 'status', '1')).slice(1), [['1', '1', 'link', ['issue', id, 'status']]]);
        assert.deepEqual(plain(await journal(db2, 'issue', id)).slice(1), [
          [id, '1', 'set', { assignedto: null, nosy: [['+', ['2']]] }],
          [id, mary, 'set', { assignedto: '1', nosy: [['-', ['2']]] }],
        ]);
      });

      it("records no link entries for properties with do_journal 'no'", async () => {
        const db = await h.open();
        const msg = await db.getclass('msg').create({ content: 'hi', author: '2', recipients: ['1', '2'] });
        await db.getclass('msg').set(msg, { author: '1', recipients: [] });
        await db.commit();
        const db2 = await h.open();
        assert.deepEqual(plain(await journal(db2, 'user', '1')), [['1', '1', 'create', {}]]);
        assert.deepEqual(plain(await journal(db2, 'user', '2')), [['2', '1', 'create', {}]]);
        assert.deepEqual(plain(await journal(db2, 'msg', msg)).slice(1), [[msg, '1', 'set', { author: '2', recipients: [['-', ['1', '2']]] }]]);
      });

      it('records retired and restored with null params', async () => {
        const db = await h.open();
        await db.getclass('status').retire('2');
        await db.getclass('status').restore('2');
        await db.commit();
        const db2 = await h.open();
        assert.deepEqual(plain(await journal(db2, 'status', '2')), [
          ['2', '1', 'create', {}],
          ['2', '1', 'retired', null],
          ['2', '1', 'restored', null],
        ]);
      });

      it('records a changed password as {SCHEME}*encrypted*, never the hash', async () => {
        const db = await h.open();
        const id = await db.getclass('user').create({ username: 'pete' });
        await db.getclass('user').set(id, { password: 'first' });
        await db.getclass('user').set(id, { password: 'second' });
        await db.getclass('user').set(id, { password: '{SHA}a94a8fe5ccb19ba61c4c0873d391e987982fbbd3' });
        await db.getclass('user').set(id, { password: null });
        await db.commit();
        const db2 = await h.open();
        assert.deepEqual(plain(await journal(db2, 'user', id)).slice(1), [
          [id, '1', 'set', { password: null }],
          [id, '1', 'set', { password: '{PBKDF2S5}*encrypted*' }],
          [id, '1', 'set', { password: '{PBKDF2S5}*encrypted*' }],
          [id, '1', 'set', { password: '{SHA}*encrypted*' }],
        ]);
      });

      it('records nothing for a set that changes nothing, and shows entries before commit', async () => {
        const db = await h.open();
        const id = await db.getclass('user').create({ username: 'mary' });
        assert.equal((await journal(db, 'user', id)).length, 1);
        await db.getclass('user').set(id, { username: 'mary', roles: null });
        await db.commit();
        const db2 = await h.open();
        assert.deepEqual(plain(await journal(db2, 'user', id)), [[id, '1', 'create', {}]]);
      });
    });

    describe('history()', () => {
      /** Pete (user 3) and issue 1 changed in every quiet and non-quiet property, as in testQuietJournal. */
      async function quietSetup(): Promise<{ pete: string; issue: string }> {
        const db = await h.open();
        const pete = await db.getclass('user').create({ username: 'pete', age: 10, assignable: false });
        const issue = await db.getclass('issue').create({ title: 'title', deadline: DateTime.parse('2016-06-30.22:39') });
        await db.getclass('user').set(pete, { username: 'new', age: 20, supervisor: '1', assignable: true, password: '3456', rating: 4, realname: 'newname' });
        await db.getclass('issue').set(issue, { title: 'title2', deadline: DateTime.parse('2016-07-30.22:39'), assignedto: '2', nosy: ['2', '1'] });
        await db.commit();
        return { pete, issue };
      }

      it('drops quiet properties, and entries left empty, unless skipquiet is false', async () => {
        const { pete, issue } = await quietSetup();
        const db = await h.open();
        const userAll = { username: 'pete', assignable: false, supervisor: null, realname: null, rating: null, age: 10, password: null };
        assert.deepEqual(plain(await db.getclass('user').history(pete, { skipquiet: false })).at(-1), [pete, '1', 'set', userAll]);
        assert.deepEqual(plain(await db.getclass('user').history(pete)).at(-1), [pete, '1', 'set', { username: 'pete', supervisor: null }]);
        assert.deepEqual(plain(await db.getclass('issue').history(issue, { skipquiet: false })).at(-1), [
          issue, '1', 'set', { assignedto: null, deadline: '2016-06-30.22:39:00', nosy: [['+', ['1', '2']]], title: 'title' },
        ]);
        assert.deepEqual(plain(await db.getclass('issue').history(issue)).at(-1), [issue, '1', 'set', { title: 'title' }]);
        // The link entries come from nosy and assignedto, both quiet.
        assert.deepEqual(plain(await db.getclass('user').history('2')), [['2', '1', 'create', {}]]);
        assert.deepEqual(plain(await db.getclass('user').history('2', { skipquiet: false })).slice(1), [
          ['2', '1', 'link', ['issue', issue, 'assignedto']],
          ['2', '1', 'link', ['issue', issue, 'nosy']],
        ]);
      });

      it('drops properties the user may neither view nor edit, and entries left empty', async () => {
        const { pete } = await quietSetup();
        const admin = await h.open();
        await admin.getclass('user').set(pete, { roles: 'foo, bar' });
        await admin.commit();
        assert.deepEqual(plain(await admin.getclass('user').history(pete, { skipquiet: false })).at(-1), [pete, '1', 'set', { roles: null }]);

        const fred = await h.open({ username: 'fred' }, { checked: true });
        assert.deepEqual(plain(await fred.getclass('user').history(pete, { skipquiet: false })), [
          [pete, '1', 'create', {}],
          [pete, '1', 'set', { username: 'pete', assignable: false, supervisor: null }],
        ]);
        assert.deepEqual(plain(await fred.getclass('user').history(pete)), [
          [pete, '1', 'create', {}],
          [pete, '1', 'set', { username: 'pete', supervisor: null }],
        ]);
        assert.equal((await fred.getclass('user').history(pete, { enforceperm: false, skipquiet: false })).length, 3);
      });

      it('shows changes of properties and classes removed from the schema only to obsolete_history_roles', async () => {
        const db = await h.open();
        const mary = await db.getclass('user').create({ username: 'mary', roles: 'User' });
        const id = await db.getclass('issue').create({ title: 'spam', obsolete_note: 'old note' });
        await db.getclass('issue').set(id, { title: 'green eggs', obsolete_note: 'new note' });
        await db.getclass('issue').set(id, { obsolete_note: 'newest' });
        const gizmo = await db.getclass('gizmo').create({ name: 'g', issue: id });
        const stuff = await db.getclass('stuff').create({ stuff: 's', target: id });
        await db.commit();
        await h.t.tracker.close();

        const schemaFile = join(h.t.home, 'schema.js');
        const before = readFileSync(schemaFile, 'utf8');
        const after = before.replace(/\n *\/\/ schema-v2:remove-start[\s\S]*?\/\/ schema-v2:remove-end\n/, '\n');
        assert.notEqual(after, before);
        writeFileSync(schemaFile, after);
        const tracker = await Tracker.open(h.t.home);
        const opened: Database[] = [];
        try {
          assert.deepEqual(tracker.schemaChanges.changes.sort(), ['dropped class gizmo', 'removed property issue.obsolete_note', 'removed property stuff.target']);
          const all = [
            [id, '1', 'create', {}],
            [id, '1', 'set', { title: 'spam', obsolete_note: 'old note' }],
            [id, '1', 'set', { obsolete_note: 'new note' }],
            [id, '1', 'link', ['gizmo', gizmo, 'issue']],
            [id, '1', 'link', ['stuff', stuff, 'target']],
          ];
          const admin = await tracker.open({ username: 'admin' }, { checked: true });
          const asMary = await tracker.open({ userid: mary }, { checked: true });
          opened.push(admin, asMary);
          assert.deepEqual(plain(await admin.getclass('issue').history(id)), all);
          assert.deepEqual(plain(await asMary.getclass('issue').history(id)), [
            [id, '1', 'create', {}],
            [id, '1', 'set', { title: 'spam' }],
          ]);
          assert.deepEqual(plain(await asMary.getclass('issue').history(id, { enforceperm: false })), all);
        } finally {
          for (const db2 of opened) await db2.close();
          await tracker.close();
        }
      });
    });

    describe('pack', () => {
      it('deletes entries other than create dated before the given date, in every class', async () => {
        const db = await h.open();
        const id = await db.getclass('issue').create({ title: 'spam', status: '1' });
        await db.getclass('issue').set(id, { status: '2' });
        await db.getclass('stuff').create({ stuff: 'x' });
        await db.getclass('stuff').retire('1');
        await db.commit();
        const lastEntry = (await journal(db, 'stuff', '1')).at(-1)!.date;
        const packBefore = DateTime.fromEpochMs(lastEntry.epochMs + 1);
        // Later changes must be dated after packBefore: wait for the clock to pass it.
        while (Date.now() <= packBefore.epochMs) await new Promise((resolve) => setImmediate(resolve));
        await db.getclass('issue').set(id, { status: '3' });
        await db.commit();
        assert.equal(await db.pack(DateTime.parse('2000-01-01')), 0);
        // issue set, status1 link and unlink, status2 link, stuff retired, and from
        // the initial data the links of mls 1 and 2 to status 1.
        assert.equal(await db.pack(packBefore), 7);
        await db.commit();

        const db2 = await h.open();
        assert.deepEqual(plain(await journal(db2, 'issue', id)), [
          [id, '1', 'create', {}],
          [id, '1', 'set', { status: '2' }],
        ]);
        assert.deepEqual(plain(await journal(db2, 'stuff', '1')), [['1', '1', 'create', {}]]);
        assert.deepEqual(plain(await journal(db2, 'status', '1')), [['1', '1', 'create', {}]]);
        assert.deepEqual(plain(await journal(db2, 'mls', '2')), [['2', '1', 'create', {}]]);
        assert.deepEqual(plain(await journal(db2, 'status', '3')), [
          ['3', '1', 'create', {}],
          ['3', '1', 'link', ['issue', id, 'status']],
        ]);
      });

      it('is refused on a checked database', async () => {
        const db = await h.open({ username: 'admin' }, { checked: true });
        await rejectsWith(db.pack(DateTime.now()), 'RUP_ERR_PERMISSION', 'pack is an administrative operation');
      });
    });
  });

  describe(`hyperdb history permissions (classic, ${backend})`, () => {
    const h = useTracker(backend, 'classic');

    it('hides link entries from items a User may not view, and user changes from Anonymous', async () => {
      const db = await h.open();
      const fred = await db.getclass('user').create({ username: 'fred', roles: 'User' });
      await db.getclass('user').set('1', { realname: 'The Admin' });
      const mine = await db.getclass('query').create({ klass: 'issue', name: 'mine', url: '?@filter=status', private_for: '1' });
      const his = await db.getclass('query').create({ klass: 'issue', name: 'his', url: '?@filter=title', private_for: fred });
      await db.commit();

      const asAdmin = await h.open({ username: 'admin' }, { checked: true });
      assert.deepEqual(plain(await asAdmin.getclass('user').history('1')), [
        ['1', '1', 'create', {}],
        ['1', '1', 'set', { realname: null }],
        ['1', '1', 'link', ['query', mine, 'private_for']],
      ]);
      const asFred = await h.open({ username: 'fred' }, { checked: true });
      assert.deepEqual(plain(await asFred.getclass('user').history('1')), [
        ['1', '1', 'create', {}],
        ['1', '1', 'set', { realname: null }],
      ]);
      assert.deepEqual(plain(await asFred.getclass('user').history(fred)), [
        [fred, '1', 'create', {}],
        [fred, '1', 'link', ['query', his, 'private_for']],
      ]);
      const asAnonymous = await h.open({ username: 'anonymous' }, { checked: true });
      assert.deepEqual(plain(await asAnonymous.getclass('user').history('1')), [['1', '1', 'create', {}]]);
    });
  });
}
