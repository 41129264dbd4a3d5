import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type Server, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../support/paths.js';
import { type TestTracker, createTestTracker } from '../../support/trackers.js';
import { FastCgiTestClient, parseCgiResponse } from '../support/fastcgi-client.js';
import { startProcess } from '../support/web-servers.js';

/**
 * bin/roundup-fastcgi.js as a program: its usage errors and exit
 * statuses, the Unix socket it listens on, and the two ways it serves
 * (one tracker at SCRIPT_NAME, a tracker map below it), spoken to over
 * FastCGI.
 */

const BIN = join(repoRoot, 'bin', 'roundup-fastcgi.js');

function run(args: readonly string[], stdin: 'ignore' | 'pipe' = 'pipe'): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: [stdin, 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (t: string) => (stdout += t));
    child.stderr!.setEncoding('utf8').on('data', (t: string) => (stderr += t));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin?.end();
  });
}

const request = (scriptName: string, pathInfo: string): Record<string, string> => ({
  REQUEST_METHOD: 'GET',
  SCRIPT_NAME: scriptName,
  PATH_INFO: pathInfo,
  HTTP_HOST: 'tracker.example',
  SERVER_PORT: '80',
});

async function ask(socket: string, variables: Record<string, string>): Promise<ReturnType<typeof parseCgiResponse>> {
  const client = await FastCgiTestClient.connect(socket);
  client.request(1, variables);
  const answer = await client.answer(1);
  client.close();
  return parseCgiResponse(answer.stdout);
}

