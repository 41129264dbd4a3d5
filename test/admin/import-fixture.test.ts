import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from '../../lib/hyperdb/database.js';
import { DateTime } from '../../lib/hyperdb/date.js';
import { verifyPassword } from '../../lib/hyperdb/password.js';
import type { TestTracker } from '../support/trackers.js';
import { adminDb, classicExport, importedFixture } from './export-fixtures.js';

const date = (y: number, mo: number, d: number, h: number, mi: number, s: number) => DateTime.fromTuple([y, mo, d, h, mi, s, 0, 0, 0]);

describe('admin import of the Roundup 2.6 classic export', function () {
  let t: TestTracker;
  let db: Database;

  before(async function () {
    this.timeout(120_000);
    t = await importedFixture();
    db = await adminDb(t.tracker);
  });

  after(async () => {
    await db?.close();
    await t?.cleanup();
  });

  it('imports every item of every class, keeping the ids', async () => {
    const counts: Record<string, string[]> = {};
    for (const cn of db.getclasses()) counts[cn] = await db.getclass(cn).getnodeids(null);
    const range = (n: number) => Array.from({ length: n }, (_, i) => String(i + 1));
    assert.deepEqual(counts, {
      priority: range(5),
      status: range(8),
      keyword: range(5),
      query: range(1),
      user: range(6),
      msg: range(30),
      file: range(7),
      issue: range(12),
    });
  });

  it('keeps the retired flags: issue12 and dave are retired, nothing else', async () => {
    const retired: Record<string, string[]> = {};
    for (const cn of db.getclasses()) retired[cn] = await db.getclass(cn).getnodeids(true);
    assert.deepEqual(retired, { priority: [], status: [], keyword: [], query: [], user: ['6'], msg: [], file: [], issue: ['12'] });
  });

  it('reads titles with non-ASCII text, quotes, colons, commas and tabs', async () => {
    const issue = db.getclass('issue');
    assert.equal(await issue.get('4', 'title'), 'Unicode élève in title breaks index');
    assert.equal(await issue.get('5', 'title'), 'Search misses words after colon: foo:bar');
    assert.equal(await issue.get('11', 'title'), 'Commas, "quotes"; semi:colons and tabs\tin title?');
    assert.equal(await issue.get('9', 'title'), 'Docs: FastCGI example');
  });

  it('restores every property of an issue, automatic ones included', async () => {
    assert.deepEqual(await db.getclass('issue').getnode('2'), {
      id: '2',
      activity: date(2026, 11, 21, 13, 57, 38.936),
      actor: '1',
      assignedto: null,
      creation: date(2026, 11, 21, 13, 57, 38.218),
      creator: '4',
      files: ['2'],
      keyword: ['1', '2'],
      messages: ['2', '3'],
      nosy: ['4', '5'],
      priority: '2',
      status: '3',
      superseder: ['1'],
      title: 'Export drops retired users',
    });
    assert.deepEqual(await db.getclass('issue').getnode('4'), {
      id: '4',
      activity: date(2026, 11, 21, 13, 57, 38.438),
      actor: '5',
      assignedto: '5',
      creation: date(2026, 11, 21, 13, 57, 38.366),
      creator: '6',
      files: ['3'],
      keyword: ['1'],
      messages: ['7', '8', '9', '10'],
      nosy: ['4', '5', '6'],
      priority: '4',
      status: '7',
      superseder: [],
      title: 'Unicode élève in title breaks index',
    });
  });

  it('restores users: alternate addresses with a newline, the retired dave with his timezone and name', async () => {
    const user = db.getclass('user');
    const alice = await user.getnode('3');
    assert.equal(alice.alternate_addresses, 'alice.adams@example.com\nadams@example.com');
    assert.equal(alice.realname, 'Alice Adams');
    assert.equal(alice.roles, 'User');
    const dave = await user.getnode('6');
    assert.equal(dave.realname, 'Dave Østergaard');
    assert.equal(dave.timezone, '1');
    assert.equal(dave.username, 'dave');
    assert.equal((await user.getnode('2')).password, null);
    assert.equal(await user.lookup('carol'), '5');
  });

  it('lets the users log in with the passwords of the fixtures README', async () => {
    const passwords: Record<string, string> = { admin: 'admin-pw', alice: 'alice-pw', bob: 'bob-pw', carol: 'carol-pw', dave: 'dave-pw' };
    const user = db.getclass('user');
    const byName = new Map<string, string>();
    for (const [id, values] of await user.getMany(await user.getnodeids(null))) byName.set(values.username as string, id);
    for (const [name, password] of Object.entries(passwords)) {
      const stored = (await user.get(byName.get(name)!, 'password')) as string;
      assert.match(stored, /^\{PBKDF2S5\}250000\$/);
      assert.equal((await verifyPassword(stored, password)).ok, true, name);
      assert.equal((await verifyPassword(stored, `${password}x`)).ok, false, name);
    }
  });

  it('restores Number properties, the saved query and message dates', async () => {
    assert.deepEqual(
      [...(await db.getclass('priority').getMany(['1', '2', '3', '4', '5'])).values()].map((p) => [p.name, p.order]),
      [['critical', 1], ['urgent', 2], ['bug', 3], ['feature', 4], ['wish', 5]],
    );
    const query = await db.getclass('query').getnode('1');
    assert.equal(query.url, '@columns=id,title,status&@sort=-activity&@filter=status&status=-1,1,2');
    assert.equal(query.private_for, null);
    const msg = await db.getclass('msg').getnode('11');
    assert.deepEqual(msg.date, date(2024, 5, 14, 10, 4, 0));
    assert.equal(msg.author, '3');
    assert.equal((await db.getclass('msg').getnode('3')).messageid, '<1795269458.252306.EIEI3SC5OLFL3TBA.issue2@example.com>');
  });

  it('stores every file and message content byte for byte, binary content included', async () => {
    for (const [cn, count] of [['msg', 30], ['file', 7]] as const) {
      const cl = db.getclass(cn);
      for (let id = 1; id <= count; id++) {
        const expected = readFileSync(join(classicExport, `${cn}-files`, '0', `${cn}${id}`));
        assert.deepEqual(await cl.get(String(id), 'binary_content'), expected, `${cn}${id}`);
      }
    }
    assert.equal(await db.getclass('file').get('2', 'type'), 'image/png');
    assert.equal(await db.getclass('file').get('2', 'content'), 'file2 is not text, retrieve using binary_content property. mdsum: b2ea9f7fcea831a4a63b213f41a8855b');
    assert.match((await db.getclass('msg').get('4', 'content')) as string, /Unicode: naïve café — 中文/);
  });

  it('indexes imported texts and contents for full-text search', async () => {
    // The text attachments of issues 1, 4, 7 and 10 hold tracebacks.
    assert.deepEqual([...(await db.getclass('issue').searchText('Traceback'))].sort(), ['1', '10', '4', '7']);
    assert.deepEqual([...(await db.getclass('issue').searchText('FastCGI'))], ['9']);
  });

  it('restores journal entries with their dates, users, actions and parameters, in order', async () => {
    assert.deepEqual(await db.getclass('issue').journal(['3']), [
      { nodeid: '3', date: date(2026, 11, 21, 13, 57, 38.293), userid: '5', action: 'create', params: {} },
      { nodeid: '3', date: date(2026, 11, 21, 13, 57, 38.313), userid: '3', action: 'set', params: { messages: [['+', ['5']]], nosy: [['+', ['3']]], status: '1' } },
      {
        nodeid: '3',
        date: date(2026, 11, 21, 13, 57, 38.34),
        userid: '6',
        action: 'set',
        params: { assignedto: null, messages: [['+', ['6']]], nosy: [['+', ['6']]], status: '4' },
      },
    ]);
    assert.deepEqual(await db.getclass('issue').journal(['12']), [
      { nodeid: '12', date: date(2026, 11, 21, 13, 57, 38.86), userid: '6', action: 'create', params: {} },
      { nodeid: '12', date: date(2026, 11, 21, 13, 57, 38.883), userid: '6', action: 'set', params: { messages: [['+', ['28']]], status: '1' } },
      { nodeid: '12', date: date(2026, 11, 21, 13, 57, 38.897), userid: '4', action: 'set', params: { assignedto: null, messages: [['+', ['29']]], nosy: [['+', ['4', '5']]], status: '5' } },
      { nodeid: '12', date: date(2026, 11, 21, 13, 57, 38.917), userid: '5', action: 'set', params: { messages: [['+', ['30']]], status: '6' } },
      { nodeid: '12', date: date(2026, 11, 21, 13, 57, 38.937), userid: '1', action: 'retired', params: null },
    ]);
    assert.deepEqual(await db.getclass('keyword').journal(['3']), [
      { nodeid: '3', date: date(2026, 11, 21, 13, 57, 38.142), userid: '1', action: 'create', params: {} },
      { nodeid: '3', date: date(2026, 11, 21, 13, 57, 38.292), userid: '5', action: 'link', params: ['issue', '3', 'keyword'] },
      { nodeid: '3', date: date(2026, 11, 21, 13, 57, 38.491), userid: '4', action: 'link', params: ['issue', '6', 'keyword'] },
      { nodeid: '3', date: date(2026, 11, 21, 13, 57, 38.732), userid: '3', action: 'link', params: ['issue', '9', 'keyword'] },
      { nodeid: '3', date: date(2026, 11, 21, 13, 57, 38.86), userid: '6', action: 'link', params: ['issue', '12', 'keyword'] },
    ]);
    // Two entries of one instant keep the order of the file.
    assert.deepEqual(
      (await db.getclass('msg').journal(['5'])).map((e) => [e.date.serialise(), e.action, e.params]),
      [
        ['20261121135738.308', 'create', {}],
        ['20261121135738.312', 'link', ['issue', '3', 'messages']],
        ['20261121135738.314', 'set', { recipients: [['+', ['5']]] }],
        ['20261121135738.314', 'set', { messageid: null }],
      ],
    );
  });

  it('imports every journal entry of every class', async () => {
    const counts: Record<string, number> = {};
    for (const cn of db.getclasses()) {
      const cl = db.getclass(cn);
      counts[cn] = (await cl.journal(await cl.getnodeids(null))).length;
    }
    const lines = (cn: string) => readFileSync(join(classicExport, `${cn}-journals.csv`), 'utf8').split('\n').length - 1;
    assert.deepEqual(counts, Object.fromEntries(db.getclasses().map((cn) => [cn, lines(cn)])));
    assert.equal(counts.issue, 33);
  });

  it('sets each class next id past the highest imported id', async () => {
    const next: Record<string, number> = {};
    for (const cn of db.getclasses()) next[cn] = await db.getclass(cn).getNextId();
    assert.deepEqual(next, { priority: 6, status: 9, keyword: 6, query: 2, user: 7, msg: 31, file: 8, issue: 13 });
    const fresh = await adminDb(t.tracker);
    try {
      assert.equal(await fresh.getclass('issue').create({ title: 'after import' }), '13');
    } finally {
      await fresh.close();
    }
  });
});
