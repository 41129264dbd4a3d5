import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { request as httpRequest, Agent } from 'node:http';
import { join } from 'node:path';
import type { TestTracker } from '../support/trackers.js';
import { userOf } from '../web/app-harness.js';
import { keepAliveConnection, send } from './http-client.js';
import { type ServerRun, removeAll, scratchDir, serverHome, serverUserArgs, startServer, startServerWithLog } from './server-process.js';
import { TrackerBrowser, issueTitles } from './tracker-client.js';

const ACCESS_LINE = /^(\S+) - - \[\d\d\/[A-Z][a-z]{2}\/\d{4} \d\d:\d\d:\d\d\] "([^"]*)" (\d{3}) (\d+|-) ([A-Za-z0-9]{22})$/;

/** The access lines the server wrote to standard error, parsed. */
function accessLines(stderr: string): Array<{ client: string; request: string; status: number }> {
  return stderr
    .split('\n')
    .map((line) => ACCESS_LINE.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ client: m[1]!, request: m[2]!, status: Number(m[3]) }));
}

describe('roundup-server: several trackers in one server process', function () {
  this.timeout(120000);
  let support: TestTracker;
  let sales: TestTracker;
  let scratch: string;
  let server: ServerRun & { port: number };

  before(async function () {
    support = await serverHome();
    sales = await serverHome({ template: 'minimal' });
    scratch = scratchDir();
    server = await startServer(['-t', 'none', '-p', '0', ...serverUserArgs(), `support=${support.home}`, `Sales=${sales.home}`]);
  });

  after(async function () {
    server?.kill();
    await server?.exited;
    removeAll(scratch);
    await support?.cleanup();
    await sales?.cleanup();
  });

  it('serves the index of trackers, the 301 for a missing slash and 404 for unknown trackers', async function () {
    const index = await send(server.port, '/');
    assert.equal(index.status, 200);
    assert.ok(index.body.includes('<li><a href="/sales/index">sales</a>'));
    assert.ok(index.body.includes('<li><a href="/support/index">support</a>'));
    const moved = await send(server.port, '/Support?x=1', { headers: { Host: 'bugs.example:8080' } });
    assert.equal(moved.status, 301);
    assert.equal(moved.headers.location, 'http://bugs.example:8080/Support/?x=1');
    assert.equal((await send(server.port, '/SALES/')).status, 200);
    assert.equal((await send(server.port, '/nosuch/')).status, 404);
    const icon = await send(server.port, '/favicon.ico');
    assert.equal(icon.status, 200);
    assert.equal(icon.headers['content-type'], 'image/x-icon');
  });

  it('logs each request as Roundup does: client, date, request line, status, size, trace id', async function () {
    await send(server.port, '/support/?@template=home');
    await server.waitFor(/"GET \/support\/\?@template=home HTTP\/1\.1" 200 \d+ \w{22}\n/, 'stderr');
    const line = accessLines(server.stderr).find((l) => l.request === 'GET /support/?@template=home HTTP/1.1');
    assert.deepEqual(line, { client: '127.0.0.1', request: 'GET /support/?@template=home HTTP/1.1', status: 200 });
  });

  it('takes a new issue posted through it into the tracker database', async function () {
    const browser = new TrackerBrowser(server.port, '/support/');
    const login = await browser.login('admin', 'admin');
    assert.equal(login.status, 302, login.body);
    assert.equal(userOf((await browser.get('')).body), 'admin');
    const created = await browser.post('issue', { '@action': 'new', title: 'Printer on fire', priority: 'urgent' });
    assert.equal(created.status, 302, created.body);
    assert.match(String(created.headers.location), /\/support\/issue1\?@ok_message=/);
    const page = await browser.get('issue1');
    assert.equal(page.status, 200);
    assert.ok(page.body.includes('Printer on fire'));
  });

  it('passes every method through to the tracker', async function () {
    const put = await send(server.port, '/support/issue1', { method: 'PUT', body: '{}' });
    assert.equal(put.status, 405);
    assert.equal(put.headers.allow, 'HEAD, GET, POST');
    const del = await send(server.port, '/sales/issue1', { method: 'DELETE' });
    assert.equal(del.status, 405);
  });

  it('keeps a keep-alive connection usable across requests', async function () {
    const connection = keepAliveConnection(server.port);
    const get = connection.get;
    const first = await get('/support/');
    const second = await get('/sales/');
    assert.equal(first.status, 200);
    assert.equal(second.status, 200);
    assert.equal(first.socket, second.socket);
    connection.close();
  });

  it('stops on SIGTERM with status 0, and the issue posted through it is in the database', async function () {
    server.kill('SIGTERM');
    const end = await server.exited;
    assert.equal(end.code, 0);
    assert.deepEqual(await issueTitles(support.home), ['Printer on fire']);
  });
});

