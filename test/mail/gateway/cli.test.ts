import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type MailgwIO, main } from '../../../lib/mail/gateway/cli.js';
import { PACKAGE_VERSION } from '../../../lib/util/package-info.js';
import { type RunningScript, startScript } from '../../support/scripts.js';
import { createTestTracker, skipWithoutBackend } from '../../support/trackers.js';
import { setTrackerOption as setOption } from '../sources/tracker-options.js';
import { type GatewayTracker, fixtureMail, importedTracker } from './gateway-fixtures.js';

class CaptureIO implements MailgwIO {
  stdout = '';
  stderr = '';
  constructor(private readonly input: Buffer = Buffer.alloc(0)) {}
  readStdin(): Promise<Buffer> {
    return Promise.resolve(this.input);
  }
  out(text: string): void {
    this.stdout += text;
  }
  err(text: string): void {
    this.stderr += text;
  }
}

async function run(argv: string[], options: { input?: Buffer; env?: NodeJS.ProcessEnv } = {}) {
  const io = new CaptureIO(options.input);
  const status = await main(argv, io, options.env ?? {});
  return { status, stdout: io.stdout, stderr: io.stderr };
}

const USAGE_START = 'usage: roundup-mailgw [-h] [-v] [-c DEFAULT_CLASS] [-O OAUTH_DIRECTORY] [-S SET_VALUE]\n';

