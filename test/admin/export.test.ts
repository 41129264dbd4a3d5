import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportTracker } from '../../lib/admin/export.js';
import { importTracker } from '../../lib/admin/import.js';
import { DateTime } from '../../lib/hyperdb/date.js';
import { Interval } from '../../lib/hyperdb/interval.js';
import { type TestTracker, createTestTracker, skipWithoutBackend } from '../support/trackers.js';
import { TYPES_TEMPLATE } from './admin-fixtures.js';
import { admin, adminDb, classicExport, importedFixture, readTree, snapshot } from './export-fixtures.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'rup-export-'));
}

/** Asserts two export directories hold the same files with the same bytes, naming the first file that differs. */
function assertSameTree(actual: string, expected: string): void {
  const a = readTree(actual);
  const e = readTree(expected);
  assert.deepEqual([...a.keys()], [...e.keys()]);
  for (const [path, bytes] of e) assert.ok(a.get(path)!.equals(bytes), `${path} differs:\n${a.get(path)}\n---\n${bytes}`);
}

describe('admin export', function () {
  this.timeout(120_000);
  const dirs: string[] = [];
  const trackers: TestTracker[] = [];
  const dir = () => {
    const d = tempDir();
    dirs.push(d);
    return d;
  };
  afterEach(async () => {
    for (const t of trackers.splice(0)) await t.cleanup();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  for (const backend of ['sqlite', 'postgresql'] as const) {
    describe(`on ${backend}`, () => {
      before(async function () {
        await skipWithoutBackend(this, backend);
      });

      // Every field of Roundup's own export is deterministic (values, journal order, sorting), so no file may differ.
      it('reproduces the Roundup 2.6 export it imported, file by file and byte for byte', async () => {
        const t = await importedFixture(backend);
        trackers.push(t);
        const out = dir();
        const db = await adminDb(t.tracker);
        try {
          const result = await exportTracker(db, out);
          assert.deepEqual(result, {
            classes: ['priority', 'status', 'keyword', 'query', 'user', 'msg', 'file', 'issue'],
            items: 74,
            journalEntries: 252,
            files: 37,
            longestField: 133,
            warning: null,
          });
        } finally {
          await db.close();
        }
        assertSameTree(out, classicExport);
      });
    });
  }

  describe('between backends', () => {
    before(async function () {
      await skipWithoutBackend(this, 'postgresql');
    });

    it('sqlite -> export -> import into postgresql -> export gives the same files', async () => {
      const source = await importedFixture('sqlite');
      trackers.push(source);
      const first = dir();
      let db = await adminDb(source.tracker);
      await exportTracker(db, first);
      await db.close();
      const target = await createTestTracker({ backend: 'postgresql', initialise: false });
      trackers.push(target);
      db = await adminDb(target.tracker);
      await importTracker(db, first);
      await db.commit();
      await db.close();
      const second = dir();
      db = await adminDb(target.tracker);
      await exportTracker(db, second);
      await db.close();
      assertSameTree(second, first);
      assert.deepEqual(await snapshot(target.tracker), await snapshot(source.tracker));
    });
  });

  describe('every property type', () => {
    it('writes Roundup literals for each type, sorts keyed classes with retired items first, and round-trips', async () => {
      const source = await createTestTracker({ template: TYPES_TEMPLATE });
      trackers.push(source);
      const db = await adminDb(source.tracker);
      const user = db.getclass('user');
      const ann = await user.create({ username: 'ann', age: 3.5, rating: 7, assignable: true, longnumber: 1e16, supervisor: '1', realname: 'Ann "Q" O\'Neil: été' });
      await user.set(ann, { age: 4, rating: -2, assignable: false, password: 'secret' });
      const oldBob = await user.create({ username: 'bob', assignable: false });
      await user.retire(oldBob);
      await user.create({ username: 'bob', age: 1e-5 });
      const gadget = db.getclass('gadget');
      const g = await gadget.create({ name: 'box', warranty: Interval.parse('1y 2d 3:04:05'), fragile: false, size: 12, weight: 2 });
      await gadget.set(g, { warranty: Interval.parse('-1d') });
      const issue = db.getclass('issue');
      const i = await issue.create({ title: 'tabs\tand\nnewlines', deadline: DateTime.fromTuple([2025, 2, 3, 4, 5, 6.789, 0, 0, 0]), nosy: ['1', '2'], assignedto: ann });
      await issue.set(i, { deadline: DateTime.fromTuple([2025, 3, 1, 0, 0, 0, 0, 0, 0]), nosy: ['2', ann], foo: Interval.parse('2w') });
      const f = await db.getclass('file').create({ name: 'x.bin', type: 'application/octet-stream', content: Buffer.from([0, 255, 10, 13]) });
      await db.commit();
      await db.close();

      const out = dir();
      const reader = await adminDb(source.tracker);
      await exportTracker(reader, out);
      await reader.close();
      const users = readFileSync(join(out, 'user.csv'), 'utf8').split('\n');
      assert.equal(users[0], 'activity:actor:address:age:assignable:creation:creator:id:issues:longnumber:nosy_issues:password:rating:realname:roles:supervisor:username:is retired');
      const name = (line: string) => line.split(':').at(-2);
      assert.deepEqual(users.slice(1, -1).map(name), ["'admin'", "'ann'", "'bob'", "'bob'", "'fred'"]);
      assert.match(users[3]!, /:True$/, 'the retired bob comes first');
      assert.match(users[4]!, /:1e-05:None:.*'5'.*:False$/);
      const annRow = users[2]!;
      assert.match(annRow, new RegExp(`:4\\.0:0:.*:\\['1'\\]:1e\\+16:\\['1'\\]:'\\{PBKDF2S5\\}1000\\$.*':-2:"'Ann ""Q"" O\\\\'Neil: \\\\xc3\\\\xa9t\\\\xc3\\\\xa9'":None:'1':'ann':False$`));
      const gadgets = readFileSync(join(out, 'gadget.csv'), 'utf8').split('\n');
      assert.equal(gadgets[0], 'activity:actor:built:creation:creator:fragile:id:label:labels:name:size:warranty:weight:is retired');
      assert.match(gadgets[1]!, /:None:\(.*?\):'1':0:'1':None:\[\]:'box':12:\(-1, 0, 0, 1, 0, 0, 0\):2\.0:False$/);
      const gadgetJournal = readFileSync(join(out, 'gadget-journals.csv'), 'utf8');
      assert.match(gadgetJournal, /'1':\(\d+, .*\):'1':'set':"\{'warranty': \(1, 1, 0, 2, 3, 4, 5\)\}"\n$/);
      const userJournal = readFileSync(join(out, 'user-journals.csv'), 'utf8');
      assert.match(userJournal, new RegExp(`'3':\\(.*\\):'1':'set':"\\{'age': 3\\.5, 'assignable': 1, 'password': None, 'rating': 7\\}"\\n`));
      const issues = readFileSync(join(out, 'issue.csv'), 'utf8').split('\n');
      assert.equal(issues[0], 'activity:actor:assignedto:creation:creator:deadline:feedback:files:foo:id:keywords:keywords2:messages:nosy:obsolete_note:priority:spam:status:superseder:title:is retired');
      assert.match(issues[1]!, /^\(.*?\):'1':'3':\(.*?\):'1':\(2025, 3, 1, 0, 0, 0\.0, 0, 0, 0\):None:\[\]:\(1, 0, 0, 14, 0, 0, 0\):'1':\[\]:\[\]:\[\]:\['2', '3'\]:None:None:\[\]:None:\[\]:'tabs\\tand\\nnewlines':False$/);
      const issueJournal = readFileSync(join(out, 'issue-journals.csv'), 'utf8');
      assert.match(issueJournal, /'set':"\{'deadline': \(2025, 2, 3, 4, 5, 6\.789, 0, 0, 0\), 'foo': \(-1, 0, 0, 7, 0, 0, 0\), 'nosy': \(\('\+', \['3'\]\), \('-', \['1'\]\)\)\}"\n$/);
      assert.deepEqual(readFileSync(join(out, 'file-files', '0', `file${f}`)), Buffer.from([0, 255, 10, 13]));

      const target = await createTestTracker({ template: TYPES_TEMPLATE, initialise: false });
      trackers.push(target);
      const writer = await adminDb(target.tracker);
      await importTracker(writer, out);
      await writer.commit();
      await writer.close();
      // As Roundup, the import sets the next id of a class it read no item of to 2.
      const expected = (await snapshot(source.tracker)) as Record<string, { items: object; nextId: number }>;
      for (const cls of Object.values(expected)) if (!Object.keys(cls.items).length) cls.nextId = 2;
      assert.deepEqual(await snapshot(target.tracker), expected);
      const again = dir();
      const reader2 = await adminDb(target.tracker);
      await exportTracker(reader2, again);
      await reader2.close();
      assertSameTree(again, out);
    });
  });

  describe('the export and exporttables commands', () => {
    it('exports the classes named, or all but those named after "-"', async () => {
      const t = await importedFixture();
      trackers.push(t);
      const only = dir();
      assert.deepEqual(await admin(t.home, ['export', 'user,issue', only]), { status: 0, stdout: '', stderr: '' });
      assert.deepEqual([...readTree(only).keys()], ['issue-journals.csv', 'issue.csv', 'user-journals.csv', 'user.csv']);
      const except = dir();
      assert.deepEqual(await admin(t.home, ['export', '-msg,file,nothing', except]), { status: 0, stdout: '', stderr: '' });
      assert.deepEqual(
        [...readTree(except).keys()],
        ['issue-journals.csv', 'issue.csv', 'keyword-journals.csv', 'keyword.csv', 'priority-journals.csv', 'priority.csv', 'query-journals.csv', 'query.csv', 'status-journals.csv', 'status.csv', 'user-journals.csv', 'user.csv'],
      );
      const fresh = join(dir(), 'new', 'deeper');
      assert.equal((await admin(t.home, ['export', fresh])).status, 0);
      assertSameTree(fresh, classicExport);
    });

    it('refuses an unknown class and missing arguments with Roundup usage errors', async () => {
      const t = await importedFixture();
      trackers.push(t);
      const out = dir();
      const unknown = await admin(t.home, ['export', 'issue,nope', out]);
      assert.equal(unknown.status, 1);
      assert.match(unknown.stdout, /^Error: no such class "nope"\n\nUsage: export \[\[-\]class\[,class\]\] export_dir\n/);
      assert.deepEqual([...readTree(out).keys()], []);
      const missing = await admin(t.home, ['exporttables']);
      assert.match(missing.stdout, /^Error: Not enough arguments supplied\n\nUsage: exporttables /);
    });

    it('exporttables leaves file contents out and says so per file class, as Roundup does', async () => {
      const t = await importedFixture();
      trackers.push(t);
      const out = dir();
      assert.deepEqual(await admin(t.home, ['exporttables', out]), {
        status: 0,
        stdout: 'Exporting msg WITHOUT the files\r\nExporting file WITHOUT the files\r\n',
        stderr: '',
      });
      assert.equal(existsSync(join(out, 'msg-files')), false);
      assert.equal(existsSync(join(out, 'file-files')), false);
      assert.ok(readFileSync(join(out, 'msg.csv')).equals(readFileSync(join(classicExport, 'msg.csv'))));
    });

    it('warns when a field is longer than csv_field_size', async () => {
      const t = await createTestTracker({ settings: { csv_field_size: '100' } });
      trackers.push(t);
      const db = await adminDb(t.tracker);
      await db.getclass('issue').create({ title: 'x'.repeat(150) });
      await db.commit();
      await db.close();
      const run = await admin(t.home, ['export', 'issue', dir()]);
      assert.deepEqual(run, { status: 0, stdout: '', stderr: 'Warning: config csv_field_size should be at least 152\n' });
    });

    it('fails with the reason when the export directory cannot be written, changing nothing', async () => {
      const t = await importedFixture();
      trackers.push(t);
      const parent = dir();
      writeFileSync(join(parent, 'a-file'), 'not a directory');
      const target = join(parent, 'a-file', 'export');
      const before = await snapshot(t.tracker);
      assert.deepEqual(await admin(t.home, ['export', target]), {
        status: 1,
        stdout: `Error: cannot write the export directory ${target}: ENOTDIR: not a directory, mkdir '${target}'\n`,
        stderr: '',
      });
      const db = await adminDb(t.tracker);
      await assert.rejects(exportTracker(db, target), { code: 'RUP_ERR_FILE', location: { file: target } });
      await db.close();
      assert.deepEqual(await snapshot(t.tracker), before);
    });
  });
});
