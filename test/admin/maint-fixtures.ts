/**
 * Set-up shared by the tests of the tracker setup, configuration,
 * maintenance and backup commands: roundup-admin run in-process with these
 * commands in its command list (whether or not the registry has them yet).
 */
import { main } from '../../lib/admin/cli.js';
import type { AdminCommand } from '../../lib/admin/command.js';
import type { AdminIO } from '../../lib/admin/context.js';
import { ADMIN_COMMANDS } from '../../lib/admin/commands/index.js';
import { backupCommand } from '../../lib/admin/commands/backup.js';
import { genconfigCommand, templatesCommand, updateconfigCommand } from '../../lib/admin/commands/config-commands.js';
import { migrateCommand, packCommand, perftestCommand, reindexCommand } from '../../lib/admin/commands/maintenance.js';
import { pragmaCommand } from '../../lib/admin/commands/pragma.js';
import { initialiseCommand, installCommand } from '../../lib/admin/commands/tracker-setup.js';
import { type AdminRun, CaptureIO } from './admin-fixtures.js';

/** The commands tested here. */
export const MAINTENANCE_COMMANDS: readonly AdminCommand[] = [
  backupCommand,
  genconfigCommand,
  initialiseCommand,
  installCommand,
  migrateCommand,
  packCommand,
  perftestCommand,
  pragmaCommand,
  reindexCommand,
  templatesCommand,
  updateconfigCommand,
];

/** The registry's commands plus ours, one per name, sorted by name. */
export const ALL_COMMANDS: readonly AdminCommand[] = [...new Map([...ADMIN_COMMANDS, ...MAINTENANCE_COMMANDS].map((c) => [c.name, c])).values()].sort((a, b) =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
);

/** Runs roundup-admin in-process with every command, the given arguments and typed answers. */
export async function runMaint(argv: string[], options: { answers?: Array<string | null>; env?: NodeJS.ProcessEnv } = {}): Promise<AdminRun> {
  const io = new CaptureIO(options.answers ?? []);
  const status = await main(argv, io, options.env ?? {}, ALL_COMMANDS);
  return { status, stdout: io.stdout, stderr: io.stderr, io };
}

/** Runs roundup-admin on a tracker home (`-i home` first). */
export function maintOn(home: string) {
  return (argv: string[], options: { answers?: Array<string | null>; env?: NodeJS.ProcessEnv } = {}) => runMaint(['-i', home, ...argv], options);
}

/** Runs roundup-admin as on a terminal, returning its output and what was drawn on the process's stderr. */
export async function runOnTerminal(argv: string[]): Promise<{ status: number; stdout: string; drawn: string }> {
  const capture = new CaptureIO();
  // Says it is a terminal, so progress displays are drawn.
  const io: AdminIO = { out: (t) => capture.out(t), err: (t) => capture.err(t), prompt: (q, o) => capture.prompt(q, o), isTTY: true };
  let drawn = '';
  const write = process.stderr.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    drawn += chunk.toString();
    return true;
  }) as typeof process.stderr.write;
  try {
    const status = await main(argv, io, {}, ALL_COMMANDS);
    return { status, stdout: capture.stdout, drawn };
  } finally {
    process.stderr.write = write;
  }
}
