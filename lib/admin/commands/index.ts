/**
 * The registry of roundup-admin commands: every command the tool knows,
 * one `AdminCommand` object each. Command lookup, `help commands` and
 * `help all` read this list (sorted by name, as Roundup lists them).
 */
import type { AdminCommand } from '../command.js';
import { helpCommand } from './help.js';
import { historyCommand } from './history.js';
import { createCommand, restoreCommand, retireCommand, setCommand } from './items.js';
import { displayCommand, getCommand, listCommand, tableCommand } from './reads.js';
import { securityCommand, specificationCommand } from './schema-info.js';
import { filterCommand, findCommand } from './search.js';
import { commitCommand, rollbackCommand } from './transaction.js';
import { backupCommand } from './backup.js';
import { genconfigCommand, templatesCommand, updateconfigCommand } from './config-commands.js';
import { migrateCommand, packCommand, perftestCommand, reindexCommand } from './maintenance.js';
import { pragmaCommand } from './pragma.js';
import { initialiseCommand, installCommand } from './tracker-setup.js';
import { exportCommand, exporttablesCommand } from '../export.js';
import { importCommand, importtablesCommand } from '../import.js';

const COMMANDS: AdminCommand[] = [
  backupCommand,
  exportCommand,
  exporttablesCommand,
  genconfigCommand,
  importCommand,
  importtablesCommand,
  initialiseCommand,
  installCommand,
  migrateCommand,
  packCommand,
  perftestCommand,
  pragmaCommand,
  reindexCommand,
  templatesCommand,
  updateconfigCommand,
  commitCommand,
  createCommand,
  displayCommand,
  filterCommand,
  findCommand,
  getCommand,
  helpCommand,
  historyCommand,
  listCommand,
  restoreCommand,
  retireCommand,
  rollbackCommand,
  securityCommand,
  setCommand,
  specificationCommand,
  tableCommand,
];

/** Every command, sorted by name. */
export const ADMIN_COMMANDS: readonly AdminCommand[] = Object.freeze(
  [...COMMANDS].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
);
