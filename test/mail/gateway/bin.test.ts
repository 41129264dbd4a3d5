import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PACKAGE_VERSION } from '../../../lib/util/package-info.js';
import { repoRoot } from '../../support/paths.js';
import { type RunningScript, startScript } from '../../support/scripts.js';
import { type GatewayTracker, fixtureMail, importedTracker } from './gateway-fixtures.js';

/** The compiled tree these tests belong to (dist/ in a normal build), which the launcher must run. */
const buildRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

interface ProcessResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** A copy of the package layout the launcher expects (`bin/roundup-mailgw.js` beside `dist/`), `dist` pointing at the build under test. */
function launcherSandbox(withBuild = true): { launcher: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'rup-mailgw-bin-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  mkdirSync(join(dir, 'bin'));
  copyFileSync(join(repoRoot, 'bin', 'roundup-mailgw.js'), join(dir, 'bin', 'roundup-mailgw.js'));
  if (withBuild) symlinkSync(buildRoot, join(dir, 'dist'));
  return { launcher: join(dir, 'bin', 'roundup-mailgw.js'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

function runLauncher(launcher: string, args: string[], input: Buffer, env: NodeJS.ProcessEnv = {}): Promise<ProcessResult> {
  const childEnv = { ...process.env, ...env };
  for (const name of ['ROUNDUP_INSTANCE', 'SENDMAILDEBUG']) if (!(name in env)) delete childEnv[name];
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [launcher, ...args], { cwd: repoRoot, env: childEnv, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => resolvePromise({ status, stdout, stderr }));
    child.stdin.end(input);
  });
}

describe('bin/roundup-mailgw.js as a process (pipe mode, as an MTA runs it)', () => {
  let sandbox: ReturnType<typeof launcherSandbox>;
  let t: GatewayTracker | null = null;
  let holder: RunningScript | null = null;
  beforeEach(() => {
    sandbox = launcherSandbox();
  });
  afterEach(async () => {
    holder?.stop();
    holder = null;
    await t?.cleanup();
    t = null;
    sandbox.remove();
  });

  const issues = () => t!.read(async (db) => (await db.getclass('issue').getnodeids()).length);

  it('stores a message read from standard input and exits 0', async () => {
    t = await importedTracker();
    assert.deepEqual(await runLauncher(sandbox.launcher, [t.home], fixtureMail('01-new-plain.eml')), { status: 0, stdout: '', stderr: '' });
    await t.read(async (db) => {
      assert.equal(await db.getclass('issue').get('13', 'title'), 'Printer on floor 3 eats paper');
      assert.equal(await db.getclass('msg').get('31', 'author'), '3');
    });
  });

  it('bounces through SENDMAILDEBUG and exits 0', async () => {
    t = await importedTracker();
    const debug = join(t.home, 'bounces.txt');
    assert.deepEqual(await runLauncher(sandbox.launcher, [t.home], fixtureMail('07-bad-property.eml'), { SENDMAILDEBUG: debug }), { status: 0, stdout: '', stderr: '' });
    const sent = readFileSync(debug, 'utf8');
    assert.match(sent, /^FROM: roundup-admin@example\.com\nTO: bob@example\.org\n/m);
    assert.match(sent, /^Subject: Failed issue tracker submission$/m);
    assert.equal(await issues(), 12);
  });

  it('exits 75 while another process holds the database lock past sqlite_timeout, and 0 on the retry', async () => {
    t = await importedTracker('sqlite', { rdbms_sqlite_timeout: '1' });
    holder = startScript('hold-write-lock', [t.home, 'held by another process']);
    await holder.waitForLine('locked');
    const locked = await runLauncher(sandbox.launcher, [t.home], fixtureMail('01-new-plain.eml'));
    assert.equal(locked.status, 75);
    assert.match(locked.stderr, /the database is locked by another process/);
    assert.equal(await issues(), 12, 'nothing stored');
    holder.send('commit');
    await holder.finished;
    assert.deepEqual(await runLauncher(sandbox.launcher, [t.home], fixtureMail('01-new-plain.eml')), { status: 0, stdout: '', stderr: '' });
    assert.equal(await issues(), 14);
  });

  it('prints its version with -v', async () => {
    assert.deepEqual(await runLauncher(sandbox.launcher, ['-v'], Buffer.alloc(0)), { status: 0, stdout: `${PACKAGE_VERSION} (node ${process.versions.node})\n`, stderr: '' });
  });

  it('asks the MTA to retry (75) when the program is not built', async () => {
    const unbuilt = launcherSandbox(false);
    try {
      assert.deepEqual(await runLauncher(unbuilt.launcher, ['/some/tracker'], fixtureMail('01-new-plain.eml')), {
        status: 75,
        stdout: '',
        stderr: 'roundup-mailgw: the program is not built yet; run "npm run build" first.\n',
      });
    } finally {
      unbuilt.remove();
    }
  });
});
