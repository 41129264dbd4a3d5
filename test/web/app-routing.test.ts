import assert from 'node:assert/strict';
import { type CoreServer, createIssues, rawRequest, startCoreServer } from './core-harness.js';
import { CONTENT_SECURITY_POLICY } from '../../lib/web/security-headers.js';

/** The text of the element with that id in a page (first match), or null. */
function byId(html: string, id: string): string | null {
  const m = new RegExp(`id="${id}"[^>]*>([\\s\\S]*?)</`).exec(html);
  return m ? m[1]! : null;
}

function assertSecurityHeaders(headers: Record<string, unknown>): void {
  assert.equal(headers['content-security-policy'], CONTENT_SECURITY_POLICY);
  assert.equal(headers['x-frame-options'], 'DENY');
  assert.equal(headers['referrer-policy'], 'same-origin');
  assert.equal(headers['x-content-type-options'], 'nosniff');
}

describe('web/app: URLs, templates and headers over HTTP', function () {
  let s: CoreServer;
  let issues: string[];
  before(async () => {
    s = await startCoreServer();
    issues = await createIssues(s.tracker, 3, (n) => ({ title: `Issue <${n}>`, status: String(n), priority: '2' }));
  });
  after(async () => s?.close());

  describe('the URL scheme', () => {
    it('renders home.html for /, /home and /index', async () => {
      for (const path of ['', 'home', 'index']) {
        const r = await s.get(path);
        assert.equal(r.status, 200, path);
        assert.equal(byId(r.body, 'home'), 'template=home.html view=home', path);
      }
    });

    it('redirects the base path without its slash to the base path (301)', async () => {
      const r = await rawRequest(s.port, 'GET', '/demo?x=1');
      assert.equal(r.status, 301);
      assert.equal(r.headers.location, '/demo/?x=1');
    });

    it('answers 404 outside the base path, with no tracker content', async () => {
      const r = await rawRequest(s.port, 'GET', '/other/issue');
      assert.equal(r.status, 404);
      assert.match(r.body, /There is no such page\./);
      assertSecurityHeaders(r.headers);
    });

    it('renders the class index with <class>.index.html', async () => {
      const r = await s.get('issue?@columns=id,title&@sort=id');
      assert.equal(r.status, 200);
      assert.equal(byId(r.body, 'summary'), 'rows=3 start=1 total=3 pagesize=50 startwith=0 char=@ dispname= search=');
      assert.match(r.body, /<td class="title">Issue &lt;1&gt;<\/td>/);
    });

    it('renders an item with <class>.item.html, with leading zeros of the id dropped', async () => {
      for (const path of [`issue${issues[0]}`, `issue00${issues[0]}`]) {
        const r = await s.get(path);
        assert.equal(r.status, 200, path);
        assert.match(r.body, /<h1>issue1<\/h1>/, path);
      }
    });

    it('falls back to _generic.<view>.html for classes without their own template', async () => {
      const r = await s.get('keyword', { 'x-test-user': 'admin' });
      assert.equal(r.status, 200);
      assert.match(r.body, /<h1>keyword index<\/h1>/);
      assert.match(r.body, /There are no items to show\./);
      const form = await s.get('keyword?@template=item', { 'x-test-user': 'admin' });
      assert.equal(form.status, 200);
      assert.match(form.body, /<input type="text" name="name" value="" size="30" id="field-name">/);
      assert.match(form.body, /<input type="hidden" name="@action" value="new">/);
    });

    it('picks @template and its :template spelling, home views and subdirectory views', async () => {
      assert.match((await s.get('?@template=classlist')).body, /<ul id="classlist">(<li>\w+<\/li>)*<li>issue<\/li>/);
      assert.equal(byId((await s.get(`issue${issues[0]}?@template=ok`)).body, 'which'), 'ok template');
      assert.equal(byId((await s.get(`issue${issues[0]}?:template=ok`)).body, 'which'), 'ok template');
      assert.equal(byId((await s.get('issue?@template=views/special')).body, 'which'), 'subdirectory template');
    });

    it('picks the error side of @template=ok|err when the request carries an error message', async () => {
      assert.equal(byId((await s.get('issue?@template=ok%7Cerr')).body, 'which'), 'ok template');
      assert.equal(byId((await s.get('issue?@template=ok%7Cerr&@error_message=bad')).body, 'which'), 'err template');
    });

    it('answers 400 with Roundup\'s message for an unknown template', async () => {
      const r = await s.get('issue?@template=nosuch');
      assert.equal(r.status, 400);
      assert.match(r.body, /No template file exists for templating &quot;issue&quot; with template &quot;nosuch&quot; \(neither &quot;issue.nosuch&quot; nor &quot;_generic.nosuch&quot;\)/);
    });

    it('answers 404 with _generic.404.html for an unknown item, an id above 2^31 and a class with a path', async () => {
      for (const path of ['issue99', 'issue2147483649', 'issue/', 'issue/x']) {
        const r = await s.get(path);
        assert.equal(r.status, 404, path);
        assert.match(r.body, /<h2 id="error-title">There is no such page<\/h2>/, path);
      }
      assert.match((await s.get('issue99')).body, /issue99 does not exist/);
    });

    it('answers 404 for an unknown class, and for rest and xmlrpc when no API is mounted', async () => {
      for (const path of ['nosuchclass', 'rest', 'rest/data/issue', 'xmlrpc']) {
        const r = await s.get(path);
        assert.equal(r.status, 404, path);
      }
      assert.match((await s.get('nosuchclass')).body, /There is no class called &quot;nosuchclass&quot;/);
    });

    it('answers 405 with Allow: HEAD, GET, POST for other methods', async () => {
      for (const method of ['PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
        const r = await s.request(method, 'issue');
        assert.equal(r.status, 405, method);
        assert.equal(r.headers.allow, 'HEAD, GET, POST', method);
        assertSecurityHeaders(r.headers);
      }
    });

    it('answers HEAD like GET without a body', async () => {
      const r = await s.request('HEAD', 'issue');
      assert.equal(r.status, 200);
      assert.equal(r.body, '');
      assert.equal(r.headers['content-type'], 'text/html; charset=utf-8');
    });
  });

  describe('messages', () => {
    it('shows @ok_message and @error_message (and the : spellings) escaped', async () => {
      const r = await s.get('?@ok_message=%3Cb%3Edone%3C/b%3E&:error_message=line1%0Aline2%20%26%20more');
      assert.match(r.body, /<p class="ok">&lt;b&gt;done&lt;\/b&gt;<\/p>/);
      assert.match(r.body, /<p class="error">line1<br>\nline2 &amp; more<\/p>/);
    });
  });

  describe('index parameters', () => {
    it('reads @columns, @sort, @group, @filter, @pagesize, @startwith, @search_text and @dispname', async () => {
      const r = await s.get('issue?@columns=id,status&@sort=-id&@group=priority&@filter=status&status=1,2&@pagesize=1&@startwith=1&@dispname=Mine');
      assert.equal(byId(r.body, 'summary'), 'rows=1 start=2 total=2 pagesize=1 startwith=1 char=@ dispname=Mine search=');
      assert.equal(byId(r.body, 'columns'), 'id,status');
      assert.equal(byId(r.body, 'sort'), '-id;');
      assert.match(r.body, /<td class="id">1<\/td><td class="status">unread<\/td>/);
      assert.match(r.body, /id="prev" href="issue\?@startwith=0&amp;@pagesize=1&amp;@columns=id,status&amp;@sort=-id&amp;@group=priority&amp;@filter=status&amp;status=1,2"/);
    });

    it('keeps the : spelling in the links and forms it makes (the template\'s own arguments stay as written)', async () => {
      const r = await s.get('issue?:columns=id&:pagesize=1&:sort=id');
      assert.equal(byId(r.body, 'summary'), 'rows=1 start=1 total=3 pagesize=1 startwith=0 char=: dispname= search=');
      assert.match(r.body, /id="next" href="issue\?@startwith=1&amp;@pagesize=1&amp;:columns=id&amp;:sort=id"/);
      assert.match(r.body, /<input type="hidden" name=":columns" value="id">\n<input type="hidden" name=":sort" value="id">/);
    });

    it('ignores @pagesize and @startwith that are not integers', async () => {
      const r = await s.get('issue?@columns=id&@pagesize=ten&@startwith=x');
      assert.equal(byId(r.body, 'summary'), 'rows=3 start=1 total=3 pagesize=50 startwith=0 char=@ dispname= search=');
    });

    it('answers 400 for an unknown column', async () => {
      const column = await s.get('issue?@columns=id,nosuch');
      assert.equal(column.status, 400);
      assert.match(column.body, /Unknown column &quot;nosuch&quot; for class issue/);
    });

    it('drops sort and group keys the user may not search (unknown ones included), as Roundup does', async () => {
      const r = await s.get('issue?@columns=id&@sort=nosuch,-id&@group=alsonot', { 'x-test-user': 'admin' });
      assert.equal(r.status, 200);
      assert.equal(byId(r.body, 'sort'), '-id;');
    });
  });

  describe('headers', () => {
    it('sends pages as HTML that is never cached, with the security headers', async () => {
      const r = await s.get('issue');
      assert.equal(r.headers['content-type'], 'text/html; charset=utf-8');
      assert.equal(r.headers['cache-control'], 'no-cache');
      assert.ok(Date.parse(String(r.headers.expires)) <= Date.now(), 'Expires is in the past');
      assertSecurityHeaders(r.headers);
    });

    it('sends the security headers on error pages and redirects too', async () => {
      assertSecurityHeaders((await s.get('issue99')).headers);
      assertSecurityHeaders((await s.get('issue?@template=nosuch')).headers);
      assertSecurityHeaders((await rawRequest(s.port, 'GET', '/demo')).headers);
    });
  });
});
