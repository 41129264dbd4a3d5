import { type IncomingMessage, type RequestListener, type Server, createServer } from 'node:http';
import { Duplex, PassThrough, type Readable } from 'node:stream';
import type { CgiRequest, CgiVariables } from './cgi-request.js';

/**
 * Runs a Node `(req, res)` listener for a request that did not arrive on
 * a socket (CGI's environment and standard input, a FastCGI request).
 *
 * The request is written, as HTTP/1.0 bytes, into an in-memory connection
 * handed to a never-listening `http.Server` (its documented way to accept
 * any Duplex stream as a connection); the answer is read back from the
 * connection. Node's own parser and `ServerResponse` do all the HTTP work,
 * so the listener gets a genuine `IncomingMessage` and `ServerResponse` and
 * nothing here depends on their internals. HTTP/1.0 keeps the answer
 * simple to read back: no chunked encoding, the body ends when Node closes
 * the connection.
 */

/** The listener's answer: status line, header lines in order, and the body as it streams. */
export interface BridgedResponse {
  readonly status: number;
  readonly reason: string;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body: Readable;
}

/** Largest response header block accepted back from Node (it holds every Set-Cookie). */
const MAX_HEAD_BYTES = 1024 * 1024;
const HEAD_END = Buffer.from('\r\n\r\n');
/** Methods whose request always states its body length, even when it is 0. */
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/** The status line and header lines of a response head (without the blank line). */
function parseHead(head: string): { status: number; reason: string; headers: Array<readonly [string, string]> } {
  const [statusLine = '', ...lines] = head.split('\r\n');
  const m = /^HTTP\/\d\.\d (\d{3})(?: (.*))?$/.exec(statusLine);
  if (!m) throw new Error(`unexpected status line from the request handler: ${JSON.stringify(statusLine)}`);
  const headers = lines.map((line): readonly [string, string] => {
    const colon = line.indexOf(':');
    return [line.slice(0, colon), line.slice(colon + 1).trim()];
  });
  return { status: Number(m[1]), reason: m[2] ?? '', headers };
}

/**
 * One request's in-memory connection. What Node's server writes is parsed
 * into a {@link BridgedResponse}; the connection closes when Node ends it
 * (after the response, HTTP/1.0 style) or when the body consumer goes away.
 */
class BridgeConnection extends Duplex {
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;
  /** Koa and Node read the scheme from here: set (true) only when the browser used TLS to reach the web server. */
  declare readonly encrypted?: true;
  readonly variables: CgiVariables;
  readonly response: Promise<BridgedResponse>;
  #settle!: { resolve(r: BridgedResponse): void; reject(err: Error): void };
  #head: Buffer[] = [];
  #headBytes = 0;
  #body: PassThrough | null = null;
  #readWanted: (() => void) | null = null;

  constructor(request: CgiRequest, variables: CgiVariables) {
    super();
    this.remoteAddress = request.remoteAddress;
    this.remotePort = request.remotePort;
    this.localAddress = request.serverAddress;
    this.localPort = request.serverPort;
    if (request.https) this.encrypted = true;
    this.variables = variables;
    this.response = new Promise((resolve, reject) => {
      this.#settle = { resolve, reject };
    });
    // A rejection nobody awaits yet (the request body is still being fed) must not crash the process.
    this.response.catch(() => undefined);
  }

