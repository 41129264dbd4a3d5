import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, win32 } from 'node:path';
import type { ServerArgs } from './cli-args.js';
import type { ServerIO } from './cli.js';
import type { ServerConfig } from './server-config.js';

/**
 * `roundup-server -c install|start|stop|remove|help`: run the server as a
 * system service with the `-C` configuration file (which must name the
 * trackers, as Roundup requires).
 *
 * - Windows: a real Windows service through WinSW, the service wrapper
 *   (a single .exe that answers the service control manager and runs
 *   node; stopping sends Ctrl+C, which the server takes as a graceful
 *   stop). `install` writes `roundup-server-service.xml` beside the
 *   configuration file and runs `roundup-server-service.exe install`
 *   (WinSW, saved there under that name); then `start`, `stop`,
 *   `uninstall`. The service is named `roundup` ("Roundup Bug Tracker"),
 *   as Roundup's. A log file is required (a service has no console).
 * - Elsewhere: a systemd unit, `roundup-server.service`, in
 *   /etc/systemd/system (or `$ROUNDUP_SYSTEMD_DIR`), controlled with
 *   `systemctl` (or `$ROUNDUP_SYSTEMCTL`); its output goes to the journal.
 *
 * `--dry-run` (or `ROUNDUP_SERVICE_DRY_RUN=1`) prints the files and
 * commands instead. `ROUNDUP_SERVICE_PLATFORM=win32|linux` picks the
 * kind of service regardless of the system (to see the Windows files on
 * Linux).
 */

export const SERVICE_NAME = 'roundup';
export const SERVICE_DISPLAY_NAME = 'Roundup Bug Tracker';
const UNIT_NAME = 'roundup-server.service';
const WRAPPER = 'roundup-server-service';

type Step = { kind: 'write'; file: string; text: string } | { kind: 'remove'; file: string } | { kind: 'run'; command: string; args: string[] };

const COMMANDS = ['install', 'start', 'stop', 'remove'] as const;

