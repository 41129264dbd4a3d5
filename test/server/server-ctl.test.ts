import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../support/paths.js';
import type { TestTracker } from '../support/trackers.js';
import { send } from './http-client.js';
import { SERVER_BIN, SERVER_USER, freePort, removeAll, runningAsRoot, scratchDir, serverHome, waitForFileText } from './server-process.js';

const SERVER_CTL = join(repoRoot, 'frontends', 'server-ctl');

/** Runs `frontends/server-ctl -c ini action`. */
function serverCtl(ini: string, action: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('sh', [SERVER_CTL, '-c', ini, action], { env: { ...process.env, ROUNDUP_SERVER: SERVER_BIN } }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('frontends/server-ctl: init-style control through the pidfile', function () {
  this.timeout(120000);
  let support: TestTracker;
  let scratch: string;

  before(async function () {
    support = await serverHome();
    scratch = scratchDir('rup-server-ctl-');
  });
  after(async function () {
    const pidfile = join(scratch, 'server.pid');
    try {
      process.kill(Number(readFileSync(pidfile, 'utf8')), 'SIGKILL');
    } catch {
      // Not running: nothing to clean up.
    }
    removeAll(scratch);
    await support?.cleanup();
  });

  it('starts, reports, reloads and stops the server', async function () {
    const port = await freePort();
    const ini = join(scratch, 'roundup-server.ini');
    const user = runningAsRoot() ? `user = ${SERVER_USER}\n` : '';
    writeFileSync(ini, `[main]\nport = ${port}\nmultiprocess = none\npidfile = server.pid\nlogfile = server.log\n${user}\n[trackers]\nsupport = ${support.home}\n`);

    assert.deepEqual(await serverCtl(ini, 'status'), { code: 3, stdout: 'roundup-server is not running\n', stderr: '' });
    const start = await serverCtl(ini, 'start');
    assert.equal(start.code, 0, start.stderr);
    const pid = Number(readFileSync(join(scratch, 'server.pid'), 'utf8'));
    assert.equal(start.stdout, `roundup-server started (pid ${pid})\n`);
    assert.equal((await send(port, '/support/')).status, 200);
    assert.deepEqual(await serverCtl(ini, 'status'), { code: 0, stdout: `roundup-server is running (pid ${pid})\n`, stderr: '' });
    assert.equal((await serverCtl(ini, 'start')).stdout, `roundup-server is already running (pid ${pid})\n`);
    assert.equal((await serverCtl(ini, 'reload')).stdout, `roundup-server (pid ${pid}) reloading\n`);
    await waitForFileText(join(scratch, 'server.log'), 'SIGHUP: configuration reloaded; trackers: support');
    assert.deepEqual(await serverCtl(ini, 'stop'), { code: 0, stdout: 'roundup-server stopped\n', stderr: '' });
    assert.throws(() => process.kill(pid, 0), /ESRCH/);
    assert.equal((await serverCtl(ini, 'status')).code, 3);
    assert.equal((await serverCtl(ini, 'stop')).stdout, 'roundup-server is not running\n');
  });

  it('reports a stale pidfile, and refuses a configuration without a pidfile', async function () {
    const stale = join(scratch, 'stale.ini');
    writeFileSync(stale, '[main]\npidfile = stale.pid\n');
    writeFileSync(join(scratch, 'stale.pid'), '999999999');
    assert.deepEqual(await serverCtl(stale, 'status'), { code: 1, stdout: `roundup-server is not running (stale pidfile ${join(scratch, 'stale.pid')})\n`, stderr: '' });
    const none = join(scratch, 'none.ini');
    writeFileSync(none, '[main]\nport = 8080\n');
    const refused = await serverCtl(none, 'start');
    assert.equal(refused.code, 1);
    assert.equal(refused.stderr, `${SERVER_CTL}: ${none} sets no [main] pidfile\n`);
  });
});
