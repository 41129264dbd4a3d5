import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { versionLine } from '../admin/version.js';
import { RupError } from '../errors.js';
import { type LogSink, fileSink, stderrSink } from './access-log.js';
import { UsageError, type ServerArgs, parseServerArgs } from './cli-args.js';
import { isDaemon, launchDaemon, removePidfile, reportToLauncher, writePidfile } from './daemon.js';
import { type WorkerPool, isWorker, runWorker, startWorkerPool } from './fork-mode.js';
import { trackerHomeProblems } from './home-check.js';
import { BindError } from './http-listener.js';
import { templateIndex } from './index-page.js';
import { handOver, planIdentity, switchIdentity } from './privileges.js';
import { ProxyTrust } from './proxy-trust.js';
import { ServerConfig, type ServerSettings, effectiveMode } from './server-config.js';
import { runServiceCommand } from './service.js';
import { type Serving, sinkLogger, startServing } from './serving.js';
import { type TlsMaterial, readPem, selfSignedCertificate } from './tls.js';
import { usageText } from './usage.js';

/**
 * roundup-server's command: options and configuration, then either an
 * answer (`-h`, `-v`, `-S`, `-c`) or a running server until SIGTERM or
 * SIGINT. Exit statuses: 0 done; 1 a configuration, tracker home or
 * privilege problem; 2 a command line that cannot be understood, or the
 * port already in use (Roundup's status for it).
 */

export const EXIT_OK = 0;
export const EXIT_ERROR = 1;
export const EXIT_USAGE = 2;

/** Where the command writes (the real streams, or a test's). */
export interface ServerIO {
  out(text: string): void;
  err(text: string): void;
}

const processIO: ServerIO = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
};

/** The configuration the arguments describe: the `-C` file (if any), then options, then `name=home` trackers. */
export function buildConfig(args: ServerArgs, startDir: string, allowMissingFile = false): ServerConfig {
  const file = args.configFile === null ? null : resolve(startDir, args.configFile);
  const config = file && (existsSync(file) || !allowMissingFile) ? ServerConfig.load(file) : ServerConfig.empty(file);
  for (const { name, value } of args.options) config.set(name, value, startDir);
  for (const { name, home } of args.trackers) config.addTracker(name, home, startDir);
  return config;
}

