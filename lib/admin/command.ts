import type { AdminContext } from './context.js';

/**
 * One roundup-admin command. `help` is Roundup's docstring for it without
 * the source indentation: the first line is the usage line
 * ("Usage: list classname [property]"), the following lines are the
 * description with the docstring's 8-space indentation removed (blank
 * lines empty; extra indentation kept), and no final line for the
 * indentation before the closing quotes (end the text with "\n" only when
 * the docstring has a blank line there). From it the admin tool rebuilds
 * Roundup's texts exactly: `help <command>`, the usage shown after a
 * usage error (the docstring with its indentation), `help all`, and the
 * command list (`help commands`: the usage lines without "Usage: ").
 */
export interface AdminCommand {
  readonly name: string;
  readonly help: string;
  /**
   * True to have the tracker and its database opened before the command
   * runs (an error opening them is reported as Roundup's "Error: Couldn't
   * open tracker: ..."). False for commands that work without an open
   * tracker (help, install, initialise, templates, genconfig). As in
   * Roundup, every command except genconfig and templates gets a tracker
   * home in `ctx.home`, asked for ("Enter tracker home: ") when -i and
   * TRACKER_HOME give none.
   */
  readonly needsTracker: boolean;
  /**
   * Runs the command. Print through `ctx.io.out`; raise `UsageError` for bad
   * arguments (printed as "Error: <message>" followed by the usage) and
   * `AdminError` for other failures ("Error: <message>"). Returns the exit
   * status (0 when omitted).
   */
  run(ctx: AdminContext, args: string[]): Promise<number | void>;
}

/** Bad arguments: roundup-admin prints `Error: <message>`, then the command's help. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A failure to report as `Error: <message>` (exit status 1). */
export class AdminError extends Error {
  override name = 'AdminError';
}
