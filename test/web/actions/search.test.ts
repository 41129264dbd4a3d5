import assert from 'node:assert/strict';
import { isRupError } from '../../../lib/errors.js';
import { addFilterVariables, searchAction, splitSearchWords } from '../../../lib/web/actions/search.js';
import type { FormData, WebTarget } from '../../../lib/web/web-types.js';
import { type WebTestTracker, createWebTestTracker, makeForm, webRequest } from '../web-fixtures.js';
import { skipWithoutBackend } from '../../support/trackers.js';

for (const backend of ['sqlite', 'postgresql'] as const) describe(`web action search (Roundup SearchAction) [${backend}]`, function () {
  before(function () {
    return skipWithoutBackend(this, backend);
  });
  let tt: WebTestTracker;

  beforeEach(async () => {
    tt = await createWebTestTracker({ backend });
  });
  afterEach(async () => {
    await tt?.cleanup();
  });

  async function search(userid: string, fields: Record<string, string | string[]>, target: Partial<WebTarget> = {}) {
    const db = await tt.open(userid);
    try {
      const req = webRequest(tt, db, { method: 'GET', form: makeForm(fields), target: { classname: 'issue', template: 'index', ...target } });
      return { outcome: await searchAction.run(req), req };
    } finally {
      await db.close();
    }
  }

  async function filterVars(fields: Record<string, string | string[]>, classname = 'issue'): Promise<{ form: FormData; problems: string[] }> {
    const db = await tt.open('1');
    try {
      return addFilterVariables(makeForm(fields), webRequest(tt, db), classname);
    } finally {
      await db.close();
    }
  }

  async function queries(): Promise<Array<Record<string, unknown>>> {
    const check = await tt.admin();
    try {
      const q = check.getclass('query');
      return [...(await q.getMany(await q.list())).entries()].map(([id, v]) => ({ id, name: v.name, klass: v.klass, url: v.url, private_for: v.private_for }));
    } finally {
      await check.close();
    }
  }

  describe('filter variables (Roundup FakeFilterVarsTestCase)', () => {
    it('adds non-empty property fields to @filter and ignores empty ones', async () => {
      assert.equal((await filterVars({ keyword: ['', ''] })).form.get('@filter'), undefined);
      assert.equal((await filterVars({ keyword: ['', '1'] })).form.get('@filter'), 'keyword');
      assert.equal((await filterVars({ keyword: '' })).form.get('@filter'), undefined);
      assert.equal((await filterVars({ status: '1' })).form.get('@filter'), 'status');
      assert.equal((await filterVars({ 'assignedto.username': 'mary', '@columns': 'title' })).form.get('@filter'), 'assignedto.username');
    });

    it('splits a String value into words that must all match', async () => {
      const { form } = await filterVars({ title: 'hello world' });
      assert.equal(form.get('@filter'), 'title');
      assert.deepEqual(form.getAll('title'), ['hello', 'world']);
      assert.deepEqual((await filterVars({ title: '"hello world" foo' })).form.getAll('title'), ['hello world', 'foo']);
    });

    it('keeps filters already named in @filter', async () => {
      assert.equal((await filterVars({ '@filter': 'status,keyword', title: 'x', status: '1' })).form.get('@filter'), 'status,keyword,title');
    });

    it('checks Number and Integer values', async () => {
      assert.deepEqual((await filterVars({ number: 'x1', intval: '1.5' }, 'test')).problems, ['Invalid number: x1', 'Invalid integer: 1.5']);
      assert.deepEqual((await filterVars({ number: '-1.5e3', intval: '-7' }, 'test')).problems, []);
    });
  });

  it('splits search words as Roundup token_split does', () => {
    assert.deepEqual(splitSearchWords('hello world'), ['hello', 'world']);
    assert.deepEqual(splitSearchWords('"hello world"'), ['hello world']);
    assert.deepEqual(splitSearchWords('"Roch\'e" Compaan'), ["Roch'e", 'Compaan']);
    assert.deepEqual(splitSearchWords("Roch\\'e Compaan"), ["Roch'e", 'Compaan']);
    assert.deepEqual(splitSearchWords('address="1 2 3"'), ['address=1 2 3']);
    assert.deepEqual(splitSearchWords('\\\\'), ['\\']);
    assert.deepEqual(splitSearchWords('\\n'), ['\n']);
    assert.deepEqual(splitSearchWords('\\o'), ['\\o']);
    assert.throws(() => splitSearchWords('"hello world'), (err) => isRupError(err, 'RUP_ERR_VALUE') && err.message === 'unmatched quote in ""hello world"');
  });

  it('redirects to the index URL the search form describes', async () => {
    const { outcome } = await search(tt.chef, { '@columns': 'id,title', '@sort': '-activity', status: 'unread,chatting', title: 'crash boom', priority: '', '@template': 'index' });
    assert.deepEqual(outcome, {
      kind: 'redirect',
      location:
        'http://tracker.example/demo/issue?@template=index&@columns=id,title&@sort=-activity&@filter=status,title&@pagesize=50&@startwith=0&status=1,3&title=crash%20boom',
    });
    assert.deepEqual(await queries(), []);
  });

  it('saves a named search as a private query of the user and shows its name', async () => {
    const { outcome } = await search(tt.chef, { '@columns': 'id,title', status: 'unread', '@queryname': 'My bugs' });
    assert.deepEqual(outcome, {
      kind: 'redirect',
      location: 'http://tracker.example/demo/issue?@dispname=My%20bugs&@columns=id,title&@filter=status&@pagesize=50&@startwith=0&status=1',
    });
    assert.deepEqual(await queries(), [{ id: '1', name: 'My bugs', klass: 'issue', url: '@columns=id,title&@filter=status&@pagesize=50&@startwith=0&status=1', private_for: tt.chef }]);
    const check = await tt.admin();
    assert.deepEqual(await check.getclass('user').get(tt.chef, 'queries'), ['1']);
    await check.close();
  });

  it('updates and renames the query named by @old-queryname', async () => {
    await search(tt.chef, { status: 'unread', '@queryname': 'My bugs' });
    await search(tt.chef, { status: 'chatting', '@queryname': 'Chatter', '@old-queryname': 'My bugs', '@template': 'index|search' });
    assert.deepEqual(await queries(), [
      { id: '1', name: 'Chatter', klass: 'issue', url: '@template=index%7Csearch&@filter=status&@pagesize=50&@startwith=0&status=3', private_for: tt.chef },
    ]);
  });

  it('refuses a second own query of the same name and marks the name on the page', async () => {
    await search(tt.chef, { status: 'unread', '@queryname': 'My bugs' });
    const { outcome, req } = await search(tt.chef, { status: 'chatting', '@queryname': 'My bugs' });
    assert.equal(outcome.kind, 'render');
    assert.equal((outcome as { status: number }).status, 400);
    assert.equal((outcome as { form: FormData }).form.get('@queryname'), 'My bugs - duplicate');
    assert.deepEqual(req.messages.error, ["You already own a query named 'My bugs'. Please choose another name."]);
    assert.equal((await queries()).length, 1);
  });

  it('lets another user use the same name', async () => {
    await search(tt.chef, { status: 'unread', '@queryname': 'My bugs' });
    await search(tt.mary, { status: 'unread', '@queryname': 'My bugs' });
    assert.deepEqual((await queries()).map((q) => q.private_for), [tt.chef, tt.mary]);
  });

  it('refuses anonymous storing a query (403) and stores nothing', async () => {
    await assert.rejects(search('2', { status: 'unread', '@queryname': 'Spam' }), (err) => isRupError(err, 'RUP_ERR_PERMISSION') && err.message === 'You do not have permission to store queries');
    assert.deepEqual(await queries(), []);
  });

  it('refuses a search of a class the user may not view (403)', async () => {
    await assert.rejects(search('2', { username: 'admin' }, { classname: 'user' }), (err) => isRupError(err, 'RUP_ERR_PERMISSION') && err.message === 'You do not have permission to search the user class.');
  });

  it('shows bad numbers on the search page again', async () => {
    const { outcome, req } = await search('1', { number: 'many' }, { classname: 'test' });
    assert.deepEqual(outcome, { kind: 'render', status: 400 });
    assert.deepEqual(req.messages.error, ['Invalid number: many']);
  });
});
