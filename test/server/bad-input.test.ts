import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import type { TestTracker } from '../support/trackers.js';
import { removeAll, runServerCommand, runningAsRoot, scratchDir, serverHome, serverUserArgs } from './server-process.js';

describe('roundup-server: bad input gets a clear message and exit status', function () {
  this.timeout(120000);
  let support: TestTracker;
  let scratch: string;

  before(async function () {
    support = await serverHome();
    scratch = scratchDir();
  });
  after(async function () {
    removeAll(scratch);
    await support?.cleanup();
  });

  const ini = (name: string, text: string): string => {
    const file = join(scratch, name);
    writeFileSync(file, text);
    return file;
  };

  it('a malformed INI line: status 1, file and line named', async function () {
    const file = ini('malformed.ini', `[main]\nport = 8080\nthis line is nonsense\n[trackers]\nsupport = ${support.home}\n`);
    const end = await runServerCommand(['-C', file, ...serverUserArgs()]);
    assert.equal(end.code, 1);
    assert.match(end.stderr, new RegExp(`^Error: ${file}:3: line is neither a \\[section\\] header`));
  });

  it('an unknown [main] option and a bad value: every problem listed, status 1', async function () {
    const file = ini('unknown.ini', `[main]\nprot = 8080\nport = eighty\nssl = maybe\n[server]\nx = 1\n[trackers]\nsupport = ${support.home}\n`);
    const end = await runServerCommand(['-C', file, ...serverUserArgs()]);
    assert.equal(end.code, 1);
    assert.equal(
      end.stderr,
      `Error: ${file}:2: unknown option "prot" in section [main]\n` +
        `${file}:3: [main] port: "eighty" is not a number\n` +
        `${file}:4: [main] ssl: "maybe" is not a boolean (yes or no)\n` +
        `${file}:5: unknown section [server] (roundup-server reads [main] and [trackers])\n`,
    );
  });

  it('a configuration file that does not exist: status 1', async function () {
    const end = await runServerCommand(['-C', join(scratch, 'nosuch.ini')]);
    assert.equal(end.code, 1);
    assert.equal(end.stderr, `Error: Cannot read the configuration file ${join(scratch, 'nosuch.ini')}: no such file\n`);
  });

  it('a port already in use: Roundup\'s message, status 2', async function () {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      for (const mode of ['none', 'fork']) {
        const end = await runServerCommand(['-t', mode, '-m', '2', '-n', '127.0.0.1', '-p', String(port), ...serverUserArgs(), `support=${support.home}`]);
        assert.equal(end.code, 2, `${mode}: ${end.stderr}`);
        assert.equal(end.stderr, `Unable to bind to port ${port}, port already in use.\n`, mode);
      }
    } finally {
      blocker.close();
    }
  });

  it('a tracker home that does not exist, or is not a tracker: status 1, each named', async function () {
    const notTracker = join(scratch, 'not-a-tracker');
    mkdirSync(notTracker);
    const end = await runServerCommand(['-p', '0', ...serverUserArgs(), `missing=${join(scratch, 'nowhere')}`, `plain=${notTracker}`, `support=${support.home}`]);
    assert.equal(end.code, 1);
    assert.equal(
      end.stderr,
      `Error: Tracker "missing": the tracker home ${join(scratch, 'nowhere')} does not exist\n` +
        `Error: Tracker "plain": ${notTracker} is not a tracker home: no config.ini and no schema.js\n`,
    );
  });

  it('a malformed name=home argument: status 2 with the usage', async function () {
    for (const arg of ['support', 'a=b=c', '=home']) {
      const end = await runServerCommand(['-p', '0', arg]);
      assert.equal(end.code, 2, arg);
      assert.ok(end.stderr.startsWith(`Instances must be name=home (got "${arg}")\nUsage: roundup-server [options] [name=tracker home]*\n`), end.stderr);
    }
  });

  it('an unknown option, or one without its value: status 2 with the usage', async function () {
    const unknown = await runServerCommand(['-Z']);
    assert.equal(unknown.code, 2);
    assert.ok(unknown.stderr.startsWith('option -Z not recognized\nUsage: roundup-server'));
    const long = await runServerCommand(['--colour=blue']);
    assert.equal(long.code, 2);
    assert.ok(long.stderr.startsWith('option --colour not recognized\nUsage:'));
    const missing = await runServerCommand(['-p']);
    assert.equal(missing.code, 2);
    assert.ok(missing.stderr.startsWith('option -p requires argument\nUsage:'));
    const bad = await runServerCommand(['--port=http', `support=${support.home}`]);
    assert.equal(bad.code, 1);
    assert.equal(bad.stderr, 'Error: option port: "http" is not a number\n');
  });

  it('no trackers at all: status 2 with the usage', async function () {
    const end = await runServerCommand(['-p', '0']);
    assert.equal(end.code, 2);
    assert.ok(end.stderr.startsWith('No trackers given: add name=home arguments, or a [trackers] section to the -C file.\nUsage:'));
  });

  it('an index template that does not compile: status 1 with its file and line', async function () {
    const template = join(scratch, 'index.html');
    writeFileSync(template, '<ul>\n{% for t in trackers %}\n{{ t.name }\n');
    const end = await runServerCommand(['-p', '0', '-i', template, ...serverUserArgs(), `support=${support.home}`]);
    assert.equal(end.code, 1);
    assert.match(end.stderr, new RegExp(`^Error: index template ${template}: .*\\[Line 3, Column \\d+\\]`));
  });

  it('as root: refuses to run without -u ("Can\'t run as root!"), and names an unknown user', async function () {
    if (!runningAsRoot()) this.skip();
    const root = await runServerCommand(['-p', '0', `support=${support.home}`]);
    assert.equal(root.code, 1);
    assert.equal(root.stderr, "Can't run as root!\n");
    const unknown = await runServerCommand(['-p', '0', '-u', 'no-such-user-here', `support=${support.home}`]);
    assert.equal(unknown.code, 1);
    assert.equal(unknown.stderr, "User no-such-user-here doesn't exist\n");
    const group = await runServerCommand(['-p', '0', '-u', 'nobody', '-g', 'no-such-group-here', `support=${support.home}`]);
    assert.equal(group.code, 1);
    assert.equal(group.stderr, "Group no-such-group-here doesn't exist\n");
  });

  it('a PEM file without a key: status 1, saying what is missing', async function () {
    const pem = join(scratch, 'cert-only.pem');
    writeFileSync(pem, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const end = await runServerCommand(['-p', '0', '-s', '-e', pem, ...serverUserArgs(), `support=${support.home}`]);
    assert.equal(end.code, 1);
    assert.equal(end.stderr, `Error: The PEM file ${pem} must hold both a private key (-----BEGIN PRIVATE KEY-----) and a certificate (-----BEGIN CERTIFICATE-----)\n`);
  });
});
