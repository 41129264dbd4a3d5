import assert from 'node:assert/strict';
import { verifyPassword } from '../../lib/hyperdb/password.js';
import { CaptureIO, plain, useAdminTracker, usageError } from './admin-fixtures.js';

const CREATE_DOC = `Usage: create classname property=value ...
Create a new entry of a given class.

This creates a new entry of the given class using the property
name=value arguments provided on the command line after the "create"
command.`;

const SET_DOC = `Usage: set items property=value [property=value ...]
Set the given properties of one or more items(s).

The items are specified as a class or as a comma-separated
list of item designators (ie "designator[,designator,...]").

A designator is a classname and a nodeid concatenated,
eg. bug1, user10, ...

This command sets the properties to the values for all
designators given. If a class is used, the property will be
set for all items in the class. If the value is missing
(ie. "property=") then the property is un-set. If the property
is a multilink, you specify the linked ids for the multilink
as comma-separated numbers (ie "1,2,3").
`;

const RETIRE_DOC = `Usage: retire designator[,designator]*
Retire the node specified by designator.

A designator is a classname and a nodeid concatenated,
eg. bug1, user10, ...

This action indicates that a particular node is not to be retrieved
by the list or find commands, and its key value may be re-used.`;

const RESTORE_DOC = `Usage: restore designator[,designator]*
Restore the retired node specified by designator.

A designator is a classname and a nodeid concatenated,
eg. bug1, user10, ...

The given nodes will become available for users again.`;

