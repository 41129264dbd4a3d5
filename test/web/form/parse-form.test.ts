import assert from 'node:assert/strict';
import type { Database } from '../../../lib/hyperdb/database.js';
import { DateTime } from '../../../lib/hyperdb/date.js';
import { verifyPassword } from '../../../lib/hyperdb/password.js';
import { FormError } from '../../../lib/web/form/form-error.js';
import { type FormValue, type ParsedForm, parseForm } from '../../../lib/web/form/parse-form.js';
import type { UploadedFile } from '../../../lib/web/web-types.js';
import { type WebTestTracker, createWebTestTracker, makeForm, upload } from '../web-fixtures.js';
import { skipWithoutBackend } from '../../support/trackers.js';

type Shape = Record<string, Record<string, FormValue>>;

/** The items as Roundup's tests write them: `test` for the new context, `issue-1`, `issue5`. */
function shape(parsed: ParsedForm): Shape {
  return Object.fromEntries(parsed.items.map((i) => [`${i.classname}${i.id ?? ''}`, i.props]));
}

function links(parsed: ParsedForm): Array<[string, string, string[]]> {
  return parsed.links.map((l) => [`${l.classname}${l.id ?? ''}`, l.propname, l.targets.map((t) => `${t.classname}${t.id ?? ''}`)]);
}

