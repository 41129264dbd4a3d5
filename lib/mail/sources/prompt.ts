/**
 * Asking for a missing user name or password, as Roundup does with
 * Python's `input('User: ')` and `getpass()`: the question for the name
 * goes to standard output, the one for the password to standard error,
 * and the password is not echoed when standard input is a terminal. End
 * of input or Ctrl-C gives null (roundup-mailgw then says "Aborted by
 * user."). Without a terminal, the answers are the lines of standard
 * input, in order.
 */

import { type Interface, createInterface } from 'node:readline';

/** Asks questions; `close` lets go of standard input so the process can end. */
export interface Prompt {
  /** Resolves the answer without its line end, or null when input ended or was interrupted. */
  ask(question: string, hidden: boolean): Promise<string | null>;
  close(): void;
}

/** Reads one line from a terminal in raw mode, echoing it unless hidden. */
function readFromTerminal(input: NodeJS.ReadStream, hidden: boolean): Promise<string | null> {
  return new Promise((resolve) => {
    let answer = '';
    input.setRawMode(true);
    input.resume();
    const finish = (value: string | null) => {
      input.setRawMode(false);
      input.pause();
      input.removeListener('data', onData);
      (hidden ? process.stderr : process.stdout).write('\n');
      resolve(value);
    };
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return finish(answer);
        // Ctrl-C, Ctrl-D
        if (ch === '\u0003' || ch === '\u0004') return finish(null);
        if (ch === '\u007f' || ch === '\b') answer = answer.slice(0, -1);
        else {
          answer += ch;
          if (!hidden) process.stdout.write(ch);
        }
      }
    };
    input.on('data', onData);
  });
}

/** The lines of a stream that is not a terminal, handed out one per question. */
class LineQueue {
  private readonly lines: string[] = [];
  private readonly waiters: Array<(line: string | null) => void> = [];
  private ended = false;
  private readonly rl: Interface;

  constructor(input: NodeJS.ReadableStream) {
    this.rl = createInterface({ input, terminal: false });
    this.rl.on('line', (line) => {
      const waiter = this.waiters.shift();
      if (waiter) waiter(line);
      else this.lines.push(line);
    });
    this.rl.on('close', () => {
      this.ended = true;
      for (const waiter of this.waiters.splice(0)) waiter(null);
    });
  }

  next(): Promise<string | null> {
    if (this.lines.length) return Promise.resolve(this.lines.shift()!);
    if (this.ended) return Promise.resolve(null);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  close(): void {
    this.rl.close();
  }
}

/** The prompt of the process (standard input, output and error). */
export function terminalPrompt(): Prompt {
  let queue: LineQueue | null = null;
  return {
    async ask(question, hidden) {
      (hidden ? process.stderr : process.stdout).write(question);
      if (process.stdin.isTTY) return readFromTerminal(process.stdin, hidden);
      queue ??= new LineQueue(process.stdin);
      return queue.next();
    },
    close() {
      queue?.close();
    },
  };
}
