/**
 * The texts of roundup-admin's usage and help, byte for byte as Roundup
 * prints them (its `usage`, `help_commands`, `help_all`, `do_help` and
 * usage-error feedback), built from the commands' `help` texts.
 */
import type { AdminCommand } from './command.js';

/** Roundup's docstrings are indented by 8 spaces in its source, and it prints them with that indentation. */
const SOURCE_INDENT = ' '.repeat(8);

/**
 * The command's docstring as Roundup's source holds it: the usage line,
 * the following lines indented by 8 spaces (blank lines left empty), and
 * the indentation before the closing quotes as the last line.
 */
export function rawDocstring(command: AdminCommand): string {
  const [first, ...rest] = command.help.split('\n');
  return [first, ...rest.map((line) => (line === '' ? '' : SOURCE_INDENT + line)), SOURCE_INDENT].join('\n');
}

/** The usage line without "Usage: " (what `help commands` lists). */
export function usageSummary(command: AdminCommand): string {
  return command.help.split('\n')[0]!.slice('Usage: '.length);
}

/**
 * `help <command>` for one command: the first line, then the others with
 * the indentation of the second line removed (none when the second line
 * is blank, so those docstrings keep their source indentation, as in
 * Roundup).
 */
export function commandHelp(command: AdminCommand): string {
  const lines = rawDocstring(command).split(/[\r\n]/);
  const indent = /^(\s+)\S+/.exec(lines[1] ?? '')?.[1]!.length ?? 0;
  return lines.map((line, i) => (i === 0 ? line : line.slice(indent))).join('\n') + '\n';
}

/** Output for a usage error: `Error: <message>`, a blank line, then the raw docstring. */
export function usageErrorText(message: string, command: AdminCommand): string {
  return `Error: ${message}\n\n${rawDocstring(command)}\n`;
}

/** `help commands`: the usage lines sorted, then the note about abbreviations. */
export function commandsList(commands: readonly AdminCommand[]): string {
  const lines = ['', ...commands.map((c) => ` ${usageSummary(c)}`)].sort(compareCodePoints);
  lines.push(ABBREVIATION_NOTE);
  return `Commands: ${lines.join('\n')}\n\n`;
}

const ABBREVIATION_NOTE = `Commands may be abbreviated as long as the abbreviation
matches only one command, e.g. l == li == lis == list.`;

/** Roundup's usage text (`-h`, or after a bad option with "Problem: ..." first), followed by the command list. */
export function usageText(commands: readonly AdminCommand[], problem = ''): string {
  const prefix = problem ? `Problem: ${problem}\n\n` : '';
  return `${prefix}${USAGE}${commandsList(commands)}`;
}

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
`;

/** `help all`: the general explanation, then every command's name and raw docstring. */
export function helpAllText(commands: readonly AdminCommand[]): string {
  const parts = [HELP_ALL_INTRO];
  for (const command of commands) parts.push(`${command.name}:\n    ${rawDocstring(command)}\n`);
  return parts.join('');
}

const HELP_ALL_INTRO = `
All commands (except help) require a tracker specifier. This is just
the path to the roundup tracker you're working with. A roundup tracker
is where roundup keeps the database and configuration file that defines
an issue tracker. It may be thought of as the issue tracker's "home
directory". It may be specified in the environment variable TRACKER_HOME
or on the command line as "-i tracker".

A designator is a classname and a nodeid concatenated, eg. bug1, user10, ...

Property values are represented as strings in command arguments and in the
printed results:
 . Strings are, well, strings.
 . Date values are printed in the full date format in the local time zone,
   and accepted in the full format or any of the partial formats explained
   below.
 . Link values are printed as node designators. When given as an argument,
   node designators and key strings are both accepted.
 . Multilink values are printed as lists of node designators joined
   by commas.  When given as an argument, node designators and key
   strings are both accepted; an empty string, a single node, or a list
   of nodes joined by commas is accepted.

When property values must contain spaces, just surround the value with
quotes, either ' or ". A single space may also be backslash-quoted. If a
value must contain a quote character, it must be backslash-quoted or inside
quotes. Examples:
           hello world      (2 tokens: hello, world)
           "hello world"    (1 token: hello world)
           "Roch'e" Compaan (2 tokens: Roch'e Compaan)
           Roch\\'e Compaan  (2 tokens: Roch'e Compaan)
           address="1 2 3"  (1 token: address=1 2 3)
           \\\\               (1 token: \\)
           \\n\\r\\t           (1 token: a newline, carriage-return and tab)
           f "test\\"q"      (2 tokens: f test"q)

When multiple nodes are specified to the roundup get or roundup set
commands, the specified properties are retrieved or set on all the listed
nodes.

When multiple results are returned by the roundup get or roundup find
commands, they are printed one per line (default) or joined by commas (with
the -c) option.

Where the command changes data, a login name/password is required. The
login may be specified as either "name" or "name:password".
 . ROUNDUP_LOGIN environment variable
 . the -u command-line option
If either the name or password is not supplied, they are obtained from the
command-line. (See admin guide before using -u.)

Date format examples:
  "2000-04-17.03:45" means <Date 2000-04-17.08:45:00>
  "2000-04-17" means <Date 2000-04-17.00:00:00>
  "01-25" means <Date yyyy-01-25.00:00:00>
  "08-13.22:13" means <Date yyyy-08-14.03:13:00>
  "11-07.09:32:43" means <Date yyyy-11-07.14:32:43>
  "14:25" means <Date yyyy-mm-dd.19:25:00>
  "8:47:11" means <Date yyyy-mm-dd.13:47:11>
  "." means "right now"

Command help:

`;

/**
 * `htmlhelp` (Roundup's `help_commands_html`): one table row per command,
 * sorted by name, with the description from the docstring's fourth line on.
 */
export function commandsHtml(commands: readonly AdminCommand[]): string {
  const out: string[] = [];
  for (const command of [...commands].sort((a, b) => compareCodePoints(a.name, b.name))) {
    const lines = rawDocstring(command).split('\n');
    out.push(`\n<tr><td valign=top><strong>${command.name}</strong></td>\n    <td><tt>${lines[0]}</tt><p>\n<pre>\n`);
    const indent = /^(\s+)\S+/.exec(lines[3] ?? '')?.[1]!.length ?? 0;
    for (const line of lines.slice(3)) out.push(`${line.slice(indent)}\n`);
    out.push('</pre></td></tr>\n\n');
  }
  return out.join('');
}

/** Python's default string order (by code point), which Roundup's sorts use. */
export function compareCodePoints(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
