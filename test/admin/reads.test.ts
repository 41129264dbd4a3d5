import assert from 'node:assert/strict';
import { ADMIN_COMMANDS } from '../../lib/admin/commands/index.js';
import { AdminSession } from '../../lib/admin/session.js';
import type { DateTime } from '../../lib/hyperdb/date.js';
import { CaptureIO, type AdminTracker, plain, useAdminTracker, usageError } from './admin-fixtures.js';

const GET_DOC = `Usage: get property designator[,designator]*
Get the given property of one or more designator(s).

A designator is a classname and a nodeid concatenated,
eg. bug1, user10, ...

Retrieves the property value of the nodes specified
by the designators.`;

const DISPLAY_DOC = `Usage: display designator[,designator]*

Show the property values for the given node(s).

A designator is a classname and a nodeid concatenated,
eg. bug1, user10, ...

This lists the properties and their associated values
for the given node.`;

const LIST_DOC = `Usage: list classname [property]
List the instances of a class.

Lists all instances of the given class. If the property is not
specified, the  "label" property is used. The label property is
tried in order: the key, "name", "title" and then the first
property, alphabetically.

With -c, -S or -s print a list of item id's if no property
specified.  If property specified, print list of that property
for every class instance.`;

const TABLE_DOC = `Usage: table classname [property[,property]*]
List the instances of a class in tabular form.

Lists all instances of the given class. If the properties are not
specified, all properties are displayed. By default, the column
widths are the width of the largest value. The width may be
explicitly defined by defining the property as "name:width".
For example::

  roundup> table priority id,name:10
  Id Name
  1  fatal-bug
  2  bug
  3  usability
  4  feature

Also to make the width of the column the width of the label,
leave a trailing : without a width on the property. For example::

  roundup> table priority id,name:
  Id Name
  1  fata
  2  bug
  3  usab
  4  feat

will result in a the 4 character wide "Name" column.`;

/** Two issues as in Roundup's test_admin: issue1 assigned to admin, issue2 to anonymous and superseding issue1. */
async function seedIssues(a: AdminTracker): Promise<void> {
  assert.equal((await a.run(['create', 'issue', 'title=foo bar', 'assignedto=admin'])).stdout, '1\n');
  assert.equal((await a.run(['create', 'issue', 'title=bar foo bar', 'assignedto=anonymous', 'superseder=1'])).stdout, '2\n');
}

/** Runs one command in a session with pragmas set (as `pragma` or `-P` would). */
async function withPragmas(a: AdminTracker, pragmas: Record<string, string | boolean>, args: string[]) {
  const io = new CaptureIO();
  const session = new AdminSession({ io, commands: ADMIN_COMMANDS, home: a.home, username: 'admin', listOutput: { separator: null, designators: false }, verbose: false });
  for (const [k, v] of Object.entries(pragmas)) session.pragmas.set(k, v);
  try {
    const status = await session.runCommand(args);
    return { status, stdout: io.stdout, stderr: io.stderr };
  } finally {
    await session.close();
  }
}

