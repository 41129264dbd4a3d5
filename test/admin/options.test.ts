import assert from 'node:assert/strict';
import { OptionError, parseOptions } from '../../lib/admin/options.js';

describe('admin options (Python getopt on i:u:hcdP:sS:vV)', () => {
  it('reads options up to the command and leaves the rest as arguments', () => {
    assert.deepEqual(parseOptions(['-i', '/t', '-c', 'list', '-s', 'issue']), {
      options: [
        { letter: 'i', value: '/t' },
        { letter: 'c', value: '' },
      ],
      args: ['list', '-s', 'issue'],
    });
  });

  it('takes an attached value and grouped flags', () => {
    assert.deepEqual(parseOptions(['-i/t', '-cd', '-S:', 'x']).options, [
      { letter: 'i', value: '/t' },
      { letter: 'c', value: '' },
      { letter: 'd', value: '' },
      { letter: 'S', value: ':' },
    ]);
  });

  it('ends a group at an option taking a value: -dufred', () => {
    assert.deepEqual(parseOptions(['-dufred']).options, [
      { letter: 'd', value: '' },
      { letter: 'u', value: 'fred' },
    ]);
  });

  it('stops at -- and at a lone -', () => {
    assert.deepEqual(parseOptions(['-c', '--', '-s']), { options: [{ letter: 'c', value: '' }], args: ['-s'] });
    assert.deepEqual(parseOptions(['-', 'x']), { options: [], args: ['-', 'x'] });
  });

  it('repeats -P', () => {
    assert.deepEqual(parseOptions(['-P', 'a=1', '-Pb=2']).options, [
      { letter: 'P', value: 'a=1' },
      { letter: 'P', value: 'b=2' },
    ]);
  });

  it('refuses an unknown option with getopt\'s message', () => {
    assert.throws(() => parseOptions(['-x']), (err: unknown) => err instanceof OptionError && err.message === 'option -x not recognized');
    assert.throws(() => parseOptions(['--help']), (err: unknown) => err instanceof OptionError && err.message === 'option --help not recognized');
  });

  it('refuses an option missing its value', () => {
    assert.throws(() => parseOptions(['-i']), (err: unknown) => err instanceof OptionError && err.message === 'option -i requires argument');
  });
});
