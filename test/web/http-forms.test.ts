import assert from 'node:assert/strict';
import { request } from 'node:http';
import type { DateTime } from '../../lib/hyperdb/date.js';
import { Interval } from '../../lib/hyperdb/interval.js';
import { lastActivityValue } from '../../lib/web/actions/edit.js';
import { startHarness } from './http-harness.js';
import { type WebTestTracker, createWebTestTracker } from './web-fixtures.js';

interface Reply {
  status: number;
  headers: Headers;
  text: string;
  json(): Record<string, unknown>;
}

/** One request over loopback; redirects are not followed. */
async function send(url: string, init: { method?: string; user?: string; body?: FormData | URLSearchParams; headers?: Record<string, string> } = {}): Promise<Reply> {
  const res = await fetch(url, {
    method: init.method ?? (init.body ? 'POST' : 'GET'),
    body: init.body,
    redirect: 'manual',
    headers: { ...(init.user ? { 'X-Test-User': init.user } : {}), ...(init.headers ?? {}) },
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) as Record<string, unknown> };
}

/** A multipart body sent with node:http, declared length or chunked, so the size limit can be tested both ways. */
function rawMultipart(url: string, user: string, parts: Array<{ name: string; filename?: string; content: string }>, chunked: boolean): Promise<{ status: number; body: string }> {
  const boundary = 'harnessboundary42';
  const body = Buffer.from(
    parts
      .map((p) => `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"${p.filename ? `; filename="${p.filename}"\r\nContent-Type: text/plain` : ''}\r\n\r\n${p.content}\r\n`)
      .join('') + `--${boundary}--\r\n`,
  );
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      headers: {
        'Content-Type': `multipart/form-data; boundary=${boundary}`,
        'X-Test-User': user,
        ...(chunked ? { 'Transfer-Encoding': 'chunked' } : { 'Content-Length': String(body.length) }),
      },
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    if (chunked) {
      for (let i = 0; i < body.length; i += 4096) req.write(body.subarray(i, i + 4096));
      req.end();
    } else {
      req.end(body);
    }
  });
}

function form(fields: Record<string, string>): FormData {
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) fd.append(k, v);
  return fd;
}

