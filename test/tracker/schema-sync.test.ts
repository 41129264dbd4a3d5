import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LAYOUT_VERSION } from '../../lib/backends/sql/schema-sync.js';
import { RupError } from '../../lib/errors.js';
import type { Database } from '../../lib/hyperdb/database.js';
import { Tracker } from '../../lib/tracker/tracker.js';
import { runScript } from '../support/scripts.js';
import { type TestTracker, createTestTracker, skipWithoutBackend } from '../support/trackers.js';

/*
 * Schema evolution: the tests start from a tracker whose schema.js holds
 * BASE, change schema.js, and reopen the tracker, which brings the database
 * in line (Roundup's update_class / create_class / drop_class on open).
 */

const USER = `
  const user = Class(db, 'user', { username: String(), password: Password(), address: String(), alternate_addresses: String(), roles: String() });
  user.setkey('username');`;

const KEYWORD = `
  const keyword = Class(db, 'keyword', { name: String(), code: String() });
  keyword.setkey('name');`;

const TICKET = `
  Class(db, 'ticket', { title: String(), size: Number(), owner: Link('user'), keywords: Multilink('keyword') });`;

const BASE = KEYWORD + TICKET;

function schemaSource(body: string): string {
  return `export default function schema({ db, Class, String, Password, Number, Date, Interval, Link, Multilink }) {${USER}${body}\n}\n`;
}

/** Sets `[rdbms] <option>` in the home's config.ini. */
function setRdbmsOption(home: string, option: string, value: string): void {
  const file = join(home, 'config.ini');
  const text = readFileSync(file, 'utf8');
  const pattern = new RegExp(`^${option} = .*$`, 'm');
  assert.match(text, pattern);
  writeFileSync(file, text.replace(pattern, `${option} = ${value}`));
}

interface Snapshot {
  tables: string[];
  ticketColumns: string[];
  schemaRows: Array<{ version: number; shape: string }>;
}

