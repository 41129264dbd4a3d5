import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/*
 * Fixture scripts (test/fixtures/scripts/*.ts, compiled beside the tests)
 * run as separate OS processes, to prove what several processes sharing a
 * tracker (server, mail gateway, admin tool) see of each other.
 */

/** The compiled script `test/fixtures/scripts/<name>.js`. */
export function scriptPath(name: string): string {
  return fileURLToPath(new URL(`../fixtures/scripts/${name}.js`, import.meta.url));
}

/** How a script process ended. */
export interface ScriptResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** A script process still running; `finished` settles when it exits. */
export interface RunningScript {
  child: ChildProcess;
  /** Resolves once stdout has shown a line equal to `line`; rejects if the process ends first. */
  waitForLine(line: string): Promise<void>;
  /** Writes one line to the script's stdin. */
  send(line: string): void;
  finished: Promise<ScriptResult>;
  /** Ends the process if it is still running (test cleanup). */
  stop(): void;
}

/** Starts `node <script> ...args`. */
export function startScript(name: string, args: readonly string[]): RunningScript {
  const child = spawn(process.execPath, [scriptPath(name), ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const lineWaiters: Array<{ line: string; resolve: () => void }> = [];
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    const lines = stdout.split('\n');
    for (const waiter of [...lineWaiters]) {
      if (lines.includes(waiter.line)) {
        lineWaiters.splice(lineWaiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const finished = new Promise<ScriptResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
  return {
    child,
    finished,
    waitForLine(line) {
      if (stdout.split('\n').includes(line)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        lineWaiters.push({ line, resolve });
        finished.then(
          (r) => reject(new Error(`${name} ended (status ${r.status}) before printing "${line}": ${r.stderr}`)),
          reject,
        );
      });
    },
    send(line) {
      child.stdin!.write(`${line}\n`);
    },
    stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill();
    },
  };
}

/** Runs `node <script> ...args` to the end and returns the JSON it printed; fails with its stderr otherwise. */
export async function runScript<T>(name: string, args: readonly string[]): Promise<T> {
  const result = await startScript(name, args).finished;
  if (result.status !== 0) throw new Error(`${name} ${args.join(' ')} exited with status ${result.status}: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}
