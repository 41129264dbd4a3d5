import assert from 'node:assert/strict';
import type { AdminCommand } from '../../lib/admin/command.js';
import { main } from '../../lib/admin/cli.js';
import { ADMIN_COMMANDS } from '../../lib/admin/commands/index.js';
import { helpCommand } from '../../lib/admin/commands/help.js';
import { displayCommand, getCommand, listCommand } from '../../lib/admin/commands/reads.js';
import { securityCommand, specificationCommand } from '../../lib/admin/commands/schema-info.js';
import { setCommand } from '../../lib/admin/commands/items.js';
import { commitCommand } from '../../lib/admin/commands/transaction.js';
import { PACKAGE_VERSION } from '../../lib/util/package-info.js';
import { CaptureIO, useScratchDir } from './admin-fixtures.js';

/** A fixed command set, so the expected lists do not change as commands are added to the tool. */
const SOME: readonly AdminCommand[] = [commitCommand, displayCommand, getCommand, helpCommand, listCommand, securityCommand, setCommand, specificationCommand];

async function run(argv: string[], commands: readonly AdminCommand[] = SOME) {
  const io = new CaptureIO();
  const status = await main(argv, io, {}, commands);
  return { status, stdout: io.stdout, stderr: io.stderr };
}

const COMMANDS_LIST = `Commands: 
 commit
 display designator[,designator]*
 get property designator[,designator]*
 help topic
 list classname [property]
 security [Role name]
 set items property=value [property=value ...]
 specification classname
Commands may be abbreviated as long as the abbreviation
matches only one command, e.g. l == li == lis == list.

`;

const USAGE = `Usage: roundup-admin [options] [<command> <arguments>]

Options:
 -i instance home  -- specify the issue tracker "home directory" to administer
 -u                -- the user[:password] to use for commands (default admin)
 -d                -- print full designators not just class id numbers
 -c                -- when outputting lists of data, comma-separate them.
                      Same as '-S ","'.
 -S <string>       -- when outputting lists of data, string-separate them
 -s                -- when outputting lists of data, space-separate them.
                      Same as '-S " "'.
 -P pragma=value   -- Set a pragma on command line rather than interactively.
                      Can be used multiple times.
 -V                -- be verbose when importing
 -v                -- report Roundup and Python versions (and quit)

 Only one of -s, -c or -S can be specified.

Help:
 roundup-admin -h
 roundup-admin help                       -- this help
 roundup-admin help <command>             -- command-specific help
 roundup-admin help all                   -- all available help
${COMMANDS_LIST}`;

