import assert from 'node:assert/strict';
import { type DemoArgs, demoUsage, parseDemoArgs } from '../../lib/demo/cli-args.js';

const TEMPLATES = ['classic', 'minimal'];
const parse = (...argv: string[]): DemoArgs => parseDemoArgs(argv, 'roundup-demo', TEMPLATES, 'v1');

function run(args: DemoArgs) {
  assert.equal(args.kind, 'run', JSON.stringify(args));
  return args.kind === 'run' ? args : assert.fail();
}

function usageError(args: DemoArgs): string {
  assert.equal(args.kind, 'error', JSON.stringify(args));
  return args.kind === 'error' ? args.message : assert.fail();
}

describe('roundup-demo command line', () => {
  it('has Roundup\'s defaults: bind 127.0.0.1, hostname localhost, nothing else chosen', () => {
    assert.deepEqual(run(parse()).options, {
      directory: undefined,
      backend: undefined,
      template: undefined,
      hostname: 'localhost',
      bindAddress: '127.0.0.1',
      port: undefined,
      urlport: undefined,
      nuke: false,
    });
  });

  it('reads every option in short, glued and long forms', () => {
    const a = run(parse('-B', '0.0.0.0', '-bpostgresql', '--hostname=tracker.local', '-t', 'minimal', '--port', '9000', '-P9090', 'mydemo'));
    assert.deepEqual(a.options, {
      directory: 'mydemo',
      backend: 'postgresql',
      template: 'minimal',
      hostname: 'tracker.local',
      bindAddress: '0.0.0.0',
      port: 9000,
      urlport: 9090,
      nuke: false,
    });
    assert.deepEqual(run(parse('--bind_address', '::1', '--backend_db', 'sqlite', '--template=classic', '--urlport', '1')).options.bindAddress, '::1');
  });

  it('fills directory, backend and nuke from the arguments in order', () => {
    assert.deepEqual(pick(run(parse('./d'))), { directory: './d', backend: undefined, nuke: false });
    assert.deepEqual(pick(run(parse('./d', 'nuke'))), { directory: './d', backend: undefined, nuke: true });
    assert.deepEqual(pick(run(parse('./d', 'sqlite'))), { directory: './d', backend: 'sqlite', nuke: false });
    assert.deepEqual(pick(run(parse('./d', 'postgresql', 'nuke'))), { directory: './d', backend: 'postgresql', nuke: true });
    // As in Roundup, a lone "nuke" leaves the directory to be asked for.
    assert.deepEqual(pick(run(parse('nuke'))), { directory: undefined, backend: undefined, nuke: true });
    assert.deepEqual(pick(run(parse('-b', 'sqlite', 'nuke'))), { directory: undefined, backend: 'sqlite', nuke: true });
  });

  it('prefers -b over the backend argument', () => {
    assert.equal(run(parse('-b', 'postgresql', './d', 'sqlite')).options.backend, 'postgresql');
  });

  it('accepts anydbm, Roundup\'s old default, and uses sqlite with a notice', () => {
    const a = run(parse('-b', 'anydbm', './d', 'anydbm'));
    assert.equal(a.options.backend, 'sqlite');
    assert.deepEqual(a.notices, ['The anydbm backend is not available in this implementation; using sqlite.']);
  });

  it('prints help and version', () => {
    const help = parse('-h');
    assert.equal(help.kind, 'help');
    if (help.kind === 'help') {
      assert.ok(help.text.startsWith(demoUsage('roundup-demo', TEMPLATES)));
      assert.match(help.text, /-t, --template \{classic,minimal\}/);
      assert.match(help.text, /open port starting at 8917/);
    }
    assert.deepEqual(parse('x', '--version'), { kind: 'version', text: 'v1' });
  });

  it('answers bad input as argparse does', () => {
    assert.equal(usageError(parse('-b', 'mysql')), "roundup-demo: error: argument -b/--backend_db: invalid choice: 'mysql' (choose from 'sqlite', 'postgresql')");
    assert.equal(usageError(parse('-t', 'devel')), "roundup-demo: error: argument -t/--template: invalid choice: 'devel' (choose from 'classic', 'minimal')");
    assert.equal(usageError(parse('-p', 'eighty')), "roundup-demo: error: argument -p/--port: invalid int value: 'eighty'");
    assert.equal(usageError(parse('-p')), 'roundup-demo: error: argument -p/--port: expected one argument');
    assert.equal(usageError(parse('--frobnicate')), 'roundup-demo: error: unrecognized arguments: --frobnicate');
    assert.equal(usageError(parse('./d', 'oracle')), "roundup-demo: error: argument backend: invalid choice: 'oracle' (choose from 'sqlite', 'postgresql', 'nuke')");
    assert.equal(usageError(parse('./d', 'sqlite', 'again')), "roundup-demo: error: argument nuke: invalid choice: 'again' (choose from 'nuke')");
    assert.equal(usageError(parse('a', 'sqlite', 'nuke', 'd')), 'roundup-demo: error: unrecognized arguments: d');
    const bad = parse('-b', 'mysql');
    assert.equal(bad.kind === 'error' && bad.usage, demoUsage('roundup-demo', TEMPLATES));
  });
});

function pick(args: { options: { directory?: string; backend?: string; nuke: boolean } }) {
  return { directory: args.options.directory, backend: args.options.backend, nuke: args.options.nuke };
}
