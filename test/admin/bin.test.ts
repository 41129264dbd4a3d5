import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PACKAGE_VERSION } from '../../lib/util/package-info.js';
import { repoRoot } from '../support/paths.js';
import { useAdminTracker } from './admin-fixtures.js';

/** The compiled tree these tests belong to (dist/ in a normal build), which the launcher must run. */
const buildRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const launcherSource = join(repoRoot, 'bin', 'roundup-admin.js');

interface ProcessResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * A copy of the package layout the launcher expects (`bin/roundup-admin.js`
 * beside `dist/`), with `dist` pointing at the build under test.
 */
function launcherSandbox(withBuild = true): { launcher: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'rup-admin-bin-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  mkdirSync(join(dir, 'bin'));
  copyFileSync(launcherSource, join(dir, 'bin', 'roundup-admin.js'));
  if (withBuild) symlinkSync(buildRoot, join(dir, 'dist'));
  return { launcher: join(dir, 'bin', 'roundup-admin.js'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

function runProcess(launcher: string, args: string[], options: { env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<ProcessResult> {
  const env = { ...process.env, ...options.env };
  for (const name of ['TRACKER_HOME', 'ROUNDUP_LOGIN']) if (!options.env || !(name in options.env)) delete env[name];
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [launcher, ...args], { cwd: repoRoot, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => resolvePromise({ status, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

describe('bin/roundup-admin.js as a process', () => {
  const a = useAdminTracker('sqlite');
  let sandbox: ReturnType<typeof launcherSandbox>;
  let home: string;
  beforeEach(() => {
    sandbox = launcherSandbox();
    home = mkdtempSync(join(tmpdir(), 'rup-admin-home-'));
  });
  afterEach(() => {
    sandbox.remove();
    rmSync(home, { recursive: true, force: true });
  });

  it('is executable and starts with a node shebang', () => {
    assert.notEqual(statSync(launcherSource).mode & 0o111, 0);
    assert.ok(readFileSync(launcherSource, 'utf8').startsWith('#!/usr/bin/env node\n'));
  });

  it('prints the version with -v, exit 0', async () => {
    assert.deepEqual(await runProcess(sandbox.launcher, ['-v']), { status: 0, stdout: `${PACKAGE_VERSION} (node ${process.versions.node})\n`, stderr: '' });
  });

  it('exits 0 after a command and 1 after an error', async () => {
    assert.deepEqual(await runProcess(sandbox.launcher, ['-i', a.home, 'list', 'user']), { status: 0, stdout: '   1: admin\n   2: anonymous\n', stderr: '' });
    assert.deepEqual(await runProcess(sandbox.launcher, ['-i', a.home, 'xyzzy']), { status: 1, stdout: 'Unknown command "xyzzy" ("help commands" for a list)\n', stderr: '' });
    const usage = await runProcess(sandbox.launcher, ['-i', a.home, 'get', 'title', 'issue']);
    assert.equal(usage.status, 1);
    assert.ok(usage.stdout.startsWith('Error: "issue" not a node designator\n\nUsage: get property designator[,designator]*\n'));
  });

  it('takes the home from TRACKER_HOME and the user from ROUNDUP_LOGIN, and commits', async () => {
    const run = await runProcess(sandbox.launcher, ['create', 'issue', 'title=from the shell'], { env: { TRACKER_HOME: a.home, ROUNDUP_LOGIN: 'anonymous:pw' } });
    assert.deepEqual(run, { status: 0, stdout: '1\n', stderr: '' });
    const db = await a.open();
    assert.deepEqual([await db.getclass('issue').get('1', 'title'), await db.getclass('issue').get('1', 'creator')], ['from the shell', '2']);
  });

  it('runs an interactive session from stdin and commits when told to at the unsaved-changes question', async () => {
    const run = await runProcess(sandbox.launcher, ['-i', a.home], { input: 'create issue title="piped in"\nlist issue\nquit\ny\n', env: { HOME: home } });
    assert.deepEqual(run, {
      status: 0,
      stdout: `rup-tracker ${PACKAGE_VERSION} ready for input.\nType "help" for help.\nroundup> 1\nroundup>    1: piped in\nroundup> There are unsaved changes. Commit them (y/N)? `,
      stderr: '',
    });
    const db = await a.open();
    assert.equal(await db.getclass('issue').get('1', 'title'), 'piped in');
  });

  it('leaves changes uncommitted when input ends, and keeps no history for piped input', async () => {
    const run = await runProcess(sandbox.launcher, ['-i', a.home], { input: 'create issue title=lost\n', env: { HOME: home } });
    assert.equal(run.status, 0);
    assert.ok(run.stdout.endsWith('roundup> 1\nroundup> exit...\nThere are unsaved changes. Commit them (y/N)? '));
    const db = await a.open();
    assert.deepEqual(await db.getclass('issue').list(), []);
    assert.throws(() => statSync(join(home, '.roundup_admin_history')), { code: 'ENOENT' });
  });

  it('asks for the tracker home on stdin', async () => {
    const run = await runProcess(sandbox.launcher, ['list', 'user'], { input: `${a.home}\n` });
    assert.deepEqual(run, { status: 0, stdout: 'Enter tracker home:    1: admin\n   2: anonymous\n', stderr: '' });
  });

  it('says so when the program is not built', async () => {
    const bare = launcherSandbox(false);
    try {
      assert.deepEqual(await runProcess(bare.launcher, ['-v']), { status: 1, stdout: '', stderr: 'roundup-admin: the program is not built yet; run "npm run build" first.\n' });
    } finally {
      bare.remove();
    }
  });
});
