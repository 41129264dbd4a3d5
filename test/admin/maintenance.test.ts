import assert from 'node:assert/strict';
import { packBefore, packCommand, perftestCommand, reindexCommand } from '../../lib/admin/commands/maintenance.js';
import { UsageError } from '../../lib/admin/command.js';
import { DateTime } from '../../lib/hyperdb/date.js';
import type { BackendName } from '../support/trackers.js';
import { usageError, useAdminTracker } from './admin-fixtures.js';
import { maintOn, runOnTerminal } from './maint-fixtures.js';

const SCHEMES = 'Supported schemes (default is first, case sensitive):\n   PBKDF2S5, PBKDF2, SSHA, SHA, MD5, crypt, plaintext.\n';

describe('pack periods and dates (packBefore)', () => {
  const now = DateTime.parse('2024-05-20.12:00:00');
  const cases: Array<[string, string]> = [
    ['3y', '2021-05-20.12:00:00'],
    ['2y 1m', '2022-04-20.12:00:00'],
    ['1m 25d', '2024-03-26.12:00:00'],
    ['2w', '2024-05-06.12:00:00'],
    ['2w 3d', '2024-05-03.12:00:00'],
    ['10d', '2024-05-10.12:00:00'],
    ['2001-01-01', '2001-01-01.00:00:00'],
    ['2001-1-5', '2001-01-05.00:00:00'],
  ];
  for (const [spec, expected] of cases) {
    it(`"${spec}" packs before ${expected}`, () => {
      assert.equal(packBefore(spec, now).toString(), expected);
    });
  }

  const bad: Array<[string, string]> = [
    ['foo', 'Invalid format "foo": use a period such as "3y", "2y 1m", "1m 25d" or "2w 3d", or a date "YYYY-MM-DD"'],
    ['2x', 'Invalid format "2x": use a period such as "3y", "2y 1m", "1m 25d" or "2w 3d", or a date "YYYY-MM-DD"'],
    ['3d 2y', 'Invalid format "3d 2y": use a period such as "3y", "2y 1m", "1m 25d" or "2w 3d", or a date "YYYY-MM-DD"'],
    ['', 'Invalid format "": use a period such as "3y", "2y 1m", "1m 25d" or "2w 3d", or a date "YYYY-MM-DD"'],
    ['2001-13-01', 'Invalid date "2001-13-01": month must be in 1..12'],
    ['2001-02-30', 'Invalid date "2001-02-30": day is out of range for month'],
  ];
  for (const [spec, message] of bad) {
    it(`refuses "${spec}"`, () => {
      assert.throws(() => packBefore(spec, now), (err: unknown) => err instanceof UsageError && err.message === message);
    });
  }
});

