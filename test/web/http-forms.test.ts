import assert from 'node:assert/strict';
import type { DateTime } from '../../lib/hyperdb/date.js';
import { Interval } from '../../lib/hyperdb/interval.js';
import { lastActivityValue } from '../../lib/web/actions/edit.js';
import { BASE_URL, type Browser, type ServedTracker, errorsOf, send, serveTracker } from './app-harness.js';
import { plainText } from './templates/page-html.js';
import { type WebTestTracker, createWebTestTracker } from './web-fixtures.js';

/** The message of an error page (`_generic.error.html`, `_generic.404.html`). */
function errorPageMessage(html: string): string {
  return plainText(/<section class="error-page"[^>]*>\s*<h2[^>]*>[\s\S]*?<\/h2>\s*<p>([\s\S]*?)<\/p>/.exec(html)?.[1] ?? '');
}

describe('web forms, actions and files over HTTP (the app with its defaults)', function () {
  this.timeout(60000);
  let tt: WebTestTracker;
  let served: ServedTracker;

  async function counts(): Promise<Record<string, number>> {
    const check = await tt.admin();
    try {
      const out: Record<string, number> = {};
      for (const cn of ['issue', 'msg', 'file']) out[cn] = (await check.getclass(cn).list()).length;
      return out;
    } finally {
      await check.close();
    }
  }

  async function node(classname: string, id: string): Promise<Record<string, unknown>> {
    const check = await tt.admin();
    try {
      return await check.getclass(classname).getnode(id);
    } finally {
      await check.close();
    }
  }

  async function loggedIn(username: string, password: string): Promise<Browser> {
    const browser = served.browser();
    assert.equal((await browser.login(username, password)).status, 302);
    return browser;
  }

  describe('with the default settings and a small upload limit', () => {
    let chef: Browser;
    beforeEach(async () => {
      tt = await createWebTestTracker({ settings: { web_max_upload_size: '20000' } });
      const setup = await tt.admin();
      await setup.getclass('issue').create({ title: 'First', status: '1' });
      await setup.commit();
      await setup.close();
      served = await serveTracker(tt.tracker);
      chef = await loggedIn('Chef', 'chef-pw');
    });
    afterEach(async () => {
      await served.close();
      await tt.cleanup();
    });

    it('creates an issue with several @file uploads (302 to the new issue)', async () => {
      const reply = await chef.postMultipart('issue', {
        fields: [
          ['@action', 'new'],
          ['title', 'With files'],
          ['@note', 'See attached.'],
        ],
        files: [
          ['@file', 'one.log', 'text/plain', 'log one'],
          ['@file', 'two.html', 'text/html', '<b>two</b>'],
        ],
      });
      assert.equal(reply.status, 302);
      assert.equal(reply.headers.location, `${BASE_URL}issue2?@ok_message=file%201%20created%0Afile%202%20created%0Amsg%201%20created%0Aissue%202%20created&@template=index`);
      const issue = await node('issue', '2');
      assert.deepEqual(issue.files, ['1', '2']);
      assert.deepEqual(issue.messages, ['1']);
      assert.equal(issue.creator, tt.chef);
      assert.deepEqual((await node('msg', '1')).files, ['1', '2']);
      assert.equal((await node('file', '2')).type, 'text/html');
    });

    it('refuses an upload over the limit with 413 and stores nothing (declared length and chunked)', async () => {
      const big = 'x'.repeat(30000);
      for (const chunked of [false, true]) {
        const reply = await chef.postMultipart(
          'issue',
          { fields: [['@action', 'new'], ['title', 'Too big']], files: [['@file', 'big.txt', 'text/plain', big]] },
          { chunked },
        );
        assert.equal(reply.status, 413, `chunked: ${chunked}`);
        assert.equal(errorPageMessage(reply.body), 'The request is larger than this tracker accepts (20000 bytes). Nothing was stored.');
      }
      assert.deepEqual(await counts(), { issue: 1, msg: 0, file: 0 });
    });

    it('accepts an upload within the limit sent chunked', async () => {
      const reply = await chef.postMultipart('issue1', { fields: [['@action', 'edit']], files: [['@file', 'small.txt', 'text/plain', 'small']] }, { chunked: true });
      assert.equal(reply.status, 302);
      assert.deepEqual((await node('issue', '1')).files, ['1']);
    });

    it('refuses an edit made on an outdated page (409) and stores nothing', async () => {
      const activity = (await node('issue', '1')).activity as DateTime;
      const reply = await chef.post('issue1', { '@action': 'edit', title: 'Overwritten', '@lastactivity': lastActivityValue(activity.sub(Interval.parse('5m'))) });
      assert.equal(reply.status, 409);
      assert.deepEqual(errorsOf(reply.body), ['Edit Error: someone else has edited this issue (title). View their changes in a new window.']);
      assert.match(reply.body, /View <a target="_blank" href="issue1">their changes<\/a> in a new window\./);
      assert.equal((await node('issue', '1')).title, 'First');
    });

    it('refuses anonymous and a User without permission (403, the front page with the reason) and stores nothing', async () => {
      const anon = await served.browser().post('issue1', { '@action': 'edit', title: 'Defaced', '@note': 'spam' });
      assert.equal(anon.status, 403);
      assert.deepEqual(errorsOf(anon.body), ['You do not have permission to create msg']);
      const user = await chef.post(`user${tt.mary}`, { '@action': 'edit', realname: 'Not Mary' });
      assert.equal(user.status, 403);
      assert.deepEqual(errorsOf(user.body), ['You do not have permission to edit user']);
      assert.equal((await node('issue', '1')).title, 'First');
      assert.equal((await node('user', tt.mary)).realname, 'Contrary, Mary');
      assert.deepEqual(await counts(), { issue: 1, msg: 0, file: 0 });
    });

    it('refuses to edit a retired item (400) and stores nothing', async () => {
      const admin = await loggedIn('admin', 'admin');
      assert.equal((await admin.post('issue1', { '@action': 'retire' })).status, 302);
      const reply = await chef.post('issue1', { '@action': 'edit', title: 'Still here?' });
      assert.equal(reply.status, 400);
      assert.deepEqual(errorsOf(reply.body), ['Edit Error: Requested item is retired']);
      assert.equal((await node('issue', '1')).title, 'First');
    });

    it('answers an unknown action (400), class (404) and template (400) as Roundup does, storing nothing', async () => {
      const action = await chef.post('issue', { '@action': 'frobnicate', title: 'unknown action' });
      assert.equal(action.status, 400);
      assert.deepEqual(errorsOf(action.body), ['No such action "frobnicate"']);
      const cls = await chef.post('nosuchclass', { '@action': 'new', title: 'unknown class' });
      assert.equal(cls.status, 404);
      assert.equal(errorPageMessage(cls.body), 'There is no class called "nosuchclass"');
      const template = await chef.get('issue?@template=nosuch');
      assert.equal(template.status, 400);
      assert.match(template.body, /No template file exists for templating &quot;issue&quot; with template &quot;nosuch&quot;/);
      assert.deepEqual(await counts(), { issue: 1, msg: 0, file: 0 });
    });

    it('answers a property the class does not have with 400, storing nothing (a plain unknown field is ignored, as in Roundup)', async () => {
      const edit = await chef.post('issue1', { '@action': 'edit', title: 'Renamed', '@add@nosuchprop': '1' });
      assert.equal(edit.status, 400);
      assert.deepEqual(errorsOf(edit.body), ['Form Error: You have submitted a add action for the property "nosuchprop" which doesn\'t exist']);
      assert.equal((await node('issue', '1')).title, 'First');
      const column = await chef.get('issue?@columns=id,nosuch');
      assert.equal(column.status, 400);
      assert.match(column.body, /Unknown column &quot;nosuch&quot; for class issue/);
      const ignored = await chef.post('issue', { '@action': 'new', title: 'with a stray field', nosuchprop: 'x' });
      assert.equal(ignored.status, 302);
      assert.deepEqual(await counts(), { issue: 2, msg: 0, file: 0 });
    });

    it('never serves @@file/../config.ini', async () => {
      for (const path of ['/demo/@@file/../config.ini', '/demo/@@file/%2e%2e/config.ini', '/demo/_file/../config.ini']) {
        const reply = await send(served.port, 'GET', path, { headers: { Cookie: chef.cookie! } });
        assert.equal(reply.status, 404, path);
        assert.doesNotMatch(reply.body, /\[tracker\]|rdbms/, path);
      }
    });

    it('exports the index query as CSV, sent as text/csv; charset=utf-8 like Roundup', async () => {
      const reply = await chef.get('issue?@action=export_csv&@columns=id,title,status&@sort=id');
      assert.equal(reply.status, 200);
      assert.equal(reply.headers['content-type'], 'text/csv; charset=utf-8');
      assert.equal(reply.headers['content-disposition'], 'inline; filename=query.csv');
      assert.equal(reply.body, '"id","title","status"\r\n"1","First","unread"\r\n');
    });

    it('saves a search and redirects to its index', async () => {
      const reply = await chef.get('issue?@action=search&status=unread&@queryname=Unread&@columns=title');
      assert.equal(reply.status, 302);
      assert.equal(reply.headers.location, `${BASE_URL}issue?@dispname=Unread&@columns=title&@filter=status&@pagesize=50&@startwith=0&status=1`);
      const check = await tt.admin();
      try {
        const queries = check.getclass('query');
        const [id] = await queries.list();
        assert.equal(await queries.get(id!, 'name'), 'Unread');
        assert.equal(await queries.get(id!, 'creator'), tt.chef);
      } finally {
        await check.close();
      }
    });

    describe('downloads', () => {
      async function attach(name: string, type: string, content: string): Promise<string> {
        const setup = await tt.admin();
        const id = await setup.getclass('file').create({ name, type, content });
        await setup.commit();
        await setup.close();
        return id;
      }

      it('serves allow-listed types inline with nosniff, validators and ranges', async () => {
        const id = await attach('notes.txt', 'text/plain', 'hello world');
        const browser = served.browser();
        const full = await browser.get(`file${id}/notes.txt`);
        assert.equal(full.status, 200);
        assert.equal(full.body, 'hello world');
        assert.equal(full.headers['content-type'], 'text/plain');
        assert.equal(full.headers['x-content-type-options'], 'nosniff');
        assert.equal(full.headers['content-security-policy'], "script-src 'none'");
        assert.equal(full.headers['content-disposition'], 'inline; filename="notes.txt"');
        assert.equal(full.headers['accept-ranges'], 'bytes');
        const etag = full.headers.etag!;
        assert.match(etag, /^"[0-9a-f]+-b-[0-9a-f]+"$/);
        const lastModified = full.headers['last-modified']!;
        assert.equal(lastModified, new Date(Math.floor(((await node('file', id)).activity as DateTime).epochMs / 1000) * 1000).toUTCString());

        const head = await browser.request('HEAD', `file${id}/notes.txt`);
        assert.equal(head.status, 200);
        assert.equal(head.headers['content-length'], '11');
        assert.equal(head.body, '');

        assert.equal((await browser.get(`file${id}/notes.txt`, { 'If-None-Match': etag })).status, 304);
        assert.equal((await browser.get(`file${id}/notes.txt`, { 'If-Modified-Since': lastModified })).status, 304);
        assert.equal((await browser.get(`file${id}/notes.txt`, { 'If-Modified-Since': 'Thu, 01 Jan 1970 00:00:00 GMT' })).status, 200);

        const part = await browser.get(`file${id}/notes.txt`, { Range: 'bytes=6-' });
        assert.equal(part.status, 206);
        assert.equal(part.body, 'world');
        assert.equal(part.headers['content-range'], 'bytes 6-10/11');
        const outside = await browser.get(`file${id}/notes.txt`, { Range: 'bytes=20-30' });
        assert.equal(outside.status, 416);
        assert.equal(outside.headers['content-range'], 'bytes */11');
        assert.equal((await browser.get(`file${id}/notes.txt`, { Range: 'bytes=0-4', 'If-Range': '"stale"' })).body, 'hello world');
      });

      it('serves messages without a type as text/plain, and retired files still', async () => {
        const setup = await tt.admin();
        const msg = await setup.getclass('msg').create({ content: 'plain words' });
        const file = await setup.getclass('file').create({ name: 'old.png', type: 'image/png', content: 'PNG' });
        await setup.getclass('file').retire(file);
        await setup.commit();
        await setup.close();
        const m = await chef.get(`msg${msg}/`);
        assert.equal(m.headers['content-type'], 'text/plain');
        assert.equal(m.headers['content-disposition'], `inline; filename="msg${msg}"`);
        assert.equal(m.body, 'plain words');
        const f = await chef.get(`file${file}/old.png`);
        assert.equal(f.status, 200);
        assert.equal(f.headers['content-type'], 'image/png');
      });

      it('refuses to serve HTML as HTML without allow_html_file', async () => {
        const id = await attach('page.html', 'text/html', '<script>alert(1)</script>');
        const reply = await chef.get(`file${id}/page.html`);
        assert.equal(reply.status, 200);
        assert.equal(reply.headers['content-type'], 'application/octet-stream');
        assert.equal(reply.headers['content-disposition'], 'attachment; filename="page.html"');
        assert.equal(reply.headers['x-content-type-options'], 'nosniff');
      });

      it('refuses files the user may not view (403) and unknown ones (404)', async () => {
        const setup = await tt.admin();
        const secret = await setup.getclass('secret').create({ name: 'key.txt', type: 'text/plain', content: 'hunter2' });
        await setup.commit();
        await setup.close();
        const denied = await chef.get(`secret${secret}/key.txt`);
        assert.equal(denied.status, 403);
        assert.deepEqual(errorsOf(denied.body), ['You are not allowed to view this file.']);
        assert.doesNotMatch(denied.body, /hunter2/);
        assert.equal((await (await loggedIn('admin', 'admin')).get(`secret${secret}/key.txt`)).body, 'hunter2');
        assert.equal((await chef.get('file99/none.txt')).status, 404);
        assert.equal((await chef.get('issue1/content')).status, 404);
      });
    });
  });

  describe('with allow_html_file = yes', () => {
    before(async () => {
      tt = await createWebTestTracker({ settings: { web_allow_html_file: 'yes' } });
      served = await serveTracker(tt.tracker);
    });
    after(async () => {
      await served.close();
      await tt.cleanup();
    });

    it('serves uploaded HTML as text/html', async () => {
      const chef = await loggedIn('Chef', 'chef-pw');
      const created = await chef.postMultipart('file', { fields: [['@action', 'new'], ['name', 'page.html']], files: [['content', 'page.html', 'text/html', '<p>hi</p>']] });
      assert.equal(created.status, 302);
      assert.equal((await node('file', '1')).name, 'page.html');
      const reply = await chef.get('file1/page.html');
      assert.equal(reply.headers['content-type'], 'text/html');
      assert.equal(reply.headers['content-disposition'], 'inline; filename="page.html"');
      assert.equal(reply.body, '<p>hi</p>');
    });
  });
});
