import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';

/**
 * `-d pidfile`: Roundup double-forks; Node cannot fork, so the server
 * starts itself again as a detached process (a new session, no terminal,
 * standard streams closed, working directory `/`) and the first process
 * waits until the second one either serves or fails, then exits with its
 * status: 0 once the server runs, otherwise the server's exit status
 * after its message is shown. The daemon writes its own pid to the pidfile.
 */

/** Set in the daemon's environment so the relaunched command knows it is the daemon. */
export const DAEMON_ENV = 'RUP_SERVER_DAEMON';

/** What the daemon tells the process waiting for it. */
export type DaemonReport = { kind: 'started' } | { kind: 'failed'; status: number; message: string };

/** Whether this process is the relaunched daemon. */
export function isDaemon(): boolean {
  return process.env[DAEMON_ENV] === '1' && typeof process.send === 'function';
}

/**
 * Relaunches the command (`script` with `argv`) as a daemon and waits for
 * its report. Resolves to the report, or to a failure when the daemon
 * ended without one.
 */
export function launchDaemon(script: string, argv: readonly string[], cwd: string): Promise<DaemonReport> {
  const child = spawn(process.execPath, [...process.execArgv, script, ...argv], {
    cwd,
    detached: true,
    stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    env: { ...process.env, [DAEMON_ENV]: '1' },
  });
  return new Promise<DaemonReport>((resolve) => {
    const finish = (report: DaemonReport): void => {
      child.removeAllListeners();
      if (child.connected) child.disconnect();
      child.unref();
      resolve(report);
    };
    child.on('message', (message: DaemonReport) => finish(message));
    child.on('error', (err) => finish({ kind: 'failed', status: 1, message: `Cannot start the daemon: ${err.message}` }));
    child.on('exit', (code) => finish({ kind: 'failed', status: code ?? 1, message: 'The server ended before it started serving.' }));
  });
}

/** Sends the daemon's report to the process that launched it and lets go of it. */
export function reportToLauncher(report: DaemonReport): void {
  if (typeof process.send !== 'function') return;
  process.send(report, () => {
    if (process.connected) process.disconnect();
  });
}

/** Writes the pid of this process to `file` (Roundup writes the number alone). */
export function writePidfile(file: string): void {
  writeFileSync(file, String(process.pid));
}

/** Removes the pidfile, if it can (after dropping privileges it may not be ours to remove). */
export function removePidfile(file: string | null): void {
  if (!file) return;
  try {
    rmSync(file, { force: true });
  } catch {
    // Left behind: server-ctl checks that the pid is alive before trusting the file.
  }
}