describe('roundup-fastcgi (bin/roundup-fastcgi.js)', function () {
  this.timeout(60000);
  let tracker: TestTracker;
  let dir: string;

  before(async () => {
    tracker = await createTestTracker({ settings: { tracker_web: 'http://tracker.example/app/' } });
    await tracker.tracker.close();
    dir = mkdtempSync(join(tmpdir(), 'rup-fcgi-cli-'));
  });

  after(async () => {
    await tracker?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints its usage with --help', async () => {
    const result = await run(['--help']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^Usage: roundup-fastcgi \[options\] <tracker home>/);
  });

  it('exits 2 with the usage for bad arguments', async () => {
    for (const args of [[], ['--socket', 'a', '--port', '1', tracker.home], ['--port', 'x', tracker.home], [`=${tracker.home}`], ['--bogus', tracker.home], [tracker.home, `a=${tracker.home}`]]) {
      const result = await run(args);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, /^roundup-fastcgi: .+\nUsage:/);
    }
    assert.match((await run([`=${tracker.home}`])).stderr, /Instances must be name=home \(got "=/);
  });

  it('exits 1 naming a tracker home that is missing or not a tracker', async () => {
    const missing = await run(['--socket', join(dir, 's'), join(dir, 'nowhere')]);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, `roundup-fastcgi: the tracker home ${join(dir, 'nowhere')} does not exist\n`);
    const notTracker = await run(['--socket', join(dir, 's'), `x=${dir}`]);
    assert.equal(notTracker.code, 1);
    assert.equal(notTracker.stderr, `roundup-fastcgi: ${dir} is not a tracker home (it has no config.ini)\n`);
  });

  it('exits 2 when standard input is not a listening socket and no address is given', async () => {
    const devNull = await run([tracker.home], 'ignore');
    assert.equal(devNull.code, 2);
    assert.match(devNull.stderr, /standard input is not a socket: give --socket or --port/);
    // Node hands a child its standard input as a connected socket pair.
    const connected = await run([tracker.home], 'pipe');
    assert.equal(connected.code, 2);
    assert.match(connected.stderr, /file descriptor 0 is a connected socket, not a listening one: give --socket or --port/);
  });

  it('exits 2 when its socket is in use by a live process, and when the path is not a socket', async () => {
    const path = join(dir, 'busy.sock');
    const other: Server = createServer();
    await new Promise<void>((resolve) => other.listen(path, resolve));
    try {
      const result = await run(['--socket', path, tracker.home]);
      assert.equal(result.code, 2);
      assert.equal(result.stderr, `roundup-fastcgi: Unable to bind to ${path}, socket already in use.\n`);
    } finally {
      await new Promise<void>((resolve) => other.close(() => resolve()));
    }
    const file = join(dir, 'plain-file');
    writeFileSync(file, '');
    assert.equal((await run(['--socket', file, tracker.home])).stderr, `roundup-fastcgi: ${file} exists and is not a socket\n`);
  });

  it('serves one tracker right at SCRIPT_NAME, replacing a socket file left behind', async () => {
    const socket = join(dir, 'single.sock');
    // A socket file whose process is gone.
    const gone = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(socket)}, () => process.exit(0))`]);
    await new Promise((resolve) => gone.on('close', resolve));
    const responder = await startProcess(process.execPath, [BIN, '--socket', socket, tracker.home], { ready: [{ path: socket }] });
    try {
      assert.match(responder.output(), new RegExp(`Roundup FastCGI responder started on ${socket}\n`));
      const page = await ask(socket, request('/app', '/issue'));
      assert.equal(page.status, '200 OK');
      assert.match(page.body, /<title>Issues – /);
      const moved = await ask(socket, request('/app', ''));
      assert.equal(moved.status, '301 Moved Permanently');
    } finally {
      await responder.stop();
    }
  });

  it('serves a tracker map below SCRIPT_NAME, and refuses a SCRIPT_NAME that changes with every URL', async () => {
    const socket = join(dir, 'map.sock');
    const responder = await startProcess(process.execPath, [BIN, '--socket', socket, `app=${tracker.home}`, `other=${tracker.home}`], { ready: [{ path: socket }] });
    try {
      const index = await ask(socket, request('/roundup', '/'));
      assert.equal(index.status, '200 OK');
      assert.ok(index.body.includes('<li><a href="/roundup/app/index">app</a>'), index.body);
      for (let i = 1; i < 16; i++) assert.equal((await ask(socket, request(`/whole/path/${i}`, ''))).status, '200 OK');
      const refused = await ask(socket, request('/whole/path/17', ''));
      assert.equal(refused.status, '500 Internal Server Error');
      assert.match(refused.body, /more than 16 different SCRIPT_NAMEs .*fastcgi_split_path_info/);
      assert.equal((await ask(socket, request('/roundup', '/nosuch/'))).status, '404 Not Found');
    } finally {
      await responder.stop();
    }
  });

  it('accepts TCP connections only from FCGI_WEB_SERVER_ADDRS', async () => {
    const responder = await startProcess(process.execPath, [BIN, '--port', '0', tracker.home], { ready: [], env: { ...process.env, FCGI_WEB_SERVER_ADDRS: '127.0.0.2' } });
    try {
      // The start-up line names the port (0 asks for a free one).
      let port = 0;
      for (let i = 0; i < 200 && !port; i++) {
        port = Number(/started on 127\.0\.0\.1:(\d+)/.exec(responder.output())?.[1] ?? 0);
        if (!port) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.ok(port > 0, responder.log());
      const { connect } = await import('node:net');
      const closedAtOnce = (localAddress: string): Promise<boolean> =>
        new Promise((resolve) => {
          const socket = connect({ host: '127.0.0.1', port, localAddress });
          socket.on('error', () => resolve(true));
          socket.on('close', () => resolve(true));
          socket.on('connect', () => {
            // A connection that is kept is still open after a GET_VALUES answer.
            socket.write(Buffer.from([1, 9, 0, 0, 0, 0, 0, 0]));
            socket.once('data', () => {
              socket.destroy();
              resolve(false);
            });
          });
        });
      assert.equal(await closedAtOnce('127.0.0.1'), true);
      assert.equal(await closedAtOnce('127.0.0.2'), false);
      assert.match(responder.output(), /refused a connection from 127\.0\.0\.1 \(not in FCGI_WEB_SERVER_ADDRS\)/);
    } finally {
      await responder.stop();
    }
  });
});
