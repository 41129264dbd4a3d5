import assert from 'node:assert/strict';
import type { Database } from '../../../lib/hyperdb/database.js';
import { indexArgsQuery, listValue, readIndexArgs, transitiveProp } from '../../../lib/web/actions/index-args.js';
import { type WebTestTracker, createWebTestTracker, makeForm } from '../web-fixtures.js';

describe('web index arguments (Roundup HTMLRequest)', function () {
  let tt: WebTestTracker;
  let db: Database;

  before(async () => {
    tt = await createWebTestTracker();
  });
  after(async () => {
    await tt.cleanup();
  });
  beforeEach(async () => {
    db = await tt.open('1');
  });
  afterEach(async () => {
    await db.close();
  });

  const read = (fields: Record<string, string | string[]>, classname: string | null = 'issue') => readIndexArgs(makeForm(fields), db, classname);

  it('defaults to no columns, 50 per page from the start', async () => {
    assert.deepEqual(await read({}), { specialChar: '@', columns: [], sort: [], group: [], filter: [], filterspec: {}, searchText: null, pagesize: 50, startwith: 0, dispname: null });
  });

  it('reads columns, sort, group, paging and the ":" spellings', async () => {
    const args = await read({ ':columns': 'id,title', ':sort': '-activity,id', ':group': 'priority', ':pagesize': '20', ':startwith': '40', '@dispname': 'Mine' });
    assert.equal(args.specialChar, ':');
    assert.deepEqual(args.columns, ['id', 'title']);
    assert.deepEqual(args.sort, [['-', 'activity'], ['+', 'id']]);
    assert.deepEqual(args.group, [['+', 'priority']]);
    assert.equal(args.pagesize, 20);
    assert.equal(args.startwith, 40);
    assert.equal(args.dispname, 'Mine');
  });

  it('reads numbered sort fields with their directions and a separate @sortdir', async () => {
    assert.deepEqual((await read({ '@sort0': 'priority', '@sortdir0': 'on', '@sort1': 'id' })).sort, [['-', 'priority'], ['+', 'id']]);
    assert.deepEqual((await read({ '@sort': 'title', '@sortdir': '1' })).sort, [['-', 'title']]);
  });

  it('ignores page sizes and starts that are not integers', async () => {
    const args = await read({ '@pagesize': 'lots', '@startwith': '2.5' });
    assert.equal(args.pagesize, 50);
    assert.equal(args.startwith, 0);
  });

  it('turns Link and Multilink key values into ids and drops unknown ones', async () => {
    const args = await read({ '@filter': 'status,nosy,title,id', status: 'unread,chatting,nosuch,-1', nosy: ['admin', '2'], title: 'x', id: '1,2' });
    assert.deepEqual(args.filterspec, { status: ['1', '3', '-1'], nosy: ['1', '2'], title: 'x', id: ['1', '2'] });
  });

  it('leaves out what the user may not search', async () => {
    const anon = await tt.open('2');
    try {
      const args = await readIndexArgs(makeForm({ '@filter': 'name,klass', name: 'x', klass: 'issue', '@sort': 'name' }), anon, 'query');
      assert.deepEqual(args.filterspec, {});
      assert.deepEqual(args.sort, []);
    } finally {
      await anon.close();
    }
  });

  it('builds the query part of index URLs in Roundup order', async () => {
    const args = await read({ '@columns': 'id,title', '@sort': '-activity', '@filter': 'status,title', status: 'unread', title: ['two', 'words'], '@search_text': 'crash & burn' });
    assert.equal(
      indexArgsQuery(db.schema, 'issue', args),
      '@columns=id,title&@sort=-activity&@filter=status,title&@search_text=crash%20%26%20burn&@pagesize=50&@startwith=0&status=1&title=two%20words',
    );
    assert.equal(
      indexArgsQuery(db.schema, 'issue', args, { '@template': 'index', '@dispname': null, '@pagesize': '10', status: '2' }),
      '@template=index&@pagesize=10&status=2&@columns=id,title&@sort=-activity&@filter=status,title&@search_text=crash%20%26%20burn&@startwith=0&title=two%20words',
    );
  });

  it('resolves dotted property paths and splits single list values', () => {
    assert.equal(transitiveProp(db.schema, 'issue', 'assignedto.username')?.kind, 'String');
    assert.equal(transitiveProp(db.schema, 'issue', 'title.x'), null);
    assert.equal(transitiveProp(db.schema, 'issue', 'nosuch'), null);
    assert.deepEqual(listValue(['a, b']), ['a', 'b']);
    assert.deepEqual(listValue(['a,b', 'c']), ['a,b', 'c']);
    assert.deepEqual(listValue(['  ']), []);
  });
});
