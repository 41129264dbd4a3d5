import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { repoRoot } from '../support/paths.js';
import { type TestTracker, createTestTracker } from '../support/trackers.js';
import { userOf } from '../web/app-harness.js';
import { parseCgiResponse } from './support/fastcgi-client.js';

/**
 * frontends/roundup.cgi run as a web server runs a CGI program: a new
 * process with the request in its environment and standard input. These
 * cases need environments a web server in a test cannot easily produce
 * (HTTPS=on without TLS, several trackers, broken set-ups).
 */

const SCRIPT = join(repoRoot, 'frontends', 'roundup.cgi');

interface CgiRun {
  status: string;
  headers: Record<string, string>;
  body: string;
  stderr: string;
}

/** Runs the script with only `env` (plus a PATH to node) in its environment. */
function runScript(env: Record<string, string>, stdin = '', script = SCRIPT): Promise<CgiRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(script, [], { env: { PATH: `${dirname(process.execPath)}:/usr/bin:/bin`, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    child.on('error', reject);
    child.on('close', () => {
      try {
        resolve({ ...parseCgiResponse(Buffer.concat(out)), stderr });
      } catch (err) {
        reject(new Error(`${(err as Error).message}\nstderr: ${stderr}`));
      }
    });
    child.stdin.end(stdin);
  });
}

