import assert from 'node:assert/strict';
import { plain, useAdminTracker, usageError } from './admin-fixtures.js';

const FIND_DOC = `Usage: find classname propname=value ...
Find the nodes of the given class with a given link property value.

Find the nodes of the given class with a given link property value.
The value may be either the nodeid of the linked node, or its key
value.`;

const FILTER_DOC = `Usage: filter classname propname=value ...
Find the nodes of the given class with a given property value.

Find the nodes of the given class with a given property value.
Multiple values can be specified by separating them with commas.
If property is a string, all values must match. I.E. it's an
'and' operation. If the property is a link/multilink any value
matches. I.E. an 'or' operation.`;

for (const backend of ['sqlite', 'postgresql'] as const) {
  describe(`admin find and filter (${backend})`, () => {
    const a = useAdminTracker(backend);
    beforeEach(async () => {
      assert.equal((await a.run(['create', 'issue', 'title=foo bar', 'assignedto=admin'])).stdout, '1\n');
      assert.equal((await a.run(['create', 'issue', 'title=bar foo bar', 'assignedto=anonymous'])).stdout, '2\n');
    });

    describe('find', () => {
      it('prints the matching ids as a Python list (Roundup testFind)', async () => {
        assert.deepEqual(plain(await a.run(['find', 'issue', 'assignedto=1'])), { status: 0, stdout: "['1']\n", stderr: '' });
        assert.equal((await a.run(['find', 'issue', 'assignedto=1,2'])).stdout, "['1', '2']\n");
        assert.equal((await a.run(['find', 'issue', 'assignedto=admin,anonymous'])).stdout, "['1', '2']\n");
        assert.equal((await a.run(['find', 'issue', 'assignedto=3'])).stdout, '[]\n');
      });

      it('finds through Multilinks and ORs several properties', async () => {
        assert.equal((await a.run(['find', 'issue', 'nosy=anonymous'])).stdout, "['2']\n");
        assert.equal((await a.run(['find', 'issue', 'nosy=anonymous', 'assignedto=admin'])).stdout, "['1', '2']\n");
      });

      it('is reached by an abbreviation (Roundup testCliParse)', async () => {
        assert.equal((await a.run(['fin', 'issue', 'assignedto=1'])).stdout, "['1']\n");
      });

      it('joins the ids with -c/-s/-S and prints designators with -d', async () => {
        assert.equal((await a.run(['-c', 'find', 'issue', 'assignedto=1,2'])).stdout, '1,2\n');
        assert.equal((await a.run(['-s', 'find', 'issue', 'assignedto=1,2'])).stdout, '1 2\n');
        assert.equal((await a.run(['-d', 'find', 'issue', 'assignedto=1,2'])).stdout, "['issue1', 'issue2']\n");
        assert.equal((await a.run(['-S', ':', '-d', 'find', 'issue', 'assignedto=1,2'])).stdout, 'issue1:issue2\n');
      });

      it('reports bad arguments', async () => {
        const cases: Array<[string[], string]> = [
          [['find', 'issue', 'assignedto'], 'argument "assignedto" not propname=value'],
          [['find', 'issue', 'title=foo'], "'title' not a Link/Multilink property"],
          [['find', 'issue', 'nothing=1'], "'nothing' is not a property of issue"],
          [['find', 'issue', 'assignedto=nobody'], "property assignedto: 'nobody' is not a user."],
          [['find', 'foo', 'x=1'], 'no such class "foo"'],
          [['find'], 'Not enough arguments supplied'],
        ];
        for (const [argv, message] of cases) {
          assert.deepEqual(plain(await a.run(argv)), { status: 1, stdout: usageError(message, FIND_DOC), stderr: '' }, argv.join(' '));
        }
      });
    });

    describe('filter', () => {
      it('matches strings by substring, all values together (Roundup testFilter)', async () => {
        assert.equal((await a.run(['filter', 'user', 'username=admin'])).stdout, "['1']\n");
        assert.equal((await a.run(['filter', 'user', 'username=a,n'])).stdout, "['1', '2']\n");
        assert.equal((await a.run(['filter', 'user', 'username=a,y'])).stdout, "['2']\n");
        assert.equal((await a.run(['filter', 'user', 'username=admin,anonymous'])).stdout, '[]\n');
      });

      it('matches links by id or key, any value', async () => {
        assert.equal((await a.run(['filter', 'issue', 'assignedto=1,2'])).stdout, "['1', '2']\n");
        assert.equal((await a.run(['filter', 'issue', 'assignedto=admin,anonymous'])).stdout, "['1', '2']\n");
        assert.equal((await a.run(['filter', 'issue', 'assignedto=anonymous', 'title=foo'])).stdout, "['2']\n");
        assert.equal((await a.run(['filter', 'issue', 'priority=-1'])).stdout, "['1', '2']\n");
      });

      it('follows transitive property names', async () => {
        assert.equal((await a.run(['filter', 'issue', 'assignedto.roles=Anonymous'])).stdout, "['2']\n");
        assert.equal((await a.run(['filter', 'issue', 'assignedto.username=NoNAme'])).stdout, '[]\n');
        assert.equal((await a.run(['-c', 'filter', 'issue', 'assignedto.username=NoNAme'])).stdout, '\n');
        assert.equal((await a.run(['-c', 'filter', 'issue', 'assignedto.username=A'])).stdout, '1,2\n');
        assert.equal((await a.run(['-s', 'filter', 'issue', 'assignedto.username=A'])).stdout, '1 2\n');
        assert.equal((await a.run(['-S', ':', '-d', 'filter', 'issue', 'assignedto.username=A'])).stdout, 'issue1:issue2\n');
      });

      it('reads date values as ranges', async () => {
        assert.equal((await a.run(['filter', 'issue', 'activity=2000-01-01;'])).stdout, "['1', '2']\n");
        assert.equal((await a.run(['filter', 'issue', 'activity=;2000-01-01'])).stdout, '[]\n');
      });

      it('reports bad names and values with Roundup\'s messages', async () => {
        const cases: Array<[string[], string]> = [
          [['filter', 'issue', 'assignedto.badprop=Admin'], 'Class user has no property badprop in assignedto.badprop.'],
          [['filter', 'issue', 'badprop=1'], 'Class issue has no property badprop in badprop.'],
          [['filter', 'issue', 'title.x=1'], 'Property title of class issue is not a Link or Multilink in title.x.'],
          [['filter', 'issue', 'assignedto=nobody'], "property assignedto: 'nobody' is not a user."],
          [['filter', 'issue', 'activity=garbage'], 'Not a date spec: "yyyy-mm-dd", "mm-dd", "HH:MM", "HH:MM:SS" or "yyyy-mm-dd.HH:MM:SS.SSS"'],
          [['filter', 'issue', 'title'], 'argument "title" not propname=value'],
          [['filter', 'foo'], 'no such class "foo"'],
          [['filter'], 'Not enough arguments supplied'],
        ];
        for (const [argv, message] of cases) {
          assert.deepEqual(plain(await a.run(argv)), { status: 1, stdout: usageError(message, FILTER_DOC), stderr: '' }, argv.join(' '));
        }
      });
    });
  });
}