for (const backend of ['sqlite', 'postgresql'] as BackendName[]) {
  describe(`roundup-admin migrate, pack, reindex (${backend})`, () => {
    const t = useAdminTracker(backend);
    const run = (argv: string[]) => maintOn(t.home)(argv);
    const plain = (r: { status: number; stdout: string; stderr: string }) => ({ status: r.status, stdout: r.stdout, stderr: r.stderr });

    /** Texts of the tracker's index holding `word`, as `class:id:prop`. */
    async function indexed(word: string): Promise<string[]> {
      const storage = t.t.tracker.storage;
      return (await storage.indexer.find(storage.backend.reader, word)).map((h) => `${h.classname}:${h.itemid}:${h.prop}`).sort();
    }

    /** An issue titled `title` with one message holding `text`. */
    async function issueWithMessage(title: string, text: string): Promise<void> {
      const db = await t.open();
      const msg = await db.getclass('msg').create({ content: text, author: '1' });
      await db.getclass('issue').create({ title, messages: [msg] });
      await db.commit();
    }

    async function clearIndex(): Promise<void> {
      const db = await t.open();
      await db.clearTextIndex();
      await db.commit();
    }

    it('migrate reports that no action is needed on an up-to-date database', async () => {
      assert.deepEqual(plain(await run(['migrate'])), { status: 0, stdout: 'No migration action required. At schema version 1.\n', stderr: '' });
    });

    it('migrate reports the update when opening brought an older layout up to date', async () => {
      const tx = await t.t.tracker.storage.backend.beginWrite();
      await tx.run('UPDATE "__schema" SET version = 0');
      await tx.commit();
      assert.equal((await run(['migrate'])).stdout, 'Tracker updated to schema version 1.\n');
      assert.equal((await run(['migrate'])).stdout, 'No migration action required. At schema version 1.\n');
    });

    it('pack removes journal entries other than create before the date, and keeps newer ones', async () => {
      await run(['create', 'issue', 'title=first']);
      await run(['set', 'issue1', 'title=second']);
      const actions = async () => (await (await t.open()).getclass('issue').journal(['1'])).map((e) => e.action);
      assert.deepEqual(await actions(), ['create', 'set']);
      assert.deepEqual(plain(await run(['pack', '1d'])), { status: 0, stdout: '', stderr: '' });
      assert.deepEqual(await actions(), ['create', 'set']);
      assert.deepEqual(plain(await run(['pack', '2999-01-01'])), { status: 0, stdout: '', stderr: '' });
      assert.deepEqual(await actions(), ['create']);
    });

    it('pack takes the week suffix its help promises', async () => {
      assert.deepEqual(plain(await run(['pack', '2w 3d'])), { status: 0, stdout: '', stderr: '' });
    });

    it('pack needs exactly one argument and a valid period or date', async () => {
      assert.deepEqual(plain(await run(['pack'])), { status: 1, stdout: usageError('Not enough arguments supplied', packCommand.help), stderr: '' });
      assert.deepEqual(plain(await run(['pack', '2y', '1m'])), { status: 1, stdout: usageError('Not enough arguments supplied', packCommand.help), stderr: '' });
      assert.deepEqual(plain(await run(['pack', '2001-13-01'])), {
        status: 1,
        stdout: usageError('Invalid date "2001-13-01": month must be in 1..12', packCommand.help),
        stderr: '',
      });
    });

    it('reindex with no argument rebuilds the whole index', async () => {
      await issueWithMessage('findable title', 'hidden treasure');
      await clearIndex();
      assert.deepEqual(await indexed('treasure'), []);
      assert.deepEqual(plain(await run(['reindex'])), { status: 0, stdout: '', stderr: '' });
      assert.deepEqual(await indexed('treasure'), ['msg:1:content']);
      assert.deepEqual(await indexed('findable'), ['issue:1:title']);
    });

    it('reindex with a class name indexes that class only', async () => {
      await issueWithMessage('findable title', 'hidden treasure');
      await clearIndex();
      assert.deepEqual(plain(await run(['reindex', 'issue'])), { status: 0, stdout: '', stderr: '' });
      assert.deepEqual(await indexed('findable'), ['issue:1:title']);
      assert.deepEqual(await indexed('treasure'), []);
    });

    it('reindex with a range indexes ids from N up to M-1, naming the missing ones', async () => {
      await issueWithMessage('findable title', 'hidden treasure');
      await clearIndex();
      assert.deepEqual(plain(await run(['reindex', 'issue:1-4'])), { status: 0, stdout: 'no such item "issue2"\nno such item "issue3"\n', stderr: '' });
      assert.deepEqual(await indexed('findable'), ['issue:1:title']);
    });

    it('reindex with designators indexes those items', async () => {
      await issueWithMessage('findable title', 'hidden treasure');
      await clearIndex();
      assert.deepEqual(plain(await run(['reindex', 'msg1', 'issue1'])), { status: 0, stdout: '', stderr: '' });
      assert.deepEqual(await indexed('treasure'), ['msg:1:content']);
      assert.deepEqual(await indexed('findable'), ['issue:1:title']);
    });

    it('reindex draws a progress bar per class on a terminal, and nothing elsewhere', async () => {
      await issueWithMessage('findable title', 'hidden treasure');
      const shown = await runOnTerminal(['-i', t.home, 'reindex', 'issue', 'msg:1-3']);
      assert.deepEqual([shown.status, shown.stdout], [0, 'no such item "msg2"\n']);
      assert.match(shown.drawn, /\rReindex issue {2}\[#{20}\] {2}100% {2}1\/1/);
      assert.match(shown.drawn, /\rReindexing msg {2}\[#{20}\] {2}100% {2}2\/2/);
      assert.ok(shown.drawn.endsWith('\n'));
    });

    it('reindex refuses a designator of a missing item and an unknown class', async () => {
      assert.deepEqual(plain(await run(['reindex', 'issue14'])), { status: 1, stdout: usageError('no such item "issue14"', reindexCommand.help), stderr: '' });
      assert.deepEqual(plain(await run(['reindex', 'issue1-4'])), { status: 1, stdout: usageError('no such class "issue1-4"', reindexCommand.help), stderr: '' });
      assert.deepEqual(plain(await run(['reindex', 'nosuch:1-3'])), { status: 1, stdout: usageError('no such class "nosuch"', reindexCommand.help), stderr: '' });
      assert.deepEqual(plain(await run(['reindex', 'nosuch9'])), { status: 1, stdout: usageError('no such class "nosuch"', reindexCommand.help), stderr: '' });
    });
  });
}

describe('roundup-admin perftest', () => {
  const t = useAdminTracker();
  const run = (argv: string[]) => maintOn(t.home)(argv);

  it('times a hash with the default scheme and the configured rounds', async () => {
    const result = await run(['perftest']);
    assert.equal(result.status, 0);
    assert.match(result.stdout, /^Hash time: \d+\.\d{9} seconds, scheme: PBKDF2S5, rounds: 1000\n$/);
  });

  it('reads rounds with "," or "." thousands separators', async () => {
    assert.match((await run(['perftest', 'rounds=2,000'])).stdout, /^Hash time: \d+\.\d{9} seconds, scheme: PBKDF2S5, rounds: 2000\n$/);
    assert.match((await run(['perftest', 'password', 'rounds=1.500', 'scheme=PBKDF2'])).stdout, /^Hash time: \d+\.\d{9} seconds, scheme: PBKDF2, rounds: 1500\n$/);
  });

  it('says a scheme without rounds does not support them', async () => {
    assert.match((await run(['perftest', 'scheme=MD5'])).stdout, /^Hash time: \d+\.\d{9} seconds, scheme: MD5, rounds: scheme does not support rounds\.\n$/);
  });

  it('lists the schemes for an empty scheme=', async () => {
    const result = await run(['perftest', 'scheme=']);
    assert.deepEqual({ status: result.status, stdout: result.stdout }, { status: 0, stdout: SCHEMES });
  });

  it('names an unknown scheme and lists the known ones', async () => {
    assert.equal((await run(['perftest', 'scheme=foo'])).stdout, `Unknown encryption scheme 'foo'\n${SCHEMES}`);
  });

  it('refuses too few rounds and rounds that are no number', async () => {
    assert.equal((await run(['perftest', 'rounds=999'])).stdout, "Invalid 'rounds'. Must be larger than 999.\n");
    assert.equal((await run(['perftest', 'rounds=abc'])).stdout, "Invalid 'rounds'. It must be an integer not: abc\n");
    assert.equal((await run(['perftest', 'rounds='])).stdout, "Invalid 'rounds'. It must be an integer not: None\n");
  });

  it('refuses arguments that are not name=value and unknown modes', async () => {
    const bad = await run(['perftest', 'password', 'rounds']);
    assert.deepEqual({ status: bad.status, stdout: bad.stdout }, { status: 1, stdout: usageError('argument "rounds" not propname=value', perftestCommand.help) });
    const mode = await run(['perftest', 'speed']);
    assert.deepEqual({ status: mode.status, stdout: mode.stdout }, { status: 1, stdout: usageError('Unknown mode "speed" (supported: password)', perftestCommand.help) });
  });
});