/** Everything about `settings` that would stop a server, listed together. */
function startProblems(settings: ServerSettings): string[] {
  const problems = trackerHomeProblems(settings.trackers);
  try {
    new ProxyTrust(settings.trustedProxies);
  } catch (err) {
    problems.push(`trusted_proxies: ${(err as Error).message}`);
  }
  if (settings.template) {
    try {
      templateIndex(settings.template);
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  return problems;
}

/** Options whose change needs a restart (they shape the socket or the processes). */
const RESTART_OPTIONS: Array<keyof ServerSettings> = ['host', 'port', 'ssl', 'pem', 'multiprocess', 'maxChildren', 'user', 'group', 'logfile', 'pidfile', 'httpVersion', 'nodaemon', 'includeHeaders', 'trustedProxies', 'basePath'];

/**
 * Runs the command. Resolves to the exit status: at once for `-h`, `-v`,
 * `-S`, `-c` and errors; for a server, once it has stopped.
 */
export async function main(argv: readonly string[], io: ServerIO = processIO): Promise<number> {
  if (isWorker()) return runWorker();
  let args: ServerArgs;
  try {
    args = parseServerArgs(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(usageText(err.message));
      return EXIT_USAGE;
    }
    throw err;
  }
  if (args.help) {
    io.out(usageText());
    return EXIT_OK;
  }
  if (args.version) {
    io.out(`${versionLine()}\n`);
    return EXIT_OK;
  }
  const startDir = process.cwd();
  let config: ServerConfig;
  try {
    config = buildConfig(args, startDir, args.saveConfig);
  } catch (err) {
    if (err instanceof RupError) {
      io.err(`Error: ${err.message}\n`);
      return EXIT_ERROR;
    }
    throw err;
  }
  if (args.service !== null) return runServiceCommand(args, config, io);
  if (args.saveConfig) {
    const path = config.save();
    io.out(`Configuration saved to ${path}\n`);
    return EXIT_OK;
  }
  return runServer(args, config.settings(), startDir, io);
}

/** Starts the server (after the checks) and resolves once it has stopped. */
async function runServer(args: ServerArgs, settings: ServerSettings, startDir: string, io: ServerIO): Promise<number> {
  const daemon = isDaemon();
  const fail = (status: number, message: string): number => {
    if (daemon) reportToLauncher({ kind: 'failed', status, message });
    else io.err(`${message}\n`);
    return status;
  };
  if (settings.trackers.size === 0) {
    if (daemon) return fail(EXIT_USAGE, 'No trackers given.');
    io.err(usageText('No trackers given: add name=home arguments, or a [trackers] section to the -C file.'));
    return EXIT_USAGE;
  }
  const problems = startProblems(settings);
  if (problems.length > 0) return fail(EXIT_ERROR, problems.map((p) => `Error: ${p}`).join('\n'));
  const detach = settings.pidfile !== null && !settings.nodaemon;
  if (detach && !settings.logfile && !settings.logViaLogger) return fail(EXIT_USAGE, 'If you specify a PID file you must use -l or -L.');
  if (detach && process.platform === 'win32') {
    io.out("Sorry, you can't run the server as a daemon on this Operating System\n");
    return EXIT_OK;
  }
  let plan: ReturnType<typeof planIdentity>;
  try {
    plan = planIdentity(settings.user, settings.group);
  } catch (err) {
    return fail(EXIT_ERROR, (err as Error).message);
  }
  for (const warning of plan.warnings) io.out(`${warning}\n`);
  const { mode, warning: modeWarning } = effectiveMode(settings.multiprocess);
  if (modeWarning) io.out(`${modeWarning}\n`);

  if (detach && !daemon) {
    const report = await launchDaemon(process.argv[1]!, process.argv.slice(2), startDir);
    if (report.kind === 'started') return EXIT_OK;
    io.err(`${report.message}\n`);
    return report.status;
  }
  if (daemon) process.chdir('/');

  let tls: TlsMaterial | null = null;
  try {
    if (settings.ssl && settings.pem) tls = readPem(settings.pem);
    else if (settings.ssl) {
      io.out('WARNING: generating temporary SSL certificate\n');
      tls = selfSignedCertificate();
    }
  } catch (err) {
    return fail(EXIT_ERROR, `Error: ${(err as Error).message}`);
  }

  let sink: LogSink;
  try {
    sink = settings.logfile ? fileSink(settings.logfile) : stderrSink();
    if (settings.pidfile) writePidfile(settings.pidfile);
    handOver(plan.identity, [settings.logfile, settings.pidfile]);
  } catch (err) {
    return fail(EXIT_ERROR, `Error: ${(err as Error).message}`);
  }
  const logger = sinkLogger(sink);
  // With -l, Roundup sends everything it prints to the log file.
  const say = (line: string): void => (settings.logfile ? sink.write(line) : io.out(`${line}\n`));

  let serving: Serving | null = null;
  let pool: WorkerPool | null = null;
  let port: number;
  try {
    if (mode === 'fork') {
      pool = await startWorkerPool(settings, tls, plan.identity, logger);
      port = pool.port;
    } else {
      serving = await startServing(settings, mode, tls, sink);
      port = serving.port;
    }
    switchIdentity(plan.identity);
  } catch (err) {
    await serving?.stop();
    removePidfile(settings.pidfile);
    if (settings.logfile) sink.write((err as Error).message);
    sink.close();
    return fail(err instanceof BindError && err.inUse ? EXIT_USAGE : EXIT_ERROR, (err as Error).message);
  }
  const started = `Roundup server started on ${settings.host}:${port}`;
  say(started);
  if (daemon) reportToLauncher({ kind: 'started' });

  return new Promise<number>((resolveExit) => {
    let stopping = false;
    const stop = (message: string | null): void => {
      if (stopping) return;
      stopping = true;
      if (message) say(message);
      const done = serving ? serving.stop() : pool!.stop();
      done
        .catch((err: Error) => logger.error(`stopping: ${err.message}`))
        .finally(() => {
          removePidfile(settings.pidfile);
          sink.close();
          resolveExit(EXIT_OK);
        });
    };
    process.on('SIGTERM', () => stop(null));
    process.on('SIGINT', () => stop('Keyboard Interrupt: exiting'));
    process.on('SIGHUP', () => {
      const reopenProblem = sink.reopen();
      if (reopenProblem) logger.error(`SIGHUP: ${reopenProblem}`);
      pool?.reopenLogs();
      let next: ServerSettings;
      try {
        next = buildConfig(args, startDir).settings();
      } catch (err) {
        logger.error(`SIGHUP: configuration not reloaded: ${(err as Error).message}`);
        return;
      }
      const problems = startProblems(next);
      if (problems.length > 0) {
        logger.error(`SIGHUP: configuration not reloaded:\n${problems.join('\n')}`);
        return;
      }
      const changed = RESTART_OPTIONS.filter((key) => JSON.stringify(next[key]) !== JSON.stringify(settings[key]));
      if (changed.length > 0) logger.warn(`SIGHUP: changes to ${changed.join(', ')} take effect after a restart`);
      const reloaded = (): void => logger.info(`SIGHUP: configuration reloaded; trackers: ${[...next.trackers.keys()].join(', ')}`);
      try {
        serving?.reconfigure(next);
      } catch (err) {
        logger.error(`SIGHUP: configuration not reloaded: ${(err as Error).message}`);
        return;
      }
      if (pool) void pool.reconfigure(next).then(reloaded);
      else reloaded();
    });
  });
}
