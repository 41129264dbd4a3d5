import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADMIN_COMMANDS } from '../../lib/admin/commands/index.js';
import { runInteractive } from '../../lib/admin/interactive.js';
import { AdminSession } from '../../lib/admin/session.js';
import { PACKAGE_VERSION } from '../../lib/util/package-info.js';
import { CaptureIO, plain, runAdmin, useAdminTracker } from './admin-fixtures.js';

const BANNER = `rup-tracker ${PACKAGE_VERSION} ready for input.\nType "help" for help.\n`;
const UNSAVED = 'There are unsaved changes. Commit them (y/N)? ';

describe('admin interactive mode', () => {
  const a = useAdminTracker('sqlite');
  let home: string;
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'rup-admin-home-'));
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  /** An interactive session: the lines typed, then end of input. */
  function session(lines: Array<string | null>, options: { lineEditing?: boolean; login?: string } = {}) {
    const io = new CaptureIO(lines, { lineEditing: options.lineEditing });
    const env: NodeJS.ProcessEnv = { HOME: home, ...(options.login ? { ROUNDUP_LOGIN: options.login } : {}) };
    return runAdmin(['-i', a.home], { io, env });
  }

  async function issueTitles(): Promise<string[]> {
    const db = await a.open();
    const issues = db.getclass('issue');
    return Promise.all((await issues.list()).map(async (id) => (await issues.get(id, 'title')) as string));
  }

  it('prints the banner and the prompt, and leaves at end of input with "exit..."', async () => {
    assert.deepEqual(plain(await session([])), { status: 0, stdout: `${BANNER}roundup> exit...\n`, stderr: '' });
  });

  it('leaves on q, quit and exit', async () => {
    for (const word of ['q', 'quit', 'exit']) {
      assert.deepEqual(plain(await session([word, 'list user'])), { status: 0, stdout: `${BANNER}roundup> `, stderr: '' }, word);
    }
  });

  it('splits lines with the quoting rules, skips empty lines and lines with an open quote', async () => {
    const run = await session(['', 'create issue title="a b" priority=bug', 'get title "issue1', 'get title issue1', '   ', 'commit']);
    assert.deepEqual(plain(run), { status: 0, stdout: `${BANNER}roundup> roundup> 1\nroundup> roundup> a b\nroundup> roundup> roundup> exit...\n`, stderr: '' });
    assert.deepEqual(await issueTitles(), ['a b']);
  });

  it('goes on after an error', async () => {
    const run = await session(['xyzzy', 's', 'list status name']);
    assert.equal(run.status, 0);
    assert.ok(run.stdout.includes('roundup> Unknown command "xyzzy" ("help commands" for a list)\nroundup> Multiple commands match "s": security, set, specification\nroundup>    1: unread\n'));
  });

  it('keeps changes uncommitted until commit, and asks about unsaved changes on leaving', async () => {
    const run = await session(['create issue title=one', 'commit', 'create issue title=two', 'quit', 'n']);
    assert.deepEqual(plain(run), { status: 0, stdout: `${BANNER}roundup> 1\nroundup> roundup> 2\nroundup> ${UNSAVED}`, stderr: '' });
    assert.deepEqual(await issueTitles(), ['one']);
  });

  it('commits on leaving when the answer starts with y or Y', async () => {
    for (const answer of ['y', 'Yes']) {
      const run = await session([`create issue title=${answer}`, null, answer]);
      assert.equal(run.stdout.endsWith(`roundup> exit...\n${UNSAVED}`), true);
    }
    assert.deepEqual(await issueTitles(), ['y', 'Yes']);
  });

  it('does not commit on an empty answer or end of input', async () => {
    await session(['create issue title=a', 'quit', '']);
    await session(['create issue title=b', 'quit']);
    assert.deepEqual(await issueTitles(), []);
  });

  it('rollback discards the changes, and then nothing is asked', async () => {
    const run = await session(['create issue title=gone', 'rollback', 'quit']);
    assert.deepEqual(plain(run), { status: 0, stdout: `${BANNER}roundup> 1\nroundup> roundup> `, stderr: '' });
    assert.deepEqual(await issueTitles(), []);
  });

  it('asks nothing when only reads were done', async () => {
    const run = await session(['list user', 'quit']);
    assert.deepEqual(plain(run), { status: 0, stdout: `${BANNER}roundup>    1: admin\n   2: anonymous\nroundup> `, stderr: '' });
  });

  it('works as the ROUNDUP_LOGIN user through the whole session', async () => {
    await session(['create issue title=mine', 'commit'], { login: 'anonymous' });
    const db = await a.open();
    assert.equal(await db.getclass('issue').get('1', 'creator'), '2');
  });

  it('asks for the tracker home at the first command, and again after a home that is not a tracker', async () => {
    const io = new CaptureIO(['list user', '/nonexistent/x', 'list user', a.home, 'quit']);
    const run = await runAdmin([], { io, env: { HOME: home } });
    assert.deepEqual(plain(run), {
      status: 0,
      stdout: `${BANNER}roundup> Enter tracker home: Error: Couldn't open tracker: /nonexistent/x: no such tracker home\nroundup> Enter tracker home:    1: admin\n   2: anonymous\nroundup> `,
      stderr: '',
    });
  });

  describe('command history', () => {
    const historyFile = () => join(home, '.roundup_admin_history');

    it('creates ~/.roundup_admin_history (HOME) readable by the user only', async () => {
      const run = await session(['list user'], { lineEditing: true });
      assert.deepEqual(run.io.loadedHistory, []);
      assert.equal(readFileSync(historyFile(), 'utf8'), 'list user\n');
      assert.equal(statSync(historyFile()).mode & 0o777, 0o600);
    });

    it('loads the saved history for line editing and adds the commands typed', async () => {
      writeFileSync(historyFile(), 'list user\nlist status\n');
      const run = await session(['get title status1', '', 'quit'], { lineEditing: true });
      assert.deepEqual(run.io.loadedHistory, ['list user', 'list status']);
      assert.equal(readFileSync(historyFile(), 'utf8'), 'list user\nlist status\nget title status1\nquit\n');
    });

    it('runs entry N again with !N, and shows it in the edit buffer with !N:p', async () => {
      writeFileSync(historyFile(), 'list user\nget name status2\n');
      const run = await session(['!2', '!1:p', '!9', 'quit'], { lineEditing: true });
      assert.equal(run.stdout, `${BANNER}roundup> get name status2\ndeferred\nroundup> list user\nroundup> Unknown command "!9" ("help commands" for a list)\nroundup> `);
      assert.deepEqual(run.io.presets, ['list user']);
      assert.equal(readFileSync(historyFile(), 'utf8'), 'list user\nget name status2\nget name status2\n!9\nquit\n');
    });

    it('keeps no history without line editing (piped input)', async () => {
      await session(['list user', 'quit']);
      assert.equal(existsSync(historyFile()), false);
    });

    it('follows the history_features and history_length pragmas', async () => {
      writeFileSync(historyFile(), 'old\n');
      const run = async (pragmas: Record<string, number>, lines: string[]) => {
        const io = new CaptureIO(lines, { lineEditing: true });
        const s = new AdminSession({ io, commands: ADMIN_COMMANDS, home: a.home, username: 'admin', listOutput: { separator: null, designators: false }, verbose: false });
        for (const [k, v] of Object.entries(pragmas)) s.pragmas.set(k, v);
        try {
          await runInteractive(s, { HOME: home });
        } finally {
          await s.close();
        }
        return io;
      };
      assert.deepEqual((await run({ history_features: 1 }, ['a'])).loadedHistory, []);
      assert.equal(readFileSync(historyFile(), 'utf8'), 'a\n');
      await run({ history_features: 2 }, ['b']);
      assert.equal(readFileSync(historyFile(), 'utf8'), 'a\n');
      await run({ history_length: 2 }, ['c', 'd']);
      assert.equal(readFileSync(historyFile(), 'utf8'), 'c\nd\n');
    });
  });
});
