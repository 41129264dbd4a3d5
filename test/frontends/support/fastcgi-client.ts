import { type Socket, connect } from 'node:net';
import {
  FCGI_KEEP_CONN,
  type FcgiRecord,
  RecordReader,
  RecordType,
  Role,
  encodePairs,
  encodeRecord,
  encodeStream,
} from '../../../lib/frontends/fastcgi/records.js';

/**
 * A FastCGI client speaking to a responder over a real socket, the way a
 * web server does, record by record, so tests can also send what a web
 * server would not (a second request meanwhile, another role, an abort).
 */

/** What came back for one request. */
export interface FastCgiAnswer {
  stdout: Buffer;
  appStatus: number;
  protocolStatus: number;
}

export class FastCgiTestClient {
  readonly #socket: Socket;
  readonly #reader = new RecordReader();
  readonly #records: FcgiRecord[] = [];
  #wake: (() => void) | null = null;
  #closed = false;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.#records.push(...this.#reader.push(chunk));
      this.#notify();
    });
    socket.on('close', () => {
      this.#closed = true;
      this.#notify();
    });
    socket.on('error', () => undefined);
  }

  static connect(path: string): Promise<FastCgiTestClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(path);
      socket.once('connect', () => resolve(new FastCgiTestClient(socket)));
      socket.once('error', reject);
    });
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }

  /** True once the responder has closed the connection (and every record has been read). */
  async closedByPeer(): Promise<boolean> {
    while (!this.#closed) await new Promise<void>((resolve) => (this.#wake = resolve));
    return true;
  }

  /** The next record received; rejects if the connection closes first. */
  async nextRecord(): Promise<FcgiRecord> {
    while (this.#records.length === 0) {
      if (this.#closed) throw new Error('the responder closed the connection');
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
    return this.#records.shift()!;
  }

  write(bytes: Buffer): void {
    this.#socket.write(bytes);
  }

  begin(id: number, options: { role?: number; keepConnection?: boolean } = {}): void {
    const body = Buffer.alloc(8);
    body.writeUInt16BE(options.role ?? Role.RESPONDER, 0);
    body[2] = options.keepConnection ? FCGI_KEEP_CONN : 0;
    this.write(encodeRecord(RecordType.BEGIN_REQUEST, id, body));
  }

  params(id: number, variables: Record<string, string>): void {
    const pairs = encodePairs(Object.entries(variables));
    // Split across records on purpose: a responder must join them.
    const half = Math.floor(pairs.length / 2);
    this.write(encodeRecord(RecordType.PARAMS, id, pairs.subarray(0, half)));
    this.write(encodeRecord(RecordType.PARAMS, id, pairs.subarray(half)));
    this.write(encodeRecord(RecordType.PARAMS, id));
  }

  stdin(id: number, data: Buffer): void {
    for (const record of encodeStream(RecordType.STDIN, id, data)) this.write(record);
  }

  /** A whole request: BEGIN_REQUEST, PARAMS, STDIN (ended). */
  request(id: number, variables: Record<string, string>, body: Buffer = Buffer.alloc(0), keepConnection = false): void {
    this.begin(id, { keepConnection });
    this.params(id, variables);
    if (body.length) this.stdin(id, body);
    this.stdin(id, Buffer.alloc(0));
  }

  /** Reads records until END_REQUEST for `id`; STDOUT records for it are collected, others must not come. */
  async answer(id: number): Promise<FastCgiAnswer> {
    const stdout: Buffer[] = [];
    for (;;) {
      const record = await this.nextRecord();
      if (record.requestId !== id) throw new Error(`record of type ${record.type} for request ${record.requestId} while reading request ${id}`);
      if (record.type === RecordType.STDOUT) stdout.push(record.content);
      else if (record.type === RecordType.END_REQUEST) {
        return { stdout: Buffer.concat(stdout), appStatus: record.content.readUInt32BE(0), protocolStatus: record.content[4]! };
      } else if (record.type !== RecordType.STDERR) throw new Error(`unexpected record type ${record.type}`);
    }
  }

  close(): void {
    this.#socket.destroy();
  }
}

/** Splits a CGI response into its status, headers (lower-case names) and body. */
export function parseCgiResponse(raw: Buffer): { status: string; headers: Record<string, string>; body: string } {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) throw new Error(`no end of headers in ${JSON.stringify(raw.toString('latin1').slice(0, 200))}`);
  const headers: Record<string, string> = {};
  for (const line of raw.subarray(0, end).toString('latin1').split('\r\n')) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  return { status: headers.status ?? '', headers, body: raw.subarray(end + 4).toString('utf8') };
}
