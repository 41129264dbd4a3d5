import type { AdminCommand } from './command.js';

/**
 * Commands named by `prefix`, as Roundup's CommandDict finds them: the
 * command with exactly that name alone when there is one, else every
 * command whose name starts with it, in name order (none: unknown; more
 * than one: ambiguous).
 */
export function matchCommands(commands: readonly AdminCommand[], prefix: string): AdminCommand[] {
  const exact = commands.find((c) => c.name === prefix);
  if (exact) return [exact];
  return commands.filter((c) => c.name.startsWith(prefix)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
