import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdminError, type AdminCommand, UsageError } from '../../lib/admin/command.js';
import { main } from '../../lib/admin/cli.js';
import { ADMIN_COMMANDS } from '../../lib/admin/commands/index.js';
import type { AdminContext } from '../../lib/admin/context.js';
import { AdminSession } from '../../lib/admin/session.js';
import { CaptureIO, plain, runAdmin, useAdminTracker } from './admin-fixtures.js';

/** A command that records how it was run (to test the framework around commands). */
function recorder(name: string, needsTracker: boolean, behaviour: (ctx: AdminContext, args: string[]) => Promise<number | void> = async () => 0) {
  const calls: Array<{ home: string; args: string[] }> = [];
  const command: AdminCommand = {
    name,
    needsTracker,
    help: `Usage: ${name} [arg]\nA command of the tests.`,
    async run(ctx, args) {
      calls.push({ home: ctx.home, args });
      return behaviour(ctx, args);
    },
  };
  return { command, calls };
}

async function runWith(commands: AdminCommand[], argv: string[], answers: Array<string | null> = [], env: NodeJS.ProcessEnv = {}) {
  const io = new CaptureIO(answers);
  // The test's commands stand in for the real ones of the same name.
  const names = new Set(commands.map((c) => c.name));
  const registry = [...ADMIN_COMMANDS.filter((c) => !names.has(c.name)), ...commands].sort((a, b) => (a.name < b.name ? -1 : 1));
  const status = await main(argv, io, env, registry);
  return { status, stdout: io.stdout, stderr: io.stderr, io };
}

