import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DemoExit, type DemoIO, type DemoOptions, demoMain } from '../../lib/demo/demo-command.js';
import type { TrackerAppFactory } from '../../lib/demo/demo-server.js';
import { installDemo } from '../../lib/demo/install-demo.js';
import { demoInstructions, runDemo } from '../../lib/demo/run-demo.js';
import type { RunningDemo } from '../../lib/demo/run-demo.js';
import { loadTrackerConfig } from '../../lib/tracker/config.js';
import { freePort } from './demo-fixtures.js';

/**
 * Stands in for lib/web/app's createTrackerApp, which these tests do not
 * exercise: it answers with the tracker name and the URL it was given, so
 * the tests see what the demo server hands to the tracker.
 */
const echoApp: TrackerAppFactory = (tracker) => ({
  callback: () => (req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end(`${tracker.name} ${req.url}`);
  },
});

function get(port: number, path: string): Promise<{ status: number; location?: string; body: string }> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, location: res.headers.location, body }));
    })
      .on('error', reject)
      .end();
  });
}

/** A DemoIO that records output and answers questions from a list (null once it runs out). */
function scriptedIO(answers: (string | null)[]): DemoIO & { lines: string[]; questions: string[] } {
  const lines: string[] = [];
  const questions: string[] = [];
  return {
    lines,
    questions,
    out: (line) => lines.push(line),
    ask: async (q) => {
      questions.push(q);
      return answers.length ? answers.shift()! : null;
    },
    script: 'roundup-demo',
    usage: 'usage: roundup-demo [...]',
  };
}

const base = (extra: Partial<DemoOptions> = {}): DemoOptions => ({ hostname: 'localhost', bindAddress: '127.0.0.1', nuke: false, ...extra });

