/**
 * `genconfig`, `updateconfig` and `templates`: the configuration file
 * and template commands, with Roundup's output (do_genconfig,
 * do_updateconfig, do_templates). They write and read files only; no
 * database is opened.
 */
import { dirname, resolve } from 'node:path';
import { RupError } from '../../errors.js';
import { type TrackerConfig, createTrackerConfig, loadTrackerConfig } from '../../tracker/config.js';
import { writeConfigIni } from '../../tracker/config-writer.js';
import { findTemplates } from '../../tracker/install.js';
import type { AdminCommand } from '../command.js';
import type { AdminContext } from '../context.js';
import { println, requireArgs } from './common.js';

/** The password rounds default of Roundup before 2.5; configs still holding it are moved to the new default. */
const OLD_ROUNDS_DEFAULT = 10000;

/** Writes `config` to `file` (keeping an existing file as .bak); a file system failure is RUP_ERR_FILE. */
function saveConfig(config: TrackerConfig, file: string): void {
  try {
    writeConfigIni(config, file);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (!e.code) throw err;
    throw new RupError('RUP_ERR_FILE', `cannot write ${file}: ${e.message}`, { cause: err });
  }
}

export const genconfigCommand: AdminCommand = {
  name: 'genconfig',
  needsTracker: false,
  help: `Usage: genconfig <filename>
Generate a new tracker config file (ini style) with default
values in <filename>.`,
  async run(_ctx, args) {
    requireArgs(args, 1);
    const file = resolve(args[0]!);
    saveConfig(createTrackerConfig(dirname(file)), file);
    return 0;
  },
};

/**
 * Roundup's advice when updating a config: values still at an old
 * default are moved to the new one, values below the recommended minimum
 * and a MySQL collation not matching the charset are pointed out.
 */
function reviewOldDefaults(ctx: AdminContext, config: TrackerConfig): void {
  const recommended = Number(config.defaultText('main', 'password_pbkdf2_default_rounds'));
  const rounds = config.PASSWORD_PBKDF2_DEFAULT_ROUNDS as number;
  if (rounds === OLD_ROUNDS_DEFAULT) {
    println(
      ctx,
      `Changing option\n   'password_pbkdf2_default_rounds'\nfrom old default of ${rounds} to new default of ${recommended}.`,
    );
    config.set('main', 'password_pbkdf2_default_rounds', String(recommended));
  }
  if (recommended > (config.PASSWORD_PBKDF2_DEFAULT_ROUNDS as number)) {
    println(ctx, `Update 'password_pbkdf2_default_rounds' to a number equal to or larger\n  than ${recommended}.\n`);
  }
  const charset = config.text('rdbms', 'mysql_charset') ?? '';
  if (!(config.text('rdbms', 'mysql_collation') ?? '').startsWith(`${charset}_`)) {
    println(ctx, 'Check the rdbms mysql_* settings. Your charset and collations may need\n  to be changed. See upgrading instructions.\n');
  }
}

export const updateconfigCommand: AdminCommand = {
  name: 'updateconfig',
  needsTracker: false,
  help: `Usage: updateconfig <filename>
Generate an updated tracker config file (ini style) in
<filename>. Use current settings from existing roundup
tracker in tracker home.`,
  async run(ctx, args) {
    requireArgs(args, 1);
    const config = loadTrackerConfig(resolve(ctx.home));
    // Roundup puts a blank line before its feedback, feedback or not.
    println(ctx);
    reviewOldDefaults(ctx, config);
    saveConfig(config, resolve(args[0]!));
    return 0;
  },
};

/** Splits text into words and whitespace runs, words also after a hyphen between letters (Python textwrap's chunks). */
function chunks(text: string): string[] {
  const out: string[] = [];
  for (const part of text.split(/(\s+)/)) {
    if (part === '') continue;
    if (/^\s/.test(part)) out.push(part);
    else out.push(...part.split(/(?<=[A-Za-z]-)(?=[A-Za-z])/));
  }
  return out;
}

/**
 * Python's `textwrap.fill(text, width, subsequent_indent=indent)`:
 * whitespace characters become spaces, lines are filled greedily up to
 * `width` columns (indent included), whitespace at line breaks is
 * dropped and words longer than a line are cut.
 */
export function fillText(text: string, width: number, indent: string): string {
  const pending = chunks(text.replace(/\t/g, '        ').replace(/[\n\r\v\f]/g, ' ')).reverse();
  const lines: string[] = [];
  while (pending.length) {
    const lineIndent = lines.length ? indent : '';
    const room = width - lineIndent.length;
    if (lines.length && pending[pending.length - 1]!.trim() === '') pending.pop();
    const line: string[] = [];
    let used = 0;
    while (pending.length && used + pending[pending.length - 1]!.length <= room) {
      const chunk = pending.pop()!;
      line.push(chunk);
      used += chunk.length;
    }
    if (pending.length && pending[pending.length - 1]!.length > room) {
      const long = pending.pop()!;
      const take = Math.max(room - used, 1);
      line.push(long.slice(0, take));
      pending.push(long.slice(take));
    }
    if (line.length && line[line.length - 1]!.trim() === '') line.pop();
    if (line.length) lines.push(lineIndent + line.join(''));
  }
  return lines.join('\n');
}

export const templatesCommand: AdminCommand = {
  name: 'templates',
  needsTracker: false,
  help: `Usage: templates [trace_search]
List templates and their installed directories.

With trace_search also list all directories that are
searched for templates.`,
  async run(ctx, args) {
    const trace = args[0] === 'trace_search';
    const templates = findTemplates(process.cwd(), {
      onSearch: trace ? (place) => println(ctx, place.label) : undefined,
      onWarning: (message) => println(ctx, message),
    });
    for (const name of [...templates.keys()].sort()) {
      const info = templates.get(name)!;
      const description = fillText(
        info.description
          .split('\n')
          .map((line) => line.trimStart())
          .join('\n'),
        70,
        '      ',
      );
      ctx.io.out(`\nName: ${info.name}\nPath: ${info.path}\nDesc: ${description}\n\n`);
    }
    return 0;
  },
};