  /** Resolves when Node wants more request bytes, or the connection is gone. */
  readWanted(): Promise<void> {
    if (this.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      this.#readWanted = resolve;
    });
  }

  override _read(): void {
    const wake = this.#readWanted;
    this.#readWanted = null;
    wake?.();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (err?: Error | null) => void): void {
    if (this.#body) {
      this.#toBody(chunk, callback);
      return;
    }
    this.#head.push(chunk);
    this.#headBytes += chunk.length;
    const buffered = Buffer.concat(this.#head);
    const end = buffered.indexOf(HEAD_END);
    if (end < 0) {
      callback(this.#headBytes > MAX_HEAD_BYTES ? new Error('the response header block is too large') : null);
      return;
    }
    let head;
    try {
      head = parseHead(buffered.subarray(0, end).toString('latin1'));
    } catch (err) {
      callback(err as Error);
      return;
    }
    this.#body = new PassThrough();
    // The consumer went away (its client disconnected): stop the response.
    this.#body.on('close', () => {
      if (!this.#body!.writableFinished) this.destroy();
    });
    this.#settle.resolve({ ...head, body: this.#body });
    this.#toBody(buffered.subarray(end + HEAD_END.length), callback);
  }

  #toBody(chunk: Buffer, callback: (err?: Error | null) => void): void {
    const body = this.#body!;
    if (chunk.length === 0 || body.destroyed) callback();
    else if (body.write(chunk)) callback();
    else body.once('drain', () => callback());
  }

  override _final(callback: (err?: Error | null) => void): void {
    if (!this.#body) this.#settle.reject(new Error('the request handler closed the connection without answering'));
    else this.#body.end();
    callback();
    // Node ends its side after an HTTP/1.0 response; nothing more will be read.
    process.nextTick(() => this.destroy());
  }

  override _destroy(err: Error | null, callback: (err: Error | null) => void): void {
    this._read();
    if (!this.#body) this.#settle.reject(err ?? new Error('the connection to the request handler closed before the answer'));
    else if (!this.#body.writableFinished) this.#body.destroy(err ?? new Error('the answer was cut short'));
    callback(null);
  }
}

/** The request line and headers as Node's parser reads them. */
function requestHead(request: CgiRequest): Buffer {
  let head = `${request.method} ${request.target} HTTP/1.0\r\n`;
  for (const [name, value] of request.headers) head += `${name}: ${value}\r\n`;
  if (request.contentLength > 0 || BODY_METHODS.has(request.method)) head += `Content-Length: ${request.contentLength}\r\n`;
  // Header values are bytes on the wire; the web server put them into the environment as UTF-8 text.
  return Buffer.from(`${head}\r\n`, 'utf8');
}

/** Copies exactly `length` bytes of `body` into the connection, at the pace Node reads them. */
async function feedBody(connection: BridgeConnection, body: Readable | null, length: number): Promise<void> {
  let remaining = length;
  if (remaining > 0 && body) {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      if (connection.destroyed) return;
      const part = chunk.length > remaining ? chunk.subarray(0, remaining) : chunk;
      remaining -= part.length;
      if (!connection.push(part)) await connection.readWanted();
      if (remaining === 0) return;
    }
  }
  if (remaining > 0) connection.destroy(new Error(`the request body ended ${remaining} bytes short of its CONTENT_LENGTH`));
}

/** The CGI variables of a request that came through {@link InProcessHttp}; undefined for other requests. */
function cgiVariablesOf(req: IncomingMessage): CgiVariables | undefined {
  return req.socket instanceof BridgeConnection ? req.socket.variables : undefined;
}

/**
 * What the web server vouches for about a request that came through
 * {@link InProcessHttp}, for a tracker's `environment` option: the user it
 * authenticated (`REMOTE_USER`), trusted when `[web] http_auth` is on.
 * Undefined for other requests; never taken from request headers.
 */
export function webServerEnvironment(req: IncomingMessage): Readonly<Record<string, string | undefined>> | undefined {
  const variables = cgiVariablesOf(req);
  if (!variables) return undefined;
  // nginx passes REMOTE_USER empty when it did not authenticate anyone.
  return variables.REMOTE_USER ? { REMOTE_USER: variables.REMOTE_USER } : {};
}

/** A request listener reachable without a socket. */
export class InProcessHttp {
  readonly #server: Server;

  constructor(listener: RequestListener) {
    this.#server = createServer(listener);
  }

  /**
   * Hands the request to the listener and resolves with its answer once
   * the status and headers are known (the body keeps streaming). `body`
   * supplies the request body; exactly `request.contentLength` bytes are
   * read from it. Aborting `signal` closes the connection, as a client
   * going away would: the listener's response emits 'close'.
   * @throws Error when the connection closes before an answer (the body
   *   ended short, the handler destroyed the socket, `signal` aborted).
   */
  exchange(request: CgiRequest, variables: CgiVariables, body: Readable | null, signal?: AbortSignal): Promise<BridgedResponse> {
    const connection = new BridgeConnection(request, variables);
    if (signal) {
      const abort = (): void => {
        connection.destroy(new Error('the request was aborted'));
      };
      if (signal.aborted) abort();
      else signal.addEventListener('abort', abort, { once: true });
      connection.once('close', () => signal.removeEventListener('abort', abort));
    }
    this.#server.emit('connection', connection);
    connection.push(requestHead(request));
    feedBody(connection, body, request.contentLength).catch((err: Error) => connection.destroy(err));
    return connection.response;
  }
}
