/** `help [commands|all|initopts|commands_html|<command>]`, as Roundup's do_help and help_* methods. */
import { findTemplates } from '../../tracker/install.js';
import type { AdminCommand } from '../command.js';
import { matchCommands } from '../command-lookup.js';
import type { AdminContext } from '../context.js';
import { commandHelp, commandsHtml, commandsList, helpAllText } from '../help-text.js';

/** The storage backends a tracker can use (what `help initopts` lists as "Back ends"). */
export const BACKENDS = ['sqlite', 'postgresql'] as const;

const TOPICS: Record<string, (ctx: AdminContext) => string> = {
  commands: (ctx) => commandsList(ctx.commands),
  commands_html: (ctx) => commandsHtml(ctx.commands),
  all: (ctx) => helpAllText(ctx.commands),
  initopts: () => `Templates: ${[...findTemplates().keys()].join(', ')}\nBack ends: ${BACKENDS.join(', ')}\n`,
};

export const helpCommand: AdminCommand = {
  name: 'help',
  needsTracker: false,
  help: `Usage: help topic
Give help about topic.

commands  -- list commands
<command> -- help specific to a command
initopts  -- init command options
all       -- all available help`,
  async run(ctx, args) {
    const topic = args[0] ?? 'help';
    const general = Object.hasOwn(TOPICS, topic) ? TOPICS[topic] : undefined;
    if (general) {
      ctx.io.out(general(ctx));
      return 0;
    }
    const matches = matchCommands(ctx.commands, topic);
    if (!matches.length) {
      ctx.io.out(`Sorry, no help for "${topic}"\n`);
      return 1;
    }
    ctx.io.out(matches.map(commandHelp).join(''));
    return 0;
  },
};
