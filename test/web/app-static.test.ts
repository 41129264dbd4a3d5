import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CoreServer, startCoreServer } from './core-harness.js';

describe('web/app: static files (@@file/, _file/)', function () {
  let s: CoreServer;
  before(async () => {
    s = await startCoreServer({
      prepare: (_tracker, home) => {
        writeFileSync(join(home, 'secret.txt'), 'TOP SECRET');
        symlinkSync(join(home, 'config.ini'), join(home, 'html', 'linked-config.ini'));
      },
    });
  });
  after(async () => s?.close());

  it('serves a file of the templates directory with its type, caching headers and the security headers', async () => {
    const r = await s.get('@@file/style.css');
    assert.equal(r.status, 200);
    assert.equal(r.body, 'body { color: black; }\n');
    assert.equal(r.headers['content-type'], 'text/css; charset=utf-8');
    assert.equal(r.headers['cache-control'], 'public, max-age=4838400');
    assert.match(String(r.headers.etag), /^"[0-9a-f]+-[0-9a-f]+-[0-9a-f]+"$/);
    assert.ok(r.headers['last-modified']);
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
    assert.equal(r.headers['x-frame-options'], 'DENY');
  });

  it('serves JavaScript with the two-week cache and the _file/ alias, and files in subdirectories', async () => {
    const js = await s.get('_file/app.js');
    assert.equal(js.status, 200);
    assert.equal(js.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal(js.headers['cache-control'], 'public, max-age=1209600');
    const inner = await s.get('@@file/sub/inner.css');
    assert.equal(inner.status, 200);
    assert.equal(inner.body, '.inner { color: red; }\n');
  });

  it('answers 304 to If-None-Match and If-Modified-Since, and 206 to a byte range', async () => {
    const first = await s.get('@@file/style.css');
    assert.equal((await s.get('@@file/style.css', { 'if-none-match': String(first.headers.etag) })).status, 304);
    assert.equal((await s.get('@@file/style.css', { 'if-modified-since': String(first.headers['last-modified']) })).status, 304);
    const part = await s.get('@@file/style.css', { range: 'bytes=0-3' });
    assert.equal(part.status, 206);
    assert.equal(part.body, 'body');
    assert.equal(part.headers['content-range'], 'bytes 0-3/23');
    const beyond = await s.get('@@file/style.css', { range: 'bytes=100-200' });
    assert.equal(beyond.status, 416);
    assert.equal(beyond.headers['content-range'], 'bytes */23');
  });

  it('never leaves the directory: traversal in any spelling is 404 with nothing of the file', async () => {
    const attempts = [
      '@@file/../config.ini',
      '@@file/../secret.txt',
      '@@file/%2e%2e/config.ini',
      '@@file/%2E%2E/secret.txt',
      '@@file/%2e%2e%2fconfig.ini',
      '@@file/..%2fsecret.txt',
      '@@file/..%5csecret.txt',
      '@@file/sub/../../config.ini',
      '@@file/sub/%2e%2e/%2e%2e/config.ini',
      '@@file//etc/passwd',
      '@@file/%2fetc%2fpasswd',
      '_file/../config.ini',
      '@@file/.',
      '@@file/',
      '@@file/style.css%00.txt',
      '@@file/%E0%A4%A',
    ];
    for (const path of attempts) {
      const r = await s.get(path);
      assert.equal(r.status, 404, path);
      assert.doesNotMatch(r.body, /TOP SECRET|\[tracker\]|rdbms|root:/, path);
    }
  });

  it('does not serve hidden files, directories, or symbolic links leading out of the directory', async () => {
    for (const path of ['@@file/.hidden.css', '@@file/sub', '@@file/linked-config.ini', '@@file/nosuch.css']) {
      const r = await s.get(path);
      assert.equal(r.status, 404, path);
      assert.doesNotMatch(r.body, /hidden|\[tracker\]/, path);
    }
  });

  it('refuses POST (405, Allow: HEAD, GET) and other methods (405, Allow: HEAD, GET, POST)', async () => {
    const post = await s.request('POST', '@@file/style.css', { body: '' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.allow, 'HEAD, GET');
    const put = await s.request('PUT', '@@file/style.css', { body: '' });
    assert.equal(put.status, 405);
    assert.equal(put.headers.allow, 'HEAD, GET, POST');
  });
});

describe('web/app: static_files directories', function () {
  let s: CoreServer;
  let extra: string;
  before(async () => {
    s = await startCoreServer({
      settings: { static_files: 'extra' },
      prepare: (_tracker, home) => {
        extra = join(home, 'extra');
        mkdirSync(extra);
        writeFileSync(join(extra, 'style.css'), 'from static_files\n');
        writeFileSync(join(extra, 'only-here.txt'), 'only here\n');
      },
    });
  });
  after(async () => s?.close());

  it('looks in static_files before the templates directory, then in the templates directory', async () => {
    assert.equal((await s.get('@@file/style.css')).body, 'from static_files\n');
    assert.equal((await s.get('@@file/only-here.txt')).body, 'only here\n');
    assert.equal((await s.get('@@file/app.js')).status, 200);
  });
});

describe('web/app: static_files ending in -', function () {
  let s: CoreServer;
  before(async () => {
    s = await startCoreServer({
      settings: { static_files: 'extra -' },
      prepare: (_tracker, home) => {
        mkdirSync(join(home, 'extra'));
        writeFileSync(join(home, 'extra', 'a.txt'), 'a\n');
      },
    });
  });
  after(async () => s?.close());

  it('does not search the templates directory after a - entry', async () => {
    assert.equal((await s.get('@@file/a.txt')).body, 'a\n');
    assert.equal((await s.get('@@file/style.css')).status, 404);
  });
});
