import { Agent, type IncomingHttpHeaders, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** A response read to the end. */
export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  raw: Buffer;
}

/** Options of {@link send}. */
export interface SendOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Use HTTPS (any certificate accepted: the servers under test make their own). */
  tls?: boolean;
  host?: string;
}

/** One HTTP request to the loopback server on `port` (no redirects followed, no keep-alive). */
export function send(port: number, path: string, options: SendOptions = {}): Promise<Answer> {
  const make = options.tls ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = make(
      {
        host: options.host ?? '127.0.0.1',
        port,
        path,
        method: options.method ?? 'GET',
        headers: { Connection: 'close', ...(options.headers ?? {}) },
        agent: false,
        ...(options.tls ? { rejectUnauthorized: false } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const raw = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: raw.toString('utf8'), raw });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** An `application/x-www-form-urlencoded` body. */
export function formBody(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

/**
 * GETs on one kept-alive connection (an agent with a single socket): each
 * answer's status with the socket it came on, so a test can tell whether
 * the connection survived; `close` ends the connection.
 */
export function keepAliveConnection(port: number): { get(path: string): Promise<{ status: number; socket: unknown }>; close(): void } {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  return {
    get: (path) =>
      new Promise((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port, path, agent }, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, socket: req.socket }));
        });
        req.on('error', reject);
        req.end();
      }),
    close: () => agent.destroy(),
  };
}
