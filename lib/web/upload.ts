import type { IncomingMessage } from 'node:http';
import busboy from 'busboy';
import { RupError } from '../errors.js';
import { SubmittedForm } from './form/form-data.js';
import type { UploadedFile } from './web-types.js';

export interface UploadOptions {
  /** Largest body accepted, in bytes (`[web] max_upload_size`); 0 for no limit. */
  maxBytes: number;
}

function tooLarge(maxBytes: number): RupError {
  return new RupError('RUP_ERR_TOO_LARGE', `The request is larger than this tracker accepts (${maxBytes} bytes). Nothing was stored.`);
}

function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

/** Whether the request carries a form body this module reads. */
export function hasFormBody(req: IncomingMessage): boolean {
  return ['multipart/form-data', 'application/x-www-form-urlencoded'].includes(mediaType(req));
}

/**
 * Reads a request's form: the query string's fields first, then the
 * body's (urlencoded or multipart/form-data, streamed through busboy),
 * files kept in memory as they arrive. A body over `maxBytes` (by its
 * Content-Length, or counted as it streams) is refused with
 * RUP_ERR_TOO_LARGE (413) before any of it is used: nothing is stored,
 * and the rest of the body is read and dropped so the client gets the
 * answer. A malformed body is RUP_ERR_VALUE (400). Other content types
 * (and GET requests) give the query string's fields only.
 */
export async function readForm(req: IncomingMessage, query: string, options: UploadOptions): Promise<SubmittedForm> {
  const fields: Array<[string, string]> = [...new URLSearchParams(query.startsWith('?') ? query.slice(1) : query)];
  if (!hasFormBody(req)) return new SubmittedForm(fields);
  const limit = options.maxBytes > 0 ? options.maxBytes : Infinity;
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    throw tooLarge(options.maxBytes);
  }
  const files: UploadedFile[] = [];
  await new Promise<void>((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        defParamCharset: 'utf8',
        limits: { fieldNameSize: 1024, fieldSize: limit, fileSize: limit },
      });
    } catch (err) {
      reject(new RupError('RUP_ERR_VALUE', `Malformed form data: ${(err as Error).message}`, { cause: err }));
      return;
    }
    let received = 0;
    let failed = false;
    const fail = (err: RupError) => {
      if (failed) return;
      failed = true;
      req.unpipe(parser);
      parser.removeAllListeners();
      parser.on('error', () => undefined);
      // Drain the rest, so the client finishes sending and reads the answer.
      req.resume();
      reject(err);
    };
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit) fail(tooLarge(options.maxBytes));
    });
    req.on('error', (err) => fail(new RupError('RUP_ERR_VALUE', `The request was interrupted: ${err.message}`, { cause: err })));
    parser.on('field', (name, value) => fields.push([name, value]));
    parser.on('file', (name, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        files.push({ field: name, filename: info.filename ?? '', mimetype: info.mimeType, content: Buffer.concat(chunks) });
      });
    });
    parser.on('error', (err: Error) => fail(new RupError('RUP_ERR_VALUE', `Malformed form data: ${err.message}`, { cause: err })));
    parser.on('close', () => {
      if (!failed) resolve();
    });
    req.pipe(parser);
  });
  return new SubmittedForm(fields, files);
}