for (const backend of ['sqlite', 'postgresql'] as const) {
  describe(`backends/sql/schema-sync: applying schema.js changes on open (${backend})`, function () {
    let t: TestTracker;
    let tracker: Tracker;

    before(async function () {
      await skipWithoutBackend(this, backend);
    });

    /** Rewrites schema.js with `body` and reopens the tracker. */
    async function reopen(body: string): Promise<Tracker> {
      await tracker.close();
      writeFileSync(join(t.home, 'schema.js'), schemaSource(body));
      tracker = await Tracker.open(t.home);
      return tracker;
    }

    /** Rewrites schema.js with `body`; opening must fail. Returns the error. */
    async function reopenFails(body: string): Promise<RupError> {
      await tracker.close();
      writeFileSync(join(t.home, 'schema.js'), schemaSource(body));
      let opened: Tracker;
      try {
        opened = await Tracker.open(t.home);
      } catch (err) {
        assert.ok(err instanceof RupError);
        return err;
      }
      tracker = opened;
      assert.fail('the tracker opened');
    }

    async function snapshot(): Promise<Snapshot> {
      const { reader } = tracker.storage.backend;
      const { dialect } = tracker.storage;
      return {
        tables: (await dialect.listTables(reader)).sort(),
        ticketColumns: (await dialect.listColumns(reader, '_ticket')).sort(),
        schemaRows: (await reader.all<{ version: number; shape: string }>('SELECT version, shape FROM "__schema"')).map((r) => ({
          version: Number(r.version),
          shape: r.shape,
        })),
      };
    }

    async function withDb<T>(fn: (db: Database) => Promise<T>): Promise<T> {
      const db = await tracker.open({ username: 'admin' }, { checked: false });
      try {
        const result = await fn(db);
        await db.commit();
        return result;
      } finally {
        await db.close();
      }
    }

    beforeEach(async () => {
      t = await createTestTracker({ template: 'minimal', backend });
      tracker = t.tracker;
      await reopen(BASE);
      await withDb(async (db) => {
        await db.getclass('keyword').create({ name: 'red', code: 'R' });
        await db.getclass('keyword').create({ name: 'blue', code: 'B' });
        await db.getclass('ticket').create({ title: 'first', size: 3, owner: '1', keywords: ['1', '2'] });
        await db.getclass('ticket').create({ title: 'second', size: 5 });
      });
    });

    afterEach(async () => {
      await tracker.close();
      await t.cleanup();
    });

    it('records the layout version and the shape of every class in __schema', async () => {
      const { schemaRows } = await snapshot();
      assert.equal(schemaRows.length, 1);
      assert.equal(schemaRows[0]!.version, LAYOUT_VERSION);
      assert.equal(LAYOUT_VERSION, 1);
      const shape = JSON.parse(schemaRows[0]!.shape);
      assert.deepEqual(shape, tracker.schema.shape());
      assert.deepEqual(shape.ticket, {
        kind: 'class',
        key: null,
        properties: {
          title: '<roundup.hyperdb.String>',
          size: '<roundup.hyperdb.Number>',
          owner: '<roundup.hyperdb.Link to "user">',
          keywords: '<roundup.hyperdb.Multilink to "keyword">',
        },
      });
      assert.equal(shape.keyword.key, 'name');
    });

    it('changes nothing when reopened without schema changes', async () => {
      const before = await snapshot();
      await reopen(BASE);
      assert.deepEqual(tracker.schemaChanges, { changes: [], created: false, previousVersion: 1 });
      assert.deepEqual(await snapshot(), before);
      assert.deepEqual(await withDb((db) => db.getclass('ticket').get('1', 'keywords')), ['1', '2']);
    });

    it('adds a new class with its item, journal and Multilink tables', async () => {
      await reopen(`${BASE}\n  Class(db, 'note', { text: String(), tags: Multilink('keyword') });`);
      assert.deepEqual(tracker.schemaChanges, { changes: ['created class note'], created: false, previousVersion: 1 });
      const { tables, schemaRows } = await snapshot();
      for (const table of ['_note', 'note__journal', 'note_tags']) assert.ok(tables.includes(table), `${table} exists`);
      assert.deepEqual(Object.keys(JSON.parse(schemaRows[0]!.shape)), ['user', 'keyword', 'ticket', 'note']);
      await withDb(async (db) => {
        assert.equal(await db.getclass('note').create({ text: 'hello', tags: ['2'] }), '1');
        assert.deepEqual(await db.getclass('note').get('1', 'tags'), ['2']);
        assert.equal(await db.getclass('ticket').get('1', 'title'), 'first');
      });
    });

    it('adds properties to an existing class: existing items read null, or [] for a Multilink', async () => {
      await reopen(`${KEYWORD}
  Class(db, 'ticket', { title: String(), size: Number(), owner: Link('user'), keywords: Multilink('keyword'),
    due: Date(), estimate: Interval(), watchers: Multilink('user') });`);
      assert.deepEqual(tracker.schemaChanges.changes, ['added property ticket.due', 'added property ticket.estimate', 'added property ticket.watchers']);
      const { tables, ticketColumns } = await snapshot();
      assert.ok(tables.includes('ticket_watchers'));
      for (const col of ['_due', '_estimate', '__estimate_int__']) assert.ok(ticketColumns.includes(col), `${col} exists`);
      await withDb(async (db) => {
        const first = await db.getclass('ticket').getnode('1');
        assert.equal(first.due, null);
        assert.equal(first.estimate, null);
        assert.deepEqual(first.watchers, []);
        assert.equal(first.title, 'first');
        assert.equal(first.size, 3);
        assert.deepEqual(first.keywords, ['1', '2']);
        await db.getclass('ticket').set('1', { watchers: ['1'] });
        assert.deepEqual(await db.getclass('ticket').get('1', 'watchers'), ['1']);
      });
    });

    it('removes properties: the column and the Multilink table go, the other data stays', async () => {
      await reopen(`${KEYWORD}\n  Class(db, 'ticket', { title: String(), owner: Link('user') });`);
      assert.deepEqual(tracker.schemaChanges.changes, ['removed property ticket.size', 'removed property ticket.keywords']);
      const { tables, ticketColumns } = await snapshot();
      assert.equal(tables.includes('ticket_keywords'), false);
      assert.deepEqual(ticketColumns, ['__retired__', '_activity', '_actor', '_creation', '_creator', '_owner', '_title', 'id']);
      await withDb(async (db) => {
        const first = await db.getclass('ticket').getnode('1');
        assert.deepEqual(Object.keys(first).sort(), ['activity', 'actor', 'creation', 'creator', 'id', 'owner', 'title']);
        assert.equal(first.title, 'first');
        assert.equal(first.owner, '1');
        assert.deepEqual(await db.getclass('keyword').list(), ['1', '2']);
      });
      // The values are gone, not hidden: bringing the properties back starts them empty.
      await reopen(BASE);
      assert.deepEqual(tracker.schemaChanges.changes, ['added property ticket.size', 'added property ticket.keywords']);
      await withDb(async (db) => {
        assert.equal(await db.getclass('ticket').get('1', 'size'), null);
        assert.deepEqual(await db.getclass('ticket').get('1', 'keywords'), []);
      });
    });

    it('removes a class with its item, journal and Multilink tables', async () => {
      await reopen(KEYWORD);
      assert.deepEqual(tracker.schemaChanges.changes, ['dropped class ticket']);
      const { tables, schemaRows } = await snapshot();
      for (const table of ['_ticket', 'ticket__journal', 'ticket_keywords']) assert.equal(tables.includes(table), false, `${table} is gone`);
      assert.deepEqual(Object.keys(JSON.parse(schemaRows[0]!.shape)), ['user', 'keyword']);
      await withDb(async (db) => assert.deepEqual(await db.getclass('keyword').list(), ['1', '2']));
      await reopen(BASE);
      assert.deepEqual(tracker.schemaChanges.changes, ['created class ticket']);
      await withDb(async (db) => assert.deepEqual(await db.getclass('ticket').list(), []));
    });

    it('changes a property type by dropping and re-adding it: its values start empty, the rest stays', async () => {
      await reopen(`${KEYWORD}
  Class(db, 'ticket', { title: String(), size: String(), owner: Link('user'), keywords: Multilink('keyword') });`);
      assert.deepEqual(tracker.schemaChanges.changes, ['removed property ticket.size', 'added property ticket.size']);
      await withDb(async (db) => {
        assert.equal(await db.getclass('ticket').get('1', 'size'), null);
        assert.equal(await db.getclass('ticket').get('1', 'title'), 'first');
        assert.deepEqual(await db.getclass('ticket').get('1', 'keywords'), ['1', '2']);
        await db.getclass('ticket').set('1', { size: 'large' });
        assert.equal(await db.getclass('ticket').get('1', 'size'), 'large');
      });
      const shape = JSON.parse((await snapshot()).schemaRows[0]!.shape);
      assert.equal(shape.ticket.properties.size, '<roundup.hyperdb.String>');
    });

    it('applies a change once when several processes open the changed tracker at the same time', async () => {
      const changed = `${BASE}\n  Class(db, 'note', { text: String() });\n  Class(db, 'memo', { text: String() });\n  db.ticket.addProperties({ due: Date() });`;
      await tracker.close();
      writeFileSync(join(t.home, 'schema.js'), schemaSource(changed));
      const opened = await Promise.all(Array.from({ length: 6 }, () => runScript<string[]>('create-issues', [t.home, '0', 'none'])));
      assert.deepEqual(opened, [[], [], [], [], [], []]);
      await reopen(changed);
      assert.deepEqual(tracker.schemaChanges.changes, []);
      const { tables, ticketColumns } = await snapshot();
      assert.ok(tables.includes('_note') && tables.includes('_memo'));
      assert.ok(ticketColumns.includes('_due'));
    });

    it('moves the key to another property: lookups and uniqueness follow the new key', async () => {
      await reopen(`
  const keyword = Class(db, 'keyword', { name: String(), code: String() });
  keyword.setkey('code');${TICKET}`);
      assert.deepEqual(tracker.schemaChanges.changes, ['changed the key of keyword to code']);
      await withDb(async (db) => {
        assert.equal(await db.getclass('keyword').lookup('R'), '1');
        await assert.rejects(db.getclass('keyword').lookup('red'), { code: 'RUP_ERR_KEY_NOT_FOUND', message: 'No key (code) value "red" for "keyword"' });
        assert.equal(await db.getclass('keyword').create({ name: 'red', code: 'X' }), '3');
      });
      const db = await tracker.open({ username: 'admin' }, { checked: false });
      try {
        await assert.rejects(db.getclass('keyword').create({ name: 'green', code: 'B' }), { code: 'RUP_ERR_DUPLICATE_KEY', message: 'node with key "B" exists' });
      } finally {
        await db.close();
      }
      assert.equal(JSON.parse((await snapshot()).schemaRows[0]!.shape).keyword.key, 'code');
    });

    it('refuses to move the key onto a property whose values repeat among active items, and changes nothing', async () => {
      const rekeyed = `\n  const keyword = Class(db, 'keyword', { name: String(), code: String() });\n  keyword.setkey('code');${TICKET}`;
      await withDb((db) => db.getclass('keyword').create({ name: 'rouge', code: 'R' }));
      const before = await snapshot();
      const err = await reopenFails(rekeyed);
      assert.equal(err.code, 'RUP_ERR_SCHEMA');
      assert.equal(err.message, 'cannot make keyword.code the key: active items of keyword share a value of code');
      await reopen(BASE);
      assert.deepEqual(tracker.schemaChanges.changes, []);
      assert.deepEqual(await snapshot(), before);
      assert.equal(await withDb((db) => db.getclass('keyword').lookup('red')), '1');
      // Retired items do not count, as for any key value.
      await withDb((db) => db.getclass('keyword').retire('3'));
      await reopen(rekeyed);
      assert.deepEqual(tracker.schemaChanges.changes, ['changed the key of keyword to code']);
      assert.equal(await withDb((db) => db.getclass('keyword').lookup('R')), '1');
    });

    it('refuses to create a class when [rdbms] allow_create is no, and changes nothing', async () => {
      const before = await snapshot();
      setRdbmsOption(t.home, 'allow_create', 'no');
      const err = await reopenFails(`${BASE}\n  Class(db, 'note', { text: String() });`);
      assert.equal(err.code, 'RUP_ERR_SCHEMA');
      assert.equal(err.message, 'the schema needs a change (create class note) but [rdbms] allow_create is no');
      await reopen(BASE);
      assert.deepEqual(tracker.schemaChanges.changes, []);
      assert.deepEqual(await snapshot(), before);
    });

    it('refuses to add or remove properties or move a key when [rdbms] allow_alter is no, and changes nothing', async () => {
      const before = await snapshot();
      setRdbmsOption(t.home, 'allow_alter', 'no');
      const added = await reopenFails(`${BASE}\n  db.getclass('ticket').addProperties({ due: Date() });`);
      assert.equal(added.code, 'RUP_ERR_SCHEMA');
      assert.equal(added.message, 'the schema needs a change (add property ticket.due) but [rdbms] allow_alter is no');
      const removed = await reopenFails(`${KEYWORD}\n  Class(db, 'ticket', { title: String(), size: Number(), owner: Link('user') });`);
      assert.equal(removed.message, 'the schema needs a change (drop property ticket.keywords) but [rdbms] allow_alter is no');
      const rekeyed = await reopenFails(`${BASE}\n  db.getclass('keyword').setkey('code');`);
      assert.equal(rekeyed.message, 'the schema needs a change (rebuild the key index of keyword) but [rdbms] allow_alter is no');
      // A class created alongside a refused change is not left behind.
      const mixed = await reopenFails(`${BASE}\n  Class(db, 'note', { text: String() });\n  db.getclass('ticket').addProperties({ due: Date() });`);
      assert.equal(mixed.message, 'the schema needs a change (add property ticket.due) but [rdbms] allow_alter is no');
      await reopen(BASE);
      assert.deepEqual(tracker.schemaChanges.changes, []);
      assert.deepEqual(await snapshot(), before);
    });

    it('refuses to drop a class when [rdbms] allow_drop is no, and keeps its data', async () => {
      setRdbmsOption(t.home, 'allow_drop', 'no');
      const err = await reopenFails(KEYWORD);
      assert.equal(err.code, 'RUP_ERR_SCHEMA');
      assert.equal(err.message, 'the schema needs a change (drop class ticket) but [rdbms] allow_drop is no');
      await reopen(BASE);
      await withDb(async (db) => {
        assert.deepEqual(await db.getclass('ticket').list(), ['1', '2']);
        assert.deepEqual(await db.getclass('ticket').get('1', 'keywords'), ['1', '2']);
      });
    });
  });
}
