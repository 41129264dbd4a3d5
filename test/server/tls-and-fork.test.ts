import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import type { TestTracker } from '../support/trackers.js';
import { send } from './http-client.js';
import { type ServerRun, removeAll, scratchDir, serverHome, serverUserArgs, startServer } from './server-process.js';
import { TrackerBrowser, issueTitles } from './tracker-client.js';

/** The certificate a TLS server on `port` presents. */
function peerCertificate(port: number): Promise<X509Certificate> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      const raw = socket.getPeerX509Certificate();
      socket.destroy();
      if (raw) resolve(raw);
      else reject(new Error('no certificate'));
    });
    socket.on('error', reject);
  });
}

/** The pids of the child processes of `pid` (Linux /proc). */
function childrenOf(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).flatMap((task) =>
    readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8')
      .split(' ')
      .filter((word) => word.trim() !== '')
      .map(Number),
  );
}

describe('roundup-server: TLS and fork mode', function () {
  this.timeout(180000);
  let support: TestTracker;
  let scratch: string;
  const runs: ServerRun[] = [];

  before(async function () {
    support = await serverHome();
    scratch = scratchDir();
  });
  after(async function () {
    for (const run of runs) run.kill();
    await Promise.all(runs.map((run) => run.exited));
    removeAll(scratch);
    await support?.cleanup();
  });

  it('-s without -e serves HTTPS with a generated self-signed certificate (and says so)', async function () {
    const run = await startServer(['-t', 'none', '-p', '0', '-s', ...serverUserArgs(), `support=${support.home}`]);
    runs.push(run);
    assert.ok(run.stdout.startsWith('WARNING: generating temporary SSL certificate\n'));
    const cert = await peerCertificate(run.port);
    assert.match(cert.subject, /O=Roundup Dummy Certificate/);
    assert.equal(cert.issuer, cert.subject);
    const page = await send(run.port, '/support/', { tls: true });
    assert.equal(page.status, 200);
    const moved = await send(run.port, '/support', { tls: true, headers: { Host: 'secure.example' } });
    assert.equal(moved.headers.location, 'https://secure.example/support/');
    run.kill('SIGTERM');
    assert.equal((await run.exited).code, 0);
  });

  it('-s -e serves the key and certificate of the PEM file', async function () {
    const key = join(scratch, 'key.pem');
    const cert = join(scratch, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-keyout', key, '-out', cert, '-subj', '/CN=bugs.example'], { stdio: 'ignore' });
    const pem = join(scratch, 'server.pem');
    writeFileSync(pem, readFileSync(key, 'utf8') + readFileSync(cert, 'utf8'));
    const run = await startServer(['-t', 'none', '-p', '0', '--ssl=yes', `--pem=${pem}`, ...serverUserArgs(), `support=${support.home}`]);
    runs.push(run);
    assert.ok(!run.stdout.includes('WARNING'));
    const served = await peerCertificate(run.port);
    assert.equal(served.fingerprint256, new X509Certificate(readFileSync(cert)).fingerprint256);
    assert.equal((await send(run.port, '/support/', { tls: true })).status, 200);
  });

  it('-t fork -m 2 serves through two worker processes; a write lands; SIGHUP reaches every worker; SIGTERM stops them all', async function () {
    const ini = join(scratch, 'fork.ini');
    writeFileSync(ini, `[main]\nmultiprocess = fork\nmax_children = 2\n[trackers]\nsupport = ${support.home}\n`);
    const run = await startServer(['-C', ini, '-p', '0', ...serverUserArgs()]);
    runs.push(run);
    const workers = childrenOf(run.child.pid!);
    assert.equal(workers.length, Math.min(2, (await import('node:os')).availableParallelism()));
    const browser = new TrackerBrowser(run.port, '/support/');
    assert.equal((await browser.login('admin', 'admin')).status, 302);
    assert.equal((await browser.post('issue', { '@action': 'new', title: 'Made in fork mode' })).status, 302);
    writeFileSync(ini, `[main]\nmultiprocess = fork\nmax_children = 2\n[trackers]\nhelpdesk = ${support.home}\n`);
    run.kill('SIGHUP');
    await run.waitFor(/SIGHUP: configuration reloaded; trackers: helpdesk\n/, 'stderr');
    // Each fresh connection may go to another worker: all of them must have the new map.
    for (let i = 0; i < 6; i++) {
      assert.equal((await send(run.port, '/helpdesk/')).status, 200);
      assert.equal((await send(run.port, '/support/')).status, 404);
    }
    run.kill('SIGTERM');
    assert.equal((await run.exited).code, 0);
    for (const pid of workers) assert.throws(() => process.kill(pid, 0), /ESRCH/);
    assert.deepEqual(await issueTitles(support.home), ['Made in fork mode']);
  });
});
