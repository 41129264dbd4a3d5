import assert from 'node:assert/strict';
import { type ChildProcess, fork } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FileMirror } from '../../lib/admin/backup/file-mirror.js';
import { backupTracker } from '../../lib/admin/backup/tracker-backup.js';
import { backupCommand } from '../../lib/admin/commands/backup.js';
import { PG_DUMP_FILE, PG_SQL_FILE, sqlLiteral } from '../../lib/backends/sql/postgresql-backup.js';
import { loadTrackerConfig } from '../../lib/tracker/config.js';
import { writeConfigIni } from '../../lib/tracker/config-writer.js';
import { Tracker, nukeTrackerData } from '../../lib/tracker/tracker.js';
import { type BackendName, backendSettings, createTestTracker, skipWithoutBackend, type TestTracker } from '../support/trackers.js';
import { usageError } from './admin-fixtures.js';
import { maintOn, runOnTerminal } from './maint-fixtures.js';

const WRITER = fileURLToPath(new URL('./backup-writer.js', import.meta.url));

/** Backup homes made by a test, with their databases, removed afterwards. */
function useScratch(): { dir: () => string; homes: string[] } {
  let dir = '';
  const homes: string[] = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rup-backup-'));
  });
  afterEach(async () => {
    for (const home of homes.splice(0)) await nukeTrackerData(home).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });
  return { dir: () => dir, homes };
}

/** Gives a PostgreSQL backup a database name of its own, as when restoring beside the original; returns the home. */
function renameDatabase(home: string, homes: string[]): string {
  const config = loadTrackerConfig(home);
  if (config.RDBMS_BACKEND === 'postgresql') {
    config.set('rdbms', 'name', backendSettings('postgresql').rdbms_name!);
    writeConfigIni(config);
  }
  homes.push(home);
  return home;
}

/** Titles of the issues and the content of every message, read from a tracker home. */
async function readBack(home: string): Promise<{ issues: Map<string, { title: string; messages: string[] }>; messages: Map<string, string> }> {
  const tracker = await Tracker.open(home);
  const db = await tracker.open({ userid: '1' }, { checked: false });
  try {
    const issues = new Map<string, { title: string; messages: string[] }>();
    for (const id of await db.getclass('issue').getnodeids(null)) {
      issues.set(id, { title: (await db.getclass('issue').get(id, 'title')) as string, messages: (await db.getclass('issue').get(id, 'messages')) as string[] });
    }
    const messages = new Map<string, string>();
    for (const id of await db.getclass('msg').getnodeids(null)) messages.set(id, (await db.getclass('msg').get(id, 'content')) as string);
    return { issues, messages };
  } finally {
    await db.close();
    await tracker.close();
  }
}

/** An issue with a message, committed. */
async function addIssue(tracker: Tracker, title: string, text: string): Promise<void> {
  const db = await tracker.open({ userid: '1' }, { checked: false });
  try {
    const msg = await db.getclass('msg').create({ content: text, author: '1' });
    await db.getclass('issue').create({ title, messages: [msg] });
    await db.commit();
  } finally {
    await db.close();
  }
}

