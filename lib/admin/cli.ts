/**
 * roundup-admin: `roundup-admin [options] [<command> <arguments>]`, with
 * Roundup's options, environment variables, messages and exit statuses.
 * With a command it runs it and commits (one-shot mode, as Roundup: the
 * commit is attempted even after the command failed); without one it
 * enters interactive mode. `bin/roundup-admin.js` calls `main` with the
 * terminal; tests call it with captured input and output.
 */
import { type AdminCommand, UsageError } from './command.js';
import { ADMIN_COMMANDS } from './commands/index.js';
import type { AdminIO } from './context.js';
import { usageText } from './help-text.js';
import { runInteractive } from './interactive.js';
import { OptionError, parseOptions } from './options.js';
import { AdminSession } from './session.js';
import { versionLine } from './version.js';

/**
 * Runs roundup-admin and returns its exit status: 0 on success, 1 on any
 * error (bad option, unknown or ambiguous command, usage error, failed
 * command). `argv` is without the program name. `env` supplies
 * TRACKER_HOME (the tracker home when -i is not given) and ROUNDUP_LOGIN
 * (`user[:password]`, the user the database is opened as when -u is not
 * given; default `admin`; the password is not checked, as in Roundup).
 */
export async function main(argv: readonly string[], io: AdminIO, env: NodeJS.ProcessEnv = process.env, commands: readonly AdminCommand[] = ADMIN_COMMANDS): Promise<number> {
  let parsed;
  try {
    parsed = parseOptions(argv);
  } catch (err) {
    if (!(err instanceof OptionError)) throw err;
    io.out(usageText(commands, err.message));
    return 1;
  }

  let home = env.TRACKER_HOME ?? '';
  let username = env.ROUNDUP_LOGIN !== undefined ? loginName(env.ROUNDUP_LOGIN) : 'admin';
  let separator: string | null = null;
  let designators = false;
  let verbose = false;
  const pragmas: string[] = [];
  for (const { letter, value } of parsed.options) {
    switch (letter) {
      case 'h':
        io.out(usageText(commands));
        return 0;
      case 'v':
        io.out(`${versionLine()}\n`);
        return 0;
      case 'V':
        verbose = true;
        break;
      case 'i':
        home = value;
        break;
      case 'c':
      case 's':
      case 'S':
        if (separator !== null) {
          io.out(usageText(commands, 'Only one of -c, -S and -s may be specified'));
          return 1;
        }
        separator = letter === 'c' ? ',' : letter === 's' ? ' ' : value;
        break;
      case 'd':
        designators = true;
        break;
      case 'P':
        pragmas.push(value);
        break;
      case 'u':
        username = loginName(value);
        break;
    }
  }

  const session = new AdminSession({ io, commands, home, username, listOutput: { separator, designators }, verbose });
  try {
    for (const setting of pragmas) await applyPragma(session, setting);
    if (parsed.args.length === 0) return await runInteractive(session, env);
    let status = await session.runCommand(parsed.args);
    if (session.hasDatabase) {
      try {
        await session.commit();
      } catch (err) {
        io.err(`Error: ${(err as Error).message}\n`);
        status = 1;
      }
    }
    return status;
  } finally {
    await session.close();
  }
}

/** The user name of `user[:password]` (the password is not used, as in Roundup). */
function loginName(login: string): string {
  return login.split(':')[0]!;
}

/** `-P setting=value`: runs the `pragma` command; a bad setting is reported and the rest goes on, as in Roundup. */
async function applyPragma(session: AdminSession, setting: string): Promise<void> {
  const pragma = session.commands.find((c) => c.name === 'pragma');
  if (!pragma) {
    session.io.out('Unknown command "pragma" ("help commands" for a list)\n');
    return;
  }
  try {
    await pragma.run(session, [setting]);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    session.io.out(`\n${err.message}\n\n`);
  }
}
