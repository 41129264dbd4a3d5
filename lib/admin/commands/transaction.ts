/** `commit` and `rollback`: ending the unit of work of an interactive session. */
import type { AdminCommand } from '../command.js';

export const commitCommand: AdminCommand = {
  name: 'commit',
  needsTracker: true,
  help: `Usage: commit
Commit changes made to the database during an interactive session.

The changes made during an interactive session are not
automatically written to the database - they must be committed
using this command.

One-off commands on the command-line are automatically committed if
they are successful.`,
  async run(ctx) {
    await ctx.commit();
  },
};

export const rollbackCommand: AdminCommand = {
  name: 'rollback',
  needsTracker: true,
  help: `Usage: rollback
Undo all changes that are pending commit to the database.

The changes made during an interactive session are not
automatically written to the database - they must be committed
manually. This command undoes all those changes, so a commit
immediately after would make no changes to the database.`,
  async run(ctx) {
    await ctx.rollback();
  },
};