for (const backend of ['sqlite', 'postgresql'] as BackendName[]) {
  describe(`roundup-admin backup (${backend})`, () => {
    let t: TestTracker;
    const scratch = useScratch();
    before(async function () {
      await skipWithoutBackend(this, backend);
    });
    beforeEach(async () => {
      t = await createTestTracker({ backend });
    });
    afterEach(async () => {
      await t.cleanup();
    });

    it('writes a copy that opens as a tracker home with the same data', async () => {
      await addIssue(t.tracker, 'first issue', 'first message');
      const target = join(scratch.dir(), 'copy');
      const run = await maintOn(t.home)(['backup', target]);
      const database = backend === 'sqlite' ? 'db/db' : `db/${PG_DUMP_FILE}`;
      assert.deepEqual(
        { status: run.status, stdout: run.stdout, stderr: run.stderr },
        { status: 0, stdout: `Backup of ${t.home} written to ${target} (database ${database}, 1 content file).\n`, stderr: '' },
      );
      for (const file of ['config.ini', 'schema.js', 'initial_data.js', 'TEMPLATE-INFO.txt', 'detectors/statusauditor.js', 'detectors/userauditor.js', 'db/files/msg/0/msg1']) {
        assert.ok(existsSync(join(target, file)), file);
      }
      assert.deepEqual(readdirSync(join(target, 'db')).sort(), backend === 'sqlite' ? ['db', 'files'] : ['files', PG_DUMP_FILE]);
      const copy = await readBack(renameDatabase(target, scratch.homes));
      assert.deepEqual([...copy.issues.values()], [{ title: 'first issue', messages: ['1'] }]);
      assert.deepEqual([...copy.messages.values()], ['first message']);
      const list = await maintOn(target)(['list', 'issue']);
      assert.equal(list.stdout, '   1: first issue\n');
    });

    it('stays consistent while another process keeps writing', async function () {
      const writer: ChildProcess = fork(WRITER, [t.home], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      let committed = 0;
      const waiters: Array<{ count: number; resolve: () => void }> = [];
      writer.on('message', (message: { committed: number }) => {
        committed = message.committed;
        for (const w of waiters.filter((w) => committed >= w.count)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve();
        }
      });
      const exited = new Promise<number | null>((resolve) => writer.on('exit', resolve));
      const until = (count: number) => new Promise<void>((resolve) => (committed >= count ? resolve() : waiters.push({ count, resolve })));
      try {
        await until(5);
        let atFirstCopy = 0;
        const target = join(scratch.dir(), 'live');
        await backupTracker(t.tracker, target, {
          afterFirstCopy: async () => {
            // Commits between the two passes over the file store must reach the snapshot.
            atFirstCopy = committed;
            await until(atFirstCopy + 5);
          },
        });
        await until(committed + 3);
        writer.send('stop');
        assert.equal(await exited, 0);

        const { issues, messages } = await readBack(renameDatabase(target, scratch.homes));
        assert.ok(issues.size >= atFirstCopy + 5, `${issues.size} issues in the copy, ${atFirstCopy + 5} committed before it`);
        const orphans = [...messages.values()].filter((text) => text.startsWith('orphan-'));
        assert.ok(orphans.length <= 1, `orphans: ${orphans.join(', ')}`);
        for (const [id, issue] of issues) {
          if (id === '1') continue;
          const n = /^issue-(\d+)$/.exec(issue.title)![1];
          assert.equal(issue.messages.length, 1);
          assert.equal(messages.get(issue.messages[0]!), `payload-${n}`, `issue${id}`);
        }
        const payloads = [...messages.values()].filter((text) => text.startsWith('payload-') || text.startsWith('rewritten-'));
        assert.equal(payloads.length, issues.size, 'one payload message per issue');
        const first = issues.get('1')!;
        assert.equal(messages.get('1'), first.title === 'issue-0' ? 'payload-0' : first.title);
      } finally {
        if (writer.exitCode === null) writer.kill();
      }
    });

    it('draws progress on a terminal', async () => {
      await addIssue(t.tracker, 'first issue', 'first message');
      const target = join(scratch.dir(), 'copy');
      const shown = await runOnTerminal(['-i', t.home, 'backup', target]);
      assert.equal(shown.status, 0);
      assert.match(shown.drawn, /\rCopying files {2}\[#{20}\] {2}100% {2}1\/1/);
      if (backend === 'sqlite') assert.match(shown.drawn, /\rCopying database {2}\[#{20}\] {2}100%/);
      renameDatabase(target, scratch.homes);
    });

    it('leaves a backup directory inside the home out of the copy', async () => {
      const target = join(t.home, 'backups', 'first');
      const run = await maintOn(t.home)(['backup', target]);
      assert.equal(run.status, 0);
      assert.deepEqual(readdirSync(join(target, 'backups')), []);
      renameDatabase(target, scratch.homes);
    });
  });
}

describe('roundup-admin backup errors', () => {
  let t: TestTracker;
  const scratch = useScratch();
  beforeEach(async () => {
    t = await createTestTracker();
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('needs a directory', async () => {
    const run = await maintOn(t.home)(['backup']);
    assert.deepEqual({ status: run.status, stdout: run.stdout }, { status: 1, stdout: usageError('Not enough arguments supplied', backupCommand.help) });
  });

  it('refuses a directory that is not empty', async () => {
    const target = join(scratch.dir(), 'full');
    mkdirSync(target);
    writeFileSync(join(target, 'something'), '');
    const run = await maintOn(t.home)(['backup', target]);
    assert.deepEqual({ status: run.status, stdout: run.stdout }, { status: 1, stdout: `Error: the backup directory ${target} is not empty\n` });
  });

  it("refuses a directory inside the tracker's database folder", async () => {
    const target = join(t.home, 'db', 'files', 'backup');
    const run = await maintOn(t.home)(['backup', target]);
    assert.deepEqual(
      { status: run.status, stdout: run.stdout },
      { status: 1, stdout: `Error: the backup directory ${target} is inside the tracker's database folder ${join(t.home, 'db')}\n` },
    );
  });

  it('reports a directory that cannot be created', async () => {
    writeFileSync(join(scratch.dir(), 'plain'), '');
    const target = join(scratch.dir(), 'plain', 'backup');
    const run = await maintOn(t.home)(['backup', target]);
    assert.deepEqual(
      { status: run.status, stdout: run.stdout },
      { status: 1, stdout: `Error: cannot create the backup directory ${target}: ENOTDIR: not a directory, mkdir '${target}'\n` },
    );
  });
});

describe('backup of a tracker keeping its database outside its home', () => {
  const scratch = useScratch();

  it('puts the database into the copy and points its config.ini there', async () => {
    const elsewhere = join(mkdtempSync(join(tmpdir(), 'rup-db-')), 'data');
    const t = await createTestTracker({ settings: { database: elsewhere } });
    try {
      await addIssue(t.tracker, 'outside', 'kept apart');
      const target = join(scratch.dir(), 'copy');
      const result = await backupTracker(t.tracker, target);
      assert.deepEqual(result, { home: target, database: join(target, 'db', 'db'), files: 1 });
      assert.match(readFileSync(join(target, 'config.ini'), 'utf8'), /^database = db$/m);
      assert.equal(loadTrackerConfig(target).DATABASE, join(target, 'db'));
      const copy = await readBack(target);
      assert.deepEqual([...copy.messages.values()], ['kept apart']);
    } finally {
      await t.cleanup();
      rmSync(join(elsewhere, '..'), { recursive: true, force: true });
    }
  });
});

describe('PostgreSQL backup without pg_dump', () => {
  let t: TestTracker;
  const scratch = useScratch();
  before(async function () {
    await skipWithoutBackend(this, 'postgresql');
  });
  beforeEach(async () => {
    t = await createTestTracker({ backend: 'postgresql' });
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('writes an SQL script when pg_dump is missing, which loads with ids, sequences and index', async () => {
    await addIssue(t.tracker, "quote ' and back\\slash", 'line one\nline two\r\nsearchable');
    const target = join(scratch.dir(), 'copy');
    const result = await backupTracker(t.tracker, target, { pgDump: join(scratch.dir(), 'no-such-pg_dump') });
    assert.equal(result.database, join(target, 'db', PG_SQL_FILE));
    const script = readFileSync(result.database, 'utf8');
    assert.match(script, /^BEGIN;$/m);
    assert.match(script, /^COMMIT;$/m);

    renameDatabase(target, scratch.homes);
    const copy = await readBack(target);
    assert.deepEqual([...copy.issues.values()], [{ title: "quote ' and back\\slash", messages: ['1'] }]);
    assert.deepEqual([...copy.messages.values()], ['line one\nline two\r\nsearchable']);
    assert.ok(existsSync(`${result.database}.restored`));
    assert.equal(existsSync(result.database), false);

    const tracker = await Tracker.open(target);
    try {
      const found = await tracker.storage.indexer.find(tracker.storage.backend.reader, 'searchable');
      assert.deepEqual(found, [{ classname: 'msg', itemid: '1', prop: 'content' }]);
      const db = await tracker.open({ userid: '1' }, { checked: false });
      assert.equal(await db.getclass('issue').create({ title: 'after the restore' }), '2');
      await db.commit();
      await db.close();
    } finally {
      await tracker.close();
    }
  });

  it('drops the new database again when the dump cannot be loaded, so the next open retries', async () => {
    const target = join(scratch.dir(), 'copy');
    const result = await backupTracker(t.tracker, target, { pgDump: false });
    writeFileSync(result.database, 'BEGIN;\nTHIS IS NOT SQL;\nCOMMIT;\n');
    renameDatabase(target, scratch.homes);
    await assert.rejects(Tracker.open(target), (err: Error & { code?: string }) => err.code === 'RUP_ERR_DATABASE' && /syntax error/.test(err.message));
    await assert.rejects(Tracker.open(target), (err: Error & { code?: string }) => err.code === 'RUP_ERR_DATABASE' && /syntax error/.test(err.message));
    assert.ok(existsSync(result.database));
  });
});

describe('sqlLiteral', () => {
  it('quotes text on one line, with E-strings for backslashes and line ends', () => {
    assert.equal(sqlLiteral(null), 'NULL');
    assert.equal(sqlLiteral("it's"), "'it''s'");
    assert.equal(sqlLiteral('a\\b'), "E'a\\\\b'");
    assert.equal(sqlLiteral("x\ny\r'"), "E'x\\ny\\r'''");
  });
});

describe('FileMirror', () => {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rup-mirror-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const write = (rel: string, text: string) => {
    mkdirSync(join(dir, 'src', rel, '..'), { recursive: true });
    writeFileSync(join(dir, 'src', rel), text);
  };
  const copied = (rel: string) => readFileSync(join(dir, 'dst', rel), 'utf8');

  it('copies every file, then catches up with new, changed and removed files, leaving temporary files out', async () => {
    write('msg/0/msg1', 'one');
    write('msg/0/msg2', 'two');
    write('msg/0/msg3', 'three');
    write('msg/0/msg4.tmp-123-abcdef01', 'half');
    const mirror = new FileMirror(join(dir, 'src'), join(dir, 'dst'));
    const totals: number[] = [];
    let done = 0;
    await mirror.copyAll((n) => totals.push(n), () => done++);
    assert.deepEqual([totals, done, mirror.fileCount], [[3], 3, 3]);
    assert.equal(copied('msg/0/msg2'), 'two');
    assert.equal(existsSync(join(dir, 'dst', 'msg/0/msg4.tmp-123-abcdef01')), false);

    write('msg/0/msg2.new', 'TWO');
    renameSync(join(dir, 'src', 'msg/0/msg2.new'), join(dir, 'src', 'msg/0/msg2'));
    rmSync(join(dir, 'src', 'msg/0/msg3'));
    write('file/1/file1000', 'new');
    assert.deepEqual(await mirror.catchUp(), { copied: 2, removed: 1 });
    assert.equal(copied('msg/0/msg1'), 'one');
    assert.equal(copied('msg/0/msg2'), 'TWO');
    assert.equal(copied('file/1/file1000'), 'new');
    assert.equal(existsSync(join(dir, 'dst', 'msg/0/msg3')), false);
    assert.equal(mirror.fileCount, 3);
    assert.deepEqual(await mirror.catchUp(), { copied: 0, removed: 0 });
  });

  it('copies nothing from a file store that does not exist yet', async () => {
    const mirror = new FileMirror(join(dir, 'none'), join(dir, 'dst'));
    await mirror.copyAll();
    assert.deepEqual([mirror.fileCount, readdirSync(join(dir, 'dst'))], [0, []]);
  });
});