function xmlEscape(text: string): string {
  return text.replace(/[&<>"]/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[ch]!);
}

/** A word for a systemd command line (quoted when it holds spaces or quotes). */
function systemdWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `"${word.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** The program that runs the server: node with this package's bin script. */
function serverCommand(): string[] {
  return [process.execPath, ...process.execArgv, process.argv[1]!];
}

/** The systemd unit for the configuration file `configFile`. */
export function systemdUnit(configFile: string): string {
  // -D: systemd keeps the process in the foreground and follows it itself; a pidfile is still written if configured.
  const exec = [...serverCommand(), '-C', configFile, '--nodaemon=yes'].map(systemdWord).join(' ');
  return `[Unit]
Description=${SERVICE_DISPLAY_NAME} (roundup-server)
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
ExecStart=${exec}
ExecReload=/bin/kill -HUP $MAINPID
KillSignal=SIGTERM
TimeoutStopSec=60
Restart=on-failure
WorkingDirectory=${dirname(configFile)}

[Install]
WantedBy=multi-user.target
`;
}

/** The WinSW service definition for the configuration file `configFile`. */
export function winswDefinition(configFile: string): string {
  const [node, ...rest] = serverCommand();
  const args = [...rest, '-C', configFile, '--nodaemon=yes'].map((word) => `"${word}"`).join(' ');
  return `<service>
  <id>${SERVICE_NAME}</id>
  <name>${SERVICE_DISPLAY_NAME}</name>
  <description>Roundup issue tracker server (roundup-server -C ${xmlEscape(configFile)})</description>
  <executable>${xmlEscape(node!)}</executable>
  <arguments>${xmlEscape(args)}</arguments>
  <workingdirectory>${xmlEscape(win32.dirname(configFile))}</workingdirectory>
  <startmode>Automatic</startmode>
  <stoptimeout>60 sec</stoptimeout>
  <onfailure action="restart" delay="10 sec"/>
  <log mode="roll"/>
</service>
`;
}

function helpText(windows: boolean): string {
  return windows
    ? `Windows service control: roundup-server -C <config file> -c <command>
  install  write ${WRAPPER}.xml beside the configuration file and register
           the service "${SERVICE_NAME}" with WinSW (save WinSW as ${WRAPPER}.exe there)
  start    start the service
  stop     stop the service (requests in flight finish)
  remove   unregister the service
The configuration file must name the trackers and a logfile.
--dry-run shows the files and commands without doing anything.
`
    : `Service control: roundup-server -C <config file> -c <command>
  install  write the systemd unit ${UNIT_NAME} and enable it
  start    systemctl start ${UNIT_NAME}
  stop     systemctl stop ${UNIT_NAME} (requests in flight finish)
  remove   disable the unit and delete it
The configuration file must name the trackers.
--dry-run shows the files and commands without doing anything.
`;
}

/** The steps of `command` for the configuration file `configFile`. */
export function serviceSteps(command: (typeof COMMANDS)[number], configFile: string, windows: boolean, env: NodeJS.ProcessEnv): Step[] {
  if (windows) {
    const dir = win32.dirname(configFile);
    const wrapper = win32.join(dir, `${WRAPPER}.exe`);
    const verb = command === 'remove' ? 'uninstall' : command;
    const run: Step = { kind: 'run', command: wrapper, args: [verb] };
    if (command === 'install') return [{ kind: 'write', file: win32.join(dir, `${WRAPPER}.xml`), text: winswDefinition(configFile) }, run];
    if (command === 'remove') return [run, { kind: 'remove', file: win32.join(dir, `${WRAPPER}.xml`) }];
    return [run];
  }
  const unitFile = join(env.ROUNDUP_SYSTEMD_DIR || '/etc/systemd/system', UNIT_NAME);
  const systemctl = (...args: string[]): Step => ({ kind: 'run', command: env.ROUNDUP_SYSTEMCTL || 'systemctl', args });
  switch (command) {
    case 'install':
      return [{ kind: 'write', file: unitFile, text: systemdUnit(configFile) }, systemctl('daemon-reload'), systemctl('enable', UNIT_NAME)];
    case 'start':
      return [systemctl('start', UNIT_NAME)];
    case 'stop':
      return [systemctl('stop', UNIT_NAME)];
    case 'remove':
      return [systemctl('disable', UNIT_NAME), { kind: 'remove', file: unitFile }, systemctl('daemon-reload')];
  }
}

function describe(step: Step): string {
  if (step.kind === 'write') return `write ${step.file}:\n${step.text}`;
  if (step.kind === 'remove') return `remove ${step.file}\n`;
  return `run: ${[step.command, ...step.args].map((w) => (/\s/.test(w) ? `"${w}"` : w)).join(' ')}\n`;
}

/** Runs `-c`. Returns the exit status (1 with a message for what cannot be done, 2 for an unknown command). */
export function runServiceCommand(args: ServerArgs, config: ServerConfig, io: ServerIO, env: NodeJS.ProcessEnv = process.env): number {
  const platform = env.ROUNDUP_SERVICE_PLATFORM || process.platform;
  const windows = platform === 'win32';
  const command = args.service!;
  if (command === 'help') {
    io.out(helpText(windows));
    return 0;
  }
  if (!(COMMANDS as readonly string[]).includes(command)) {
    io.err(`Unknown service command "${command}": use install, start, stop, remove or help.\n`);
    return 2;
  }
  if (!config.file) {
    io.err('Error: the service runs with a configuration file: give it with -C (the trackers must be listed in it).\n');
    return 1;
  }
  const settings = config.settings();
  if (command === 'install') {
    if (settings.trackers.size === 0) {
      io.err(`Error: ${config.file} has no [trackers]: a service takes its trackers from the configuration file.\n`);
      return 1;
    }
    if (windows && !settings.logfile) {
      io.err(`Error: a Windows service needs a logfile: set [main] logfile in ${config.file}.\n`);
      return 1;
    }
  }
  const steps = serviceSteps(command as (typeof COMMANDS)[number], config.file, windows, env);
  if (args.dryRun || env.ROUNDUP_SERVICE_DRY_RUN === '1') {
    io.out(`Dry run: roundup-server -c ${command} would\n`);
    for (const step of steps) io.out(describe(step));
    return 0;
  }
  for (const step of steps) {
    try {
      if (step.kind === 'write') {
        mkdirSync(dirname(step.file), { recursive: true });
        writeFileSync(step.file, step.text);
        io.out(`Wrote ${step.file}\n`);
      } else if (step.kind === 'remove') {
        rmSync(step.file, { force: true });
        io.out(`Removed ${step.file}\n`);
      } else {
        if (windows && !existsSync(step.command)) {
          io.err(`Error: ${step.command} is missing: download WinSW (https://github.com/winsw/winsw/releases) and save it under that name.\n`);
          return 1;
        }
        execFileSync(step.command, step.args, { stdio: ['ignore', 'pipe', 'pipe'] });
        io.out(`Ran ${[step.command, ...step.args].join(' ')}\n`);
      }
    } catch (err) {
      const detail = (err as { stderr?: Buffer }).stderr?.toString().trim() || (err as Error).message;
      io.err(`Error: ${describe(step).split('\n')[0]} failed: ${detail}\n`);
      return 1;
    }
  }
  return 0;
}
