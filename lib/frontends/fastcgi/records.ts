/**
 * FastCGI 1.0 records (the FastCGI Specification, Open Market 1996,
 * sections 3 and 8): the 8-byte header, the bodies of the fixed-format
 * records, and the name-value pairs of PARAMS and GET_VALUES.
 */

export const FCGI_VERSION_1 = 1;
/** Request id 0 carries management records (GET_VALUES), not requests. */
export const FCGI_NULL_REQUEST_ID = 0;

export const RecordType = {
  BEGIN_REQUEST: 1,
  ABORT_REQUEST: 2,
  END_REQUEST: 3,
  PARAMS: 4,
  STDIN: 5,
  STDOUT: 6,
  STDERR: 7,
  DATA: 8,
  GET_VALUES: 9,
  GET_VALUES_RESULT: 10,
  UNKNOWN_TYPE: 11,
} as const;

export const Role = { RESPONDER: 1, AUTHORIZER: 2, FILTER: 3 } as const;

/** BEGIN_REQUEST flag: keep the connection open after this request. */
export const FCGI_KEEP_CONN = 1;

export const ProtocolStatus = { REQUEST_COMPLETE: 0, CANT_MPX_CONN: 1, OVERLOADED: 2, UNKNOWN_ROLE: 3 } as const;

const HEADER_LENGTH = 8;
/** The largest content one record holds. */
export const MAX_CONTENT_LENGTH = 0xffff;
/** Stream data is cut into records of this size: the largest multiple of 8, so no padding is needed. */
const STREAM_CHUNK = 0xfff8;

/** One record as read from the connection. */
export interface FcgiRecord {
  readonly type: number;
  readonly requestId: number;
  readonly content: Buffer;
}

/** A byte sequence that is not FastCGI; the connection cannot go on. */
export class FastCgiProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FastCgiProtocolError';
  }
}

/** Cuts the bytes of a connection into records, however the reads split them. */
export class RecordReader {
  #pending: Buffer = Buffer.alloc(0);

  /**
   * Adds bytes read from the connection; returns the records they complete.
   * @throws FastCgiProtocolError for a record whose version is not 1.
   */
  push(chunk: Buffer): FcgiRecord[] {
    let data = this.#pending.length ? Buffer.concat([this.#pending, chunk]) : chunk;
    const records: FcgiRecord[] = [];
    while (data.length >= HEADER_LENGTH) {
      if (data[0] !== FCGI_VERSION_1) throw new FastCgiProtocolError(`unsupported FastCGI version ${data[0]}`);
      const contentLength = data.readUInt16BE(4);
      const total = HEADER_LENGTH + contentLength + data[6]!;
      if (data.length < total) break;
      records.push({
        type: data[1]!,
        requestId: data.readUInt16BE(2),
        // A copy: the record may outlive this read buffer.
        content: Buffer.from(data.subarray(HEADER_LENGTH, HEADER_LENGTH + contentLength)),
      });
      data = data.subarray(total);
    }
    this.#pending = Buffer.from(data);
    return records;
  }
}

/** One record, padded to a multiple of 8 bytes as the specification recommends. */
export function encodeRecord(type: number, requestId: number, content: Buffer = Buffer.alloc(0)): Buffer {
  if (content.length > MAX_CONTENT_LENGTH) throw new RangeError(`a FastCGI record holds at most ${MAX_CONTENT_LENGTH} bytes`);
  const padding = (8 - (content.length % 8)) % 8;
  const record = Buffer.alloc(HEADER_LENGTH + content.length + padding);
  record[0] = FCGI_VERSION_1;
  record[1] = type;
  record.writeUInt16BE(requestId, 2);
  record.writeUInt16BE(content.length, 4);
  record[6] = padding;
  content.copy(record, HEADER_LENGTH);
  return record;
}

/** Stream data (STDOUT, STDERR) as records; an empty buffer gives the record that ends the stream. */
export function encodeStream(type: number, requestId: number, data: Buffer): Buffer[] {
  if (data.length === 0) return [encodeRecord(type, requestId)];
  const records: Buffer[] = [];
  for (let at = 0; at < data.length; at += STREAM_CHUNK) records.push(encodeRecord(type, requestId, data.subarray(at, at + STREAM_CHUNK)));
  return records;
}

/** The role and flags of a BEGIN_REQUEST body. */
export function decodeBeginRequest(content: Buffer): { role: number; flags: number } {
  if (content.length < 8) throw new FastCgiProtocolError('BEGIN_REQUEST record shorter than 8 bytes');
  return { role: content.readUInt16BE(0), flags: content[2]! };
}

export function encodeEndRequest(requestId: number, appStatus: number, protocolStatus: number): Buffer {
  const body = Buffer.alloc(8);
  body.writeUInt32BE(appStatus >>> 0, 0);
  body[4] = protocolStatus;
  return encodeRecord(RecordType.END_REQUEST, requestId, body);
}

export function encodeUnknownType(type: number): Buffer {
  const body = Buffer.alloc(8);
  body[0] = type;
  return encodeRecord(RecordType.UNKNOWN_TYPE, FCGI_NULL_REQUEST_ID, body);
}

function readLength(data: Buffer, at: number): [length: number, next: number] {
  if (at >= data.length) throw new FastCgiProtocolError('name-value pair cut short');
  if (data[at]! < 0x80) return [data[at]!, at + 1];
  if (at + 4 > data.length) throw new FastCgiProtocolError('name-value pair cut short');
  return [data.readUInt32BE(at) & 0x7fffffff, at + 4];
}

/**
 * The pairs of a PARAMS stream or GET_VALUES body. Names and values are
 * bytes; they are read as UTF-8, as a CGI program's environment is.
 * @throws FastCgiProtocolError when a length runs past the end.
 */
export function decodePairs(data: Buffer): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  let at = 0;
  while (at < data.length) {
    const [nameLength, afterName] = readLength(data, at);
    const [valueLength, start] = readLength(data, afterName);
    const end = start + nameLength + valueLength;
    if (end > data.length) throw new FastCgiProtocolError('name-value pair cut short');
    pairs.push([data.toString('utf8', start, start + nameLength), data.toString('utf8', start + nameLength, end)]);
    at = end;
  }
  return pairs;
}

function encodeLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const out = Buffer.alloc(4);
  out.writeUInt32BE((length | 0x80000000) >>> 0, 0);
  return out;
}

export function encodePairs(pairs: ReadonlyArray<readonly [string, string]>): Buffer {
  const parts: Buffer[] = [];
  for (const [name, value] of pairs) {
    const n = Buffer.from(name, 'utf8');
    const v = Buffer.from(value, 'utf8');
    parts.push(encodeLength(n.length), encodeLength(v.length), n, v);
  }
  return Buffer.concat(parts);
}
