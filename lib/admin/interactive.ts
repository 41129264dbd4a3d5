/**
 * roundup-admin's interactive mode (no command on the command line): the
 * banner, the `roundup> ` prompt, commands read and tokenised line by
 * line until `q`/`quit`/`exit` or end of input (`exit...`), the question
 * about unsaved changes, and the command history kept in
 * `~/.roundup_admin_history` (one command per line, oldest first, as GNU
 * readline writes it).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { AdminSession } from './session.js';
import { TokenizeError, tokenize } from './tokenize.js';
import { PRODUCT_NAME, PRODUCT_VERSION } from './version.js';

const QUIT = new Set(['q', 'quit', 'exit']);

/** history_features bits: set bits turn the feature off (Roundup's pragma). */
const NO_LOAD_HISTORY = 1;
const NO_SAVE_HISTORY = 2;

/**
 * Runs an interactive session. Changes stay uncommitted until `commit`;
 * on leaving with changes pending it asks whether to commit them (only an
 * answer starting with y or Y commits). Returns the exit status (0).
 */
export async function runInteractive(session: AdminSession, env: NodeJS.ProcessEnv): Promise<number> {
  const io = session.io;
  io.out(`${PRODUCT_NAME} ${PRODUCT_VERSION} ready for input.\nType "help" for help.\n`);
  const history = new CommandHistory(join(env.HOME || homedir(), '.roundup_admin_history'), session.pragmas);
  // History needs line editing: a terminal offers it, piped input does not (as with Python's input()).
  const recording = typeof io.loadHistory === 'function';
  if (recording) io.loadHistory!(history.entries);

  for (;;) {
    const line = await io.prompt('roundup> ');
    if (line === null) {
      io.out('exit...\n');
      break;
    }
    if (!line) continue;
    const recalled = history.recall(line);
    if (recalled?.printOnly) {
      io.out(`${recalled.command}\n`);
      io.presetInput?.(recalled.command);
      continue;
    }
    if (recalled) io.out(`${recalled.command}\n`);
    const command = recalled?.command ?? line;
    if (recording) history.add(command);
    let args: string[];
    try {
      args = tokenize(command);
    } catch (err) {
      // Roundup ignores a line with an unclosed quote.
      if (err instanceof TokenizeError) continue;
      throw err;
    }
    if (!args.length) continue;
    if (QUIT.has(args[0]!)) break;
    await session.runCommand(args);
  }

  if (session.hasUnsavedChanges) {
    const answer = await io.prompt('There are unsaved changes. Commit them (y/N)? ');
    if (answer && answer[0]!.toLowerCase() === 'y') await session.commit();
  }
  if (recording) history.save(io);
  return 0;
}

/** The command history of interactive sessions, and `!N` recall. */
class CommandHistory {
  readonly entries: string[] = [];

  constructor(
    private readonly file: string,
    private readonly pragmas: ReadonlyMap<string, string | number | boolean>,
  ) {
    if (this.features() & NO_LOAD_HISTORY) return;
    try {
      this.entries.push(...readFileSync(file, 'utf8').split('\n').filter((l) => l !== ''));
    } catch {
      // No history yet.
    }
  }

  private features(): number {
    const value = this.pragmas.get('history_features');
    return typeof value === 'number' ? value : 0;
  }

  add(command: string): void {
    this.entries.push(command);
  }

  /**
   * `!N` runs history entry N again (numbered from 1, as readline numbers
   * them) and `!N:p` only shows it and puts it into the edit buffer; a
   * number with no entry is not a recall (the line runs as typed).
   */
  recall(line: string): { command: string; printOnly: boolean } | null {
    const m = /^!(\d+)(:p)?$/.exec(line.trim());
    if (!m) return null;
    const command = this.entries[Number(m[1]) - 1];
    return command === undefined ? null : { command, printOnly: m[2] !== undefined };
  }

  /** Writes the history (the last history_length entries when that pragma is not -1), readable by the user only. */
  save(io: { err(text: string): void }): void {
    if (this.features() & NO_SAVE_HISTORY) return;
    const limit = this.pragmas.get('history_length');
    const kept = typeof limit === 'number' && limit >= 0 ? this.entries.slice(Math.max(0, this.entries.length - limit)) : this.entries;
    try {
      writeFileSync(this.file, kept.map((l) => `${l}\n`).join(''), { mode: 0o600 });
    } catch (err) {
      io.err(`Warning: could not save the command history in ${this.file}: ${(err as Error).message}\n`);
    }
  }
}
