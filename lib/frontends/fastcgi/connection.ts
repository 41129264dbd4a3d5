import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { PassThrough, type Readable } from 'node:stream';
import { RupError } from '../../errors.js';
import type { ServerLogger } from '../../server/server-logger.js';
import type { CgiVariables } from '../cgi-request.js';
import { cgiHeaderBlock, cgiPlainAnswer } from '../cgi-response.js';
import type { BridgedResponse } from '../in-process-http.js';
import {
  FCGI_KEEP_CONN,
  FCGI_NULL_REQUEST_ID,
  FastCgiProtocolError,
  type FcgiRecord,
  ProtocolStatus,
  RecordReader,
  RecordType,
  Role,
  decodeBeginRequest,
  decodePairs,
  encodeEndRequest,
  encodePairs,
  encodeRecord,
  encodeStream,
  encodeUnknownType,
} from './records.js';

/**
 * One FastCGI connection from the web server, served as a Responder with
 * multiplexing off: one request at a time (FCGI_MPXS_CONNS is 0; a second
 * BEGIN_REQUEST meanwhile gets CANT_MPX_CONN), the PARAMS stream turned
 * into CGI variables, STDIN streamed to the application as the request
 * body, the answer sent as STDOUT records in CGI response form, then
 * END_REQUEST; the connection is closed afterwards unless the web server
 * asked to keep it (FCGI_KEEP_CONN). ABORT_REQUEST and a closed
 * connection stop the request in progress. Authorizer and Filter roles
 * are refused (UNKNOWN_ROLE), as the Responder is all Roundup needs.
 */

/** Answers one request: its CGI variables and its body (STDIN) in, the answer out; `signal` aborts it. */
export type Respond = (variables: CgiVariables, stdin: Readable, signal: AbortSignal) => Promise<BridgedResponse>;

export interface ConnectionOptions {
  respond: Respond;
  logger: ServerLogger;
  /** What GET_VALUES answers for FCGI_MAX_CONNS and FCGI_MAX_REQS. */
  maxConnections: number;
}

/** The PARAMS of one request may not exceed this (web servers send a few kilobytes). */
const MAX_PARAMS_BYTES = 1024 * 1024;

interface ActiveRequest {
  readonly id: number;
  readonly keepConnection: boolean;
  readonly params: Buffer[];
  paramsBytes: number;
  readonly stdin: PassThrough;
  readonly abort: AbortController;
  body: Readable | null;
  /** END_REQUEST has been sent (or the connection is gone): nothing more goes out for it. */
  ended: boolean;
}

/** The connection closed under a request: stop sending its answer. */
class ConnectionGone extends Error {}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

export class FastCgiConnection {
  readonly #socket: Socket;
  readonly #options: ConnectionOptions;
  readonly #reader = new RecordReader();
  #active: ActiveRequest | null = null;
  #closing = false;
  /** Settles when the connection has closed and its request (if any) has stopped. */
  readonly closed: Promise<void>;

