import { lstatSync, chmodSync, unlinkSync } from 'node:fs';
import { type Server, type Socket, connect, createServer, isIP } from 'node:net';
import { RupError } from '../../errors.js';
import type { ServerLogger } from '../../server/server-logger.js';
import { requestFromCgi } from '../cgi-request.js';
import { type Served, Mounts } from '../mounts.js';
import { FastCgiConnection, type Respond } from './connection.js';

/**
 * A FastCGI responder for one tracker or a tracker map, listening where
 * it is told: on the socket the web server passed as standard input
 * (the FastCGI spawn convention: lighttpd's `bin-path`, Apache
 * mod_fcgid), or stand-alone on a Unix socket or a TCP port (nginx
 * `fastcgi_pass`). As the specification asks, a responder on an
 * inherited TCP socket accepts connections only from the addresses in
 * `FCGI_WEB_SERVER_ADDRS` when the web server sets it.
 */

/** Where to listen: an inherited listening socket, a Unix socket path, or a TCP address. */
export type ListenTarget = { fd: number } | { path: string; mode: number } | { port: number; host: string };

export interface ResponderOptions {
  served: Served;
  logger: ServerLogger;
  /** Peers allowed on TCP (FCGI_WEB_SERVER_ADDRS); any when unset or empty. */
  webServerAddresses?: readonly string[];
  /** Connections served at once (also what FCGI_GET_VALUES reports). */
  maxConnections?: number;
}

/** IPv4 peers reach a dual-stack socket as `::ffff:a.b.c.d`. */
function plainAddress(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

/** Whether a live process listens on the Unix socket at `path`. */
function socketInUse(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}

export class FastCgiResponder {
  readonly #server: Server;
  readonly #mounts: Mounts;
  readonly #connections = new Set<FastCgiConnection>();
  readonly #allowed: ReadonlySet<string> | null;

  /** @throws RupError RUP_ERR_CONFIG for a tracker map with bad or repeated names. */
  constructor(options: ResponderOptions) {
    const { logger } = options;
    const maxConnections = options.maxConnections ?? 100;
    this.#mounts = new Mounts(options.served, logger);
    const allowed = (options.webServerAddresses ?? []).map((a) => a.trim()).filter((a) => a !== '');
    this.#allowed = allowed.length ? new Set(allowed) : null;
    const respond: Respond = async (variables, stdin, signal) => {
      const request = requestFromCgi(variables);
      return this.#mounts.httpFor(request.scriptName).exchange(request, variables, stdin, signal);
    };
    this.#server = createServer((socket: Socket) => {
      if (this.#allowed && socket.remoteAddress && !this.#allowed.has(plainAddress(socket.remoteAddress))) {
        logger.warn(`FastCGI: refused a connection from ${socket.remoteAddress} (not in FCGI_WEB_SERVER_ADDRS)`);
        socket.destroy();
        return;
      }
      const connection = new FastCgiConnection(socket, { respond, logger, maxConnections });
      this.#connections.add(connection);
      void connection.closed.then(() => this.#connections.delete(connection));
    });
    this.#server.maxConnections = maxConnections;
  }

  /**
   * Starts listening. A Unix socket file left behind by a responder that
   * is gone is replaced; one a live process listens on is not.
   * @throws RupError RUP_ERR_FILE when the address is in use or cannot be bound.
   */
  async listen(target: ListenTarget): Promise<void> {
    if ('path' in target) {
      const existing = lstatSync(target.path, { throwIfNoEntry: false });
      if (existing) {
        if (!existing.isSocket()) throw new RupError('RUP_ERR_FILE', `${target.path} exists and is not a socket`);
        if (await socketInUse(target.path)) throw new RupError('RUP_ERR_FILE', `Unable to bind to ${target.path}, socket already in use.`);
        unlinkSync(target.path);
      }
    }
    await new Promise<void>((resolve, reject) => {
      const failed = (err: NodeJS.ErrnoException): void => {
        const where = 'path' in target ? target.path : 'port' in target ? `port ${target.port}` : `file descriptor ${target.fd}`;
        const message =
          err.code === 'EADDRINUSE'
            ? `Unable to bind to ${where}, already in use.`
            : 'fd' in target && err.code === 'EINVAL'
              ? `${where} is a connected socket, not a listening one: give --socket or --port to run stand-alone, or let the web server start it`
              : `Unable to listen on ${where}: ${err.message}`;
        reject(new RupError('RUP_ERR_FILE', message, { cause: err }));
      };
      this.#server.once('error', failed);
      const listening = (): void => {
        this.#server.off('error', failed);
        resolve();
      };
      if ('fd' in target) this.#server.listen({ fd: target.fd }, listening);
      else if ('path' in target) this.#server.listen({ path: target.path }, listening);
      else this.#server.listen({ port: target.port, host: target.host }, listening);
    });
    // Web servers often run as another user; the mode says who may connect.
    if ('path' in target) chmodSync(target.path, target.mode);
  }

  /** The TCP port listened on (after `listen` with port 0), else null. */
  get port(): number | null {
    const address = this.#server.address();
    return address && typeof address === 'object' ? address.port : null;
  }

  /** Stops accepting, lets the requests in progress finish, then closes the trackers. */
  async close(): Promise<void> {
    const stopped = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const connection of this.#connections) connection.closeWhenIdle();
    await Promise.all([...this.#connections].map((connection) => connection.closed));
    await stopped;
    await this.#mounts.close();
  }
}