describe('admin command line', () => {
  const a = useAdminTracker('sqlite');

  describe('commands', () => {
    it('reports an unknown command, exit 1 (Roundup testCliParse)', async () => {
      assert.deepEqual(plain(await a.run(['xyzzy', 'issue', 'assignedto'])), { status: 1, stdout: 'Unknown command "xyzzy" ("help commands" for a list)\n', stderr: '' });
    });

    it('reports an ambiguous abbreviation with the commands it matches, exit 1', async () => {
      assert.deepEqual(plain(await a.run(['f', 'issue', 'assignedto'])), { status: 1, stdout: 'Multiple commands match "f": filter, find\n', stderr: '' });
      assert.deepEqual(plain(await a.run(['s', 'user'])), { status: 1, stdout: 'Multiple commands match "s": security, set, specification\n', stderr: '' });
      assert.deepEqual(plain(await a.run(['re', 'user1'])), { status: 1, stdout: 'Multiple commands match "re": reindex, restore, retire\n', stderr: '' });
    });

    it('runs a command from any unique prefix', async () => {
      for (const prefix of ['l', 'li', 'lis', 'list']) {
        assert.deepEqual(plain(await a.run([prefix, 'user'])), { status: 0, stdout: '   1: admin\n   2: anonymous\n', stderr: '' }, prefix);
      }
    });

    it('prints "Error: <message>" for a command\'s AdminError and a hyperdb error, exit 1', async () => {
      const failing = recorder('failing', true, async () => {
        throw new AdminError('it broke');
      });
      assert.deepEqual(plain(await runWith([failing.command], ['-i', a.home, 'failing'])), { status: 1, stdout: 'Error: it broke\n', stderr: '' });
      const hyperdb = recorder('hyperdb', true, async (ctx) => {
        await (await ctx.db()).getclass('issue').get('1', 'nothing');
      });
      assert.deepEqual(plain(await runWith([hyperdb.command], ['-i', a.home, 'hyperdb'])), { status: 1, stdout: 'Error: issue has no property "nothing"\n', stderr: '' });
    });

    it('prints the stack of an unexpected failure on stderr, exit 1', async () => {
      const failing = recorder('failing', true, async () => {
        throw new TypeError('a bug');
      });
      const run = await runWith([failing.command], ['-i', a.home, 'failing']);
      assert.equal(run.status, 1);
      assert.equal(run.stdout, '');
      assert.ok(run.stderr.startsWith('TypeError: a bug\n    at '));
    });

    it('hands -V, -d and the separator options to the command', async () => {
      const seen: unknown[] = [];
      const probe = recorder('probe', true, async (ctx) => {
        seen.push([ctx.verbose, ctx.listOutput, ctx.username]);
      });
      await runWith([probe.command], ['-i', a.home, '-V', '-d', '-S', '::', 'probe']);
      await runWith([probe.command], ['-i', a.home, '-c', 'probe']);
      await runWith([probe.command], ['-i', a.home, '-s', '-u', 'anonymous', 'probe']);
      await runWith([probe.command], ['-i', a.home, 'probe']);
      assert.deepEqual(seen, [
        [true, { separator: '::', designators: true }, 'admin'],
        [false, { separator: ',', designators: false }, 'admin'],
        [false, { separator: ' ', designators: false }, 'anonymous'],
        [false, { separator: null, designators: false }, 'admin'],
      ]);
    });

    it('opens the tracker again for each command under pragma _reopen_tracker, saying so under pragma verbose', async () => {
      const io = new CaptureIO();
      const session = new AdminSession({ io, commands: ADMIN_COMMANDS, home: a.home, username: 'admin', listOutput: { separator: ',', designators: false }, verbose: false });
      try {
        session.pragmas.set('verbose', true);
        assert.equal(await session.runCommand(['list', 'user']), 0);
        assert.equal(await session.runCommand(['list', 'user']), 0);
        session.pragmas.set('_reopen_tracker', true);
        assert.equal(await session.runCommand(['list', 'user']), 0);
        assert.equal(await session.runCommand(['create', 'keyword', 'name=k']), 0);
        // Not while changes wait for a commit (opening would wait for this session's own write lock).
        assert.equal(await session.runCommand(['list', 'keyword']), 0);
        assert.equal(await session.runCommand(['commit']), 0);
        assert.equal(await session.runCommand(['list', 'keyword']), 0);
        assert.equal(session.pragmas.get('indexer_backend'), '');
      } finally {
        await session.close();
      }
      assert.equal(io.stdout, 'Reopening tracker\n1,2\n1,2\nReopening tracker\n1,2\nReopening tracker\n1\n1\nReopening tracker\n1\n');
    });

    it('returns the status a command returns', async () => {
      const two = recorder('two', true, async () => 2);
      assert.equal((await runWith([two.command], ['-i', a.home, 'two'])).status, 2);
    });
  });

  describe('tracker home and login', () => {
    it('takes the home from TRACKER_HOME, and -i over it', async () => {
      assert.deepEqual(plain(await runAdmin(['list', 'user'], { env: { TRACKER_HOME: a.home } })), { status: 0, stdout: '   1: admin\n   2: anonymous\n', stderr: '' });
      assert.deepEqual(plain(await runAdmin(['-i', a.home, 'list', 'user'], { env: { TRACKER_HOME: '/nonexistent' } })), { status: 0, stdout: '   1: admin\n   2: anonymous\n', stderr: '' });
    });

    it('asks for the tracker home when none is given, until one is entered', async () => {
      const run = await runAdmin(['list', 'user'], { answers: ['', `  ${a.home}  `] });
      assert.deepEqual(plain(run), { status: 0, stdout: 'Enter tracker home: Enter tracker home:    1: admin\n   2: anonymous\n', stderr: '' });
    });

    it('fails when input ends before a home is entered', async () => {
      assert.deepEqual(plain(await runAdmin(['list', 'user'], { answers: [] })), { status: 1, stdout: 'Enter tracker home: ', stderr: '\nError: no tracker home given\n' });
    });

    it('reports a home that is not a tracker', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'rup-admin-'));
      try {
        assert.deepEqual(plain(await runAdmin(['-i', dir, 'list', 'user'])), { status: 1, stdout: `Error: Couldn't open tracker: ${dir}: not a tracker home (no config.ini)\n`, stderr: '' });
        assert.deepEqual(plain(await runAdmin(['-i', join(dir, 'none'), 'list', 'user'])), {
          status: 1,
          stdout: `Error: Couldn't open tracker: ${join(dir, 'none')}: no such tracker home\n`,
          stderr: '',
        });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('needs no home for genconfig and templates, and does not open the tracker for commands that need none', async () => {
      const templates = recorder('templates', false);
      assert.deepEqual(plain(await runWith([templates.command], ['templates', 'x'])), { status: 0, stdout: '', stderr: '' });
      assert.deepEqual(templates.calls, [{ home: '', args: ['x'] }]);
      const install = recorder('install', false);
      const run = await runWith([install.command], ['install', 'classic'], ['/nowhere/home']);
      assert.deepEqual(plain(run), { status: 0, stdout: 'Enter tracker home: ', stderr: '' });
      assert.deepEqual(install.calls, [{ home: '/nowhere/home', args: ['classic'] }]);
    });

    it('opens the database as ROUNDUP_LOGIN\'s user, and -u\'s over it (the password is not checked)', async () => {
      assert.equal((await a.run(['create', 'issue', 'title=a'], { env: { ROUNDUP_LOGIN: 'anonymous:wrong' } })).stdout, '1\n');
      assert.equal((await a.run(['-u', 'admin:nothing', 'create', 'issue', 'title=b'], { env: { ROUNDUP_LOGIN: 'anonymous' } })).stdout, '2\n');
      assert.equal((await a.run(['-u', 'anonymous', 'create', 'issue', 'title=c'])).stdout, '3\n');
      assert.equal((await a.run(['-c', 'list', 'issue', 'creator'])).stdout, '2,1,2\n');
    });

    it('reports an unknown login name, exit 1', async () => {
      assert.deepEqual(plain(await a.run(['-u', 'nobody', 'list', 'user'])), { status: 1, stdout: 'Error: No key (username) value "nobody" for "user"\n', stderr: '' });
    });
  });

  describe('one-shot mode', () => {
    it('commits after the command', async () => {
      await a.run(['create', 'issue', 'title=kept']);
      const db = await a.open();
      assert.deepEqual(await db.getclass('issue').list(), ['1']);
    });

    it('commits even after the command failed, as Roundup', async () => {
      await a.run(['create', 'issue', 'title=one']);
      const run = await a.run(['set', 'issue1,issue7', 'title=two']);
      assert.equal(run.status, 1);
      assert.equal((await a.run(['get', 'title', 'issue1'])).stdout, 'two\n');
    });

    it('prints the commit failure on stderr when a failed change leaves nothing to commit', async () => {
      const breaking = recorder('breaking', true, async (ctx) => {
        const db = await ctx.db();
        // A change that fails after writing makes the unit of work refuse to commit.
        await db.getclass('status').create({ name: 'new' });
        await db.uow.change(async () => {
          db.uow.writes++;
          throw new Error('half done');
        }).catch(() => undefined);
      });
      const run = await runWith([breaking.command], ['-i', a.home, 'breaking']);
      assert.deepEqual(plain(run), { status: 1, stdout: '', stderr: 'Error: cannot commit: a change failed (half done); roll back\n' });
      assert.equal((await a.run(['-c', 'list', 'status'])).stdout, '1,2,3,4,5,6,7,8\n');
    });
  });

  describe('-P', () => {
    it('runs the pragma command with each setting before the command, reporting bad ones and going on', async () => {
      const seen: string[] = [];
      const pragma = recorder('pragma', true, async (ctx, args) => {
        if (args[0] === 'bad=1') throw new UsageError('Unknown setting bad. Try "pragma list".');
        seen.push(`${args[0]} home=${ctx.home}`);
      });
      const run = await runWith([pragma.command], ['-i', a.home, '-P', 'display_header=yes', '-Pbad=1', '-P', 'verbose=on', 'list', 'user']);
      assert.deepEqual(plain(run), { status: 0, stdout: '\nUnknown setting bad. Try "pragma list".\n\n   1: admin\n   2: anonymous\n', stderr: '' });
      assert.deepEqual(seen, [`display_header=yes home=${a.home}`, `verbose=on home=${a.home}`]);
    });
  });

  describe('usage errors', () => {
    it('print "Error: <message>", a blank line and the docstring as Roundup holds it', async () => {
      assert.deepEqual(plain(await a.run(['get', 'tile', 'issue1'])), {
        status: 1,
        stdout: `Error: no such issue node "1"

Usage: get property designator[,designator]*
        Get the given property of one or more designator(s).

        A designator is a classname and a nodeid concatenated,
        eg. bug1, user10, ...

        Retrieves the property value of the nodes specified
        by the designators.
        
`,
        stderr: '',
      });
    });
  });
});