for (const backend of ['sqlite', 'postgresql'] as const) {
  describe(`admin display, get, list, table (${backend})`, () => {
    const a = useAdminTracker(backend);

    describe('display', () => {
      it('prints "prop: value" lines sorted by name, in Python str forms', async () => {
        await seedIssues(a);
        assert.deepEqual(plain(await a.run(['display', 'issue2'])), {
          status: 0,
          stdout: `assignedto: 2
files: []
keyword: []
messages: []
nosy: ['2']
priority: None
status: 1
superseder: ['1']
title: bar foo bar
`,
          stderr: '',
        });
      });

      it('shows several items one after the other', async () => {
        await seedIssues(a);
        const { stdout, status } = await a.run(['display', 'status1,priority3']);
        assert.equal(status, 0);
        assert.equal(stdout, 'name: unread\norder: 1.0\nname: bug\norder: 3.0\n');
      });

      it('with pragma display_protected adds the protected properties, starred', async () => {
        await seedIssues(a);
        const db = await a.open();
        const creation = (await db.getclass('status').get('2', 'creation')) as DateTime;
        const activity = (await db.getclass('status').get('2', 'activity')) as DateTime;
        assert.deepEqual(await withPragmas(a, { display_protected: true }, ['display', 'status2']), {
          status: 0,
          stdout: `*activity: ${activity.toString()}\n*actor: 1\n*creation: ${creation.toString()}\n*creator: 1\n*id: 2\n name: deferred\n order: 2.0\n`,
          stderr: '',
        });
      });

      it('with pragma display_header prints a header with the active/retired state', async () => {
        await a.run(['retire', 'status3']);
        assert.deepEqual(await withPragmas(a, { display_header: true }, ['display', 'status2,status3']), {
          status: 0,
          stdout: '\n[status2 (active)]\n name: deferred\n order: 2.0\n\n[status3 (retired)]\n name: chatting\n order: 3.0\n',
          stderr: '',
        });
      });

      it('reports a malformed designator, an unknown class, a missing item and missing arguments', async () => {
        const cases: Array<[string[], string]> = [
          [['display', 'issue'], '"issue" not a node designator'],
          [['display', '1issue'], '"1issue" not a node designator'],
          [['display', 'foo1'], 'no such class "foo"'],
          [['display', 'issue99'], 'no such issue node "99"'],
          [['display'], 'Not enough arguments supplied'],
        ];
        for (const [argv, message] of cases) {
          assert.deepEqual(plain(await a.run(argv)), { status: 1, stdout: usageError(message, DISPLAY_DOC), stderr: '' }, argv.join(' '));
        }
      });
    });

    describe('get', () => {
      beforeEach(() => seedIssues(a));

      it('prints the value of each designator on its own line', async () => {
        assert.equal((await a.run(['get', 'assignedto', 'issue2'])).stdout, '2\n');
        assert.equal((await a.run(['get', 'superseder', 'issue2'])).stdout, "['1']\n");
        assert.equal((await a.run(['get', 'title', 'issue1'])).stdout, 'foo bar\n');
        assert.equal((await a.run(['get', 'priority', 'issue1'])).stdout, 'None\n');
        assert.equal((await a.run(['get', 'title', 'issue1,issue2'])).stdout, 'foo bar\nbar foo bar\n');
        assert.equal((await a.run(['get', 'order', 'priority4'])).stdout, '4.0\n');
      });

      it('with -d prints linked designators, one per line', async () => {
        assert.deepEqual(plain(await a.run(['-d', 'get', 'assignedto', 'issue1,issue2'])), { status: 0, stdout: 'user1\nuser2\n', stderr: '' });
        await a.run(['set', 'issue1', 'nosy=1,2']);
        assert.equal((await a.run(['-d', 'get', 'nosy', 'issue1'])).stdout, 'user1\nuser2\n');
        assert.equal((await a.run(['-d', 'get', 'superseder', 'issue1'])).stdout, '\n');
      });

      it('with -c, -s or -S joins the linked ids', async () => {
        await a.run(['set', 'issue1', 'nosy=1,2']);
        assert.equal((await a.run(['-c', 'get', 'nosy', 'issue1'])).stdout, '1,2\n');
        assert.equal((await a.run(['-s', 'get', 'nosy', 'issue1'])).stdout, '1 2\n');
        assert.equal((await a.run(['-S', ':', '-d', 'get', 'nosy', 'issue1'])).stdout, 'user1:user2\n');
        assert.equal((await a.run(['-c', 'get', 'assignedto', 'issue2'])).stdout, '2\n');
      });

      it('refuses -d and separators on a property that is not a Link or Multilink', async () => {
        const r = await a.run(['-d', 'get', 'title', 'issue1']);
        assert.deepEqual([r.status, r.stdout], [1, usageError('property title is not of type Multilink or Link so -d flag does not apply.', GET_DOC)]);
        assert.equal((await a.run(['-c', 'get', 'title', 'issue1'])).stdout, usageError('property title is not of type Multilink or Link so -d flag does not apply.', GET_DOC));
      });

      it('reports an unknown property, class or item, a malformed designator and missing arguments', async () => {
        const cases: Array<[string[], string]> = [
          [['get', 'tile', 'issue1'], 'no such issue property "tile"'],
          [['get', 'title', 'issue'], '"issue" not a node designator'],
          [['get', 'title', 'issue99'], 'no such issue node "99"'],
          [['get', 'title', 'foo1'], 'no such class "foo"'],
          [['get', 'title'], 'Not enough arguments supplied'],
        ];
        for (const [argv, message] of cases) {
          const r = await a.run(argv);
          assert.deepEqual([r.status, r.stdout, r.stderr], [1, usageError(message, GET_DOC), ''], argv.join(' '));
        }
        // Values of the designators before the bad one are printed already.
        assert.equal((await a.run(['get', 'title', 'issue1,issue99'])).stdout, `foo bar\n${usageError('no such issue node "99"', GET_DOC)}`);
      });
    });

    describe('list', () => {
      it('prints "%4s: %s" lines of the label property', async () => {
        assert.deepEqual(plain(await a.run(['list', 'status'])), {
          status: 0,
          stdout: '   1: unread\n   2: deferred\n   3: chatting\n   4: need-eg\n   5: in-progress\n   6: testing\n   7: done-cbb\n   8: resolved\n',
          stderr: '',
        });
        assert.equal((await a.run(['list', 'user'])).stdout, '   1: admin\n   2: anonymous\n');
      });

      it('prints a given property instead of the label', async () => {
        assert.equal((await a.run(['list', 'priority', 'order'])).stdout, '   1: 1.0\n   2: 2.0\n   3: 3.0\n   4: 4.0\n   5: 5.0\n');
        assert.equal((await a.run(['list', 'user', 'realname'])).stdout, '   1: None\n   2: None\n');
      });

      it('uses the title for issues (no key, no name)', async () => {
        await seedIssues(a);
        assert.equal((await a.run(['li', 'issue'])).stdout, '   1: foo bar\n   2: bar foo bar\n');
      });

      it('with -c/-s/-S prints the ids, or the property values, joined', async () => {
        assert.equal((await a.run(['-c', 'list', 'status'])).stdout, '1,2,3,4,5,6,7,8\n');
        assert.equal((await a.run(['-s', 'list', 'user', 'username'])).stdout, 'admin anonymous\n');
        assert.equal((await a.run(['-S', '|', 'list', 'priority', 'name'])).stdout, 'critical|urgent|bug|feature|wish\n');
      });

      it('leaves retired items out, and shows them under pragma show_retired', async () => {
        await a.run(['retire', 'user2']);
        assert.equal((await a.run(['list', 'user'])).stdout, '   1: admin\n');
        assert.equal((await withPragmas(a, { show_retired: 'only' }, ['list', 'user'])).stdout, '   2: anonymous\n');
        assert.equal((await withPragmas(a, { show_retired: 'both' }, ['list', 'user'])).stdout, '   1: admin\n   2: anonymous\n');
      });

      it('reports an unknown class or property and a wrong number of arguments', async () => {
        const cases: Array<[string[], string]> = [
          [['list'], 'Not enough arguments supplied'],
          [['list', 'user', 'username', 'x'], 'Too many arguments supplied'],
          [['list', 'foo'], 'no such class "foo"'],
          [['list', 'user', 'badprop'], 'user has no property "badprop"'],
        ];
        for (const [argv, message] of cases) {
          const r = await a.run(argv);
          assert.deepEqual([r.status, r.stdout, r.stderr], [1, usageError(message, LIST_DOC), ''], argv.join(' '));
        }
      });
    });

    describe('table', () => {
      it('pads each column to its widest value or header (Roundup testTable)', async () => {
        assert.deepEqual(plain(await a.run(['table', 'user', 'id,realname,username'])), {
          status: 0,
          stdout: 'Id Realname Username \n1  None     admin    \n2  None     anonymous\n',
          stderr: '',
        });
      });

      it('takes the header width for "prop:" and a fixed width for "prop:N", truncating values', async () => {
        assert.equal((await a.run(['table', 'user', 'id,realname,username:'])).stdout, 'Id Realname Username\n1  None     admin   \n2  None     anonymou\n');
        assert.equal((await a.run(['table', 'user', 'id:4,realname:2,username:3'])).stdout, 'Id   Realname Username\n1    No adm\n2    No ano\n');
      });

      it('shows every property by default, the protected ones last', async () => {
        const db = await a.open();
        const items = await db.getclass('priority').getMany(['1', '2', '3', '4', '5']);
        const names = ['critical', 'urgent', 'bug', 'feature', 'wish'];
        const rows = names.map((name, i) => {
          const v = items.get(String(i + 1))!;
          return `${name.padEnd(8)} ${`${i + 1}.0`.padEnd(5)} ${String(i + 1).padEnd(2)} ${String(v.creation)} ${String(v.activity)} 1       1    `;
        });
        assert.equal((await a.run(['table', 'priority'])).stdout, `Name     Order Id Creation            Activity            Creator Actor\n${rows.join('\n')}\n`);
      });

      it('shows the values set by set on a whole class (Roundup testSetOnClass)', async () => {
        await seedIssues(a);
        assert.equal((await a.run(['table', 'issue', 'assignedto'])).stdout, 'Assignedto\n1         \n2         \n');
        assert.deepEqual(plain(await a.run(['set', 'issue', 'assignedto=2'])), { status: 0, stdout: '', stderr: '' });
        assert.equal((await a.run(['table', 'issue', 'assignedto'])).stdout, 'Assignedto\n2         \n2         \n');
      });

      it('reports bad column specifications', async () => {
        const cases: Array<[string[], string]> = [
          [['table'], 'Not enough arguments supplied'],
          [['table', 'id,realname,username'], 'no such class "id,realname,username"'],
          [['table', 'user', 'id,realname,username:4:3'], '"username:4:3" not name:width'],
          [['table', 'user', 'id,realname,title:4'], 'user has no property "title"'],
          [['table', 'user', 'id,nothing'], 'user has no property "nothing"'],
          [['table', 'user', 'id,username:x'], '"username:x" does not have an integer width: "x"'],
        ];
        for (const [argv, message] of cases) {
          const r = await a.run(argv);
          assert.deepEqual([r.status, r.stdout, r.stderr], [1, usageError(message, TABLE_DOC), ''], argv.join(' '));
        }
      });
    });
  });
}
