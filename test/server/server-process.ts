import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../support/paths.js';
import { type TestTracker, createTestTracker } from '../support/trackers.js';

/**
 * Runs the real `bin/roundup-server.js` as a child process, and makes
 * tracker homes it can use. The tests run as root in CI, where the server
 * refuses to run without `-u` (as Roundup does): {@link serverUserArgs}
 * gives `-u nobody` then, and the homes and folders the server writes are
 * handed to that user.
 */

export const SERVER_BIN = join(repoRoot, 'bin', 'roundup-server.js');

/** The unprivileged account the server switches to when the tests run as root. */
export const SERVER_USER = 'nobody';

export function runningAsRoot(): boolean {
  return process.getuid?.() === 0;
}

/** `-u nobody` when running as root, else nothing. */
export function serverUserArgs(): string[] {
  return runningAsRoot() ? ['-u', SERVER_USER] : [];
}

/** Gives `path` (recursively) to the server's user when running as root, so the server can write there after switching. */
export function handToServerUser(path: string): void {
  if (!runningAsRoot()) return;
  const uid = Number(execFileSync('id', ['-u', SERVER_USER], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', SERVER_USER], { encoding: 'utf8' }).trim());
  const walk = (p: string): void => {
    chownSync(p, uid, gid);
    if (statSync(p).isDirectory()) for (const entry of readdirSync(p)) walk(join(p, entry));
  };
  walk(path);
}

/** A folder for logs and pidfiles that the server's user may write in. */
export function scratchDir(prefix = 'rup-server-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o755);
  handToServerUser(dir);
  return dir;
}

/** A tracker home for the server: installed, initialised (admin/admin), closed and handed to the server's user. */
export async function serverHome(options: Parameters<typeof createTestTracker>[0] = {}): Promise<TestTracker> {
  const t = await createTestTracker(options);
  await t.tracker.close();
  // mkdtemp makes the home private to root; the server's user must get in.
  chmodSync(t.home, 0o755);
  handToServerUser(t.home);
  return t;
}

/** A free loopback port (for runs whose start-up line goes to a log file, so port 0 cannot be read back). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** How a finished run ended. */
export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A server process. */
export interface ServerRun {
  child: ChildProcess;
  readonly stdout: string;
  readonly stderr: string;
  /** Resolves once standard output or error has a line matching `pattern`; rejects if the process ends first. */
  waitFor(pattern: RegExp, stream?: 'stdout' | 'stderr'): Promise<RegExpExecArray>;
  exited: Promise<Finished>;
  /** Sends a signal (test cleanup: SIGKILL if still running). */
  kill(signal?: NodeJS.Signals): void;
}

/** Starts `roundup-server args`. */
export function spawnServer(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): ServerRun {
  const child = spawn(process.execPath, [SERVER_BIN, ...args], {
    cwd: options.cwd ?? repoRoot,
    env: { ...process.env, ...(options.env ?? {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const text = { stdout: '', stderr: '' };
  const waiters: Array<{ pattern: RegExp; stream?: 'stdout' | 'stderr'; resolve: (m: RegExpExecArray) => void }> = [];
  const check = (): void => {
    for (const waiter of [...waiters]) {
      const streams = waiter.stream ? [waiter.stream] : (['stdout', 'stderr'] as const);
      for (const stream of streams) {
        const match = waiter.pattern.exec(text[stream]);
        if (match) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(match);
          break;
        }
      }
    }
  };
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => ((text.stdout += chunk), check()));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => ((text.stderr += chunk), check()));
  const exited = new Promise<Finished>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, ...text })));
  return {
    child,
    get stdout() {
      return text.stdout;
    },
    get stderr() {
      return text.stderr;
    },
    waitFor(pattern, stream) {
      return new Promise((resolve, reject) => {
        waiters.push({ pattern, stream, resolve });
        check();
        void exited.then((end) => reject(new Error(`roundup-server ended (${end.code ?? end.signal}) before printing ${pattern}:\n${end.stdout}\n${end.stderr}`)));
      });
    },
    exited,
    kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
}

/** Starts a server that prints its start-up line on standard output (`-p 0` gives a free port); resolves with the port. */
export async function startServer(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<ServerRun & { port: number }> {
  const run = spawnServer(args, options);
  const match = await run.waitFor(/Roundup server started on [^\s:]*:(\d+)\n/, 'stdout');
  return Object.assign(run, { port: Number(match[1]) });
}

/** Runs `roundup-server args` to its end. */
export function runServerCommand(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Finished> {
  return spawnServer(args, options).exited;
}

/** Removes test folders. */
export function removeAll(...paths: readonly string[]): void {
  for (const path of paths) rmSync(path, { recursive: true, force: true });
}

/**
 * Resolves once `file` holds `text` (a daemon's log, written by another
 * process); rejects if `run` ends first. Checks every 50 ms: the test's
 * own timeout bounds the wait.
 */
export async function waitForFileText(file: string, text: string, run?: ServerRun): Promise<string> {
  for (;;) {
    const content = existsSync(file) ? readFileSync(file, 'utf8') : '';
    if (content.includes(text)) return content;
    if (run && run.child.exitCode !== null) throw new Error(`roundup-server ended before ${file} showed "${text}":\n${run.stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Starts a server whose start-up line goes to the log file `log` (`-l`), on a free port. */
export async function startServerWithLog(args: readonly string[], log: string): Promise<ServerRun & { port: number }> {
  const port = await freePort();
  const run = spawnServer(['-p', String(port), '-l', log, ...args]);
  await waitForFileText(log, `Roundup server started on localhost:${port}`, run);
  return Object.assign(run, { port });
}