describe('roundup-server: logging and header options', function () {
  this.timeout(120000);
  let support: TestTracker;
  const runs: ServerRun[] = [];
  let scratch: string;

  before(async function () {
    support = await serverHome({ settings: { web_http_auth: 'yes' } });
    scratch = scratchDir();
  });
  after(async function () {
    for (const run of runs) run.kill();
    await Promise.all(runs.map((run) => run.exited));
    removeAll(scratch);
    await support?.cleanup();
  });

  async function start(args: string[]): Promise<ServerRun & { port: number }> {
    const run = await startServer(['-t', 'none', '-p', '0', ...serverUserArgs(), ...args, `support=${support.home}`]);
    runs.push(run);
    return run;
  }

  it('-P logs the first X-Forwarded-For address with "+"; without -P the peer is logged', async function () {
    const plain = await start([]);
    await send(plain.port, '/support/?a', { headers: { 'X-Forwarded-For': '203.0.113.9, 10.0.0.1' } });
    await plain.waitFor(/"GET \/support\/\?a HTTP\/1\.1"/, 'stderr');
    assert.equal(accessLines(plain.stderr).find((l) => l.request.includes('?a'))!.client, '127.0.0.1');
    const proxied = await start(['-P']);
    await send(proxied.port, '/support/?b', { headers: { 'X-Forwarded-For': '203.0.113.9, 10.0.0.1' } });
    await proxied.waitFor(/"GET \/support\/\?b HTTP\/1\.1"/, 'stderr');
    assert.equal(accessLines(proxied.stderr).find((l) => l.request.includes('?b'))!.client, '203.0.113.9+');
  });

  it('serves the other trackers while one fails to load, whose 500 is logged with file and line', async function () {
    const broken = await serverHome();
    const detector = join(broken.home, 'detectors', 'broken.js');
    writeFileSync(detector, 'export function init(db) {\n  db.issue.audit("create", ;\n}\n');
    try {
      const run = await startServer(['-t', 'none', '-p', '0', ...serverUserArgs(), `support=${support.home}`, `broken=${broken.home}`]);
      runs.push(run);
      const failed = await send(run.port, '/broken/issue');
      assert.equal(failed.status, 500);
      assert.match(failed.body, /cannot be loaded/);
      assert.equal((await send(run.port, '/support/issue')).status, 200);
      const logged = await run.waitFor(/rup:server error: tracker "broken" \(.*\) cannot be loaded: (.*)\n/, 'stderr');
      assert.ok(logged[1]!.includes(`${detector}:2`), logged[1]);
    } finally {
      await broken.cleanup();
    }
  });

  it('-N logs the client\'s host name instead of its address', async function () {
    const run = await start(['-N']);
    await send(run.port, '/support/?n');
    await run.waitFor(/"GET \/support\/\?n HTTP\/1\.1"/, 'stderr');
    assert.equal(accessLines(run.stderr).find((l) => l.request.includes('?n'))!.client, 'localhost');
  });

  it('-t debug loads the tracker afresh for each request, so template changes show at once', async function () {
    const run = await start(['-t', 'debug']);
    const homeTemplate = join(support.home, 'html', 'home.html');
    const original = readFileSync(homeTemplate, 'utf8');
    try {
      assert.match((await send(run.port, '/support/')).body, />Welcome</);
      writeFileSync(homeTemplate, original.replace('Welcome', 'Welcome, debugger'));
      assert.match((await send(run.port, '/support/')).body, />Welcome, debugger</);
    } finally {
      writeFileSync(homeTemplate, original);
    }
  });

  it('-L writes the request lines through the roundup.http logger format (time, trace id, level)', async function () {
    const run = await start(['-L']);
    await send(run.port, '/support/?c');
    const match = await run.waitFor(/^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) ([A-Za-z0-9]{22}) INFO 127\.0\.0\.1 - - \[[^\]]+\] "GET \/support\/\?c HTTP\/1\.1" 200 \d+$/m, 'stderr');
    assert.ok(match);
  });

  it('-l writes the start-up line and the request lines to the file', async function () {
    const log = join(scratch, 'server.log');
    const run = await startServerWithLog(['-t', 'none', ...serverUserArgs(), `support=${support.home}`], log);
    runs.push(run);
    await send(run.port, '/support/?d');
    run.kill('SIGTERM');
    assert.equal((await run.exited).code, 0);
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    assert.equal(lines[0], `Roundup server started on localhost:${run.port}`);
    assert.match(lines[1]!, /^127\.0\.0\.1 - - \[.*\] "GET \/support\/\?d HTTP\/1\.1" 200 \d+ \w{22}$/);
    assert.equal(lines.length, 2);
  });

  it('-I hands a listed header to the tracker as a transport variable (REMOTE_USER with http_auth)', async function () {
    const without = await start([]);
    assert.equal(userOf((await send(without.port, '/support/', { headers: { Host: 'tracker.example', REMOTE_USER: 'admin' } })).body), 'anonymous');
    const withHeader = await start(['-I', 'REMOTE_USER']);
    assert.equal(userOf((await send(withHeader.port, '/support/', { headers: { Host: 'tracker.example', REMOTE_USER: 'admin' } })).body), 'admin');
  });

  it('-V HTTP/1.0 closes the connection after each response', async function () {
    const run = await start(['-V', 'HTTP/1.0']);
    const agent = new Agent({ keepAlive: true });
    const answer = await new Promise<{ connection: string | undefined }>((resolve, reject) => {
      httpRequest({ host: '127.0.0.1', port: run.port, path: '/support/', agent }, (res) => {
        res.resume();
        res.on('end', () => resolve({ connection: res.headers.connection }));
      })
        .on('error', reject)
        .end();
    });
    agent.destroy();
    assert.equal(answer.connection, 'close');
  });

  it('--base_path mounts the trackers below a path; --trusted_proxies lets a proxy name the host and scheme', async function () {
    const run = await start(['--base_path=/roundup', '--trusted_proxies=127.0.0.1']);
    assert.equal((await send(run.port, '/roundup/support/')).status, 200);
    assert.equal((await send(run.port, '/support/')).status, 404);
    const root = await send(run.port, '/roundup/');
    assert.equal(root.status, 302);
    assert.equal(root.headers.location, '/roundup/support/index');
    const moved = await send(run.port, '/roundup/support', { headers: { 'X-Forwarded-Host': 'bugs.example', 'X-Forwarded-Proto': 'https' } });
    assert.equal(moved.headers.location, 'https://bugs.example/roundup/support/');
    const untrusted = await start([]);
    const ignored = await send(untrusted.port, '/support', { headers: { Host: 'direct:1', 'X-Forwarded-Host': 'bugs.example', 'X-Forwarded-Proto': 'https' } });
    assert.equal(ignored.headers.location, 'http://direct:1/support/');
  });

  it('-i replaces the index page with a Nunjucks template', async function () {
    const template = join(scratch, 'index.html');
    writeFileSync(template, '<h1>Our trackers</h1>{% for name, t in trackers %}<a href="{{ t.url }}">{{ name }}</a>{% endfor %}');
    const run = await startServer(['-t', 'none', '-p', '0', ...serverUserArgs(), '-i', template, `support=${support.home}`, `other=${support.home}`]);
    runs.push(run);
    assert.equal((await send(run.port, '/')).body, '<h1>Our trackers</h1><a href="/other/">other</a><a href="/support/">support</a>');
  });
});
