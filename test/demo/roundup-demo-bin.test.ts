import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PACKAGE_VERSION } from '../../lib/util/package-info.js';
import { repoRoot } from '../support/paths.js';
import { freePort } from './demo-fixtures.js';

/** The compiled tree these tests belong to (dist/ in CI), whose lib/ the launcher must load. */
const buildRoot = dirname(dirname(dirname(fileURLToPath(import.meta.url))));

function fetchPage(port: number, path: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, type: String(res.headers['content-type']), body }));
    })
      .on('error', reject)
      .end();
  });
}

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  done: Promise<number | null>;
  /** Resolves once stdout holds `text`; rejects if the process ends first. */
  waitFor(text: string): Promise<void>;
}

describe('bin/roundup-demo.js', () => {
  let dir: string;
  let launcher: string;
  const children: ChildProcess[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rup-demo-bin-'));
    // The launcher as shipped, beside a dist/ that is the build under test.
    mkdirSync(join(dir, 'pkg', 'bin'), { recursive: true });
    copyFileSync(join(repoRoot, 'bin', 'roundup-demo.js'), join(dir, 'pkg', 'bin', 'roundup-demo.js'));
    writeFileSync(join(dir, 'pkg', 'package.json'), JSON.stringify({ type: 'module' }));
    symlinkSync(buildRoot, join(dir, 'pkg', 'dist'), 'dir');
    launcher = join(dir, 'pkg', 'bin', 'roundup-demo.js');
  });
  afterEach(() => {
    for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  function start(args: string[], input?: string, cwd = dir): Run {
    const child = spawn(process.execPath, [launcher, ...args], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    children.push(child);
    let out = '';
    let err = '';
    const waiters: Array<{ text: string; resolve: () => void }> = [];
    child.stdout!.setEncoding('utf8').on('data', (c: string) => {
      out += c;
      for (const w of [...waiters]) if (out.includes(w.text)) waiters.splice(waiters.indexOf(w), 1) && w.resolve();
    });
    child.stderr!.setEncoding('utf8').on('data', (c: string) => (err += c));
    const done = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    if (input !== undefined) child.stdin!.end(input);
    return {
      child,
      stdout: () => out,
      stderr: () => err,
      done,
      waitFor: (text) =>
        out.includes(text)
          ? Promise.resolve()
          : new Promise((resolve, reject) => {
              waiters.push({ text, resolve });
              void done.then((code) => reject(new Error(`roundup-demo ended (${code}) before printing "${text}"\n${out}\n${err}`)));
            }),
    };
  }

  it('prints its version with -V', async () => {
    // From the checkout, so a build compiled elsewhere still finds our package.json.
    const run = start(['-V'], undefined, repoRoot);
    assert.equal(await run.done, 0);
    assert.equal(run.stdout(), `rup-tracker version ${PACKAGE_VERSION} (roundup-demo compatible)\n`);
  });

  it('exits 2 with the usage for an unknown option', async () => {
    const run = start(['--frobnicate']);
    assert.equal(await run.done, 2);
    assert.match(run.stderr(), /^usage: roundup-demo \[-h\] /);
    assert.match(run.stderr(), /\nroundup-demo: error: unrecognized arguments: --frobnicate\n$/);
  });

  it('exits 1 and leaves a non-tracker directory alone when told to nuke it', async () => {
    const victim = join(dir, 'victim');
    mkdirSync(victim);
    writeFileSync(join(victim, 'notes.txt'), 'mine');
    const run = start(['-t', 'classic', victim, 'nuke']);
    assert.equal(await run.done, 1);
    assert.equal(run.stdout(), `Error: Refusing to nuke non-tracker directory:\n    ${victim}\n`);
    assert.equal(readFileSync(join(victim, 'notes.txt'), 'utf8'), 'mine');
  });

  it('asks for the directory and template on standard input', async () => {
    const run = start([], 'asked\nno-such-template\n');
    assert.equal(await run.done, 1);
    assert.match(run.stdout(), /^Enter directory path to create demo tracker \[\.\/demo\]: Enter tracker template to use \(one of \([^)]*\)\) \[classic\]: Unknown template: no-such-template\. Exiting\.\n$/);
    assert.equal(existsSync(join(dir, 'asked')), false);
  });

  it('serves the demo tracker over HTTP and stops on Ctrl-C', async () => {
    const port = await freePort();
    const run = start(['-t', 'classic', '-p', String(port), join(dir, 'demo')]);
    await run.waitFor('Server running - connect to:');
    assert.match(run.stdout(), new RegExp(`\\n {4}http://localhost:${port}/demo/\\n`));
    const page = await fetchPage(port, '/demo/');
    assert.equal(page.status, 200);
    assert.match(page.type, /^text\/html/);
    assert.match(page.body, /<html/i);
    run.child.kill('SIGINT');
    assert.equal(await run.done, 0);
  });

  it('npm start (lib/demo/start.js) creates ./demo with classic and sqlite without asking', async () => {
    const child = spawn(process.execPath, [join(buildRoot, 'lib', 'demo', 'start.js')], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let out = '';
    let err = '';
    child.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr!.setEncoding('utf8').on('data', (c: string) => (err += c));
    const done = new Promise<number | null>((resolve) => child.on('close', resolve));
    const serving = new Promise<void>((resolve) => child.stdout!.on('data', () => out.includes('Server running - connect to:') && resolve()));
    const home = join(dir, 'demo');
    await Promise.race([serving, done.then((code) => assert.fail(`npm start ended (${code}): ${out}${err}`))]);
    const port = Number(/http:\/\/localhost:(\d+)\/demo\//.exec(out)![1]);
    assert.equal((await fetchPage(port, '/demo/')).status, 200);
    assert.match(out, /1\. Log in as "demo"\/"demo" or "admin"\/"admin"\./);
    assert.match(out, /4\. Reset the tracker by running "npm start nuke"\./);
    child.kill('SIGINT');
    assert.equal(await done, 0);
    assert.doesNotMatch(out, /Enter /);
    assert.match(out, new RegExp(`Demo Tracker Home: ${home.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.match(readFileSync(join(home, 'TEMPLATE-INFO.txt'), 'utf8'), /^Name: classic-demo$/m);
    assert.match(readFileSync(join(home, 'config.ini'), 'utf8'), /^backend = sqlite$/m);
  });
});
