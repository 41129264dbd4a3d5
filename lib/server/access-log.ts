import { closeSync, openSync, writeSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { lookupService } from 'node:dns/promises';
import { randomInt } from 'node:crypto';
import { firstHeaderValue } from './proxy-trust.js';

/**
 * Access logging as roundup-server does it (Python's http.server lines):
 *
 *     127.0.0.1 - - [21/Nov/2026 19:42:35] "GET /support/issue1 HTTP/1.1" 200 5120 Ke3Xq...
 *
 * client address (its host name with `-N`; with `-P` the first
 * X-Forwarded-For address followed by `+`), local date and time, the
 * request line, the status, the size sent (`-` when nothing) and the
 * request's trace id. With `-L` the line goes through the `roundup.http`
 * logger instead, in the logging format `asctime trace_id INFO message`.
 * Control characters a client puts in the request line are written as
 * `\xNN`, so nobody can forge log lines.
 */

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const ID_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function two(n: number): string {
  return String(n).padStart(2, '0');
}

/** Python's `log_date_time_string()`: `21/Nov/2026 19:42:35`, local time. */
export function logDateTime(date: Date): string {
  return `${two(date.getDate())}/${MONTHS[date.getMonth()]}/${date.getFullYear()} ${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
}

/** Python logging's `asctime`: `2026-11-21 19:42:35,123`, local time. */
export function logAsctime(date: Date): string {
  return (
    `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())} ` +
    `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())},${String(date.getMilliseconds()).padStart(3, '0')}`
  );
}

/** A request's trace id: 22 random letters and digits, the length of Roundup's shortened UUIDs. */
export function newTraceId(): string {
  let id = '';
  for (let i = 0; i < 22; i++) id += ID_ALPHABET[randomInt(ID_ALPHABET.length)];
  return id;
}

/** Writes control and non-ASCII characters as `\xNN` / `\uNNNN` (Python escapes control characters the same way). */
function printable(text: string): string {
  return text.replace(/[\x00-\x1f\x7f-\x9f]/g, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** What one access line says. */
export interface AccessRecord {
  client: string;
  date: Date;
  requestLine: string;
  status: number;
  size: number;
  traceId: string;
}

/** The line as roundup-server writes it to stderr or its log file. */
export function formatAccessLine(record: AccessRecord): string {
  return `${record.client} - - [${logDateTime(record.date)}] "${printable(record.requestLine)}" ${record.status} ${record.size > 0 ? record.size : '-'} ${record.traceId}`;
}

/** The line as the `roundup.http` logger writes it (`-L`). */
export function formatLoggerLine(record: AccessRecord, now: Date = new Date()): string {
  return `${logAsctime(now)} ${record.traceId} INFO ${record.client} - - [${logDateTime(record.date)}] "${printable(record.requestLine)}" ${record.status} ${record.size > 0 ? record.size : '-'}`;
}

/** Where log lines go: standard error, or a file reopened on request (SIGHUP, for logrotate). */
export interface LogSink {
  write(line: string): void;
  /**
   * Opens the file again (a rotated file is replaced by a new one); a
   * no-op for standard error. When the file cannot be opened, the old one
   * is kept and the reason returned (else null).
   */
  reopen(): string | null;
  close(): void;
  readonly file: string | null;
}

/** Standard error. */
export function stderrSink(): LogSink {
  return { file: null, write: (line) => void process.stderr.write(`${line}\n`), reopen: () => null, close: () => undefined };
}

/**
 * Appends to `file` (created if missing). Lines are written with one
 * `write` each in append mode, so several worker processes can share the
 * file without mixing lines.
 */
export function fileSink(file: string): LogSink {
  let fd = openSync(file, 'a');
  return {
    file,
    write(line) {
      try {
        writeSync(fd, `${line}\n`);
      } catch {
        // A log that cannot be written must not stop the server (Roundup ignores it too).
      }
    },
    reopen() {
      let next: number;
      try {
        next = openSync(file, 'a');
      } catch (err) {
        return `cannot reopen the log file ${file}, still writing to the old one: ${(err as Error).message}`;
      }
      const previous = fd;
      fd = next;
      closeSync(previous);
      return null;
    },
    close() {
      closeSync(fd);
    },
  };
}

/** How requests are logged. */
export interface AccessLogOptions {
  sink: LogSink;
  /** `-N`: log host names (one reverse lookup per request). */
  hostnames: boolean;
  /** `-P`: log the first X-Forwarded-For address with `+`. */
  proxyHeader: boolean;
  /** `-L`: through the `roundup.http` logger. */
  viaLogger: boolean;
}

function plainAddress(address: string | undefined): string {
  if (!address) return '-';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

/**
 * Starts logging `req`: the line is written once the response has been
 * sent (or the connection dropped). Call it before anything rewrites the
 * request (the tracker router does), so the line shows what the client
 * asked for. Returns the request's trace id.
 */
export function logRequest(options: AccessLogOptions, req: IncomingMessage, res: ServerResponse): string {
  const traceId = newTraceId();
  const date = new Date();
  const requestLine = `${req.method} ${req.url} HTTP/${req.httpVersion}`;
  const forwarded = options.proxyHeader ? firstHeaderValue(req.headers['x-forwarded-for']) : undefined;
  const address = forwarded ?? plainAddress(req.socket.remoteAddress);
  let size = 0;
  const write = res.write.bind(res);
  const countChunk = (chunk: unknown, encoding?: unknown): void => {
    if (typeof chunk === 'string') size += Buffer.byteLength(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
    else if (chunk instanceof Uint8Array) size += chunk.byteLength;
  };
  res.write = ((chunk: unknown, ...rest: unknown[]) => {
    countChunk(chunk, rest[0]);
    return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof res.write;
  const end = res.end.bind(res);
  res.end = ((chunk?: unknown, ...rest: unknown[]) => {
    if (chunk !== undefined && typeof chunk !== 'function') countChunk(chunk, rest[0]);
    return (end as (...args: unknown[]) => ServerResponse)(chunk, ...rest);
  }) as typeof res.end;
  res.once('close', () => {
    if (req.method === 'HEAD') size = 0;
    void (async () => {
      // getnameinfo, as Python's getfqdn: the system's resolver (hosts file, DNS), the address itself when nameless.
      let client = options.hostnames ? ((await lookupService(address, 0).catch(() => null))?.hostname ?? address) : address;
      if (forwarded) client += '+';
      const record: AccessRecord = { client, date, requestLine, status: res.statusCode, size, traceId };
      options.sink.write(options.viaLogger ? formatLoggerLine(record) : formatAccessLine(record));
    })();
  });
  return traceId;
}