describe('web forms, actions and files over HTTP', function () {
  let tt: WebTestTracker;
  let base: string;
  let close: () => Promise<void>;

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

  describe('with the default settings and a small upload limit', () => {
    beforeEach(async () => {
      tt = await createWebTestTracker({ settings: { web_max_upload_size: '20000' } });
      const setup = await tt.admin();
      await setup.getclass('issue').create({ title: 'First', status: '1' });
      await setup.commit();
      await setup.close();
      ({ url: base, close } = await startHarness(tt));
    });
    afterEach(async () => {
      await close();
      await tt.cleanup();
    });

    it('creates an issue with several @file uploads (302 to the new issue)', async () => {
      const fd = form({ '@action': 'new', title: 'With files', '@note': 'See attached.' });
      fd.append('@file', new Blob(['log one'], { type: 'text/plain' }), 'one.log');
      fd.append('@file', new Blob(['<b>two</b>'], { type: 'text/html' }), 'two.html');
      const reply = await send(`${base}issue`, { user: tt.chef, body: fd });
      assert.equal(reply.status, 302);
      assert.equal(
        reply.headers.get('location'),
        `${base}issue2?@ok_message=file%201%20created%0Afile%202%20created%0Amsg%201%20created%0Aissue%202%20created&@template=index`,
      );
      const issue = await node('issue', '2');
      assert.deepEqual(issue.files, ['1', '2']);
      assert.deepEqual(issue.messages, ['1']);
      assert.deepEqual((await node('msg', '1')).files, ['1', '2']);
      assert.equal((await node('file', '2')).type, 'text/html');
    });

    it('refuses an upload over the limit with 413 and stores nothing (declared length and chunked)', async () => {
      const big = 'x'.repeat(30000);
      for (const chunked of [false, true]) {
        const reply = await rawMultipart(`${base}issue`, tt.chef, [{ name: '@action', content: 'new' }, { name: 'title', content: 'Too big' }, { name: '@file', filename: 'big.txt', content: big }], chunked);
        assert.equal(reply.status, 413);
        assert.deepEqual(JSON.parse(reply.body), { error: 'The request is larger than this tracker accepts (20000 bytes). Nothing was stored.' });
      }
      assert.deepEqual(await counts(), { issue: 1, msg: 0, file: 0 });
    });

    it('accepts an upload within the limit sent chunked', async () => {
      const reply = await rawMultipart(`${base}issue1`, tt.chef, [{ name: '@action', content: 'edit' }, { name: '@file', filename: 'small.txt', content: 'small' }], true);
      assert.equal(reply.status, 302);
      assert.deepEqual((await node('issue', '1')).files, ['1']);
    });

    it('refuses an edit made on an outdated page (409) and stores nothing', async () => {
      const activity = (await node('issue', '1')).activity as DateTime;
      const reply = await send(`${base}issue1`, {
        user: tt.chef,
        body: new URLSearchParams({ '@action': 'edit', title: 'Overwritten', '@lastactivity': lastActivityValue(activity.sub(Interval.parse('5m'))) }),
      });
      assert.equal(reply.status, 409);
      assert.deepEqual(reply.json().errors, [
        'Edit Error: someone else has edited this issue (title). View <a target="_blank" href="issue1">their changes</a> in a new window.',
      ]);
      assert.equal((await node('issue', '1')).title, 'First');
    });

    it('refuses anonymous and a User without permission (403) and stores nothing', async () => {
      const anon = await send(`${base}issue1`, { body: new URLSearchParams({ '@action': 'edit', title: 'Defaced', '@note': 'spam' }) });
      assert.equal(anon.status, 403);
      assert.deepEqual(anon.json(), { error: 'You do not have permission to create msg' });
      const user = await send(`${base}user${tt.mary}`, { user: tt.chef, body: new URLSearchParams({ '@action': 'edit', realname: 'Not Mary' }) });
      assert.equal(user.status, 403);
      assert.deepEqual(user.json(), { error: 'You do not have permission to edit user' });
      assert.equal((await node('issue', '1')).title, 'First');
      assert.equal((await node('user', tt.mary)).realname, 'Contrary, Mary');
      assert.deepEqual(await counts(), { issue: 1, msg: 0, file: 0 });
    });

    it('refuses to edit a retired item and stores nothing', async () => {
      assert.equal((await send(`${base}issue1`, { user: '1', body: new URLSearchParams({ '@action': 'retire' }) })).status, 302);
      const reply = await send(`${base}issue1`, { user: tt.chef, body: new URLSearchParams({ '@action': 'edit', title: 'Still here?' }) });
      assert.equal(reply.status, 400);
      assert.deepEqual(reply.json().errors, ['Edit Error: Requested item is retired']);
      assert.equal((await node('issue', '1')).title, 'First');
    });

    it('exports the index query as CSV', async () => {
      const reply = await send(`${base}issue?@action=export_csv&@columns=id,title,status&@sort=id`, { user: tt.chef });
      assert.equal(reply.status, 200);
      assert.equal(reply.headers.get('content-type'), 'text/csv; charset=utf-8');
      assert.equal(reply.headers.get('content-disposition'), 'inline; filename=query.csv');
      assert.equal(reply.text, '"id","title","status"\r\n"1","First","unread"\r\n');
    });

    it('saves a search and redirects to its index', async () => {
      const reply = await send(`${base}issue?@action=search&status=unread&@queryname=Unread&@columns=title`, { user: tt.chef });
      assert.equal(reply.status, 302);
      assert.equal(reply.headers.get('location'), `${base}issue?@dispname=Unread&@columns=title&@filter=status&@pagesize=50&@startwith=0&status=1`);
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
        const full = await send(`${base}file${id}/notes.txt`);
        assert.equal(full.status, 200);
        assert.equal(full.text, 'hello world');
        assert.equal(full.headers.get('content-type'), 'text/plain');
        assert.equal(full.headers.get('x-content-type-options'), 'nosniff');
        assert.equal(full.headers.get('content-security-policy'), "script-src 'none'");
        assert.equal(full.headers.get('content-disposition'), 'inline; filename="notes.txt"');
        assert.equal(full.headers.get('accept-ranges'), 'bytes');
        const etag = full.headers.get('etag')!;
        assert.match(etag, /^"[0-9a-f]+-b-[0-9a-f]+"$/);
        const lastModified = full.headers.get('last-modified')!;
        assert.equal(lastModified, new Date(Math.floor(((await node('file', id)).activity as DateTime).epochMs / 1000) * 1000).toUTCString());

        const head = await send(`${base}file${id}/notes.txt`, { method: 'HEAD' });
        assert.equal(head.status, 200);
        assert.equal(head.headers.get('content-length'), '11');
        assert.equal(head.text, '');

        assert.equal((await send(`${base}file${id}/notes.txt`, { headers: { 'If-None-Match': etag } })).status, 304);
        assert.equal((await send(`${base}file${id}/notes.txt`, { headers: { 'If-Modified-Since': lastModified } })).status, 304);
        assert.equal((await send(`${base}file${id}/notes.txt`, { headers: { 'If-Modified-Since': 'Thu, 01 Jan 1970 00:00:00 GMT' } })).status, 200);

        const part = await send(`${base}file${id}/notes.txt`, { headers: { Range: 'bytes=6-' } });
        assert.equal(part.status, 206);
        assert.equal(part.text, 'world');
        assert.equal(part.headers.get('content-range'), 'bytes 6-10/11');
        const outside = await send(`${base}file${id}/notes.txt`, { headers: { Range: 'bytes=20-30' } });
        assert.equal(outside.status, 416);
        assert.equal(outside.headers.get('content-range'), 'bytes */11');
        assert.equal((await send(`${base}file${id}/notes.txt`, { headers: { Range: 'bytes=0-4', 'If-Range': '"stale"' } })).text, 'hello world');
      });

      it('serves messages without a type as text/plain, and retired files still', async () => {
        const setup = await tt.admin();
        const msg = await setup.getclass('msg').create({ content: 'plain words' });
        const file = await setup.getclass('file').create({ name: 'old.png', type: 'image/png', content: 'PNG' });
        await setup.getclass('file').retire(file);
        await setup.commit();
        await setup.close();
        const m = await send(`${base}msg${msg}/`);
        assert.equal(m.headers.get('content-type'), 'text/plain');
        assert.equal(m.headers.get('content-disposition'), `inline; filename="msg${msg}"`);
        assert.equal(m.text, 'plain words');
        const f = await send(`${base}file${file}/old.png`);
        assert.equal(f.status, 200);
        assert.equal(f.headers.get('content-type'), 'image/png');
      });

      it('refuses to serve HTML as HTML without allow_html_file', async () => {
        const id = await attach('page.html', 'text/html', '<script>alert(1)</script>');
        const reply = await send(`${base}file${id}/page.html`);
        assert.equal(reply.status, 200);
        assert.equal(reply.headers.get('content-type'), 'application/octet-stream');
        assert.equal(reply.headers.get('content-disposition'), 'attachment; filename="page.html"');
        assert.equal(reply.headers.get('x-content-type-options'), 'nosniff');
      });

      it('refuses files the user may not view (403) and unknown ones (404)', async () => {
        const setup = await tt.admin();
        const secret = await setup.getclass('secret').create({ name: 'key.txt', type: 'text/plain', content: 'hunter2' });
        await setup.commit();
        await setup.close();
        const denied = await send(`${base}secret${secret}/key.txt`, { user: tt.chef });
        assert.equal(denied.status, 403);
        assert.deepEqual(denied.json(), { error: 'You are not allowed to view this file.' });
        assert.equal((await send(`${base}secret${secret}/key.txt`, { user: '1' })).text, 'hunter2');
        assert.equal((await send(`${base}file99/none.txt`)).status, 404);
        assert.equal((await send(`${base}issue1/content`)).status, 404);
      });
    });
  });

  describe('with allow_html_file = yes', () => {
    before(async () => {
      tt = await createWebTestTracker({ settings: { web_allow_html_file: 'yes' } });
      ({ url: base, close } = await startHarness(tt));
    });
    after(async () => {
      await close();
      await tt.cleanup();
    });

    it('serves uploaded HTML as text/html', async () => {
      const fd = form({ '@action': 'new', name: 'page.html' });
      fd.append('content', new Blob(['<p>hi</p>'], { type: 'text/html' }), 'page.html');
      const created = await send(`${base}file`, { user: tt.chef, body: fd });
      assert.equal(created.status, 302);
      const reply = await send(`${base}file1/page.html`);
      assert.equal(reply.headers.get('content-type'), 'text/html');
      assert.equal(reply.headers.get('content-disposition'), 'inline; filename="page.html"');
      assert.equal(reply.text, '<p>hi</p>');
    });
  });
});