for (const backend of ['sqlite', 'postgresql'] as const) {
  describe(`admin create, set, retire, restore (${backend})`, () => {
    const a = useAdminTracker(backend);

    describe('create', () => {
      it('prints the new id and commits the item', async () => {
        assert.deepEqual(plain(await a.run(['create', 'issue', 'title=foo bar', 'assignedto=admin', 'keyword=', 'priority=bug'])), { status: 0, stdout: '1\n', stderr: '' });
        const db = await a.open();
        const issue = await db.getclass('issue').getnode('1');
        assert.deepEqual([issue.title, issue.assignedto, issue.priority, issue.keyword, issue.creator], ['foo bar', '1', '3', [], '1']);
      });

      it('requires the key property', async () => {
        assert.deepEqual(plain(await a.run(['create', 'user', 'address=x@example.com'])), { status: 1, stdout: usageError('you must provide the "username" property.', CREATE_DOC), stderr: '' });
      });

      it('reports bad values with the hyperdb messages', async () => {
        const cases: Array<[string[], string]> = [
          [['create', 'issue', 'tile=x'], "'tile' is not a property of issue"],
          [['create', 'issue', 'activity=.'], "'activity' is not a property of issue"],
          [['create', 'issue', 'assignedto=nobody'], "property assignedto: 'nobody' is not a user."],
          [
            ['create', 'msg', 'content=hi', 'date=notadate'],
            `property date: 'notadate' is an invalid date (Not a date spec: "yyyy-mm-dd", "mm-dd", "HH:MM", "HH:MM:SS" or "yyyy-mm-dd.HH:MM:SS.SSS")`,
          ],
          [['create', 'user', 'username=admin'], 'node with key "admin" exists'],
          [['create', 'issue', 'title'], 'argument "title" not propname=value'],
          [['create', 'foo', 'x=1'], 'no such class "foo"'],
          [['create'], 'Not enough arguments supplied'],
        ];
        for (const [argv, message] of cases) {
          assert.deepEqual(plain(await a.run(argv)), { status: 1, stdout: usageError(message, CREATE_DOC), stderr: '' }, argv.join(' '));
        }
        const db = await a.open();
        assert.deepEqual(await db.getclass('issue').list(), []);
      });

      it('reads dates in the user zone and keeps quoted values whole', async () => {
        assert.equal((await a.run(['create', 'msg', 'content=hello there', 'date=2024-02-03.04:05:06'])).stdout, '1\n');
        assert.equal((await a.run(['get', 'date', 'msg1'])).stdout, '2024-02-03.04:05:06\n');
        assert.equal((await a.run(['get', 'content', 'msg1'])).stdout, 'hello there\n');
      });

      it('asks for each property when none is given, passwords twice until they agree', async () => {
        const io = new CaptureIO(['bob', 'one', 'two', 'secret', 'secret', 'bob@example.com', '', '', '', '', '', '', '']);
        const run = await a.run(['create', 'user'], { io });
        assert.equal(run.status, 0);
        assert.equal(
          run.stdout,
          'Username (String): Password (Password):    Password (Again): Sorry, try again...\nPassword (Password):    Password (Again): Address (String): Realname (String): Phone (String): Organisation (String): Alternate_addresses (String): Queries (Multilink): Roles (String): Timezone (String): 3\n',
        );
        assert.deepEqual(
          io.questions.map((q) => q.secret),
          [false, true, true, true, true, false, false, false, false, false, false, false, false],
        );
        const db = await a.open();
        const user = await db.getclass('user').getnode('3');
        assert.deepEqual([user.username, user.address, user.realname], ['bob', 'bob@example.com', null]);
        assert.equal((await verifyPassword(user.password as string, 'secret')).ok, true);
      });
    });

    describe('set', () => {
      beforeEach(async () => {
        await a.run(['create', 'issue', 'title=foo bar', 'assignedto=admin']);
        await a.run(['create', 'issue', 'title=bar foo bar', 'assignedto=anonymous']);
      });

      it('sets properties silently and commits', async () => {
        assert.deepEqual(plain(await a.run(['set', 'issue2', 'title=new title', 'priority=urgent'])), { status: 0, stdout: '', stderr: '' });
        assert.equal((await a.run(['get', 'title', 'issue2'])).stdout, 'new title\n');
        assert.equal((await a.run(['get', 'priority', 'issue2'])).stdout, '2\n');
      });

      it('sets every listed designator, or every item of a class', async () => {
        await a.run(['set', 'issue1,issue2', 'status=chatting']);
        assert.equal((await a.run(['-c', 'list', 'issue', 'status'])).stdout, '3,3\n');
        await a.run(['set', 'issue', 'status=resolved']);
        assert.equal((await a.run(['-c', 'list', 'issue', 'status'])).stdout, '8,8\n');
      });

      it('unsets a property given without a value', async () => {
        await a.run(['set', 'issue1', 'assignedto=', 'title=']);
        assert.equal((await a.run(['get', 'assignedto', 'issue1'])).stdout, 'None\n');
        assert.equal((await a.run(['get', 'title', 'issue1'])).stdout, 'None\n');
      });

      it('adds to and removes from a Multilink with +/-, per item', async () => {
        await a.run(['set', 'issue1,issue2', 'nosy=+anonymous']);
        assert.equal((await a.run(['get', 'nosy', 'issue1,issue2'])).stdout, "['1', '2']\n['2']\n");
        await a.run(['set', 'issue1', 'nosy=-admin']);
        assert.equal((await a.run(['get', 'nosy', 'issue1'])).stdout, "['2']\n");
      });

      it('reports bad arguments (Roundup testSet)', async () => {
        const cases: Array<[string[], string]> = [
          [['set', 'issue2', 'tile=new title'], "'tile' is not a property of issue"],
          [['set', 'issue2'], 'Not enough arguments supplied'],
          [['set', 'issue2,issue1,issue', 'status=1'], '"issue" not a node designator'],
          [['set', 'foo1', 'status=1'], 'no such class "foo"'],
          [['set', 'foo', 'status=1'], 'no such class "foo"'],
          [['set', 'issue1', 'status=nonsense'], "property status: 'nonsense' is not a status."],
          [['set', 'issue1', 'status'], 'argument "status" not propname=value'],
        ];
        for (const [argv, message] of cases) {
          assert.deepEqual(plain(await a.run(argv)), { status: 1, stdout: usageError(message, SET_DOC), stderr: '' }, argv.join(' '));
        }
        assert.equal((await a.run(['-c', 'list', 'issue', 'status'])).stdout, '1,1\n');
      });

      it('stops at a bad item, and one-shot mode still commits the items set before it, as Roundup', async () => {
        assert.deepEqual(plain(await a.run(['set', 'issue2,issue1,user2', 'status=2'])), { status: 1, stdout: usageError("'status' is not a property of user", SET_DOC), stderr: '' });
        assert.equal((await a.run(['-c', 'list', 'issue', 'status'])).stdout, '2,2\n');
        assert.deepEqual(plain(await a.run(['set', 'issue2,issue1,issue1000', 'status=3'])), { status: 1, stdout: usageError('no such issue 1000', SET_DOC), stderr: '' });
        assert.equal((await a.run(['-c', 'list', 'issue', 'status'])).stdout, '3,3\n');
      });
    });

    describe('retire and restore', () => {
      it('retires and restores, refusing a restore whose key is taken (Roundup testRetireRestore)', async () => {
        assert.equal((await a.run(['create', 'user', 'username=user1', 'address=user1'])).stdout, '3\n');
        assert.deepEqual(plain(await a.run(['retire', 'user3'])), { status: 0, stdout: '', stderr: '' });
        assert.equal((await a.run(['create', 'user', 'username=user1', 'address=user1a'])).stdout, '4\n');
        assert.deepEqual(plain(await a.run(['restore', 'user3'])), {
          status: 1,
          stdout: usageError('Key property (username) of retired node clashes with existing one (user1)', RESTORE_DOC),
          stderr: '',
        });
        assert.equal((await a.run(['list', 'user'])).stdout, '   1: admin\n   2: anonymous\n   4: user1\n');
        assert.deepEqual(plain(await a.run(['retire', 'user4'])), { status: 0, stdout: '', stderr: '' });
        assert.deepEqual(plain(await a.run(['restore', 'user3'])), { status: 0, stdout: '', stderr: '' });
        assert.equal((await a.run(['list', 'user'])).stdout, '   1: admin\n   2: anonymous\n   3: user1\n');
      });

      it('takes several designators', async () => {
        await a.run(['retire', 'status1,status2']);
        assert.equal((await a.run(['-c', 'list', 'status'])).stdout, '3,4,5,6,7,8\n');
        await a.run(['restore', 'status2,status1']);
        assert.equal((await a.run(['-c', 'list', 'status'])).stdout, '1,2,3,4,5,6,7,8\n');
      });

      it('reports unknown classes and items and malformed designators', async () => {
        for (const [doc, name] of [
          [RETIRE_DOC, 'retire'],
          [RESTORE_DOC, 'restore'],
        ] as const) {
          const cases: Array<[string[], string]> = [
            [[name, 'issue99'], 'no such issue node "99"'],
            [[name, 'foo1'], 'no such class "foo"'],
            [[name, 'issue'], '"issue" not a node designator'],
            [[name], 'Not enough arguments supplied'],
          ];
          for (const [argv, message] of cases) {
            assert.deepEqual(plain(await a.run(argv)), { status: 1, stdout: usageError(message, doc), stderr: '' }, argv.join(' '));
          }
        }
      });
    });
  });
}