describe('admin help and usage texts', () => {
  it('-h prints the usage and the command list, exit 0', async () => {
    assert.deepEqual(await run(['-h']), { status: 0, stdout: USAGE, stderr: '' });
  });

  it('a bad option prints "Problem: ..." before the usage, exit 1', async () => {
    assert.deepEqual(await run(['-q', 'list']), { status: 1, stdout: `Problem: option -q not recognized\n\n${USAGE}`, stderr: '' });
    assert.deepEqual(await run(['-S']), { status: 1, stdout: `Problem: option -S requires argument\n\n${USAGE}`, stderr: '' });
  });

  it('refuses two of -c, -s and -S', async () => {
    const problem = `Problem: Only one of -c, -S and -s may be specified\n\n${USAGE}`;
    assert.deepEqual(await run(['-c', '-s', 'list', 'user']), { status: 1, stdout: problem, stderr: '' });
    assert.deepEqual(await run(['-S', ':', '-c', 'list', 'user']), { status: 1, stdout: problem, stderr: '' });
    assert.deepEqual(await run(['-s', '-S', ':', 'list', 'user']), { status: 1, stdout: problem, stderr: '' });
  });

  it('-v prints our version and the Node.js version where Roundup prints its own and Python\'s', async () => {
    assert.deepEqual(await run(['-v']), { status: 0, stdout: `${PACKAGE_VERSION} (node ${process.versions.node})\n`, stderr: '' });
  });

  it('help with no topic prints the help command\'s own help', async () => {
    assert.deepEqual(await run(['help']), {
      status: 0,
      stdout: `Usage: help topic
Give help about topic.

commands  -- list commands
<command> -- help specific to a command
initopts  -- init command options
all       -- all available help

`,
      stderr: '',
    });
  });

  it('help commands lists the usage lines sorted', async () => {
    assert.deepEqual(await run(['help', 'commands']), { status: 0, stdout: COMMANDS_LIST, stderr: '' });
  });

  it('help <command> removes the docstring indentation', async () => {
    assert.deepEqual(await run(['help', 'get']), {
      status: 0,
      stdout: `Usage: get property designator[,designator]*
Get the given property of one or more designator(s).

A designator is a classname and a nodeid concatenated,
eg. bug1, user10, ...

Retrieves the property value of the nodes specified
by the designators.

`,
      stderr: '',
    });
  });

  it('help keeps the indentation of a docstring whose second line is blank, as Roundup', async () => {
    assert.deepEqual(await run(['help', 'display']), {
      status: 0,
      stdout: `Usage: display designator[,designator]*

        Show the property values for the given node(s).

        A designator is a classname and a nodeid concatenated,
        eg. bug1, user10, ...

        This lists the properties and their associated values
        for the given node.
        
`,
      stderr: '',
    });
    const security = await run(['help', 'security']);
    assert.equal(
      security.stdout,
      `Usage: security [Role name]

             Display the Permissions available to one or all Roles.
             Also validates that any properties defined in a
             permission are valid.

             Run this after changing your permissions to catch
             typos.
        
`,
    );
  });

  it('help takes an abbreviation and shows every command it matches', async () => {
    const s = await run(['help', 'sp']);
    assert.equal(s.stdout, 'Usage: specification classname\nShow the properties for a classname.\n\nThis lists the properties for a given class.\n\n');
    const both = await run(['help', 'se']);
    assert.equal(both.status, 0);
    assert.ok(both.stdout.startsWith('Usage: security [Role name]\n'));
    assert.ok(both.stdout.endsWith('(ie "1,2,3").\n\n\n'));
    assert.ok(both.stdout.includes('        \nUsage: set items property=value [property=value ...]\nSet the given properties of one or more items(s).\n'));
  });

  it('help with an unknown topic says so (exit 0 from "help", as Roundup)', async () => {
    assert.deepEqual(await run(['help', 'xyzzy']), { status: 0, stdout: 'Sorry, no help for "xyzzy"\n', stderr: '' });
  });

  describe('initopts', () => {
    useScratchDir();

    it('help initopts lists the templates and the backends', async () => {
      assert.deepEqual(await run(['help', 'initopts']), { status: 0, stdout: 'Templates: classic, minimal\nBack ends: sqlite, postgresql\n', stderr: '' });
    });
  });

  it('help all prints the general help, then each command with its raw docstring', async () => {
    const { stdout, status } = await run(['help', 'all'], [commitCommand, getCommand, helpCommand]);
    assert.equal(status, 0);
    assert.ok(stdout.startsWith('\nAll commands (except help) require a tracker specifier. This is just\n'));
    assert.ok(stdout.includes(`           Roch\\'e Compaan  (2 tokens: Roch'e Compaan)\n           address="1 2 3"  (1 token: address=1 2 3)\n           \\\\               (1 token: \\)\n           \\n\\r\\t           (1 token: a newline, carriage-return and tab)\n           f "test\\"q"      (2 tokens: f test"q)\n`));
    assert.ok(
      stdout.endsWith(`  "." means "right now"

Command help:

commit:
    Usage: commit
        Commit changes made to the database during an interactive session.

        The changes made during an interactive session are not
        automatically written to the database - they must be committed
        using this command.

        One-off commands on the command-line are automatically committed if
        they are successful.
        
get:
    Usage: get property designator[,designator]*
        Get the given property of one or more designator(s).

        A designator is a classname and a nodeid concatenated,
        eg. bug1, user10, ...

        Retrieves the property value of the nodes specified
        by the designators.
        
help:
    Usage: help topic
        Give help about topic.

        commands  -- list commands
        <command> -- help specific to a command
        initopts  -- init command options
        all       -- all available help
        
`),
    );
  });

  it('htmlhelp prints a table row per command', async () => {
    assert.deepEqual(await run(['htmlhelp'], [specificationCommand]), {
      status: 0,
      stdout: `
<tr><td valign=top><strong>specification</strong></td>
    <td><tt>Usage: specification classname</tt><p>
<pre>
This lists the properties for a given class.

</pre></td></tr>

`,
      stderr: '',
    });
  });

  it('morehelp prints the help command\'s help, the command list and help all', async () => {
    const { stdout, status } = await run(['morehelp'], [commitCommand]);
    assert.equal(status, 0);
    assert.ok(stdout.startsWith('Commands: \n commit\nCommands may be abbreviated'));
    assert.ok(stdout.includes('\n\n\nAll commands (except help) require'));
  });

  it('the registry lists every command once, sorted, each help starting with its usage line', () => {
    const names = ADMIN_COMMANDS.map((c) => c.name);
    assert.deepEqual(names, [...new Set(names)].sort());
    for (const c of ADMIN_COMMANDS) assert.ok(c.help.startsWith(`Usage: ${c.name}`), c.name);
    for (const name of ['commit', 'create', 'display', 'filter', 'find', 'get', 'help', 'history', 'list', 'restore', 'retire', 'rollback', 'security', 'set', 'specification', 'table']) {
      assert.ok(names.includes(name), name);
    }
  });
});