  constructor(socket: Socket, options: ConnectionOptions) {
    this.#socket = socket;
    this.#options = options;
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('data', (chunk: Buffer) => this.#read(chunk));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      if (this.#active) this.#abandon(this.#active);
    });
  }

  /** Closes the connection once no request is in progress (a graceful stop). */
  closeWhenIdle(): void {
    this.#closing = true;
    if (!this.#active) this.#socket.end();
  }

  #read(chunk: Buffer): void {
    let records: FcgiRecord[];
    try {
      records = this.#reader.push(chunk);
    } catch (err) {
      this.#options.logger.error(`FastCGI: ${(err as Error).message}; closing the connection`);
      this.#socket.destroy();
      return;
    }
    for (const record of records) this.#handle(record);
  }

  #handle(record: FcgiRecord): void {
    if (record.requestId === FCGI_NULL_REQUEST_ID) {
      this.#management(record);
      return;
    }
    if (record.type === RecordType.BEGIN_REQUEST) {
      this.#begin(record);
      return;
    }
    const request = this.#active;
    // Records of requests already answered (STDIN the application did not need) are dropped.
    if (!request || request.id !== record.requestId) return;
    switch (record.type) {
      case RecordType.PARAMS:
        this.#params(request, record.content);
        break;
      case RecordType.STDIN:
        this.#stdin(request, record.content);
        break;
      case RecordType.ABORT_REQUEST:
        this.#abandon(request);
        this.#end(request, 1);
        break;
      default:
        break;
    }
  }

  #management(record: FcgiRecord): void {
    if (record.type !== RecordType.GET_VALUES) {
      this.#socket.write(encodeUnknownType(record.type));
      return;
    }
    const known: Record<string, string> = {
      FCGI_MAX_CONNS: String(this.#options.maxConnections),
      FCGI_MAX_REQS: String(this.#options.maxConnections),
      FCGI_MPXS_CONNS: '0',
    };
    let asked: Array<[string, string]>;
    try {
      asked = decodePairs(record.content);
    } catch {
      asked = [];
    }
    const answer = asked.filter(([name]) => name in known).map(([name]): [string, string] => [name, known[name]!]);
    this.#socket.write(encodeRecord(RecordType.GET_VALUES_RESULT, FCGI_NULL_REQUEST_ID, encodePairs(answer)));
  }

  #begin(record: FcgiRecord): void {
    let begin;
    try {
      begin = decodeBeginRequest(record.content);
    } catch (err) {
      this.#options.logger.error(`FastCGI: ${(err as FastCgiProtocolError).message}; closing the connection`);
      this.#socket.destroy();
      return;
    }
    const keepConnection = (begin.flags & FCGI_KEEP_CONN) !== 0;
    if (this.#active) {
      if (this.#active.id !== record.requestId) this.#socket.write(encodeEndRequest(record.requestId, 0, ProtocolStatus.CANT_MPX_CONN));
      return;
    }
    if (begin.role !== Role.RESPONDER) {
      this.#socket.write(encodeEndRequest(record.requestId, 0, ProtocolStatus.UNKNOWN_ROLE));
      if (!keepConnection) this.#socket.end();
      return;
    }
    this.#active = { id: record.requestId, keepConnection, params: [], paramsBytes: 0, stdin: new PassThrough(), abort: new AbortController(), body: null, ended: false };
  }

  #params(request: ActiveRequest, content: Buffer): void {
    if (content.length > 0) {
      request.paramsBytes += content.length;
      if (request.paramsBytes > MAX_PARAMS_BYTES) {
        this.#options.logger.error(`FastCGI: the PARAMS of request ${request.id} exceed ${MAX_PARAMS_BYTES} bytes; closing the connection`);
        this.#socket.destroy();
        return;
      }
      request.params.push(content);
      return;
    }
    let variables: CgiVariables;
    try {
      variables = Object.fromEntries(decodePairs(Buffer.concat(request.params)));
    } catch (err) {
      this.#options.logger.error(`FastCGI: ${(err as Error).message}; closing the connection`);
      this.#socket.destroy();
      return;
    }
    this.#run(request, variables).catch((err: unknown) => {
      if (!(err instanceof ConnectionGone)) this.#options.logger.error(`FastCGI: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      this.#socket.destroy();
    });
  }

  #stdin(request: ActiveRequest, content: Buffer): void {
    const stdin = request.stdin;
    if (stdin.destroyed || stdin.writableEnded) return;
    if (content.length === 0) {
      stdin.end();
      return;
    }
    // The application reads the body at its own pace; stop reading the connection meanwhile.
    if (!stdin.write(content)) {
      this.#socket.pause();
      stdin.once('drain', () => this.#socket.resume());
      stdin.once('close', () => this.#socket.resume());
    }
  }

  async #run(request: ActiveRequest, variables: CgiVariables): Promise<void> {
    let response: BridgedResponse | null = null;
    try {
      response = await this.#options.respond(variables, request.stdin, request.abort.signal);
    } catch (err) {
      if (request.ended) return;
      await this.#send(request, this.#failureAnswer(err, variables));
    }
    if (response) {
      request.body = response.body;
      if (request.ended) {
        response.body.destroy();
        return;
      }
      await this.#send(request, cgiHeaderBlock(response));
      for await (const chunk of response.body as AsyncIterable<Buffer>) {
        if (request.ended) return;
        await this.#send(request, chunk);
      }
    }
    if (!request.ended) {
      await this.#send(request, Buffer.alloc(0));
      this.#end(request, 0);
    }
  }

  /** The answer to a request the application could not take: 400 for a bad request, else 500 (details only in the log). */
  #failureAnswer(err: unknown, variables: CgiVariables): Buffer {
    if (err instanceof RupError && err.status === 400) {
      this.#options.logger.error(`FastCGI: ${err.message}`);
      return cgiPlainAnswer(400, 'Bad Request', `<html><body><h1>Bad Request</h1>\n<p>${escapeHtml(err.message)}</p></body></html>\n`);
    }
    if (err instanceof RupError) {
      this.#options.logger.error(`FastCGI: ${err.message}`);
      const reason = STATUS_CODES[err.status] ?? 'Error';
      return cgiPlainAnswer(err.status, reason, `<html><body><h1>${reason}</h1>\n<p>${escapeHtml(err.message)}</p></body></html>\n`);
    }
    const where = `${variables.REQUEST_METHOD ?? '?'} ${variables.SCRIPT_NAME ?? ''}${variables.PATH_INFO ?? ''}`;
    this.#options.logger.error(`FastCGI: ${where}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    const stamp = new Date().toUTCString();
    return cgiPlainAnswer(500, 'Internal Server Error', `<html><body><p>${stamp}: An error occurred. Please check the server log for more information.</p></body></html>\n`);
  }

  /** Sends `data` as STDOUT records (an empty buffer ends the stream), waiting while the socket is full. */
  async #send(request: ActiveRequest, data: Buffer): Promise<void> {
    for (const record of encodeStream(RecordType.STDOUT, request.id, data)) {
      if (request.ended || this.#socket.destroyed || !this.#socket.writable) throw new ConnectionGone();
      if (!this.#socket.write(record)) await this.#drained();
    }
  }

  #drained(): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = (): void => {
        this.#socket.off('drain', done);
        this.#socket.off('close', gone);
        resolve();
      };
      const gone = (): void => {
        this.#socket.off('drain', done);
        reject(new ConnectionGone());
      };
      this.#socket.once('drain', done);
      this.#socket.once('close', gone);
    });
  }

  /** Stops a request's input and output; its answer is not sent on. */
  #abandon(request: ActiveRequest): void {
    request.abort.abort();
    request.stdin.destroy();
    request.body?.destroy();
    if (this.#socket.destroyed) {
      request.ended = true;
      if (this.#active === request) this.#active = null;
    }
  }

  #end(request: ActiveRequest, appStatus: number): void {
    if (request.ended) return;
    request.ended = true;
    if (this.#active === request) this.#active = null;
    if (!this.#socket.writable) return;
    this.#socket.write(encodeEndRequest(request.id, appStatus, ProtocolStatus.REQUEST_COMPLETE));
    if (!request.keepConnection || this.#closing) this.#socket.end();
  }
}
