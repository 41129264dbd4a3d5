/**
 * `pragma setting=value | list`: the session settings of roundup-admin,
 * checked and listed as Roundup's do_pragma does. The settings and their
 * starting values are in pragma-defaults.ts; a setting keeps the type of
 * its default (yes/no words for booleans, whole numbers for integers,
 * `no`/`only`/`both` for show_retired, any text for the other strings).
 */
import { type AdminCommand, UsageError } from '../command.js';
import type { AdminContext } from '../context.js';
import { defaultPragmas } from '../pragma-defaults.js';
import { pythonFloatRepr } from '../../util/python-literal.js';
import { println, requireArgs } from './common.js';

type PragmaValue = string | number | boolean;

/** Roundup's description of each setting (shown by `pragma list` in verbose mode). */
const PRAGMA_HELP: Readonly<Record<string, string>> = {
  display_header: "Have 'display designator[,designator*]' show header inside\n      []'s before items. Includes retired/active status.\n",
  display_protected: "Have 'display designator' and 'specification class' show\n      protected fields: creator, id etc.\n",
  history_features:
    'Controls history options. It is a bitstring where setting\n' +
    '      the bit disables the feature. A value of 0 (default)\n' +
    '      enables all features. Value 1 disables loading of\n' +
    '      history.  Value 2 disables saving history. Value 4\n' +
    '      disables loading init file. Since it is a bitstring a\n' +
    '      value of 6 disables both loading init file and saving\n' +
    '      history.\n',
  history_length: 'Set the number of lines of history to keep for this session.\n      -1 is infinite.\n',
  indexer_backend: "Set indexer to use when running 'reindex' NYI\n",
  _reopen_tracker: 'Force reopening of tracker when running each command.\n',
  savepoint_limit: 'set the number of rows imported before a database commit is\n      done. Used only for imports on PostgreSQL.\n',
  show_retired: "Show retired items in table, list etc. One of 'no', 'only', 'both'\n",
  verbose: 'Enable verbose output: tracing, descriptions...\n',
  _inttest: 'Integer valued setting. For testing only.\n',
  _floattest: 'Float valued setting. For testing only.\n',
};

const TRUE_WORDS = ['yes', 'true', 'on', '1'];
const FALSE_WORDS = ['no', 'false', 'off', '0'];
const SHOW_RETIRED = ['no', 'only', 'both'];

/** Python's `str()` of a setting value: True/False, whole numbers, floats with a fraction, text as is. */
function pythonText(value: PragmaValue | null | undefined): string {
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : pythonFloatRepr(value);
  return value ?? '';
}

/** The kind of value a setting takes: that of its default (a setting unknown to the defaults keeps its current kind). */
function kindOf(setting: string, current: PragmaValue | undefined): 'bool' | 'int' | 'float' | 'str' {
  const model = defaultPragmas().get(setting) ?? current;
  if (typeof model === 'boolean') return 'bool';
  if (typeof model === 'number') return Number.isInteger(model) ? 'int' : 'float';
  return 'str';
}

/** Checks `value` for `setting` and converts it, with Roundup's messages. */
export function parsePragma(pragmas: ReadonlyMap<string, PragmaValue>, setting: string, value: string): PragmaValue {
  if (!pragmas.has(setting)) throw new UsageError(`Unknown setting ${setting}. Try "pragma list".`);
  switch (kindOf(setting, pragmas.get(setting))) {
    case 'bool': {
      const word = value.toLowerCase();
      if (TRUE_WORDS.includes(word)) return true;
      if (FALSE_WORDS.includes(word)) return false;
      throw new UsageError(`Incorrect value for boolean setting ${setting}: ${word}.`);
    }
    case 'int':
      // Python's int(): blanks around, a sign, underscores between digits.
      if (!/^\s*[+-]?\d+(?:_\d+)*\s*$/.test(value)) throw new UsageError(`Incorrect value for integer setting ${setting}: ${value}.`);
      return Number(value.replace(/_/g, '').trim());
    case 'float':
      throw new UsageError('Internal error: pragma can not handle values of type: float');
    case 'str':
      if (setting === 'show_retired' && !SHOW_RETIRED.includes(value)) {
        throw new UsageError(`Incorrect value for setting ${setting}: ${value}. Should be no, both, or only.`);
      }
      return value;
  }
}

/** `pragma list`: every setting and its value, hidden ones and descriptions only in verbose mode. */
function listPragmas(ctx: AdminContext): void {
  println(ctx, 'Current settings and values (NYI - not yet implemented):');
  const verbose = ctx.pragmas.get('verbose') === true;
  for (const key of [...ctx.pragmas.keys()].sort()) {
    if (key.startsWith('_') && !verbose) continue;
    println(ctx, `   ${key}=${pythonText(ctx.pragmas.get(key))}`);
    if (verbose) {
      const help = PRAGMA_HELP[key] ?? 'Help for this pragma is missing. Please report it to the Roundup project.\n';
      println(ctx, `      ${help}`);
    }
  }
}

export const pragmaCommand: AdminCommand = {
  name: 'pragma',
  needsTracker: true,
  help: `Usage: pragma setting=value | 'list'
Set internal admin settings to a value. E.G.

    pragma verbose=True
    pragma verbose=yes
    pragma verbose=on
    pragma verbose=1

 will turn on verbose mode for roundup-admin.

    pragma list

 will show all settings and their current values. If verbose
 is enabled hidden settings and descriptions will be shown.`,
  async run(ctx, args) {
    requireArgs(args, 1);
    const at = args[0]!.indexOf('=');
    if (at < 0) {
      if (args[0] !== 'list') throw new UsageError(`Argument must be setting=value, was given: ${args[0]}.`);
      listPragmas(ctx);
      return 0;
    }
    const setting = args[0]!.slice(0, at);
    ctx.pragmas.set(setting, parsePragma(ctx.pragmas, setting, args[0]!.slice(at + 1)));
    return 0;
  },
};