for (const backend of ['sqlite', 'postgresql'] as const) describe(`web form parser (Roundup test_cgi FormTestCase) [${backend}]`, function () {
  before(function () {
    return skipWithoutBackend(this, backend);
  });
  let tt: WebTestTracker;
  let db: Database;

  before(async () => {
    tt = await createWebTestTracker({ backend });
  });
  after(async () => {
    await tt?.cleanup();
  });
  beforeEach(async () => {
    db = await tt.open('1');
  });
  afterEach(async () => {
    await db.close();
  });

  const parse = (fields: Record<string, string | string[]>, classname = 'test', itemid: string | null = null, files: UploadedFile[] = []) =>
    parseForm(makeForm(fields, files), db, { classname, itemid }, { create: true });

  const parsed = async (fields: Record<string, string | string[]>, classname = 'test', itemid: string | null = null, files: UploadedFile[] = []) =>
    shape(await parse(fields, classname, itemid, files));

  async function problems(fields: Record<string, string | string[]>, classname = 'test', itemid: string | null = null): Promise<readonly string[]> {
    try {
      await parse(fields, classname, itemid);
    } catch (err) {
      assert.ok(err instanceof FormError, `expected a FormError, got ${String(err)}`);
      return err.problems;
    }
    assert.fail('the form was accepted');
  }

  const create = (classname: string, values: Record<string, unknown>) => db.getclass(classname).create(values);

  describe('empty forms', () => {
    it('always returns the context, even with nothing to do', async () => {
      const p = await parse({});
      assert.deepEqual(shape(p), { test: {} });
      assert.deepEqual(p.links, []);
    });

    it('refuses @required properties that are missing or empty', async () => {
      assert.deepEqual(await problems({ ':required': 'string' }), ['Required test property string not supplied']);
      assert.deepEqual(await problems({ ':required': 'title,status', status: '1' }, 'issue'), ['Required issue property title not supplied']);
      assert.deepEqual(await problems({ ':required': ['title', 'status'], status: '1' }, 'issue'), ['Required issue property title not supplied']);
      assert.deepEqual(await problems({ ':required': 'status', status: '' }, 'issue'), ['Required issue property status not supplied']);
      assert.deepEqual(await problems({ ':required': 'nosy', nosy: '' }, 'issue'), ['Required issue property nosy not supplied']);
      assert.deepEqual(await problems({ ':required': 'msg-1@content', 'msg-1@content': '' }, 'issue'), ['Required msg property content not supplied']);
      assert.deepEqual(await problems({ ':required': 'msg-1@content' }, 'issue'), ['Required msg property content not supplied']);
    });

    it('names several missing properties in one plural sentence', async () => {
      assert.deepEqual(await problems({ '@required': 'title,priority' }, 'issue'), ['Required issue properties title, priority not supplied']);
      assert.deepEqual(await problems({ '@required': 'title,priority', priority: '-1' }, 'issue'), ['Required issue properties title, priority not supplied'], '-1 chooses no priority');
    });

    it('refuses an edit of an item that does not exist', async () => {
      assert.deepEqual(await problems({ boolean: '' }, 'test', '1'), ['test has no node 1']);
    });
  });

  describe('String', () => {
    it('leaves out empty values of a new item and refuses two values', async () => {
      assert.deepEqual(await parsed({ string: '' }), { test: {} });
      assert.deepEqual(await parsed({ string: ' ' }), { test: {} });
      assert.deepEqual(await problems({ string: ['', ''] }), ['You have submitted more than one value for the string property']);
    });

    it('sets values with line ends fixed and leaves unchanged values out', async () => {
      assert.deepEqual(await parsed({ string: 'foo' }), { test: { string: 'foo' } });
      assert.deepEqual(await parsed({ string: 'a\r\nb\r\n' }), { test: { string: 'a\nb' } });
      const id = await create('issue', { title: 'foo' });
      assert.deepEqual(await parsed({ title: 'foo' }, 'issue', id), { [`issue${id}`]: {} });
    });

    it('unsets a value of an existing item given empty', async () => {
      const id = await create('issue', { title: 'foo' });
      assert.deepEqual(await parsed({ title: '' }, 'issue', id), { [`issue${id}`]: { title: null } });
      assert.deepEqual(await parsed({ title: ' ' }, 'issue', id), { [`issue${id}`]: { title: null } });
    });
  });

  describe('file uploads', () => {
    it('sets content, name and type from an upload into a file class', async () => {
      const p = await parsed({}, 'file', null, [upload('content', 'foo.txt', 'foo')]);
      assert.deepEqual(p, { file: { content: Buffer.from('foo'), name: 'foo.txt', type: 'text/plain' } });
    });

    it('keeps the type the browser sent, unless it is only application/octet-stream', async () => {
      assert.equal((await parsed({}, 'file', null, [upload('content', 'shot.bin', 'x', 'image/png')])).file!.type, 'image/png');
      assert.equal((await parsed({}, 'file', null, [upload('content', 'odd.qqq', 'x')])).file!.type, 'application/octet-stream');
      assert.equal((await parsed({}, 'file', null, [upload('content', 'C:\\docs\\fix.patch', 'x')])).file!.name, 'fix.patch');
    });

    it('turns a single @file into file-1 linked into files', async () => {
      const p = await parse({}, 'issue', null, [upload('@file', 'foo.txt', 'foo')]);
      assert.deepEqual(shape(p), { issue: {}, 'file-1': { content: Buffer.from('foo'), name: 'foo.txt', type: 'text/plain' } });
      assert.deepEqual(links(p), [['issue', 'files', ['file-1']]]);
    });

    it('turns several @file uploads into file-1, file-2, file-3', async () => {
      const files = [upload('@file', 'foo.txt', 'foo'), upload('@file', 'bar.txt', 'bar'), upload('@file', 'baz.txt', 'baz')];
      const p = await parse({}, 'issue', null, files);
      assert.deepEqual(shape(p), {
        issue: {},
        'file-1': { content: Buffer.from('foo'), name: 'foo.txt', type: 'text/plain' },
        'file-2': { content: Buffer.from('bar'), name: 'bar.txt', type: 'text/plain' },
        'file-3': { content: Buffer.from('baz'), name: 'baz.txt', type: 'text/plain' },
      });
      assert.deepEqual(links(p), [
        ['issue', 'files', ['file-1']],
        ['issue', 'files', ['file-2']],
        ['issue', 'files', ['file-3']],
      ]);
    });

    it('skips a file input left empty and keeps an empty file that has a name', async () => {
      const p = await parse({}, 'issue', null, [upload('@file', '', ''), upload('@file', 'empty.txt', '')]);
      assert.deepEqual(shape(p), { issue: {}, 'file-1': { content: Buffer.alloc(0), name: 'empty.txt', type: 'text/plain' } });
    });

    it('sets file attributes given as text', async () => {
      assert.deepEqual(await parsed({ name: 'foo.txt', type: 'application/octet-stream' }, 'file'), {
        file: { name: 'foo.txt', type: 'application/octet-stream' },
      });
    });

    it('drops a new file without content and keeps the content of an existing file given empty', async () => {
      assert.deepEqual(await parsed({ 'file-1@name': 'x.txt' }, 'issue'), { issue: {} });
      const fid = await create('file', { content: 'old', name: 'a.txt' });
      assert.deepEqual(await parsed({ [`file${fid}@name`]: 'b.txt' }, 'issue', null, [upload(`file${fid}@content`, 'b.txt', '')]), {
        issue: {},
        [`file${fid}`]: { name: 'b.txt', type: 'text/plain' },
      });
    });
  });

  describe('Link', () => {
    it('leaves out empty and -1 values of a new item, refuses two values', async () => {
      assert.deepEqual(await parsed({ link: '' }), { test: {} });
      assert.deepEqual(await parsed({ link: ' ' }), { test: {} });
      assert.deepEqual(await problems({ link: ['', ''] }), ['You have submitted more than one value for the link property']);
      assert.deepEqual(await parsed({ link: '-1' }), { test: {} });
    });

    it('takes key values and ids', async () => {
      assert.deepEqual(await parsed({ status: 'unread' }, 'issue'), { issue: { status: '1' } });
      assert.deepEqual(await parsed({ status: '1' }, 'issue'), { issue: { status: '1' } });
      const id = await create('issue', { status: '1' });
      assert.deepEqual(await parsed({ status: 'unread' }, 'issue', id), { [`issue${id}`]: {} });
    });

    it('unsets with -1', async () => {
      const id = await create('issue', { status: '1' });
      assert.deepEqual(await parsed({ status: '-1' }, 'issue', id), { [`issue${id}`]: { status: null } });
    });

    it('refuses values that name no item', async () => {
      assert.deepEqual(await problems({ link: 'frozzle' }), ['you may only enter ID values for property link']);
      assert.deepEqual(await problems({ status: 'frozzle' }, 'issue'), ["property status: 'frozzle' is not a status."]);
    });
  });

  describe('Multilink', () => {
    it('ignores fields naming no property of the class', async () => {
      assert.deepEqual(await parsed({ nosy: '' }), { test: {} });
      assert.deepEqual(await parsed({ nosy: ' ' }), { test: {} });
    });

    it('takes ids, key values, comma lists and repeated fields', async () => {
      assert.deepEqual(await parsed({ nosy: '1' }, 'issue'), { issue: { nosy: ['1'] } });
      assert.deepEqual(await parsed({ nosy: 'admin' }, 'issue'), { issue: { nosy: ['1'] } });
      assert.deepEqual(await parsed({ nosy: ['1', '2'] }, 'issue'), { issue: { nosy: ['1', '2'] } });
      assert.deepEqual(await parsed({ nosy: '1,2' }, 'issue'), { issue: { nosy: ['1', '2'] } });
      assert.deepEqual(await parsed({ nosy: 'admin,2' }, 'issue'), { issue: { nosy: ['1', '2'] } });
      assert.deepEqual(await parsed({ nosy: ['1,2', '3'] }, 'issue'), { issue: { nosy: ['1', '2', '3'] } });
    });

    it('empties an existing value given empty and leaves an equal one out', async () => {
      const id = await create('issue', { nosy: ['1', '2'] });
      assert.deepEqual(await parsed({ nosy: '' }, 'issue', id), { [`issue${id}`]: { nosy: [] } });
      assert.deepEqual(await parsed({ nosy: ' ' }, 'issue', id), { [`issue${id}`]: { nosy: [] } });
      assert.deepEqual(await parsed({ nosy: '1,2' }, 'issue', id), { [`issue${id}`]: {} });
    });

    it('refuses values that name no item', async () => {
      assert.deepEqual(await problems({ nosy: 'frozzle' }, 'issue'), ["property nosy: 'frozzle' is not a user."]);
      assert.deepEqual(await problems({ nosy: '1,frozzle' }, 'issue'), ["property nosy: 'frozzle' is not a user."]);
      assert.deepEqual(await problems({ multilink: 'frozzle' }), ['you may only enter ID values for property multilink']);
    });

    it('adds with @add@', async () => {
      const id = await create('issue', { nosy: ['1'] });
      const key = `issue${id}`;
      assert.deepEqual(await parsed({ ':add:nosy': '' }, 'issue', id), { [key]: {} });
      assert.deepEqual(await parsed({ ':add:nosy': '2' }, 'issue', id), { [key]: { nosy: ['1', '2'] } });
      assert.deepEqual(await parsed({ ':add:nosy': '2,mary' }, 'issue', id), { [key]: { nosy: ['1', '2', tt.mary] } });
      assert.deepEqual(await parsed({ ':add:nosy': ['2', '3'] }, 'issue', id), { [key]: { nosy: ['1', '2', '3'] } });
      assert.deepEqual(await parsed({ '@add@nosy': ['2', '3'] }, 'issue'), { issue: { nosy: ['2', '3'] } });
    });

    it('removes with @remove@, and refuses to remove what is not there', async () => {
      const id = await create('issue', { nosy: ['1', '2'] });
      const key = `issue${id}`;
      assert.deepEqual(await parsed({ ':remove:nosy': '' }, 'issue', id), { [key]: {} });
      assert.deepEqual(await parsed({ ':remove:nosy': '1' }, 'issue', id), { [key]: { nosy: ['2'] } });
      assert.deepEqual(await parsed({ ':remove:nosy': 'admin,2' }, 'issue', id), { [key]: { nosy: [] } });
      assert.deepEqual(await parsed({ ':remove:nosy': ['1', '2'] }, 'issue', id), { [key]: { nosy: [] } });
      assert.deepEqual(await parsed({ ':add:nosy': ['3'], ':remove:nosy': ['1', '2'] }, 'issue', id), { [key]: { nosy: ['3'] } });
      assert.deepEqual(await problems({ ':remove:nosy': '4' }, 'issue', id), ['property "nosy": "4" not currently in list']);
    });

    it('keeps retired members as given', async () => {
      await db.system().getclass('user').retire('2');
      assert.deepEqual(await parsed({ nosy: ['2', '3'] }, 'issue'), { issue: { nosy: ['2', '3'] } });
      const id = await create('issue', { nosy: ['1', '2'] });
      assert.deepEqual(await parsed({ ':remove:nosy': '2' }, 'issue', id), { [`issue${id}`]: { nosy: ['1'] } });
      assert.deepEqual(await parsed({ ':add:nosy': '3' }, 'issue', id), { [`issue${id}`]: { nosy: ['1', '2', '3'] } });
    });

    it('refuses @add@ and @remove@ of unknown properties', async () => {
      assert.deepEqual(await problems({ ':remove:foo': '2' }, 'issue'), ['You have submitted a remove action for the property "foo" which doesn\'t exist']);
      assert.deepEqual(await problems({ ':add:foo': '2' }, 'issue'), ['You have submitted a add action for the property "foo" which doesn\'t exist']);
    });
  });

  describe('Password', () => {
    it('ignores empty passwords and refuses two values', async () => {
      assert.deepEqual(await parsed({ password: '' }, 'user'), { user: {} });
      assert.deepEqual(await problems({ password: ['', ''] }, 'user'), ['You have submitted more than one value for the password property']);
      assert.deepEqual(await problems({ password: 'foo', ':confirm:password': ['', ''] }, 'user'), [
        'You have submitted more than one value for the password property',
      ]);
    });

    it('sets a confirmed password, encoded', async () => {
      const p = await parsed({ password: 'foo', ':confirm:password': 'foo' }, 'user');
      const stored = p.user!.password as string;
      assert.match(stored, /^\{PBKDF2S5\}/);
      assert.equal((await verifyPassword(stored, 'foo')).ok, true);
      const q = await parsed({ password: 'bar', '@confirm@password': 'bar' }, 'user');
      assert.equal((await verifyPassword(q.user!.password as string, 'bar')).ok, true);
    });

    it('refuses a missing or different confirmation', async () => {
      assert.deepEqual(await problems({ password: 'foo' }, 'user'), ['Password and confirmation text do not match']);
      assert.deepEqual(await problems({ password: 'foo', ':confirm:password': 'bar' }, 'user'), ['Password and confirmation text do not match']);
      assert.deepEqual(
        await problems({ '@required': 'password', password: 'foo', ':confirm:password': 'bar' }, 'user'),
        ['Password and confirmation text do not match'],
        'a password given but not confirmed is not also reported as missing',
      );
      assert.deepEqual(await problems({ '@required': 'password', password: '' }, 'user'), ['Required user property password not supplied']);
    });

    it('leaves an existing password alone when the fields are empty', async () => {
      const id = await create('user', { username: '1', password: 'foo' });
      assert.deepEqual(await parsed({ password: '' }, 'user', id), { [`user${id}`]: {} });
      assert.deepEqual(await parsed({ password: '', ':confirm:password': '' }, 'user', id), { [`user${id}`]: {} });
    });
  });

  describe('Boolean', () => {
    it('leaves out empty values and refuses two values', async () => {
      assert.deepEqual(await parsed({ boolean: '' }), { test: {} });
      assert.deepEqual(await parsed({ boolean: ' ' }), { test: {} });
      assert.deepEqual(await problems({ boolean: ['', ''] }), ['You have submitted more than one value for the boolean property']);
    });

    it('reads yes as true and anything else as false', async () => {
      assert.deepEqual(await parsed({ boolean: 'yes' }), { test: { boolean: true } });
      assert.deepEqual(await parsed({ boolean: 'a\r\nb\r\n' }), { test: { boolean: false } });
      const t = await create('test', { boolean: true });
      assert.deepEqual(await parsed({ boolean: 'yes' }, 'test', t), { [`test${t}`]: {} });
      const f = await create('test', { boolean: false });
      assert.deepEqual(await parsed({ boolean: 'no' }, 'test', f), { [`test${f}`]: {} });
    });

    it('unsets an existing value given empty', async () => {
      const f = await create('test', { boolean: false });
      assert.deepEqual(await parsed({ boolean: '' }, 'test', f), { [`test${f}`]: { boolean: null } });
      const t = await create('test', { boolean: true });
      assert.deepEqual(await parsed({ boolean: ' ' }, 'test', t), { [`test${t}`]: { boolean: null } });
    });

    it('counts "no" as supplied for @required', async () => {
      assert.deepEqual(await problems({ boolean: '', ':required': 'boolean' }), ['Required test property boolean not supplied']);
      assert.deepEqual(await parsed({ boolean: 'no', ':required': 'boolean' }), { test: { boolean: false } });
    });
  });

  for (const [prop, kind] of [
    ['number', 'Number'],
    ['intval', 'Integer'],
  ] as const) {
    describe(kind, () => {
      it('leaves out empty values and refuses two values', async () => {
        assert.deepEqual(await parsed({ [prop]: '' }), { test: {} });
        assert.deepEqual(await parsed({ [prop]: ' ' }), { test: {} });
        assert.deepEqual(await problems({ [prop]: ['', ''] }), [`You have submitted more than one value for the ${prop} property`]);
      });

      it('refuses text that is not a number', async () => {
        const noun = kind === 'Number' ? 'a number' : 'an integer';
        assert.deepEqual(await problems({ [prop]: 'hi, mum!' }), [`property ${prop}: 'hi, mum!' is not ${noun}`]);
      });

      it('sets numbers, zero included', async () => {
        assert.deepEqual(await parsed({ [prop]: '1' }), { test: { [prop]: 1 } });
        assert.deepEqual(await parsed({ [prop]: '0' }), { test: { [prop]: 0 } });
        assert.deepEqual(await parsed({ [prop]: '\n0\n' }), { test: { [prop]: 0 } });
      });

      it('changes only what differs from the stored number', async () => {
        const one = await create('test', { [prop]: 1 });
        assert.deepEqual(await parsed({ [prop]: '1' }, 'test', one), { [`test${one}`]: {} });
        assert.deepEqual(await parsed({ [prop]: '0' }, 'test', one), { [`test${one}`]: { [prop]: 0 } });
        const zero = await create('test', { [prop]: 0 });
        assert.deepEqual(await parsed({ [prop]: '0' }, 'test', zero), { [`test${zero}`]: {} });
        const none = await create('test', {});
        assert.deepEqual(await parsed({ [prop]: '0' }, 'test', none), { [`test${none}`]: { [prop]: 0 } });
        assert.deepEqual(await parsed({ [prop]: '1' }, 'test', none), { [`test${none}`]: { [prop]: 1 } });
      });

      it('unsets an existing value given empty', async () => {
        const zero = await create('test', { [prop]: 0 });
        assert.deepEqual(await parsed({ [prop]: '' }, 'test', zero), { [`test${zero}`]: { [prop]: null } });
        const one = await create('test', { [prop]: 1 });
        assert.deepEqual(await parsed({ [prop]: ' ' }, 'test', one), { [`test${one}`]: { [prop]: null } });
      });

      it('counts 0 as supplied for @required', async () => {
        assert.deepEqual(await problems({ [prop]: '', ':required': prop }), [`Required test property ${prop} not supplied`]);
        assert.deepEqual(await parsed({ [prop]: '0', ':required': prop }), { test: { [prop]: 0 } });
      });
    });
  }

  describe('Date', () => {
    it('leaves out empty values and refuses two values', async () => {
      assert.deepEqual(await parsed({ date: '' }), { test: {} });
      assert.deepEqual(await parsed({ date: ' ' }), { test: {} });
      assert.deepEqual(await problems({ date: ['', ''] }), ['You have submitted more than one value for the date property']);
    });

    it('refuses text that is no date', async () => {
      const found = await problems({ date: '12' });
      assert.equal(found.length, 1);
      assert.match(found[0]!, /^property date: '12' is an invalid date/);
      const required = await problems({ '@required': 'date', date: '12' });
      assert.equal(required.length, 1, 'a date given but refused is not also reported as missing');
      assert.match(required[0]!, /^property date: '12' is an invalid date/);
    });

    it('sets dates and leaves an equal one out', async () => {
      assert.deepEqual(await parsed({ date: '2003-01-01' }), { test: { date: DateTime.parse('2003-01-01') } });
      const id = await create('test', { date: DateTime.parse('2003-01-01') });
      assert.deepEqual(await parsed({ date: '2003-01-01' }, 'test', id), { [`test${id}`]: {} });
    });

    it('unsets an existing value given empty', async () => {
      const a = await create('test', { date: DateTime.now() });
      assert.deepEqual(await parsed({ date: '' }, 'test', a), { [`test${a}`]: { date: null } });
      const b = await create('test', { date: DateTime.parse('1970-01-01.00:00:00') });
      assert.deepEqual(await parsed({ date: ' ' }, 'test', b), { [`test${b}`]: { date: null } });
    });
  });

  describe('several items in one form', () => {
    it('describes new items of other classes with class-N@prop', async () => {
      assert.deepEqual(await parsed({ string: 'a', 'issue-1@title': 'b' }), { test: { string: 'a' }, 'issue-1': { title: 'b' } });
      const id = await create('test', {});
      assert.deepEqual(await parsed({ string: 'a', 'issue-1@title': 'b' }, 'test', id), { [`test${id}`]: { string: 'a' }, 'issue-1': { title: 'b' } });
    });

    it('edits other existing items with designator@prop', async () => {
      assert.deepEqual(await parsed({ [`user${tt.mary}@realname`]: 'Mary Contrary' }, 'issue'), {
        issue: {},
        [`user${tt.mary}`]: { realname: 'Mary Contrary' },
      });
    });

    it('links new items with @link@ and drops new items without values', async () => {
      const p = await parse({ string: 'a', 'issue-1@add@nosy': '1', 'issue-2@link@superseder': 'issue-1' });
      assert.deepEqual(shape(p), { test: { string: 'a' }, 'issue-1': { nosy: ['1'] } });
      assert.deepEqual(links(p), [['issue-2', 'superseder', ['issue-1']]]);
    });

    it('links several new messages into the context', async () => {
      const p = await parse({ 'msg-1@content': 'asdf', 'msg-2@content': 'qwer', '@link@messages': 'msg-1, msg-2' });
      assert.deepEqual(shape(p), { test: {}, 'msg-1': { content: 'asdf' }, 'msg-2': { content: 'qwer' } });
      assert.deepEqual(links(p), [['test', 'messages', ['msg-1', 'msg-2']]]);
    });

    it('refuses link values that are not designators', async () => {
      assert.deepEqual(await problems({ 'test-1@link@link': 'blah' }), ['link "test-1@link@link" value "blah" not a designator']);
      assert.deepEqual(await problems({ 'test-1@link@link': 'issue' }), ['link "test-1@link@link" value "issue" not a designator']);
    });

    it('refuses @link@ into properties that are no links', async () => {
      assert.deepEqual(await problems({ 'test-1@link@boolean': 'issue-1' }), ['test boolean is not a link or multilink property']);
      assert.deepEqual(await problems({ 'test-1@link@string': 'issue-1' }), ['test string is not a link or multilink property']);
    });

    it('reports every problem of the form together', async () => {
      assert.deepEqual(await problems({ number: 'x', status: 'nosuch', '@required': 'title' }, 'issue'), [
        "property status: 'nosuch' is not a status.",
        'Required issue property title not supplied',
      ]);
      assert.deepEqual(await problems({ number: 'x', intval: 'y', link: '' }), ["property number: 'x' is not a number", "property intval: 'y' is not an integer"]);
    });

    it('applies @required of another item to that item', async () => {
      assert.deepEqual(await problems({ '@required': 'issue-1@title', 'issue-1@priority': 'bug' }, 'test'), ['Required issue property title not supplied']);
    });
  });

  describe('@note and @file', () => {
    it('makes @note a new message by the user, dated now, linked into messages', async () => {
      const before = Date.now();
      const p = await parse({ ':note': 'spam' }, 'issue');
      const msg = shape(p)['msg-1']!;
      assert.deepEqual(shape(p), { issue: {}, 'msg-1': { content: 'spam', author: '1', date: msg.date } });
      assert.ok((msg.date as DateTime).epochMs >= before - 1000);
      assert.deepEqual(links(p), [['issue', 'messages', ['msg-1']]]);
    });

    it('makes :file a new file linked into files', async () => {
      const p = await parse({}, 'issue', null, [upload(':file', 'foo.txt', 'foo')]);
      assert.deepEqual(shape(p), { issue: {}, 'file-1': { content: Buffer.from('foo'), name: 'foo.txt', type: 'text/plain' } });
      assert.deepEqual(links(p), [['issue', 'files', ['file-1']]]);
    });

    it('links the files to the note as well when both are given', async () => {
      const p = await parse({ '@note': 'see the logs' }, 'issue', '1', [upload('@file', 'a.log', 'A'), upload('@file', 'b.log', 'B')]);
      assert.deepEqual(links(p), [
        ['issue1', 'messages', ['msg-1']],
        ['issue1', 'files', ['file-1']],
        ['issue1', 'files', ['file-2']],
        ['msg-1', 'files', ['file-1']],
        ['msg-1', 'files', ['file-2']],
      ]);
    });

    it('drops an empty note', async () => {
      const p = await parse({ '@note': '  ' }, 'issue');
      assert.deepEqual(shape(p), { issue: {} });
    });
  });
});