describe('roundup-demo command', () => {
  let dir: string;
  let running: RunningDemo | null = null;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rup-demo-cmd-'));
  });
  afterEach(async () => {
    await running?.close();
    running = null;
    rmSync(dir, { recursive: true, force: true });
  });

  it('asks for the directory and template, creates the demo, serves it at /demo/ and prints Roundup\'s instructions', async () => {
    const home = join(dir, 'mine');
    const port = await freePort();
    const io = scriptedIO([home, 'minimal']);
    running = await demoMain(base({ port }), io, echoApp);
    assert.equal(io.questions[0], 'Enter directory path to create demo tracker [./demo]: ');
    assert.match(io.questions[1]!, /^Enter tracker template to use \(one of \((.+)\)\) \[classic\]: $/);
    assert.ok(/\((?:.*,)?classic(?:,.*)?\)/.test(io.questions[1]!) && io.questions[1]!.includes('minimal'));
    const url = `http://localhost:${port}/demo/`;
    assert.equal(running.url, url);
    assert.deepEqual(io.lines, [
      `Trying to set up web server on port ${port} ... should be ok.`,
      `Demo Tracker Home: ${home}`,
      demoInstructions(url, 'roundup-demo', home),
    ]);
    assert.match(io.lines[2]!, /^Server running - connect to:\n {4}http:\/\/localhost:\d+\/demo\/\n1\. Log in as "demo"\/"demo" or "admin"\/"admin"\.\n/);
    assert.match(io.lines[2]!, /4\. Reset the tracker by running "roundup-demo nuke"\./);

    assert.deepEqual(await get(port, '/demo/issue?@columns=title'), { status: 200, location: undefined, body: 'Roundup issue tracker /demo/issue?@columns=title' });
    assert.deepEqual(await get(port, '/demo/'), { status: 200, location: undefined, body: 'Roundup issue tracker /demo/' });
    assert.equal((await get(port, '/demo')).location, '/demo/');
    assert.equal((await get(port, '/')).status, 301);
    assert.equal((await get(port, '/elsewhere')).status, 404);
  });

  it('takes the defaults when there is no one to answer (classic in ./demo)', async () => {
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const io = scriptedIO([]);
      running = await demoMain(base({ port: await freePort() }), io, echoApp);
    } finally {
      process.chdir(cwd);
    }
    assert.match(readFileSync(join(dir, 'demo', 'TEMPLATE-INFO.txt'), 'utf8'), /^Name: classic-demo$/m);
  });

  it('runs an existing demo without asking or re-creating it', async () => {
    const home = join(dir, 'demo');
    const port = await freePort();
    await installDemo({ home, template: 'minimal', backend: 'sqlite', port });
    writeFileSync(join(home, 'marker'), 'kept');
    const io = scriptedIO([]);
    running = await demoMain(base({ directory: home }), io, echoApp);
    assert.deepEqual(io.questions, []);
    assert.equal(readFileSync(join(home, 'marker'), 'utf8'), 'kept');
    assert.equal((await get(port, '/demo/')).status, 200);
  });

  it('refuses a template or backend for an existing demo unless nuking', async () => {
    const home = join(dir, 'demo');
    await installDemo({ home, template: 'minimal', backend: 'sqlite', port: await freePort() });
    for (const extra of [{ template: 'classic' }, { backend: 'sqlite' as const }]) {
      await assert.rejects(demoMain(base({ directory: home, ...extra }), scriptedIO([]), echoApp), (err: unknown) => {
        assert.ok(err instanceof DemoExit);
        assert.equal(err.exitCode, 1);
        assert.equal(err.message, 'usage: roundup-demo [...]\nSpecifying backend or template is only allowed when\ncreating a tracker or with nuke.\n');
        return true;
      });
    }
  });

  it('nuke re-creates an existing demo with the template given', async () => {
    const home = join(dir, 'demo');
    await installDemo({ home, template: 'minimal', backend: 'sqlite', port: await freePort() });
    const io = scriptedIO([]);
    running = await demoMain(base({ directory: home, template: 'classic', nuke: true, port: await freePort() }), io, echoApp);
    assert.equal(io.lines[0], 'Nuking directory left from the previous demo instance.');
    assert.deepEqual(io.questions, []);
    assert.match(readFileSync(join(home, 'TEMPLATE-INFO.txt'), 'utf8'), /^Name: classic-demo$/m);
  });

  it('exits on an unknown template answer', async () => {
    await assert.rejects(demoMain(base({ directory: join(dir, 'demo') }), scriptedIO(['devel']), echoApp), (err: unknown) => {
      assert.ok(err instanceof DemoExit);
      assert.equal(err.message, 'Unknown template: devel. Exiting.');
      assert.equal(err.exitCode, 1);
      return true;
    });
  });

  it('exits when nuke names a directory that is not a tracker', async () => {
    const home = join(dir, 'docs');
    mkdirSync(home);
    writeFileSync(join(home, 'keep.txt'), 'x');
    await assert.rejects(demoMain(base({ directory: home, template: 'classic', nuke: true }), scriptedIO([]), echoApp), (err: unknown) => {
      assert.ok(err instanceof DemoExit);
      assert.equal(err.message, `Error: Refusing to nuke non-tracker directory:\n    ${home}`);
      assert.equal(err.exitCode, 1);
      return true;
    });
    assert.equal(readFileSync(join(home, 'keep.txt'), 'utf8'), 'x');
  });

  it('puts the -P port in the tracker URL and listens on the -p port', async () => {
    const home = join(dir, 'demo');
    const urlport = await freePort();
    const port = await freePort();
    running = await demoMain(base({ directory: home, template: 'minimal', port, urlport }), scriptedIO([]), echoApp);
    assert.equal(loadTrackerConfig(home).TRACKER_WEB, `http://localhost:${urlport}/demo/`);
    assert.equal((await get(port, '/demo/')).status, 200);
  });

  it('refuses to run a demo whose tracker URL has no port', async () => {
    const home = join(dir, 'demo');
    await installDemo({ home, template: 'minimal', backend: 'sqlite', port: await freePort() });
    const ini = join(home, 'config.ini');
    writeFileSync(ini, readFileSync(ini, 'utf8').replace(/^web = .*$/m, 'web = http://localhost/demo/'));
    await assert.rejects(runDemo(home, { script: 'roundup-demo', out: () => undefined, appFactory: echoApp }), {
      code: 'RUP_ERR_TRACKER',
      message: 'ERROR: Port not defined in Tracker Web URL: http://localhost/demo/\nSet the "web" option in section "[tracker]" to a URL with a port, or use "nuke".',
    });
  });

  it('reports a port it cannot listen on', async () => {
    const home = join(dir, 'demo');
    const port = await freePort();
    await installDemo({ home, template: 'minimal', backend: 'sqlite', port });
    const first = await runDemo(home, { script: 'roundup-demo', out: () => undefined, appFactory: echoApp });
    try {
      await assert.rejects(runDemo(home, { script: 'roundup-demo', out: () => undefined, appFactory: echoApp }), (err: Error & { code?: string }) => {
        assert.equal(err.code, 'RUP_ERR_TRACKER');
        assert.match(err.message, new RegExp(`^Cannot listen on localhost:${port}: .*EADDRINUSE`));
        return true;
      });
    } finally {
      await first.close();
    }
  });
});