describe('roundup-mailgw command line', () => {
  it('prints the help with -h and the version with -v', async () => {
    const help = await run(['-h']);
    assert.equal(help.status, 0);
    assert.ok(help.stdout.startsWith(USAGE_START));
    assert.match(help.stdout, /\n  -S SET_VALUE, --set-value SET_VALUE\n/);
    assert.match(help.stdout, /\nPIPE:\n/);
    assert.deepEqual(await run(['--version']), { status: 0, stdout: `${PACKAGE_VERSION} (node ${process.versions.node})\n`, stderr: '' });
  });

  it('answers bad options as argparse does (exit 2)', async () => {
    const unknown = await run(['-x', 'home']);
    assert.equal(unknown.status, 2);
    assert.ok(unknown.stderr.startsWith(USAGE_START));
    assert.ok(unknown.stderr.endsWith('roundup-mailgw: error: unrecognized arguments: -x\n'));
    const missing = await run(['home', '-c']);
    assert.equal(missing.status, 2);
    assert.ok(missing.stderr.endsWith('roundup-mailgw: error: argument -c/--default-class: expected one argument\n'));
  });

  it('needs a tracker home that is a directory, from the arguments or ROUNDUP_INSTANCE', async () => {
    for (const argv of [[], ['/nonexistent/tracker']]) {
      const result = await run(argv);
      assert.equal(result.status, 1);
      assert.ok(result.stderr.startsWith(USAGE_START));
      assert.ok(result.stderr.endsWith('\nError: The instance home must be specified\n'));
    }
  });

  it('checks the mail source: not enough information, an unknown source, a bad specification, an aborted prompt', async () => {
    const home = mkdtempSync(join(tmpdir(), 'rup-mailgw-'));
    try {
      const short = await run([home, 'mailbox']);
      assert.deepEqual([short.status, short.stderr.endsWith('\nError: not enough source specification information\n')], [1, true]);
      const unknown = await run([home, 'frob', 'spec']);
      assert.equal(unknown.status, 1);
      assert.ok(unknown.stderr.endsWith('\nError: The source must be either "mailbox", "pop", "pops", "apop", "imap", "imaps",  "imaps_cram", or "imaps_oauth"\n'));
      const env = { HOME: home };
      for (const source of ['pop', 'imaps']) {
        const bad = await run([home, source, 'user:pw@server:99999'], { env });
        assert.equal(bad.status, 1);
        assert.ok(bad.stderr.startsWith(USAGE_START));
        assert.ok(bad.stderr.endsWith(`\nError: ${source} specification not valid\n`));
      }
      const asked: string[] = [];
      const prompt = { ask: (q: string) => (asked.push(q), Promise.resolve(null)), close: () => undefined };
      const io = new CaptureIO();
      assert.equal(await main([home, 'imap', 'server.example'], Object.assign(io, { prompt }), env), 1);
      assert.deepEqual([asked, io.stderr], [['User: '], '\nAborted by user.\n']);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  describe('pipe mode', () => {
    let t: GatewayTracker;
    let holder: RunningScript | null = null;
    // main() builds its mailer from the process environment: a SENDMAILDEBUG of the test run would win over config.ini.
    const sendmailDebug = process.env.SENDMAILDEBUG;
    before(() => {
      delete process.env.SENDMAILDEBUG;
    });
    after(() => {
      if (sendmailDebug !== undefined) process.env.SENDMAILDEBUG = sendmailDebug;
    });
    afterEach(async () => {
      holder?.stop();
      holder = null;
      await t?.cleanup();
    });

    const issues = () => t.read(async (db) => (await db.getclass('issue').getnodeids()).length);

    it('stores a message from standard input and exits 0; the home may come from ROUNDUP_INSTANCE', async () => {
      t = await importedTracker();
      assert.deepEqual(await run([t.home], { input: fixtureMail('01-new-plain.eml') }), { status: 0, stdout: '', stderr: '' });
      assert.deepEqual(await run([], { input: fixtureMail('10-utf8-alternate-address.eml'), env: { ROUNDUP_INSTANCE: t.home } }), { status: 0, stdout: '', stderr: '' });
      assert.equal(await issues(), 14);
    });

    it('exits 0 for a bounced message and for an ignored one', async () => {
      t = await importedTracker();
      const debug = join(t.home, 'cli-mail.txt');
      setOption(t.home, 'mail', 'debug', debug);
      assert.deepEqual(await run([t.home], { input: fixtureMail('06-unknown-sender.eml') }), { status: 0, stdout: '', stderr: '' });
      assert.match(readFileSync(debug, 'utf8'), /^Subject: Failed issue tracker submission$/m);
      const loop = Buffer.from('From: alice@example.com\nX-Roundup-Loop: hello\nSubject: [issue] x\n\ny\n');
      assert.deepEqual(await run([t.home], { input: loop }), { status: 0, stdout: '', stderr: '' });
      assert.equal(await issues(), 12);
    });

    it('passes -c and -S on to the gateway', async () => {
      t = await importedTracker();
      const input = Buffer.from('From: alice@example.com\nTo: issue_tracker@example.com\nSubject: no class given\n\ntext\n');
      assert.equal((await run(['-c', 'issue', '-S', 'issue.priority=critical', '--set-value', 'summary=set by -S', t.home], { input })).status, 0);
      await t.read(async (db) => {
        assert.equal(await db.getclass('issue').get('13', 'priority'), '1');
        assert.equal(await db.getclass('msg').get('31', 'summary'), 'set by -S');
      });
    });

    it('exits 75 with nothing stored while another process holds the database lock past sqlite_timeout; a retry exits 0', async () => {
      t = await importedTracker('sqlite', { rdbms_sqlite_timeout: '1' });
      holder = startScript('hold-write-lock', [t.home, 'held by another process']);
      await holder.waitForLine('locked');
      const locked = await run([t.home], { input: fixtureMail('01-new-plain.eml') });
      assert.equal(locked.status, 75);
      assert.match(locked.stderr, /^roundup-mailgw: cannot open the tracker .*; deliver the message again later: the database is locked by another process/);
      holder.send('commit');
      await holder.finished;
      assert.equal(await issues(), 13, 'only the lock holder stored something');
      assert.deepEqual(await run([t.home], { input: fixtureMail('01-new-plain.eml') }), { status: 0, stdout: '', stderr: '' });
      assert.equal(await issues(), 14);
    });

    it('exits 75 when the SMTP server is down for a needed bounce', async () => {
      t = await importedTracker();
      const server = createServer();
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const port = (server.address() as { port: number }).port;
      await new Promise<void>((resolve) => server.close(() => resolve()));
      setOption(t.home, 'mail', 'host', '127.0.0.1');
      setOption(t.home, 'mail', 'port', String(port));
      // Test trackers write their mail to a debug file; this one must really try the SMTP server.
      setOption(t.home, 'mail', 'debug', '');
      const result = await run([t.home], { input: fixtureMail('06-unknown-sender.eml') });
      assert.equal(result.status, 75);
      assert.match(result.stderr, /^roundup-mailgw: temporary failure, the message was not stored; deliver it again later: the message could not be stored \(You are not a registered user/);
    });
  });

  describe('pipe mode on PostgreSQL', () => {
    before(async function () {
      await skipWithoutBackend(this, 'postgresql');
    });

    it('exits 75 when the database server cannot be reached', async () => {
      const t = await createTestTracker({ backend: 'postgresql' });
      await t.tracker.close();
      const config = join(t.home, 'config.ini');
      const original = readFileSync(config, 'utf8');
      try {
        const server = createServer();
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        const port = (server.address() as { port: number }).port;
        await new Promise<void>((resolve) => server.close(() => resolve()));
        setOption(t.home, 'rdbms', 'port', String(port));
        const result = await run([t.home], { input: fixtureMail('01-new-plain.eml') });
        assert.equal(result.status, 75);
        assert.match(result.stderr, /^roundup-mailgw: cannot open the tracker .*; deliver the message again later: .*ECONNREFUSED/);
      } finally {
        writeFileSync(config, original);
        await t.cleanup();
      }
    });
  });
});
