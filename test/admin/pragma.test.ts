import assert from 'node:assert/strict';
import { pragmaCommand } from '../../lib/admin/commands/pragma.js';
import { usageError, useAdminTracker } from './admin-fixtures.js';
import { maintOn } from './maint-fixtures.js';

const LIST_HEADING = 'Current settings and values (NYI - not yet implemented):\n';

const PLAIN_LIST =
  LIST_HEADING +
  '   display_header=False\n   display_protected=False\n   history_features=0\n   history_length=-1\n' +
  '   indexer_backend=\n   savepoint_limit=10000\n   show_retired=no\n   verbose=False\n';

const VERBOSE_LIST =
  LIST_HEADING +
  '   _floattest=3.5\n      Float valued setting. For testing only.\n\n' +
  '   _inttest=3\n      Integer valued setting. For testing only.\n\n' +
  '   _reopen_tracker=False\n      Force reopening of tracker when running each command.\n\n' +
  "   display_header=False\n      Have 'display designator[,designator*]' show header inside\n      []'s before items. Includes retired/active status.\n\n" +
  "   display_protected=False\n      Have 'display designator' and 'specification class' show\n      protected fields: creator, id etc.\n\n" +
  '   history_features=0\n      Controls history options. It is a bitstring where setting\n' +
  '      the bit disables the feature. A value of 0 (default)\n      enables all features. Value 1 disables loading of\n' +
  '      history.  Value 2 disables saving history. Value 4\n      disables loading init file. Since it is a bitstring a\n' +
  '      value of 6 disables both loading init file and saving\n      history.\n\n' +
  '   history_length=-1\n      Set the number of lines of history to keep for this session.\n      -1 is infinite.\n\n' +
  "   indexer_backend=\n      Set indexer to use when running 'reindex' NYI\n\n" +
  '   savepoint_limit=10000\n      set the number of rows imported before a database commit is\n      done. Used only for imports on PostgreSQL.\n\n' +
  "   show_retired=no\n      Show retired items in table, list etc. One of 'no', 'only', 'both'\n\n" +
  '   verbose=True\n      Enable verbose output: tracing, descriptions...\n\n';

describe('roundup-admin pragma', () => {
  const t = useAdminTracker();
  const run = (argv: string[], answers?: string[]) => maintOn(t.home)(argv, { answers });

  it('lists the settings and their values, hidden ones left out', async () => {
    const result = await run(['pragma', 'list']);
    assert.deepEqual({ status: result.status, stdout: result.stdout, stderr: result.stderr }, { status: 0, stdout: PLAIN_LIST, stderr: '' });
  });

  it('in verbose mode lists hidden settings and every description', async () => {
    const result = await run(['-P', 'verbose=yes', 'pragma', 'list']);
    assert.equal(result.stdout, `Reopening tracker\n${VERBOSE_LIST}`);
  });

  for (const word of ['oN', '1', 'yeS', 'True']) {
    it(`takes "${word}" as true for a boolean setting`, async () => {
      const result = await run(['-P', `display_header=${word}`, 'pragma', 'list']);
      assert.match(result.stdout, /^ {3}display_header=True$/m);
    });
  }

  for (const word of ['oFf', '0', 'NO', 'FalSe']) {
    it(`takes "${word}" as false for a boolean setting`, async () => {
      const result = await run(['-P', 'verbose=true', '-P', `verbose=${word}`, 'pragma', 'list']);
      assert.equal(result.stdout, PLAIN_LIST);
    });
  }

  it('sets integers, with blanks, signs and digit separators as Python reads them', async () => {
    const result = await run(['-P', 'history_length=-5', '-P', 'savepoint_limit= 1_000 ', 'pragma', 'list']);
    assert.match(result.stdout, /^ {3}history_length=-5$/m);
    assert.match(result.stdout, /^ {3}savepoint_limit=1000$/m);
  });

  it('sets hidden settings', async () => {
    const result = await run(['-P', 'verbose=on', '-P', '_inttest=5', 'pragma', 'list']);
    assert.match(result.stdout, /^ {3}_inttest=5\n {6}Integer valued setting\. For testing only\.\n$/m);
  });

  it('accepts no, only and both for show_retired', async () => {
    const result = await run(['-P', 'show_retired=only', 'pragma', 'list']);
    assert.match(result.stdout, /^ {3}show_retired=only$/m);
  });

  it('keeps a value set in an interactive session for the following commands', async () => {
    const result = await run([], ['pragma indexer_backend=whoosh', 'pragma list', 'quit']);
    assert.equal(result.status, 0);
    assert.match(result.stdout, /^ {3}indexer_backend=whoosh$/m);
  });

  const errors: Array<[string[], string]> = [
    [['pragma'], 'Not enough arguments supplied'],
    [['pragma', 'arg'], 'Argument must be setting=value, was given: arg.'],
    [['pragma', 'foo=3'], 'Unknown setting foo. Try "pragma list".'],
    [['pragma', 'verbose=Maybe'], 'Incorrect value for boolean setting verbose: maybe.'],
    [['pragma', '_inttest=fred'], 'Incorrect value for integer setting _inttest: fred.'],
    [['pragma', 'history_length=1.5'], 'Incorrect value for integer setting history_length: 1.5.'],
    [['pragma', '_floattest=4.5'], 'Internal error: pragma can not handle values of type: float'],
    [['pragma', 'show_retired=Only'], 'Incorrect value for setting show_retired: Only. Should be no, both, or only.'],
  ];
  for (const [argv, message] of errors) {
    it(`refuses "${argv.slice(1).join(' ')}": ${message}`, async () => {
      const result = await run(argv);
      assert.deepEqual({ status: result.status, stdout: result.stdout }, { status: 1, stdout: usageError(message, pragmaCommand.help) });
    });
  }

  it('reports a bad -P setting and goes on with the command, as Roundup', async () => {
    const result = await run(['-P', 'nosuch=1', 'pragma', 'list']);
    assert.deepEqual({ status: result.status, stdout: result.stdout }, { status: 0, stdout: `\nUnknown setting nosuch. Try "pragma list".\n\n${PLAIN_LIST}` });
  });
});
