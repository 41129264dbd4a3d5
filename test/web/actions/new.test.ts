import assert from 'node:assert/strict';
import { isRupError } from '../../../lib/errors.js';
import type { Database } from '../../../lib/hyperdb/database.js';
import { newAction } from '../../../lib/web/actions/new.js';
import type { UploadedFile } from '../../../lib/web/web-types.js';
import { type WebTestTracker, createWebTestTracker, makeForm, upload, webRequest } from '../web-fixtures.js';
import { skipWithoutBackend } from '../../support/trackers.js';

for (const backend of ['sqlite', 'postgresql'] as const) describe(`web action new (Roundup NewItemAction) [${backend}]`, function () {
  before(function () {
    return skipWithoutBackend(this, backend);
  });
  let tt: WebTestTracker;
  let db: Database;

  beforeEach(async () => {
    tt = await createWebTestTracker({ backend });
  });
  afterEach(async () => {
    await db?.close();
    await tt?.cleanup();
  });

  async function submit(userid: string, fields: Record<string, string | string[]>, options: { classname?: string; files?: UploadedFile[]; method?: string } = {}) {
    db = await tt.open(userid);
    const req = webRequest(tt, db, {
      form: makeForm(fields, options.files),
      method: options.method,
      target: { classname: options.classname ?? 'issue', template: 'item' },
    });
    const outcome = await newAction.run(req);
    await db.close();
    return { outcome, req };
  }

  async function counts(): Promise<Record<string, number>> {
    const check = await tt.admin();
    try {
      const out: Record<string, number> = {};
      for (const cn of ['issue', 'msg', 'file', 'user']) out[cn] = (await check.getclass(cn).list()).length;
      return out;
    } finally {
      await check.close();
    }
  }

  it('creates an issue with a note and two files, linked as Roundup links them, and redirects to it', async () => {
    const files = [upload('@file', 'a.log', 'first log', 'text/plain'), upload('@file', 'shot.png', 'PNG', 'image/png')];
    const { outcome } = await submit(tt.chef, { title: 'Crash on start', priority: 'bug', '@note': 'It crashes.' }, { files });
    assert.deepEqual(outcome, {
      kind: 'redirect',
      location:
        'http://tracker.example/demo/issue1?@ok_message=file%201%20created%0Afile%202%20created%0Amsg%201%20created%0Aissue%201%20created&@template=item',
    });
    const check = await tt.admin();
    try {
      const issue = await check.getclass('issue').getnode('1');
      assert.equal(issue.title, 'Crash on start');
      assert.equal(issue.priority, '3');
      assert.deepEqual(issue.messages, ['1']);
      assert.deepEqual(issue.files, ['1', '2']);
      assert.equal(issue.creator, tt.chef);
      const msg = await check.getclass('msg').getnode('1');
      assert.equal(msg.author, tt.chef);
      assert.deepEqual(msg.files, ['1', '2']);
      assert.equal(await check.getclass('msg').get('1', 'content'), 'It crashes.');
      assert.equal(await check.getclass('file').get('1', 'content'), 'first log');
      assert.equal(await check.getclass('file').get('1', 'name'), 'a.log');
      assert.equal(await check.getclass('file').get('2', 'type'), 'image/png');
      assert.deepEqual(await check.getclass('file').get('2', 'binary_content'), Buffer.from('PNG'));
    } finally {
      await check.close();
    }
  });

  it('refuses a GET with "Invalid request" and stores nothing', async () => {
    const { outcome, req } = await submit(tt.chef, { title: 'x' }, { method: 'GET' });
    assert.deepEqual(outcome, { kind: 'render', status: 400 });
    assert.deepEqual(req.messages.error, ['Invalid request']);
    assert.equal((await counts()).issue, 0);
  });

  it('refuses anonymous (no Create on issue) and stores nothing', async () => {
    await assert.rejects(
      submit('2', { title: 'spam', '@note': 'spam' }),
      (err) => isRupError(err, 'RUP_ERR_PERMISSION') && err.message === 'You do not have permission to create msg',
    );
    assert.deepEqual(await counts(), { issue: 0, msg: 0, file: 0, user: 4 });
  });

  it('shows form problems as "Error: ..." and stores nothing', async () => {
    const { outcome, req } = await submit(tt.chef, { '@required': 'title', priority: 'nosuch', '@note': 'hello' });
    assert.deepEqual(outcome, { kind: 'render', status: 400 });
    assert.deepEqual(req.messages.error, ["Error: property priority: 'nosuch' is not a priority.\nRequired issue property title not supplied"]);
    assert.deepEqual(await counts(), { issue: 0, msg: 0, file: 0, user: 4 });
  });

  it('rolls back everything when a detector refuses one of the items', async () => {
    const { outcome, req } = await submit('1', { username: 'newbie', roles: 'Nosuchrole', address: 'newbie@example.com' }, { classname: 'user' });
    assert.deepEqual(outcome, { kind: 'render', status: 400 });
    assert.deepEqual(req.messages.error, ['Error: Role "nosuchrole" does not exist']);
    assert.equal((await counts()).user, 4);
  });

  it('refuses links that loop', async () => {
    const { req } = await submit('1', { title: 'a', 'issue-1@title': 'b', 'issue-1@link@superseder': 'issue-2', 'issue-2@title': 'c', 'issue-2@link@superseder': 'issue-1' });
    assert.deepEqual(req.messages.error, ['Error: linking must not loop!']);
    assert.equal((await counts()).issue, 0);
  });

  it('links new items to each other in dependency order', async () => {
    const { outcome } = await submit('1', { title: 'parent', '@link@superseder': 'issue-1', 'issue-1@title': 'child' });
    assert.equal(outcome.kind, 'redirect');
    const check = await tt.admin();
    try {
      assert.equal(await check.getclass('issue').get('1', 'title'), 'child');
      assert.deepEqual(await check.getclass('issue').get('2', 'superseder'), ['1']);
    } finally {
      await check.close();
    }
  });

  it('follows __redirect_to inside the tracker, with the message appended', async () => {
    const { outcome } = await submit(tt.chef, { title: 'x', __redirect_to: 'http://tracker.example/demo/issue?@template=item' });
    assert.deepEqual(outcome, { kind: 'redirect', location: 'http://tracker.example/demo/issue?@template=item&@ok_message=issue%201%20created' });
  });

  it('refuses __redirect_to outside the tracker before storing anything', async () => {
    const { outcome, req } = await submit(tt.chef, { title: 'x', __redirect_to: 'http://evil.example/demo/' });
    assert.deepEqual(outcome, { kind: 'render', status: 400 });
    assert.deepEqual(req.messages.error, ['Error: Net location in http://evil.example/demo/ does not match base: tracker.example']);
    assert.equal((await counts()).issue, 0);
  });

  it('reports an empty form instead of creating nothing silently', async () => {
    const { outcome, req } = await submit(tt.chef, { title: '' });
    assert.deepEqual(outcome, { kind: 'render', status: 400 });
    assert.deepEqual(req.messages.error, ['Error: nothing to create: the form gives no value for a new issue']);
  });

  describe('create permissions per property (Roundup testCreatePermission)', () => {
    it('lets an admin create a user with a confirmed password', async () => {
      const { outcome } = await submit('1', { username: 'new_user', password: 'secret', '@confirm@password': 'secret', address: 'new_user@bork.bork' }, { classname: 'user' });
      assert.deepEqual(outcome, { kind: 'redirect', location: 'http://tracker.example/demo/user5?@ok_message=user%205%20created&@template=item' });
    });

    it('refuses a user without Create on user', async () => {
      await assert.rejects(
        submit(tt.mary, { username: 'new_user', password: 'secret', '@confirm@password': 'secret' }, { classname: 'user' }),
        (err) => isRupError(err, 'RUP_ERR_PERMISSION') && err.message === 'You do not have permission to create user',
      );
      assert.equal((await counts()).user, 4);
    });
  });
});

