import assert from 'node:assert/strict';
import { chmodSync, cpSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ImportOptions, importTracker } from '../../lib/admin/import.js';
import type { Database } from '../../lib/hyperdb/database.js';
import { type TestTracker, createTestTracker } from '../support/trackers.js';
import { admin, adminDb, classicExport, importedFixture, snapshot } from './export-fixtures.js';

/** A writable copy of the fixture export, changed by `edit`. */
function copyOfFixture(edit: (dir: string) => void = () => undefined): string {
  const dir = mkdtempSync(join(tmpdir(), 'rup-import-'));
  cpSync(classicExport, dir, { recursive: true });
  chmodSync(dir, 0o755);
  edit(dir);
  return dir;
}

function editLines(file: string, fn: (lines: string[]) => void): void {
  const lines = readFileSync(file, 'utf8').split('\n');
  fn(lines);
  writeFileSync(file, lines.join('\n'));
}

describe('admin import', function () {
  this.timeout(120_000);
  const dirs: string[] = [];
  let t: TestTracker;

  beforeEach(async () => {
    t = await createTestTracker();
  });
  afterEach(async () => {
    await t.cleanup();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  const fixtureCopy = (edit?: (dir: string) => void) => {
    const dir = copyOfFixture(edit);
    dirs.push(dir);
    return dir;
  };

  /** Imports `dir`, expecting the error; then checks that the database is exactly as before. */
  async function expectFailure(dir: string, expected: { code: string; message: string | RegExp }, options: ImportOptions = {}): Promise<void> {
    const before = await snapshot(t.tracker);
    const db: Database = await adminDb(t.tracker);
    try {
      await assert.rejects(importTracker(db, dir, options), (err: Error & { code?: string }) => {
        assert.equal(err.code, expected.code);
        if (typeof expected.message === 'string') assert.equal(err.message, expected.message);
        else assert.match(err.message, expected.message);
        return true;
      });
      // What the unit of work holds afterwards is nothing: committing it changes nothing either.
      await db.commit();
    } finally {
      await db.close();
    }
    assert.deepEqual(await snapshot(t.tracker), before);
  }

  describe('refuses damaged exports, naming the file and line, and imports nothing', () => {
    it('a CSV cut in the middle of a row', async () => {
      const dir = fixtureCopy((d) => {
        const text = readFileSync(join(d, 'user.csv'), 'utf8');
        writeFileSync(join(d, 'user.csv'), text.slice(0, text.indexOf("'bob@example.org'") + 5));
      });
      await expectFailure(dir, { code: 'RUP_ERR_FORMAT', message: `${join(dir, 'user.csv')}:5: the last row has no line end (the file looks truncated)` });
    });

    it('a row with too few fields', async () => {
      const dir = fixtureCopy((d) =>
        editLines(join(d, 'issue.csv'), (lines) => {
          lines[3] = lines[3]!.split(':').slice(0, 9).join(':');
        }),
      );
      await expectFailure(dir, { code: 'RUP_ERR_FORMAT', message: `${join(dir, 'issue.csv')}:4: 9 fields where the header has 15 (a cut or damaged row?)` });
    });

    it('a quoted field the file ends inside', async () => {
      const dir = fixtureCopy((d) => writeFileSync(join(d, 'query-journals.csv'), `'1':(2026, 11, 21, 13, 57, 38.94, 0, 0, 0):'1':'set':"{'name': 'x`));
      await expectFailure(dir, { code: 'RUP_ERR_FORMAT', message: `${join(dir, 'query-journals.csv')}:1: unexpected end of file inside a quoted field (the file looks truncated)` });
    });

    it('a literal that does not parse', async () => {
      const dir = fixtureCopy((d) =>
        editLines(join(d, 'issue.csv'), (lines) => {
          lines[4] = lines[4]!.replace("'Unicode \\xc3\\xa9l\\xc3\\xa8ve in title breaks index'", "'Unicode \\xc3\\xa9l\\xc3\\xa8ve in title breaks index");
        }),
      );
      await expectFailure(dir, {
        code: 'RUP_ERR_FORMAT',
        message: `${join(dir, 'issue.csv')}:5: column 14 (title): unterminated string literal (at character 1)`,
      });
    });

    it('a bad date tuple', async () => {
      const dir = fixtureCopy((d) =>
        editLines(join(d, 'msg.csv'), (lines) => {
          lines[1] = lines[1]!.replace('(2024, 1, 10, 10, 0, 0.0, 0, 0, 0)', '(2024, 13, 10, 10, 0, 0.0, 0, 0, 0)');
        }),
      );
      await expectFailure(dir, {
        code: 'RUP_ERR_FORMAT',
        message: `${join(dir, 'msg.csv')}:2: column 6 (date): property "date" is not a date tuple: (2024, 13, 10, 10, 0, 0.0, 0, 0, 0)`,
      });
    });

    it('a value of the wrong type', async () => {
      const dir = fixtureCopy((d) =>
        editLines(join(d, 'issue.csv'), (lines) => {
          lines[1] = lines[1]!.replace(":['1']:['1']:['3']:", ":['1']:'1':['3']:");
        }),
      );
      await expectFailure(dir, { code: 'RUP_ERR_FORMAT', message: `${join(dir, 'issue.csv')}:2: column 9 (messages): property "messages" is not a list of item ids: '1'` });
    });

    it('an unknown property in the header', async () => {
      const dir = fixtureCopy((d) => editLines(join(d, 'user.csv'), (lines) => (lines[0] = lines[0]!.replace('phone', 'shoe_size'))));
      await expectFailure(dir, { code: 'RUP_ERR_FORMAT', message: `${join(dir, 'user.csv')}:1: user has no property "shoe_size"` });
    });

    it('a missing journal file', async () => {
      const dir = fixtureCopy((d) => unlinkSync(join(d, 'keyword-journals.csv')));
      await expectFailure(dir, {
        code: 'RUP_ERR_FILE',
        message: `${join(dir, 'keyword-journals.csv')}: missing (every <class>.csv needs its <class>-journals.csv, which may be empty)`,
      });
    });

    it('a journal row with too few fields, or about a property the class lacks', async () => {
      const short = fixtureCopy((d) => editLines(join(d, 'status-journals.csv'), (lines) => (lines[2] = lines[2]!.split(':').slice(0, 4).join(':'))));
      await expectFailure(short, { code: 'RUP_ERR_FORMAT', message: `${join(short, 'status-journals.csv')}:3: 4 fields where a journal entry has 5 (a cut or damaged row?)` });
      const unknown = fixtureCopy((d) => editLines(join(d, 'user-journals.csv'), (lines) => (lines[3] = lines[3]!.replace('alternate_addresses', 'pager'))));
      await expectFailure(unknown, {
        code: 'RUP_ERR_FORMAT',
        message: `${join(unknown, 'user-journals.csv')}:4: journal entry changes "pager", which is not a property of user`,
      });
    });

    it('a missing content file', async () => {
      const dir = fixtureCopy((d) => unlinkSync(join(d, 'msg-files', '0', 'msg7')));
      const path = join(dir, 'msg-files', '0', 'msg7');
      await expectFailure(dir, {
        code: 'RUP_ERR_FILE',
        message: `${path}: cannot read the content of msg7 (${join(dir, 'msg.csv')}:8): ENOENT: no such file or directory, open '${path}'`,
      });
    });

    it('an id twice, and two active items with one key', async () => {
      const twice = fixtureCopy((d) => editLines(join(d, 'query.csv'), (lines) => lines.splice(2, 0, lines[1]!)));
      await expectFailure(twice, { code: 'RUP_ERR_FORMAT', message: `${join(twice, 'query.csv')}:3: query1 appears twice in the file` });
      const clash = fixtureCopy((d) => editLines(join(d, 'keyword.csv'), (lines) => (lines[2] = lines[2]!.replace("'docs'", "'backend'"))));
      await expectFailure(clash, { code: 'RUP_ERR_DUPLICATE_KEY', message: new RegExp(`^${join(clash, 'keyword.csv')}: a key value is already used by another item`) });
    });

    it('a field longer than csv_field_size', async () => {
      await expectFailure(
        classicExport,
        { code: 'RUP_ERR_FORMAT', message: `${join(classicExport, 'user.csv')}:2: field larger than field limit (100); raise csv_field_size in the [main] section of config.ini` },
        { csvFieldSize: 100 },
      );
      // The command takes the limit from config.ini.
      await t.cleanup();
      t = await createTestTracker({ settings: { csv_field_size: '100' } });
      assert.deepEqual(await admin(t.home, ['import', classicExport]), {
        status: 1,
        stdout: `Error: ${join(classicExport, 'user.csv')}:2: field larger than field limit (100); raise csv_field_size in the [main] section of config.ini\n`,
        stderr: '',
      });
      const db = await adminDb(t.tracker);
      try {
        assert.deepEqual(await db.getclass('issue').getnodeids(null), []);
      } finally {
        await db.close();
      }
    });

    it('a CSV file of a class the schema lacks, and a directory that cannot be read', async () => {
      const dir = fixtureCopy((d) => {
        writeFileSync(join(d, 'gizmo.csv'), 'id:is retired\n');
        writeFileSync(join(d, 'gizmo-journals.csv'), '');
      });
      await expectFailure(dir, { code: 'RUP_ERR_NO_SUCH_CLASS', message: `${join(dir, 'gizmo.csv')}: no such class "gizmo"` });
      const missing = join(dir, 'nothing-here');
      await expectFailure(missing, { code: 'RUP_ERR_FILE', message: `cannot read the import directory ${missing}: ENOENT: no such file or directory, scandir '${missing}'` });
    });
  });

  describe('the import and importtables commands', () => {
    it('import prints Roundup\'s progress lines, replaces items with the same ids and is committed', async () => {
      const run = await admin(t.home, ['import', classicExport]);
      const classes = ['file 8', 'issue 13', 'keyword 6', 'msg 31', 'priority 6', 'query 2', 'status 9', 'user 7'];
      assert.deepEqual(run, { status: 0, stdout: classes.map((c) => `\nsetting ${c}\n`).join(''), stderr: '' });
      // The initialised tracker's admin, anonymous, priorities and statuses had the same ids: the
      // import replaced them, so the result is the same as importing into an empty tracker.
      const empty = await importedFixture();
      try {
        assert.deepEqual(await snapshot(t.tracker), await snapshot(empty.tracker));
      } finally {
        await empty.cleanup();
      }
    });

    it('importtables reads the tables without file contents', async () => {
      const dir = fixtureCopy((d) => {
        rmSync(join(d, 'msg-files'), { recursive: true });
        rmSync(join(d, 'file-files'), { recursive: true });
      });
      assert.equal((await admin(t.home, ['importtables', dir])).status, 0);
      const db = await adminDb(t.tracker);
      try {
        assert.equal((await db.getclass('msg').getnodeids(null)).length, 30);
        await assert.rejects(db.getclass('msg').get('1', 'binary_content'), { code: 'RUP_ERR_NO_SUCH_ITEM' });
      } finally {
        await db.close();
      }
    });

    it('reports failures as errors and usage errors, leaving the database as it was', async () => {
      const before = await snapshot(t.tracker);
      const dir = fixtureCopy((d) => unlinkSync(join(d, 'issue-journals.csv')));
      assert.deepEqual(await admin(t.home, ['import', dir]), {
        status: 1,
        stdout: `Error: ${join(dir, 'issue-journals.csv')}: missing (every <class>.csv needs its <class>-journals.csv, which may be empty)\n`,
        stderr: '',
      });
      writeFileSync(join(dir, 'issue-journals.csv'), '');
      writeFileSync(join(dir, 'gizmo.csv'), 'id\n');
      const unknown = await admin(t.home, ['import', dir]);
      assert.equal(unknown.status, 1);
      assert.match(unknown.stdout, new RegExp(`^Error: ${join(dir, 'gizmo.csv')}: no such class "gizmo"\n\nUsage: import import_dir\n`));
      assert.match((await admin(t.home, ['importtables'])).stdout, /^Error: Not enough arguments supplied\n\nUsage: importtables export_dir\n/);
      assert.deepEqual(await snapshot(t.tracker), before);
    });
  });
});
