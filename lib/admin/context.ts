import type { Database } from '../hyperdb/database.js';
import type { Tracker } from '../tracker/tracker.js';
import type { AdminCommand } from './command.js';

/** How list-like output is printed: the -c / -s / -S and -d options. */
export interface ListOutput {
  /** null: Roundup's default form (Python list repr or one per line, per command). */
  separator: string | null;
  /** -d: print designators (issue1) instead of ids. */
  designators: boolean;
}

/** Terminal (or test) input and output. */
export interface AdminIO {
  out(text: string): void;
  err(text: string): void;
  /** Asks a question and returns the answer line (without its newline); null at end of input. */
  prompt(question: string, options?: { secret?: boolean }): Promise<string | null>;
  /** True when output goes to a terminal (progress bars are drawn only then). */
  readonly isTTY: boolean;
  /**
   * Line editing of an interactive terminal (optional): the interactive
   * session hands it the saved command history (oldest first) so earlier
   * commands can be recalled with the arrow keys.
   */
  loadHistory?(entries: readonly string[]): void;
  /** Optional: puts text into the edit buffer of the next prompt (`!N:p`). */
  presetInput?(text: string): void;
}

/**
 * What a command runs with: the tracker home, its tracker and database
 * (opened on first use, unchecked, acting as the -u / ROUNDUP_LOGIN user,
 * `admin` by default), the output options and the pragmas.
 */
export interface AdminContext {
  readonly io: AdminIO;
  /** The tracker home (-i, TRACKER_HOME, or asked for). */
  readonly home: string;
  readonly listOutput: ListOutput;
  /** -V (and pragma verbose). */
  readonly verbose: boolean;
  /** Pragma values by name (display_header, display_protected, show_retired, ...). */
  readonly pragmas: Map<string, string | number | boolean>;
  tracker(): Promise<Tracker>;
  db(): Promise<Database>;
  /** Marks that the database has uncommitted changes (interactive mode asks before leaving). */
  markDirty(): void;
  /** Commits the database (when open) and clears the unsaved-changes mark. */
  commit(): Promise<void>;
  /** Rolls the database back (when open) and clears the unsaved-changes mark. */
  rollback(): Promise<void>;
  /** Every command of the tool, sorted by name (for help). */
  readonly commands: readonly AdminCommand[];
  /** The user the database is opened as (-u / ROUNDUP_LOGIN, default "admin"). */
  readonly username: string;
}
