/**
 * `install` and `initialise`: creating a tracker home from a template and
 * giving it a fresh database, with Roundup's prompts, questions and
 * messages (its do_install / do_initialise). Both run before any tracker
 * is opened (they make one).
 */
import { existsSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import pg from 'pg';
import { RupError, isRupError } from '../../errors.js';
import { AVAILABLE_BACKENDS } from '../../tracker/config-options-services.js';
import { CONFIG_FILE, type TrackerConfig, loadTrackerConfig } from '../../tracker/config.js';
import { findTemplates, installTracker } from '../../tracker/install.js';
import { databaseDir, pgSettings } from '../../tracker/storage-factory.js';
import { Tracker, nukeTrackerData } from '../../tracker/tracker.js';
import { AdminError, type AdminCommand, UsageError } from '../command.js';
import type { AdminContext } from '../context.js';
import { println } from './common.js';

/** Roundup's default template; the default backend is our embedded one, as anydbm is Roundup's. */
const DEFAULT_TEMPLATE = 'classic';
const DEFAULT_BACKEND = 'sqlite';

const RULE = '---------------------------------------------------------------------------';

/**
 * Roundup's _get_choice: an argument naming one of `options` is taken as
 * is; otherwise the options are listed and the question repeated until
 * one is typed, an empty answer meaning the default. Null when input ends
 * first.
 */
async function choose(ctx: AdminContext, listName: string, question: string, options: readonly string[], argument: string, fallback: string): Promise<string | null> {
  if (options.includes(argument)) return argument;
  println(ctx, `${listName}: ${options.join(', ')}`);
  for (;;) {
    const answer = await ctx.io.prompt(`${question} [${fallback}]: `);
    if (answer === null) return null;
    if (answer === '') return fallback;
    if (options.includes(answer)) return answer;
  }
}

/** A yes/no question answered yes only by `y` (any case, surrounding blanks ignored), as Roundup asks. */
async function confirmed(ctx: AdminContext, question: string): Promise<boolean> {
  const answer = await ctx.io.prompt(question);
  return answer !== null && answer.trim().toLowerCase() === 'y';
}

/** `key=val[,key=val]` of install's fourth argument; null when an item is not `key=val`. */
function parseSettings(text: string): Record<string, string> | null {
  const settings: Record<string, string> = {};
  for (const item of text.split(',')) {
    const at = item.indexOf('=');
    if (at < 0) return null;
    settings[item.slice(0, at)] = item.slice(at + 1);
  }
  return settings;
}

/** What install prints when done: Roundup's next steps, naming our schema and initial data files. */
function nextSteps(home: string, unset: ReturnType<TrackerConfig['unsetOptions']>): string {
  let text = `\n${RULE}\n You should now edit the tracker configuration file:\n   ${join(home, CONFIG_FILE)}\n`;
  if (unset.length) {
    text += ' ... at a minimum, you must set following options:\n';
    for (const { section, options } of unset) text += `   [${section}]: ${options.join(', ')}\n`;
  }
  text +=
    '\n If you wish to modify the database schema,\n you should also edit the schema file:\n' +
    `   ${join(home, 'schema.js')}\n You may also change the database initialisation file:\n` +
    `   ${join(home, 'initial_data.js')}\n ... see the documentation on customizing for more information.\n\n` +
    ' You MUST run the "roundup-admin initialise" command once you\'ve performed\n' +
    ` the above steps.\n${RULE}\n\n`;
  return text;
}

export const installCommand: AdminCommand = {
  name: 'install',
  needsTracker: false,
  help: `Usage: install [template [backend [key=val[,key=val]]]]
Install a new Roundup tracker.

The command will prompt for the tracker home directory
(if not supplied through TRACKER_HOME or the -i option).
The template and backend may be specified on the command-line
as arguments, in that order.

Command line arguments following the backend allows you to
pass initial values for config options.  For example, passing
"web_http_auth=no,rdbms_user=dinsdale" will override defaults
for options http_auth in section [web] and user in section [rdbms].
Please be careful to not use spaces in this argument! (Enclose
whole argument in quotes if you need spaces in option value).

The initialise command must be called after this command in order
to initialise the tracker's database. You may edit the tracker's
initial database contents before running that command by editing
the tracker's initial_data.js file.

See also initopts help.`,
  async run(ctx, args) {
    const home = resolve(ctx.home);
    const parent = dirname(home);
    if (!existsSync(parent)) throw new UsageError(`Instance home parent directory "${parent}" does not exist`);

    if (existsSync(join(home, CONFIG_FILE)) || existsSync(join(home, 'config.py'))) {
      const question = `WARNING: There appears to be a tracker in "${home}"!\nIf you re-install it, you will lose all the data!\nErase it? Y/N: `;
      if (!(await confirmed(ctx, question))) return 0;
      // Cleared out so the new install is not mixed with the old one, as Roundup does.
      rmSync(home, { recursive: true, force: true });
    }

    const templates = [...findTemplates(process.cwd(), { onWarning: (message) => println(ctx, message) }).keys()];
    const template = await choose(ctx, 'Templates', 'Select template', templates, args[0] ?? '', DEFAULT_TEMPLATE);
    if (template === null) throw new AdminError(args[0] ? `unknown template "${args[0]}"` : 'no template chosen');
    const backend = await choose(ctx, 'Back ends', 'Select backend', AVAILABLE_BACKENDS, args[1] ?? '', DEFAULT_BACKEND);
    if (backend === null) throw new AdminError(args[1] ? `unknown backend "${args[1]}"` : 'no backend chosen');

    let settings: Record<string, string> = {};
    if (args[2] !== undefined) {
      const parsed = parseSettings(args[2]);
      if (!parsed) {
        println(ctx, `Error in configuration settings: "${args[2]}"`);
        return 1;
      }
      settings = parsed;
    }
    const config = installTracker({ home, template, backend, settings });
    ctx.io.out(nextSteps(home, config.unsetOptions()));
    return 0;
  },
};

/**
 * True when the tracker's database exists: the SQLite file, or a
 * PostgreSQL database holding our tables (an empty database created by a
 * DBA for the tracker is not "initialised" and is used as it is).
 */
async function databaseExists(config: TrackerConfig): Promise<boolean> {
  if (config.RDBMS_BACKEND !== 'postgresql') return existsSync(join(databaseDir(config), 'db'));
  const settings = pgSettings(config);
  const client = new pg.Client(settings);
  try {
    await client.connect();
  } catch (err) {
    // 3D000: no such database.
    if ((err as { code?: string }).code === '3D000') return false;
    throw new RupError('RUP_ERR_DATABASE', `cannot connect to PostgreSQL database "${settings.database}": ${(err as Error).message}`, { cause: err });
  }
  try {
    const rows = await client.query("SELECT to_regclass('__schema') IS NOT NULL AS found");
    return rows.rows[0].found === true;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Asks for the admin password twice until both agree (no message between tries, as Roundup). */
async function askPassword(ctx: AdminContext): Promise<string> {
  for (;;) {
    const password = await ctx.io.prompt('Admin Password: ', { secret: true });
    const confirm = password === null ? null : await ctx.io.prompt('       Confirm: ', { secret: true });
    if (password === null || confirm === null) throw new AdminError('input ended before the admin password was confirmed');
    if (password === confirm) return password;
  }
}

export const initialiseCommand: AdminCommand = {
  name: 'initialise',
  needsTracker: false,
  help: `Usage: initialise [adminpw]
Initialise a new Roundup tracker.

The administrator details will be set at this step.

Execute the tracker's initialisation script initial_data.js.`,
  async run(ctx, args) {
    const adminpw = args[0] ?? (await askPassword(ctx));
    const home = resolve(ctx.home);
    if (!existsSync(home)) throw new UsageError('Instance home does not exist');
    if (!existsSync(join(home, CONFIG_FILE)) || !existsSync(join(home, 'schema.js'))) throw new UsageError('Instance has not been installed');
    let config: TrackerConfig;
    try {
      config = loadTrackerConfig(home);
    } catch (err) {
      if (isRupError(err, 'RUP_ERR_CONFIG')) throw new UsageError(err.message);
      throw err;
    }

    if (await databaseExists(config)) {
      const question = 'WARNING: The database is already initialised!\nIf you re-initialise it, you will lose all the data!\nErase it? Y/N: ';
      if (!(await confirmed(ctx, question))) return 0;
      await nukeTrackerData(home);
    }

    const tracker = await Tracker.open(home);
    try {
      await tracker.initialise(adminpw);
    } finally {
      await tracker.close();
    }
    return 0;
  },
};
