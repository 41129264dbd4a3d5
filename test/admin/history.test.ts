import assert from 'node:assert/strict';
import type { DateTime } from '../../lib/hyperdb/date.js';
import { TYPES_TEMPLATE, type AdminTracker, plain, useAdminTracker, usageError } from './admin-fixtures.js';

const HISTORY_DOC = `Usage: history designator [skipquiet] [raw]
Show the history entries of a designator.

A designator is a classname and a nodeid concatenated,
eg. bug1, user10, ...

Lists the journal entries viewable by the user for the node
identified by the designator. If skipquiet is added, journal
entries for quiet properties are not shown. If raw is added,
the output is the raw representation of the journal entries.`;

/** The dates of an item's journal entries, oldest first, to build the expected lines. */
async function journalDates(a: AdminTracker, classname: string, itemid: string): Promise<DateTime[]> {
  const db = await a.open();
  return (await db.getclass(classname).history(itemid, { skipquiet: false })).map((e) => e.date);
}

for (const backend of ['sqlite', 'postgresql'] as const) {
  describe(`admin history (${backend})`, () => {
    describe('on the classic template', () => {
      const a = useAdminTracker(backend);

      it('prints create, set, link, unlink, retired and restored entries in Roundup\'s words', async () => {
        await a.run(['create', 'issue', 'title=first issue', 'assignedto=admin']);
        await a.run(['create', 'msg', 'content=hello']);
        await a.run(['set', 'issue1', 'status=chatting', 'title=renamed', 'messages=1', 'nosy=+anonymous', 'priority=bug']);
        await a.run(['set', 'issue1', 'nosy=-admin', 'assignedto=anonymous']);
        await a.run(['retire', 'issue1']);
        await a.run(['restore', 'issue1']);
        const d = (await journalDates(a, 'issue', '1')).map(String);
        assert.deepEqual(plain(await a.run(['history', 'issue1'])), {
          status: 0,
          stdout: [
            `admin(${d[0]}) create issue`,
            `admin(${d[1]}) set modified messages: added: msg1; modified nosy: added: anonymous(2); priority was None; status was unread(1); title was 'first issue'`,
            `admin(${d[2]}) set assignedto was admin(1); modified nosy: removed: admin(1)`,
            `admin(${d[3]}) retired issue`,
            `admin(${d[4]}) restored issue`,
            '',
          ].join('\n'),
          stderr: '',
        });
        const u = (await journalDates(a, 'user', '2')).map(String);
        assert.equal(
          (await a.run(['history', 'user2'])).stdout,
          // The nosy list of issues is not journalled on the users (do_journal 'no', as Roundup's IssueClass).
          [`admin(${u[0]}) create user`, `admin(${u[1]}) link added issue1 to assignedto`, ''].join('\n'),
        );
        const m = (await journalDates(a, 'user', '1')).map(String);
        assert.equal(
          (await a.run(['history', 'user1'])).stdout,
          [
            `admin(${m[0]}) create user`,
            `admin(${m[1]}) link added issue1 to assignedto`,
            `admin(${m[2]}) unlink removed issue1 from assignedto`,
            '',
          ].join('\n'),
        );
      });

      it('names the acting user (ROUNDUP_LOGIN) and shows the password scheme, not the hash', async () => {
        await a.run(['set', 'user2', 'password=secret'], { env: { ROUNDUP_LOGIN: 'anonymous' } });
        await a.run(['set', 'user2', 'password=other'], { env: { ROUNDUP_LOGIN: 'anonymous:whatever' } });
        const d = (await journalDates(a, 'user', '2')).map(String);
        assert.equal(
          (await a.run(['history', 'user2'])).stdout,
          `admin(${d[0]}) create user\nanonymous(${d[1]}) set password was None\nanonymous(${d[2]}) set password was {PBKDF2S5}*encrypted*\n`,
        );
      });

      it('prints the raw journal tuples with raw', async () => {
        await a.run(['create', 'issue', 'title=first', 'assignedto=admin']);
        await a.run(['set', 'issue1', 'title=second', 'nosy=+anonymous', 'status=2']);
        const d = (await journalDates(a, 'issue', '1')).map((x) => `<Date ${String(x)}.${String(x.millisecond).padStart(3, '0')}>`);
        assert.deepEqual(plain(await a.run(['history', 'issue1', 'raw'])), {
          status: 0,
          stdout: `[(1, ${d[0]}, '1', 'create', {}), (1, ${d[1]}, '1', 'set', {'nosy': (('+', ['2']),), 'status': '1', 'title': 'first'})]\n`,
          stderr: '',
        });
        const u = (await journalDates(a, 'user', '1')).map((x) => `<Date ${String(x)}.${String(x.millisecond).padStart(3, '0')}>`);
        assert.equal(
          (await a.run(['history', 'user1', 'raw', 'skipquiet'])).stdout,
          `[(1, ${u[0]}, '1', 'create', {}), (1, ${u[1]}, '1', 'link', ('issue', '1', 'assignedto'))]\n`,
        );
      });

      it('reports bad arguments, unknown classes and items', async () => {
        const cases: Array<[string[], string]> = [
          [['history'], 'Not enough arguments supplied'],
          [['history', 'issue'], '"issue" not a node designator'],
          [['history', 'foo1'], 'no such class "foo"'],
          [['history', 'issue9'], 'no such issue node "9"'],
          [['history', 'user1', 'loud', 'raw', 'x'], "Unexpected argument(s): loud, x. Expected 'skipquiet' or 'raw'."],
        ];
        for (const [argv, message] of cases) {
          assert.deepEqual(plain(await a.run(argv)), { status: 1, stdout: usageError(message, HISTORY_DOC), stderr: '' }, argv.join(' '));
        }
      });
    });

    describe('on a schema with quiet properties of every type', () => {
      const a = useAdminTracker(backend, TYPES_TEMPLATE);

      it('prints old values as Python str forms, and leaves quiet ones out with skipquiet', async () => {
        await a.run(['set', 'user2', 'age=3', 'rating=7', 'assignable=yes', 'realname=Fred']);
        await a.run(['set', 'user2', 'age=4.5', 'rating=8', 'assignable=no', 'realname=', 'roles=User,Nobody']);
        await a.run(['create', 'issue', 'title=t', 'deadline=2024-05-06.07:08:09']);
        await a.run(['set', 'issue1', 'deadline=2025-01-01', 'foo=2d']);
        const d = (await journalDates(a, 'user', '2')).map(String);
        assert.equal(
          (await a.run(['history', 'user2'])).stdout,
          [
            `admin(${d[0]}) create user`,
            `admin(${d[1]}) set age was None; assignable was None; rating was None; realname was None`,
            `admin(${d[2]}) set age was 3.0; assignable was True; rating was 7; realname was 'Fred'; roles was 'User'`,
            '',
          ].join('\n'),
        );
        assert.equal(
          (await a.run(['history', 'user2', 'skipquiet'])).stdout,
          [`admin(${d[0]}) create user`, `admin(${d[2]}) set roles was 'User'`, ''].join('\n'),
        );
        const i = (await journalDates(a, 'issue', '1')).map(String);
        assert.equal((await a.run(['history', 'issue1'])).stdout, `admin(${i[0]}) create issue\nadmin(${i[1]}) set deadline was 2024-05-06.07:08:09; foo was - 7d\n`);
      });
    });
  });
}
