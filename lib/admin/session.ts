/**
 * One roundup-admin session: the options, the tracker and database it
 * opened, the pragmas, and the running of commands with Roundup's
 * lookup (unique prefixes), messages and exit statuses. The one-shot and
 * interactive modes (cli.ts, interactive.ts) both run commands here.
 */
import { RupError } from '../errors.js';
import type { Database } from '../hyperdb/database.js';
import { Tracker } from '../tracker/tracker.js';
import { AdminError, type AdminCommand, UsageError } from './command.js';
import type { AdminContext, AdminIO, ListOutput } from './context.js';
import { matchCommands } from './command-lookup.js';
import { commandsHtml, commandsList, helpAllText, usageErrorText } from './help-text.js';
import { defaultPragmas } from './pragma-defaults.js';

export interface SessionOptions {
  io: AdminIO;
  /** Every command, sorted by name. */
  commands: readonly AdminCommand[];
  /** -i or TRACKER_HOME; empty to ask when a command needs it. */
  home: string;
  /** The user to open the database as. */
  username: string;
  listOutput: ListOutput;
  /** -V */
  verbose: boolean;
}

/** Commands Roundup runs without a tracker home (besides `help` itself). */
const HOMELESS = new Set(['genconfig', 'templates']);

/** The AdminContext of a running roundup-admin, and its command runner. */
export class AdminSession implements AdminContext {
  readonly io: AdminIO;
  readonly commands: readonly AdminCommand[];
  readonly listOutput: ListOutput;
  readonly username: string;
  readonly pragmas = defaultPragmas();
  private currentHome: string;
  private readonly optionVerbose: boolean;
  private openTracker: Tracker | null = null;
  /** The tracker the database was opened on (kept open when pragma _reopen_tracker replaces it). */
  private dbTracker: Tracker | null = null;
  private database: Database | null = null;
  private dirty = false;

  constructor(options: SessionOptions) {
    this.io = options.io;
    this.commands = options.commands;
    this.currentHome = options.home;
    this.username = options.username;
    this.listOutput = options.listOutput;
    this.optionVerbose = options.verbose;
  }

  get home(): string {
    return this.currentHome;
  }

  get verbose(): boolean {
    return this.optionVerbose || this.pragmas.get('verbose') === true;
  }

  /** True when the database is open and holds changes not yet committed. */
  get hasUnsavedChanges(): boolean {
    return this.database !== null && this.dirty;
  }

  /** True once a command opened the database. */
  get hasDatabase(): boolean {
    return this.database !== null;
  }

  out(text: string): void {
    this.io.out(text);
  }

  async tracker(): Promise<Tracker> {
    return this.openTracker ?? this.loadTracker();
  }

  /**
   * Pragma _reopen_tracker: load the tracker home again for the next
   * command. Not while the database holds uncommitted changes: opening
   * brings the schema in line in a write transaction, which would wait
   * for this session's own.
   */
  private shouldReopen(): boolean {
    return this.pragmas.get('_reopen_tracker') === true && !this.database?.uow.inTransaction;
  }

  /** Opens the tracker home (again under pragma _reopen_tracker, saying so under pragma verbose, as Roundup). */
  private async loadTracker(): Promise<Tracker> {
    if (!this.currentHome) throw new AdminError('no tracker home given');
    if (this.pragmas.get('verbose') === true) this.out('Reopening tracker\n');
    const tracker = await Tracker.open(this.currentHome);
    const replaced = this.openTracker;
    this.openTracker = tracker;
    if (replaced && replaced !== this.dbTracker) await replaced.close();
    this.pragmas.set('indexer_backend', tracker.config.INDEXER as string);
    return tracker;
  }

  async db(): Promise<Database> {
    // Opened once per session, as Roundup does, even when the tracker is reopened.
    if (!this.database) {
      const tracker = await this.tracker();
      this.database = await tracker.open({ username: this.username }, { checked: false });
      this.dbTracker = tracker;
    }
    return this.database;
  }

