import assert from 'node:assert/strict';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { type Socket, connect } from 'node:net';
import { join } from 'node:path';
import type { TestTracker } from '../support/trackers.js';
import { csrfOf } from '../web/app-harness.js';
import { formBody, keepAliveConnection, send } from './http-client.js';
import { freePort, removeAll, runServerCommand, scratchDir, serverHome, serverUserArgs, startServer, waitForFileText } from './server-process.js';
import { TrackerBrowser, issueTitles } from './tracker-client.js';

/** Whether a process is alive. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Resolves once `pid` has ended (the test's timeout bounds the wait). */
async function ended(pid: number): Promise<void> {
  while (alive(pid)) await new Promise((resolve) => setTimeout(resolve, 50));
}

/** Resolves once connecting to `port` is refused (the server stopped accepting). */
async function refused(port: number): Promise<void> {
  for (;;) {
    const outcome = await new Promise<'open' | 'refused'>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve('open')));
      socket.once('error', () => resolve('refused'));
    });
    if (outcome === 'refused') return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Reads from `socket` until the text received matches `pattern`. */
function readUntil(socket: Socket, pattern: RegExp): Promise<string> {
  let text = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      text += chunk.toString('latin1');
      if (pattern.test(text)) {
        socket.off('data', onData);
        resolve(text);
      }
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.once('close', () => reject(new Error(`connection closed before ${pattern}: ${text}`)));
  });
}

describe('roundup-server: daemon, reload and graceful stop', function () {
  this.timeout(180000);
  let support: TestTracker;
  let sales: TestTracker;
  let scratch: string;
  const pids: number[] = [];

  before(async function () {
    support = await serverHome();
    sales = await serverHome({ template: 'minimal' });
    scratch = scratchDir();
  });
  after(async function () {
    for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGKILL');
    removeAll(scratch);
    await support?.cleanup();
    await sales?.cleanup();
  });

  it('finishes a request in flight on SIGTERM, refuses new connections, then exits 0', async function () {
    const server = await startServer(['-t', 'none', '-p', '0', ...serverUserArgs(), `support=${support.home}`]);
    pids.push(server.child.pid!);
    const browser = new TrackerBrowser(server.port, '/support/');
    assert.equal((await browser.login('admin', 'admin')).status, 302);
    const token = csrfOf((await browser.get('issue?@template=item')).body)!;
    const cookie = (browser as unknown as { cookie: string }).cookie;
    const body = formBody({ '@action': 'new', title: 'Sent while stopping', '@csrf': token });
    const socket = connect(server.port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    // Expect: 100-continue makes the server say when it has the request: from then on it is in flight.
    socket.write(
      `POST /support/issue HTTP/1.1\r\nHost: tracker.example\r\nCookie: ${cookie}\r\nReferer: http://tracker.example/support/issue\r\n` +
        `Origin: http://tracker.example\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\nExpect: 100-continue\r\n\r\n`,
    );
    await readUntil(socket, /^HTTP\/1\.1 100 Continue\r\n\r\n/);
    server.kill('SIGTERM');
    await refused(server.port);
    assert.equal(server.child.exitCode, null, 'the server waits for the request in flight');
    const response = readUntil(socket, /\r\n\r\n/);
    socket.write(body);
    const head = await response;
    assert.match(head, /^HTTP\/1\.1 302 /);
    assert.match(head, /\r\nConnection: close\r\n/i);
    assert.match(head, /\r\nLocation: [^\r]*\/support\/issue1\?/);
    socket.destroy();
    const end = await server.exited;
    assert.equal(end.code, 0);
    assert.deepEqual(await issueTitles(support.home), ['Sent while stopping']);
  });

  it('re-reads the configuration on SIGHUP without dropping a connection', async function () {
    const ini = join(scratch, 'roundup-server.ini');
    writeFileSync(ini, `[main]\nmultiprocess = none\n\n[trackers]\nsupport = ${support.home}\n`);
    const server = await startServer(['-C', ini, '-p', '0', ...serverUserArgs()]);
    pids.push(server.child.pid!);
    const connection = keepAliveConnection(server.port);
    const get = connection.get;
    const before = await get('/support/');
    assert.equal(before.status, 200);
    assert.equal((await get('/sales/')).status, 404);
    writeFileSync(ini, `[main]\nmultiprocess = none\n\n[trackers]\nsupport = ${support.home}\nsales = ${sales.home}\n`);
    server.kill('SIGHUP');
    await server.waitFor(/SIGHUP: configuration reloaded; trackers: support, sales\n/, 'stderr');
    const after = await get('/sales/');
    assert.equal(after.status, 200);
    assert.equal(after.socket, before.socket, 'the keep-alive connection survived the reload');
    assert.equal((await get('/support/')).status, 200);
    connection.close();
    writeFileSync(ini, `[main]\nprot = 80\n[trackers]\nsupport = ${support.home}\n`);
    server.kill('SIGHUP');
    await server.waitFor(/SIGHUP: configuration not reloaded: .*roundup-server\.ini:2: unknown option "prot" in section \[main\]/, 'stderr');
    assert.equal((await send(server.port, '/sales/')).status, 200, 'a bad file leaves the running configuration alone');
    server.kill('SIGTERM');
    assert.equal((await server.exited).code, 0);
  });

  it('-d runs in the background with a pidfile, reopens its log on SIGHUP and stops on SIGTERM', async function () {
    const pidfile = join(scratch, 'server.pid');
    const log = join(scratch, 'server.log');
    const port = await freePort();
    const launch = await runServerCommand(['-t', 'none', '-p', String(port), '-d', pidfile, '-l', log, ...serverUserArgs(), `support=${support.home}`]);
    assert.equal(launch.code, 0, launch.stderr);
    assert.equal(launch.stdout, '');
    const pid = Number(readFileSync(pidfile, 'utf8'));
    pids.push(pid);
    assert.ok(alive(pid));
    assert.notEqual(pid, process.pid);
    assert.equal(readFileSync(log, 'utf8'), `Roundup server started on localhost:${port}\n`);
    assert.equal((await send(port, '/support/?first')).status, 200);
    await waitForFileText(log, '"GET /support/?first HTTP/1.1" 200');
    renameSync(log, `${log}.1`);
    process.kill(pid, 'SIGHUP');
    // The reopened file exists as soon as the signal has been handled.
    await waitForFileText(log, '');
    assert.equal((await send(port, '/support/?second')).status, 200);
    await waitForFileText(log, '"GET /support/?second HTTP/1.1" 200');
    assert.ok(!readFileSync(`${log}.1`, 'utf8').includes('?second'));
    process.kill(pid, 'SIGTERM');
    await ended(pid);
    assert.equal((await runServerCommand(['-p', String(port), '-d', pidfile, ...serverUserArgs(), `support=${support.home}`])).stderr, 'If you specify a PID file you must use -l or -L.\n');
  });
});
