/**
 * The AdminIO of a real process: output to stdout/stderr, questions read
 * from stdin line by line. On a terminal, lines are edited with Node's
 * readline (arrow-key history, the saved history loaded by interactive
 * mode) and secret answers (passwords) are not echoed. The readline
 * interface is created on the first question only, so a one-shot command
 * that asks nothing leaves the terminal alone.
 */
import { createInterface, type Interface } from 'node:readline';
import type { AdminIO } from './context.js';

export interface TerminalIO extends AdminIO {
  /** Releases stdin (the process can then exit). */
  close(): void;
}

/** Node's readline keeps its history newest first and writes echo through this (undocumented but stable) method. */
type EditableInterface = Interface & { history: string[]; _writeToOutput(text: string): void };

/** Creates the AdminIO for the given streams (the process's by default). */
export function createTerminalIO(
  input: NodeJS.ReadStream = process.stdin,
  output: NodeJS.WriteStream = process.stdout,
  errors: NodeJS.WriteStream = process.stderr,
): TerminalIO {
  const terminal = Boolean(input.isTTY && output.isTTY);
  let rl: EditableInterface | null = null;
  const lines: string[] = [];
  const waiting: Array<(line: string | null) => void> = [];
  let ended = false;
  let history: readonly string[] = [];
  let preset: string | null = null;

  const open = (): EditableInterface => {
    if (rl) return rl;
    rl = createInterface({ input, output, terminal, historySize: 10_000 }) as EditableInterface;
    if (terminal) rl.history.splice(0, rl.history.length, ...[...history].reverse());
    // Lines can arrive before they are asked for (piped input): keep them in order.
    rl.on('line', (line) => {
      const next = waiting.shift();
      if (next) next(line);
      else lines.push(line);
    });
    rl.on('close', () => {
      ended = true;
      for (const next of waiting.splice(0)) next(null);
    });
    // Ctrl-C ends input like Ctrl-D: interactive mode then asks about unsaved changes.
    rl.on('SIGINT', () => {
      output.write('\n');
      rl?.close();
    });
    return rl;
  };

  const nextLine = (): Promise<string | null> => {
    if (lines.length) return Promise.resolve(lines.shift()!);
    if (ended) return Promise.resolve(null);
    return new Promise((resolve) => waiting.push(resolve));
  };

  return {
    isTTY: Boolean(output.isTTY),
    out: (text) => void output.write(text),
    err: (text) => void errors.write(text),
    async prompt(question, options = {}) {
      const face = open();
      if (!terminal) {
        output.write(question);
        return nextLine();
      }
      face.setPrompt(question);
      face.prompt();
      if (preset !== null) {
        face.write(preset);
        preset = null;
      }
      if (!options.secret) return nextLine();
      const echo = face._writeToOutput;
      const known = face.history.length;
      face._writeToOutput = (text: string) => {
        // Only the line end is shown for a secret answer.
        if (text.includes('\n') || text.includes('\r')) echo.call(face, '\n');
      };
      try {
        return await nextLine();
      } finally {
        face._writeToOutput = echo;
        // A password must not be recallable with the arrow keys.
        if (face.history.length > known) face.history.shift();
      }
    },
    loadHistory: terminal
      ? (entries) => {
          history = [...entries];
          if (rl) rl.history.splice(0, rl.history.length, ...[...history].reverse());
        }
      : undefined,
    presetInput: terminal
      ? (text) => {
          preset = text;
        }
      : undefined,
    close() {
      rl?.close();
    },
  };
}