  markDirty(): void {
    this.dirty = true;
  }

  async commit(): Promise<void> {
    if (this.database) await this.database.commit();
    this.dirty = false;
  }

  async rollback(): Promise<void> {
    if (this.database) await this.database.rollback();
    this.dirty = false;
  }

  /** Closes the database (rolling back what was not committed) and the trackers. */
  async close(): Promise<void> {
    try {
      if (this.database) await this.database.close();
    } finally {
      this.database = null;
      for (const tracker of new Set([this.dbTracker, this.openTracker])) if (tracker) await tracker.close();
      this.dbTracker = null;
      this.openTracker = null;
    }
  }

  /**
   * Runs one command line (already split into arguments) as Roundup's
   * run_command: `help`/`morehelp`/`htmlhelp` at once; otherwise the
   * command is found by unique prefix, the tracker home asked for when
   * missing, the tracker and database opened for commands that need them,
   * and errors reported (`Error: <message>` plus the usage after a usage
   * error). Returns the exit status.
   */
  async runCommand(args: readonly string[]): Promise<number> {
    const name = args[0]!;
    if (name === 'help') {
      await this.runHelp(args.length > 1 ? args.slice(1) : ['help']);
      return 0;
    }
    if (name === 'morehelp') {
      await this.runHelp(['help']);
      this.out(commandsList(this.commands));
      this.out(helpAllText(this.commands));
      return 0;
    }
    if (name === 'htmlhelp') {
      this.out(commandsHtml(this.commands));
      return 0;
    }
    const matches = matchCommands(this.commands, name);
    if (matches.length === 0) {
      this.out(`Unknown command "${name}" ("help commands" for a list)\n`);
      return 1;
    }
    if (matches.length > 1) {
      this.out(`Multiple commands match "${name}": ${matches.map((c) => c.name).join(', ')}\n`);
      return 1;
    }
    const command = matches[0]!;
    if (!HOMELESS.has(command.name) && !(await this.ensureHome())) return 1;
    if (command.needsTracker) {
      try {
        if (!this.openTracker || this.shouldReopen()) await this.loadTracker();
      } catch (err) {
        return this.trackerFailed(err);
      }
      try {
        await this.db();
      } catch (err) {
        return this.reportFailure(err);
      }
    }
    return this.execute(command, args.slice(1));
  }

  private async runHelp(topics: string[]): Promise<void> {
    const helpCommand = this.commands.find((c) => c.name === 'help');
    if (helpCommand) await helpCommand.run(this, topics);
  }

  /** Asks for the tracker home until one is given (Roundup's loop); false at end of input. */
  private async ensureHome(): Promise<boolean> {
    while (!this.currentHome) {
      const answer = await this.io.prompt('Enter tracker home: ');
      if (answer === null) {
        this.io.err('\nError: no tracker home given\n');
        return false;
      }
      this.currentHome = answer.trim();
    }
    return true;
  }

  private trackerFailed(err: unknown): number {
    if (!(err instanceof RupError)) return this.reportFailure(err);
    // As Roundup, forget a home that is not a tracker, so interactive mode asks again.
    if (err.code === 'RUP_ERR_TRACKER' || err.code === 'RUP_ERR_CONFIG') this.currentHome = '';
    this.out(`Error: Couldn't open tracker: ${err.message}\n`);
    return 1;
  }

  private async execute(command: AdminCommand, args: string[]): Promise<number> {
    try {
      return (await command.run(this, args)) ?? 0;
    } catch (err) {
      if (err instanceof UsageError) {
        this.out(usageErrorText(err.message, command));
        return 1;
      }
      return this.reportFailure(err);
    }
  }

  /** `Error: <message>` for the failures we expect; a stack trace on stderr for the others (Roundup prints a traceback). */
  private reportFailure(err: unknown): number {
    if (err instanceof AdminError || err instanceof RupError) {
      this.out(`Error: ${err.message}\n`);
    } else {
      this.io.err(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    }
    return 1;
  }
}
