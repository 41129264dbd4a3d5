/**
 * The `roundup-demo` command as a process: arguments, prompts on the
 * terminal, output, exit statuses, and Ctrl-C. bin/roundup-demo.js calls
 * {@link main}; `npm start` calls {@link startDefaultDemo}.
 */

import { createInterface } from 'node:readline';
import { isRupError } from '../errors.js';
import { findTemplates } from '../tracker/install.js';
import { PACKAGE_VERSION } from '../util/package-info.js';
import { demoUsage, parseDemoArgs } from './cli-args.js';
import { DEFAULT_HOME, DemoExit, type DemoIO, type DemoOptions, demoMain } from './demo-command.js';
import type { RunningDemo } from './run-demo.js';

/** Answers prompts from standard input, line by line; null once input has ended. */
class StdinQuestions {
  private lines: string[] = [];
  private ended = false;
  private waiting: ((line: string | null) => void) | null = null;
  private reader: ReturnType<typeof createInterface> | null = null;

  async ask(question: string): Promise<string | null> {
    process.stdout.write(question);
    this.start();
    const line = this.lines.shift();
    if (line !== undefined) return line;
    if (this.ended) return null;
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  /** Stops reading standard input, so it does not keep the process alive. */
  close(): void {
    this.reader?.close();
  }

  private start(): void {
    if (this.reader) return;
    this.reader = createInterface({ input: process.stdin, terminal: false });
    this.reader.on('line', (line) => this.deliver(line));
    this.reader.on('close', () => {
      this.ended = true;
      this.deliver(null);
    });
  }

  private deliver(line: string | null): void {
    const waiter = this.waiting;
    if (waiter) {
      this.waiting = null;
      waiter(line);
    } else if (line !== null) {
      this.lines.push(line);
    }
  }
}

/** Keeps the demo running until Ctrl-C (or SIGTERM), then stops it cleanly. */
function stopOnSignals(demo: RunningDemo): void {
  const stop = () => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    demo.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`${(err as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

/** Runs the demo with `options`, reporting refusals and errors as Roundup does (message, exit status). */
async function runCommand(options: DemoOptions, io: DemoIO, questions: StdinQuestions | null): Promise<void> {
  try {
    const demo = await demoMain(options, io);
    questions?.close();
    stopOnSignals(demo);
  } catch (err) {
    questions?.close();
    if (err instanceof DemoExit) {
      process.stdout.write(`${err.message}\n`);
      process.exitCode = err.exitCode;
    } else if (isRupError(err)) {
      process.stderr.write(`${err.message}\n`);
      process.exitCode = 1;
    } else {
      throw err;
    }
  }
}

/** `roundup-demo` with its arguments (without the program name). */
export async function main(argv: readonly string[], prog = 'roundup-demo'): Promise<void> {
  const templates = [...findTemplates().keys()];
  const parsed = parseDemoArgs(argv, prog, templates, `rup-tracker version ${PACKAGE_VERSION} (roundup-demo compatible)`);
  if (parsed.kind === 'help' || parsed.kind === 'version') {
    process.stdout.write(`${parsed.text}\n`);
    return;
  }
  if (parsed.kind === 'error') {
    process.stderr.write(`${parsed.usage}\n${parsed.message}\n`);
    process.exitCode = 2;
    return;
  }
  for (const notice of parsed.notices) process.stdout.write(`${notice}\n`);
  const questions = new StdinQuestions();
  const io: DemoIO = {
    out: (line) => process.stdout.write(`${line}\n`),
    ask: (question) => questions.ask(question),
    script: prog,
    usage: demoUsage(prog, templates),
  };
  await runCommand(parsed.options, io, questions);
}

/**
 * `npm start`: the demo in ./demo with Roundup's defaults (classic,
 * sqlite, localhost, a free port from 8917), created when missing,
 * without questions. `nuke` among the arguments starts it over.
 */
export async function startDefaultDemo(argv: readonly string[]): Promise<void> {
  const io: DemoIO = {
    out: (line) => process.stdout.write(`${line}\n`),
    ask: async () => null,
    script: 'npm start',
    usage: '',
  };
  await runCommand({ directory: DEFAULT_HOME, hostname: 'localhost', bindAddress: '127.0.0.1', nuke: argv.includes('nuke') }, io, null);
}