describe('frontends/roundup.cgi as a CGI process', function () {
  this.timeout(60000);
  let support: TestTracker;
  let sales: TestTracker;
  let scratch: string;
  const get = (pathInfo: string, extra: Record<string, string> = {}): Record<string, string> => ({
    REQUEST_METHOD: 'GET',
    SCRIPT_NAME: '/cgi-bin/roundup.cgi',
    PATH_INFO: pathInfo,
    HTTP_HOST: 'tracker.example',
    SERVER_PORT: '80',
    REMOTE_ADDR: '192.0.2.1',
    ...extra,
  });

  before(async () => {
    support = await createTestTracker({ settings: { tracker_web: 'https://tracker.example/cgi-bin/roundup.cgi/support/' } });
    await support.tracker.close();
    sales = await createTestTracker({ template: 'minimal', settings: { tracker_web: 'https://tracker.example/cgi-bin/roundup.cgi/sales/' } });
    await sales.tracker.close();
    scratch = mkdtempSync(join(tmpdir(), 'rup-cgi-script-'));
  });

  after(async () => {
    await support?.cleanup();
    await sales?.cleanup();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('redirects a tracker name without its slash to https when the web server says HTTPS=on', async () => {
    const run = await runScript(get('/support', { TRACKER_HOMES: `support=${support.home}`, HTTPS: 'on', QUERY_STRING: 'a=b' }));
    assert.equal(run.status, '301 Moved Permanently');
    assert.equal(run.headers.location, 'https://tracker.example/cgi-bin/roundup.cgi/support/?a=b');
  });

  it('lists the trackers on the index page, linked below SCRIPT_NAME', async () => {
    const run = await runScript(get('/', { TRACKER_HOMES: `support=${support.home}:sales=${sales.home}` }));
    assert.equal(run.status, '200 OK');
    assert.ok(
      run.body.includes(
        '<ol>\n<li><a href="/cgi-bin/roundup.cgi/sales/index">sales</a>\n<li><a href="/cgi-bin/roundup.cgi/support/index">support</a>\n</ol>',
      ),
      run.body,
    );
    assert.equal((await runScript(get('', { TRACKER_HOMES: `support=${support.home}:sales=${sales.home}` }))).status, '200 OK');
  });

  it('reads the older ROUNDUP_INSTANCE_HOMES, and logs the pairs it skips', async () => {
    const run = await runScript(get('/nosuch/', { ROUNDUP_INSTANCE_HOMES: `broken:support=${support.home}`, TRACKER_HOMES: `sales=${sales.home}` }));
    assert.equal(run.status, '404 Not Found');
    assert.match(run.stderr, /ROUNDUP_INSTANCE_HOMES: "broken" is not a name=home pair; skipped/);
    const served = await runScript(get('/support/', { ROUNDUP_INSTANCE_HOMES: `broken:support=${support.home}` }));
    assert.equal(served.status, '200 OK');
  });

  it('appends its errors to ROUNDUP_LOG when set', async () => {
    const log = join(scratch, 'roundup.log');
    const run = await runScript(get('/support/', { TRACKER_HOMES: `=nothing:support=${support.home}`, ROUNDUP_LOG: log }));
    assert.equal(run.status, '200 OK');
    assert.equal(run.stderr, '');
    assert.match(readFileSync(log, 'utf8'), /TRACKER_HOMES: "=nothing" is not a name=home pair; skipped\n$/);
  });

  it('logs in the user the web server authenticated (REMOTE_USER) when the tracker has http_auth on', async () => {
    const run = await runScript(get('/support/issue', { TRACKER_HOMES: `support=${support.home}`, REMOTE_USER: 'admin' }));
    assert.equal(run.status, '200 OK');
    assert.equal(userOf(run.body), 'admin');
    const forged = await runScript(get('/support/issue', { TRACKER_HOMES: `support=${support.home}`, HTTP_REMOTE_USER: 'admin' }));
    assert.equal(userOf(forged.body), 'anonymous');
  });

  it('reads the body of a POST from standard input, CONTENT_LENGTH bytes of it and no more', async () => {
    const body = '@action=login&__login_name=admin&__login_password=admin';
    const run = await runScript(
      get('/support/', {
        TRACKER_HOMES: `support=${support.home}`,
        REQUEST_METHOD: 'POST',
        CONTENT_TYPE: 'application/x-www-form-urlencoded',
        CONTENT_LENGTH: String(body.length),
        HTTP_ORIGIN: 'https://tracker.example',
        HTTP_REFERER: 'https://tracker.example/cgi-bin/roundup.cgi/support/',
      }),
      // Read past CONTENT_LENGTH, the password would be wrong.
      `${body}-beyond-the-length`,
    );
    assert.equal(run.status, '302 Found', run.body);
    assert.match(run.headers['set-cookie'] ?? '', /roundup_session_/);
  });

  it('answers 400 naming the problem when it is not run by a web server', async () => {
    const run = await runScript({ TRACKER_HOMES: `support=${support.home}` });
    assert.equal(run.status, '400 Bad Request');
    assert.match(run.body, /REQUEST_METHOD is not set/);
  });

  it('answers 500 naming the variable when no trackers are configured', async () => {
    const run = await runScript(get('/support/'));
    assert.equal(run.status, '500 Internal Server Error');
    assert.match(run.body, /No trackers are configured: set TRACKER_HOMES to name=home pairs separated by &#34;:&#34;/);
    assert.match(run.stderr, /No trackers are configured/);
  });

  it('answers 500 for a tracker home that is not a tracker, and logs why', async () => {
    const run = await runScript(get('/support/', { TRACKER_HOMES: `support=${scratch}` }));
    assert.equal(run.status, '500 Internal Server Error');
    assert.match(run.body, /cannot be loaded/);
    assert.match(run.stderr, /not a tracker home \(no config\.ini\)/);
  });

  it('finds the package through a symbolic link, and through RUP_PACKAGE for a copy', async () => {
    const link = join(scratch, 'linked.cgi');
    symlinkSync(SCRIPT, link);
    assert.equal((await runScript(get('/support', { TRACKER_HOMES: `support=${support.home}` }), '', link)).status, '301 Moved Permanently');
    const copy = join(scratch, 'copied.cgi');
    copyFileSync(SCRIPT, copy);
    const lost = await runScript(get('/support', { TRACKER_HOMES: `support=${support.home}` }), '', copy);
    assert.equal(lost.status, '500 Internal Server Error');
    assert.match(lost.body, /set RUP_PACKAGE to the rup-tracker package directory/);
    const found = await runScript(get('/support', { TRACKER_HOMES: `support=${support.home}`, RUP_PACKAGE: repoRoot }), '', copy);
    assert.equal(found.status, '301 Moved Permanently');
  });

  it('answers 500 naming NODE when the node program cannot be found', async () => {
    const run = await runScript(get('/support/', { TRACKER_HOMES: `support=${support.home}`, NODE: join(scratch, 'no-node-here') }));
    assert.equal(run.status, '500 Internal Server Error');
    assert.match(run.body, /cannot find the node program: set NODE to its path/);
    assert.ok(!existsSync(join(scratch, 'no-node-here')));
  });
});
