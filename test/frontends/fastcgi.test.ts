import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../support/paths.js';
import type { TestTracker } from '../support/trackers.js';
import { issueTitles } from '../server/tracker-client.js';
import { Browser } from './support/browser.js';
import { type DeploymentSite, commonValues, deploymentSite, fileIssueAfterLogin } from './support/deployment.js';
import { renderExample } from './support/example-configs.js';
import { type ServerProcess, startLighttpd, startNginx, startProcess } from './support/web-servers.js';

/**
 * bin/roundup-fastcgi.js behind real web servers from Debian, with the
 * example configurations from frontends/ as shipped: stand-alone on a
 * Unix socket behind nginx (nginx-fastcgi.conf), and started by lighttpd
 * with the listening socket as its standard input (lighttpd-fastcgi.conf).
 */

const RESPONDER = join(repoRoot, 'bin', 'roundup-fastcgi.js');

/** Whether a process whose command line holds `marker` is running (Linux /proc). */
function processRunning(marker: string): boolean {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .some((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').includes(marker);
      } catch {
        return false;
      }
    });
}

describe('roundup-fastcgi behind nginx (nginx-fastcgi.conf)', function () {
  this.timeout(120000);
  let site: DeploymentSite;
  let dir: string;
  let tracker: TestTracker;
  let responder: ServerProcess;
  let web: ServerProcess;
  let origin: string;
  let trackerUrl: string;

  before(async function () {
    site = await deploymentSite(this, ['nginx'], { prefix: 'rup-fcgi-nginx-' });
    ({ dir, tracker, origin, trackerUrl } = site);
    const port = site.port;
    const socket = join(dir, 'roundup-fastcgi.socket');
    responder = await startProcess(process.execPath, [RESPONDER, '--socket', socket, `support=${tracker.home}`], { ready: [{ path: socket }] });
    web = await startNginx(dir, renderExample('nginx-fastcgi.conf', { ...commonValues(tracker.home), LISTEN: `127.0.0.1:${port}`, FASTCGI_SOCKET: socket }), [port]);
  });

  after(async function () {
    await web?.stop();
    await responder?.stop();
    await site?.remove();
  });

  afterEach(function () {
    if (this.currentTest?.state === 'failed') console.log(`${web?.log()}\n${responder?.log()}`);
  });

  it('serves a tracker page through the responder', async () => {
    const page = await new Browser().request(`${trackerUrl}issue`);
    assert.equal(page.status, 200, page.body);
    assert.match(String(page.headers.server), /^nginx/);
    assert.equal(page.headers['x-content-type-options'], 'nosniff');
    assert.match(page.body, /<title>Issues – /);
  });

  it('redirects the tracker name without its slash (301) with the host and port of the request', async () => {
    const moved = await new Browser().request(`${origin}/roundup/support`);
    assert.equal(moved.status, 301);
    assert.equal(moved.headers.location, trackerUrl);
    const unknown = await new Browser().request(`${origin}/roundup/nosuch/`);
    assert.equal(unknown.status, 404);
  });

  it('lets nginx serve @@file/ straight from the tracker html/ directory', async () => {
    const css = await new Browser().request(`${trackerUrl}@@file/style.css`);
    assert.equal(css.status, 200);
    assert.equal(css.body, readFileSync(join(tracker.home, 'html', 'style.css'), 'utf8'));
    assert.equal(css.headers['content-type'], 'text/css');
    assert.equal(css.headers['cache-control'], 'max-age=3600');
    // The tracker marks every answer of its own; this one never reached it.
    assert.equal(css.headers['content-security-policy'], undefined);
  });

  it('takes a new issue filed after logging in through the form into the tracker database', async () => {
    const created = await fileIssueAfterLogin(new Browser(), trackerUrl, 'Filed through nginx and FastCGI');
    assert.equal(created.status, 302, created.body);
    assert.ok(String(created.headers.location).startsWith(`${trackerUrl}issue1?@ok_message=`), String(created.headers.location));
    assert.deepEqual(await issueTitles(tracker.home), ['Filed through nginx and FastCGI']);
  });
});

describe('roundup-fastcgi started by lighttpd (lighttpd-fastcgi.conf)', function () {
  this.timeout(120000);
  let site: DeploymentSite;
  let dir: string;
  let tracker: TestTracker;
  let web: ServerProcess | null = null;
  let origin: string;
  let trackerUrl: string;

  before(async function () {
    site = await deploymentSite(this, ['lighttpd'], { prefix: 'rup-fcgi-lighttpd-' });
    ({ dir, tracker, origin, trackerUrl } = site);
    web = await startLighttpd(dir, renderExample('lighttpd-fastcgi.conf', { ...commonValues(tracker.home), LISTEN: `127.0.0.1:${site.port}`, RUNTIME_DIR: dir }), site.port);
  });

  after(async function () {
    await web?.stop();
    await site?.remove();
  });

  afterEach(function () {
    if (this.currentTest?.state === 'failed') console.log(web?.log());
  });

  it('serves a tracker page through the responder lighttpd started', async () => {
    const page = await new Browser().request(`${trackerUrl}issue`);
    assert.equal(page.status, 200, page.body);
    assert.match(page.body, /<title>Issues – /);
    assert.equal(processRunning(`roundup-fastcgi.js support=${tracker.home}`), true);
  });

  it('redirects the tracker name without its slash (301)', async () => {
    const moved = await new Browser().request(`${origin}/roundup/support?x=1`);
    assert.equal(moved.status, 301);
    assert.equal(moved.headers.location, `${trackerUrl}?x=1`);
  });

  it('takes a new issue filed after logging in through the form into the tracker database', async () => {
    const created = await fileIssueAfterLogin(new Browser(), trackerUrl, 'Filed through lighttpd and FastCGI');
    assert.equal(created.status, 302, created.body);
    assert.deepEqual(await issueTitles(tracker.home), ['Filed through lighttpd and FastCGI']);
  });

  it('ends with lighttpd: the responder stops when lighttpd stops', async () => {
    await web!.stop();
    web = null;
    for (let i = 0; i < 100 && processRunning(`roundup-fastcgi.js support=${tracker.home}`); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(processRunning(`roundup-fastcgi.js support=${tracker.home}`), false);
  });
});
