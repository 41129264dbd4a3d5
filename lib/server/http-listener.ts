import { type IncomingMessage, type RequestListener, type Server, type ServerResponse, createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { RupError } from '../errors.js';
import type { TlsMaterial } from './tls.js';

/**
 * The listening socket of roundup-server: HTTP or HTTPS, Roundup's
 * 60-second socket timeout, keep-alive off for `-V HTTP/1.0`, and a
 * graceful stop: no new connections, requests in flight finish (their
 * responses say `Connection: close`), idle keep-alive connections close.
 */

/** Roundup sets a 60-second default socket timeout. */
const SOCKET_TIMEOUT_MS = 60_000;

/** Port already taken: Roundup's message, exit status 2. */
export class BindError extends RupError {
  constructor(
    message: string,
    readonly inUse: boolean,
    cause: unknown,
  ) {
    super('RUP_ERR_CONFIG', message, { cause });
  }
}

export interface HttpListener {
  readonly server: Server;
  /** Binds; BindError when the address cannot be had. Resolves to the port bound (useful with port 0). */
  listen(host: string, port: number): Promise<number>;
  /** Stops accepting and resolves once every connection has closed. */
  stop(): Promise<void>;
}

export function createHttpListener(listener: RequestListener, options: { tls: TlsMaterial | null; httpVersion: 'HTTP/1.0' | 'HTTP/1.1' }): HttpListener {
  let stopping = false;
  let server: Server;
  const inFlight = new Set<ServerResponse>();
  // A response finished while stopping leaves its connection idle: close it then.
  const closeAfter = (res: ServerResponse): void => void res.once('finish', () => setImmediate(() => server.closeIdleConnections()));
  const wrapped = (req: IncomingMessage, res: ServerResponse): void => {
    if (stopping || options.httpVersion === 'HTTP/1.0') res.shouldKeepAlive = false;
    if (stopping) closeAfter(res);
    inFlight.add(res);
    res.once('close', () => inFlight.delete(res));
    listener(req, res);
  };
  server = options.tls ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, wrapped) : createServer(wrapped);
  server.timeout = SOCKET_TIMEOUT_MS;
  if (options.httpVersion === 'HTTP/1.0') server.keepAliveTimeout = 0;

  return {
    server,
    listen(host, port) {
      return new Promise<number>((resolve, reject) => {
        const onError = (err: NodeJS.ErrnoException): void => {
          if (err.code === 'EADDRINUSE') reject(new BindError(`Unable to bind to port ${port}, port already in use.`, true, err));
          else reject(new BindError(`Unable to bind to ${host || '*'}:${port}: ${err.message}`, false, err));
        };
        server.once('error', onError);
        server.listen(port, host === '' ? undefined : host, () => {
          server.off('error', onError);
          resolve((server.address() as AddressInfo).port);
        });
      });
    },
    stop() {
      stopping = true;
      for (const res of inFlight) {
        if (!res.headersSent) res.shouldKeepAlive = false;
        closeAfter(res);
      }
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      return closed;
    },
  };
}
