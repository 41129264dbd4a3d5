import { existsSync, fstatSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { RupError } from '../../errors.js';
import type { ServerLogger } from '../../server/server-logger.js';
import { PACKAGE_VERSION } from '../../util/package-info.js';
import type { Served } from '../mounts.js';
import { type ListenTarget, FastCgiResponder } from './responder.js';

/**
 * `roundup-fastcgi`: the FastCGI responder as a program. Exit status 0
 * after a stop by SIGTERM or SIGINT (requests in progress are finished
 * first), 1 when a tracker home is missing or is not a tracker, 2 for bad
 * usage or an address that cannot be bound.
 */

export const USAGE = `Usage: roundup-fastcgi [options] <tracker home>
       roundup-fastcgi [options] <name>=<tracker home> ...

Answers FastCGI requests for one tracker (served at the web server's
SCRIPT_NAME) or for several (each at SCRIPT_NAME/<name>/).

Without --socket or --port it expects to be started by the web server with
the listening socket as standard input (lighttpd bin-path, mod_fcgid).

Options:
  -s, --socket <path>       listen on this Unix socket (stand-alone)
      --socket-mode <mode>  permissions of the socket file, octal (default 660)
  -p, --port <port>         listen on this TCP port (stand-alone)
  -n, --host <address>      address to bind with --port (default 127.0.0.1)
  -v, --version             print the version and exit
  -h, --help                print this help and exit

Environment:
  FCGI_WEB_SERVER_ADDRS     comma-separated addresses allowed to connect over TCP
`;

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

/** Resolves when the process is asked to stop. */
export type StopSignal = () => Promise<void>;

const defaultStopSignal: StopSignal = () =>
  new Promise((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  });

class UsageError extends Error {}

function parseServed(positionals: readonly string[]): Served {
  if (positionals.length === 0) throw new UsageError('give a tracker home, or name=home pairs');
  const pairs = positionals.filter((arg) => arg.includes('='));
  if (pairs.length === 0) {
    if (positionals.length > 1) throw new UsageError('give one tracker home, or name=home pairs for several trackers');
    return { home: positionals[0]! };
  }
  if (pairs.length !== positionals.length) throw new UsageError('give one tracker home, or name=home pairs, not both');
  const trackers = new Map<string, string>();
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq);
    const home = pair.slice(eq + 1);
    if (!name || !home) throw new UsageError(`Instances must be name=home (got "${pair}")`);
    trackers.set(name, home);
  }
  return { trackers };
}

/** A problem with a tracker home that stops the program before it listens, or null. */
function homeProblem(home: string): string | null {
  if (!existsSync(home)) return `the tracker home ${home} does not exist`;
  if (!statSync(home).isDirectory()) return `the tracker home ${home} is not a directory`;
  if (!existsSync(join(home, 'config.ini'))) return `${home} is not a tracker home (it has no config.ini)`;
  return null;
}

function parseTarget(values: { socket?: string; 'socket-mode'?: string; port?: string; host?: string }): ListenTarget | null {
  if (values.socket !== undefined && values.port !== undefined) throw new UsageError('give --socket or --port, not both');
  if (values.socket !== undefined) {
    const modeText = values['socket-mode'] ?? '660';
    if (!/^[0-7]{3,4}$/.test(modeText)) throw new UsageError(`--socket-mode "${modeText}" is not an octal mode such as 660`);
    return { path: values.socket, mode: parseInt(modeText, 8) };
  }
  if (values.port !== undefined) {
    if (!/^\d{1,5}$/.test(values.port) || Number(values.port) > 65535) throw new UsageError(`--port "${values.port}" is not a port number`);
    return { port: Number(values.port), host: values.host ?? '127.0.0.1' };
  }
  return null;
}

function logger(io: CliIo): ServerLogger {
  return {
    error: (message) => io.err(`roundup-fastcgi error: ${message}\n`),
    warn: (message) => io.err(`roundup-fastcgi warning: ${message}\n`),
    info: (message) => io.err(`roundup-fastcgi: ${message}\n`),
  };
}

/** Runs the responder until stopped; resolves with the exit status. */
export async function main(argv: readonly string[], io: CliIo, env: NodeJS.ProcessEnv = process.env, stopSignal: StopSignal = defaultStopSignal): Promise<number> {
  let served: Served;
  let target: ListenTarget | null;
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        socket: { type: 'string', short: 's' },
        'socket-mode': { type: 'string' },
        port: { type: 'string', short: 'p' },
        host: { type: 'string', short: 'n' },
        version: { type: 'boolean', short: 'v' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      io.out(USAGE);
      return 0;
    }
    if (values.version) {
      io.out(`${PACKAGE_VERSION} (node ${process.versions.node})\n`);
      return 0;
    }
    served = parseServed(positionals);
    target = parseTarget(values);
  } catch (err) {
    if (!(err instanceof UsageError) && !(err instanceof TypeError)) throw err;
    io.err(`roundup-fastcgi: ${err.message}\n${USAGE}`);
    return 2;
  }
  const homes = 'home' in served ? [served.home] : [...served.trackers.values()];
  for (const home of homes) {
    const problem = homeProblem(home);
    if (problem) {
      io.err(`roundup-fastcgi: ${problem}\n`);
      return 1;
    }
  }
  if (!target) {
    if (!fstatSync(0).isSocket()) {
      io.err('roundup-fastcgi: standard input is not a socket: give --socket or --port to run stand-alone, or let the web server start it\n');
      return 2;
    }
    target = { fd: 0 };
  }

  let responder: FastCgiResponder;
  try {
    responder = new FastCgiResponder({ served, logger: logger(io), webServerAddresses: env.FCGI_WEB_SERVER_ADDRS?.split(',') });
    await responder.listen(target);
  } catch (err) {
    if (!(err instanceof RupError)) throw err;
    io.err(`roundup-fastcgi: ${err.message}\n`);
    return 2;
  }
  if ('path' in target) io.out(`Roundup FastCGI responder started on ${target.path}\n`);
  else if ('port' in target) io.out(`Roundup FastCGI responder started on ${target.host}:${responder.port}\n`);
  await stopSignal();
  await responder.close();
  return 0;
}
