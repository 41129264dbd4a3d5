import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RupError } from '../../lib/errors.js';
import { BUILTIN_FAVICON } from '../../lib/server/favicon.js';
import type { ServerLogger } from '../../lib/server/server-logger.js';
import { type ServerHandler, type ServerHandlerConfig, createServerHandler } from '../../lib/server/tracker-router.js';
import { type TestTracker, createTestTracker } from '../support/trackers.js';
import { send } from './http-client.js';

/** A logger that keeps what it is given. */
function memoryLogger(): ServerLogger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, error: (m) => lines.push(`error: ${m}`), warn: (m) => lines.push(`warn: ${m}`), info: (m) => lines.push(`info: ${m}`) };
}

async function listen(handler: ServerHandler): Promise<{ port: number; server: Server }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, server };
}

describe('server/tracker-router: the multi-tracker handler', function () {
  let support: TestTracker;
  let sales: TestTracker;
  let scratch: string;
  const running: Array<{ server: Server; handler: ServerHandler }> = [];

  before(async function () {
    support = await createTestTracker();
    sales = await createTestTracker({ template: 'minimal' });
    // The router opens the homes itself.
    await support.tracker.close();
    await sales.tracker.close();
    scratch = mkdtempSync(join(tmpdir(), 'rup-router-'));
  });

  after(async function () {
    for (const { server, handler } of running) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await handler.close();
    }
    rmSync(scratch, { recursive: true, force: true });
    await support.cleanup();
    await sales.cleanup();
  });

  async function serve(config: Partial<ServerHandlerConfig> = {}): Promise<{ port: number; handler: ServerHandler; logger: ReturnType<typeof memoryLogger> }> {
    const logger = memoryLogger();
    const handler = createServerHandler({ trackers: { support: support.home, Sales: sales.home }, logger, ...config });
    const { port, server } = await listen(handler);
    running.push({ server, handler });
    return { port, handler, logger };
  }

  it('lists the trackers sorted by name on the index page', async function () {
    const { port } = await serve();
    const answer = await send(port, '/');
    assert.equal(answer.status, 200);
    assert.equal(answer.headers['content-type'], 'text/html; charset=utf-8');
    assert.match(answer.body, /<title>Roundup trackers index<\/title>/);
    assert.ok(answer.body.indexOf('<li><a href="/sales/index">sales</a>') < answer.body.indexOf('<li><a href="/support/index">support</a>'));
    assert.ok(answer.body.includes('<li><a href="/sales/index">sales</a>'));
  });

  it('redirects the root to the only tracker (302 to <name>/index)', async function () {
    const { port } = await serve({ trackers: { support: support.home } });
    const answer = await send(port, '/');
    assert.equal(answer.status, 302);
    assert.equal(answer.headers.location, '/support/index');
  });

  it('redirects a tracker name without its slash (301, query kept) and matches names case-insensitively', async function () {
    const { port } = await serve();
    const answer = await send(port, '/SUPPORT?@template=item', { headers: { Host: 'bugs.example:8080' } });
    assert.equal(answer.status, 301);
    assert.equal(answer.headers.location, 'http://bugs.example:8080/SUPPORT/?@template=item');
    const page = await send(port, '/Support/');
    assert.equal(page.status, 200);
    assert.match(page.body, /<html/i);
  });

  it('answers 404 for an unknown tracker and outside the trackers', async function () {
    const { port } = await serve();
    const unknown = await send(port, '/nosuch/issue1');
    assert.equal(unknown.status, 404);
    assert.match(unknown.body, /Not found: \/nosuch\/issue1/);
    assert.equal((await send(port, '/nosuch')).status, 404);
    assert.equal((await send(port, '/%E0%A4%A/')).status, 404);
  });

  it('serves the built-in favicon, or the configured file', async function () {
    const { port } = await serve();
    const builtin = await send(port, '/favicon.ico');
    assert.equal(builtin.status, 200);
    assert.equal(builtin.headers['content-type'], 'image/x-icon');
    assert.equal(builtin.headers['cache-control'], 'public, max-age=86400');
    assert.deepEqual(builtin.raw, BUILTIN_FAVICON);
    const file = join(scratch, 'icon.ico');
    writeFileSync(file, 'my icon');
    const custom = await serve({ favicon: file });
    assert.equal((await send(custom.port, '/favicon.ico')).body, 'my icon');
  });

  it('passes every method to the tracker (the tracker itself answers PUT with 405)', async function () {
    const { port } = await serve();
    const put = await send(port, '/support/issue', { method: 'PUT', body: 'x' });
    assert.equal(put.status, 405);
    assert.equal(put.headers.allow, 'HEAD, GET, POST');
    const head = await send(port, '/support/', { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.body, '');
  });

  it('serves under a base path given by the transport', async function () {
    const { port } = await serve({ basePath: '/cgi-bin/roundup.cgi' });
    const index = await send(port, '/cgi-bin/roundup.cgi');
    assert.equal(index.status, 200);
    assert.ok(index.body.includes('<a href="/cgi-bin/roundup.cgi/support/index">support</a>'));
    const redirect = await send(port, '/cgi-bin/roundup.cgi/support', { headers: { Host: 'h.example' } });
    assert.equal(redirect.headers.location, 'http://h.example/cgi-bin/roundup.cgi/support/');
    assert.equal((await send(port, '/cgi-bin/roundup.cgi/support/')).status, 200);
    assert.equal((await send(port, '/support/')).status, 404);
  });

  it('honours X-Forwarded-Proto and -Host only from a trusted proxy', async function () {
    const headers = { Host: 'internal:8080', 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'bugs.example' };
    const untrusted = await serve({ trustedProxies: ['10.0.0.0/8'] });
    assert.equal((await send(untrusted.port, '/support', { headers })).headers.location, 'http://internal:8080/support/');
    const trusted = await serve({ trustedProxies: ['127.0.0.1'] });
    assert.equal((await send(trusted.port, '/support', { headers })).headers.location, 'https://bugs.example/support/');
  });

  it('rejects a proxy entry that is not an address or network', function () {
    assert.throws(
      () => createServerHandler({ trackers: {}, trustedProxies: ['proxy.example'] }),
      (err: unknown) => err instanceof RupError && err.code === 'RUP_ERR_CONFIG' && /proxy\.example/.test(err.message),
    );
  });

  it('renders an index template with the trackers (autoescaped), and names the line of a broken one', async function () {
    const good = join(scratch, 'index.html');
    writeFileSync(good, '<ul>{% for name, t in trackers %}<li data-url="{{ t.url }}">{{ name }}</li>{% endfor %}</ul>{{ "<b>" }}');
    const { port } = await serve({ indexTemplate: good });
    assert.equal((await send(port, '/')).body, '<ul><li data-url="/sales/">sales</li><li data-url="/support/">support</li></ul>&lt;b&gt;');
    const bad = join(scratch, 'bad.html');
    writeFileSync(bad, '<ul>\n{% for name in trackers %}\n<li>{{ name }</li>\n');
    assert.throws(
      () => createServerHandler({ trackers: {}, indexTemplate: bad }),
      (err: unknown) => err instanceof RupError && err.code === 'RUP_ERR_TEMPLATE' && err.location.file === bad && err.location.line === 3,
    );
  });

  it('keeps serving the other trackers when one fails to load, and logs its file and line', async function () {
    const broken = await createTestTracker();
    await broken.tracker.close();
    const detector = join(broken.home, 'detectors', 'broken.js');
    writeFileSync(detector, 'export function init(db) {\n  const x = ;\n}\n');
    try {
      const { port, logger } = await serve({ trackers: { support: support.home, broken: broken.home } });
      const failed = await send(port, '/broken/');
      assert.equal(failed.status, 500);
      assert.match(failed.body, /The tracker &#34;broken&#34; cannot be loaded/);
      assert.doesNotMatch(failed.body, /detectors/);
      const logged = logger.lines.filter((line) => line.startsWith('error: tracker "broken"'));
      assert.equal(logged.length, 1);
      assert.ok(logged[0]!.includes(`${detector}:2`), logged[0]);
      assert.equal((await send(port, '/support/')).status, 200);
      assert.equal((await send(port, '/broken/')).status, 500);
      assert.equal(logger.lines.filter((line) => line.startsWith('error: tracker "broken"')).length, 1, 'the failure is kept, not retried per request');
    } finally {
      await broken.cleanup();
    }
  });

  it('switches to a new tracker map on reconfigure', async function () {
    const { port, handler } = await serve();
    assert.equal((await send(port, '/support/')).status, 200);
    handler.reconfigure({ trackers: { helpdesk: support.home } });
    assert.deepEqual(handler.trackerNames, ['helpdesk']);
    assert.equal((await send(port, '/support/')).status, 404);
    assert.equal((await send(port, '/helpdesk/')).status, 200);
    assert.throws(() => handler.reconfigure({ trackers: { 'a/b': support.home } }), /cannot be a tracker name/);
    assert.deepEqual(handler.trackerNames, ['helpdesk']);
  });
});
