/**
 * Reads an incoming RFC 822 message into what the gateway works on: its
 * decoded headers and its MIME tree, each leaf holding its transfer-decoded
 * bytes. Built on mailparser's streaming parser (pinned to 3.9.31 in
 * package.json), which does the header decoding (RFC 2047 words, RFC 2231
 * parameters, address lists) and the splitting and transfer decoding.
 *
 * Roundup's gateway walks the MIME tree itself (the first text/plain part
 * is the message, the others become files, multipart/alternative has its
 * own rules), so we need the tree rather than mailparser's flattened
 * result. Two things of the pinned mailparser that are not in its typed
 * API are relied on, both checked here so a different version fails
 * loudly instead of misreading mail:
 * - `parser.tree`: the part tree it builds (`contentType`, `headers`,
 *   `children`, and `node`, the splitter's part with `filename`,
 *   `disposition`);
 * - `parser.textTypes`: emptied so every leaf, text included, is streamed
 *   as raw bytes; charsets are decoded by content-extraction.ts, which
 *   must tell an unknown charset apart from a known one.
 * Embedded messages (message/rfc822) are kept whole (`ignoreEmbedded`),
 * as Roundup attaches them as one file unless `unpack_rfc822` is set.
 */

import addressparser from 'nodemailer/lib/addressparser';
import { MailParser, type AddressObject, type AttachmentStream, type HeaderValue, type Headers, type StructuredHeader } from 'mailparser';
import { RupError } from '../../errors.js';

/** One part of a message. */
export interface MimePart {
  /** `type/subtype`, lower case (`text/plain` when the part names none). */
  contentType: string;
  /** Content-Type parameters (`charset`, `name`, `protocol`, ...), names in lower case. */
  params: Readonly<Record<string, string>>;
  /** The Content-Disposition value as written (`inline`, `attachment`), lower case, or null. */
  disposition: string | null;
  /** The file name (disposition `filename`, else type `name`), decoded, or null. */
  filename: string | null;
  /** The part's own headers, decoded as mailparser decodes them. */
  headers: Headers;
  /** Sub-parts of a multipart; empty for a leaf. */
  children: MimePart[];
  /** A leaf's content, transfer encoding undone (charset not decoded); empty for a multipart. */
  body: Buffer;
}

/** A mailbox address from a header. */
export interface MailAddress {
  name: string;
  address: string;
}

/** An incoming message, parsed. */
export interface IncomingMail {
  /** The message exactly as received. */
  raw: Buffer;
  /** The top-level headers. */
  headers: Headers;
  /** The top-level part (the message itself). */
  root: MimePart;
}

/** The mailparser part node this module reads (not part of mailparser's typed API). */
interface ParserNode {
  contentType?: string | false;
  headers: Headers;
  headerLines?: ReadonlyArray<{ key: string; line: string }>;
  children: ParserNode[];
  node?: { filename?: string | false; disposition?: string | false };
}

/** Raised for a message the MIME parser cannot read at all. */
export class MalformedMailError extends RupError {
  constructor(message: string, cause?: unknown) {
    super('RUP_ERR_FORMAT', message, { cause });
    this.name = 'MalformedMailError';
  }
}

function structured(value: HeaderValue | undefined): StructuredHeader | null {
  if (value && typeof value === 'object' && !Array.isArray(value) && 'value' in value && 'params' in value) return value as StructuredHeader;
  return null;
}

function lowerKeys(params: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params ?? {})) out[k.toLowerCase()] = v;
  return out;
}

function toPart(node: ParserNode, bodies: Map<Headers, Buffer>): MimePart {
  if (!node || !(node.headers instanceof Map) || !Array.isArray(node.children)) {
    throw new RupError('RUP_ERR_TRACKER', 'the installed mailparser does not build the part tree this gateway reads (mailparser 3.9.31 expected)');
  }
  const type = structured(node.headers.get('content-type'));
  const contentType = (typeof node.contentType === 'string' && node.contentType ? node.contentType : 'text/plain').toLowerCase();
  const filename = node.node?.filename;
  const disposition = node.node?.disposition;
  return {
    contentType,
    params: lowerKeys(type?.params),
    disposition: typeof disposition === 'string' && disposition ? disposition.toLowerCase() : null,
    filename: typeof filename === 'string' && filename ? filename : null,
    headers: node.headers,
    children: node.children.map((child) => toPart(child, bodies)),
    body: node.children.length ? Buffer.alloc(0) : (bodies.get(node.headers) ?? Buffer.alloc(0)),
  };
}

/**
 * Parses a message. Tolerates what mail programs get wrong (a missing
 * closing boundary, bad lines in headers, missing charsets): such parts
 * are read as well as they can be.
 * @throws MalformedMailError (RUP_ERR_FORMAT) when the parser gives up
 *   (a header block over 1 MB, more than 1000 parts).
 */
export function parseMail(raw: Buffer): Promise<IncomingMail> {
  return new Promise((resolve, reject) => {
    const parser = new MailParser({
      ignoreEmbedded: true,
      keepDeliveryStatus: true,
      skipHtmlToText: true,
      skipTextToHtml: true,
      skipTextLinks: true,
      skipImageLinks: true,
    } as ConstructorParameters<typeof MailParser>[0]);
    const internals = parser as unknown as { textTypes: unknown; tree: ParserNode | false };
    if (!Array.isArray(internals.textTypes)) {
      reject(new RupError('RUP_ERR_TRACKER', 'the installed mailparser has no textTypes list (mailparser 3.9.31 expected)'));
      return;
    }
    internals.textTypes = [];
    const bodies = new Map<Headers, Buffer>();
    const reading: Promise<void>[] = [];
    let failed = false;
    const fail = (err: Error) => {
      if (failed) return;
      failed = true;
      reject(new MalformedMailError(`the message could not be read as MIME: ${err.message}`, err));
    };
    parser.on('data', (data: AttachmentStream | { type: string }) => {
      if (data.type !== 'attachment') return;
      const part = data as AttachmentStream;
      const chunks: Buffer[] = [];
      reading.push(
        new Promise<void>((done) => {
          part.content.on('data', (chunk: Buffer) => chunks.push(chunk));
          part.content.on('error', (err: Error) => {
            fail(err);
            done();
          });
          part.content.on('end', () => {
            bodies.set(part.headers, Buffer.concat(chunks));
            part.release();
            done();
          });
        }),
      );
    });
    parser.on('error', fail);
    parser.on('end', () => {
      if (failed) return;
      Promise.all(reading).then(
        () => {
          try {
            if (!internals.tree) throw new MalformedMailError('the message is empty');
            restoreLocalAddresses(internals.tree.headers, internals.tree.headerLines ?? []);
            resolve({ raw, headers: internals.tree.headers, root: toPart(internals.tree, bodies) });
          } catch (err) {
            reject(err);
          }
        },
        (err: unknown) => reject(err),
      );
    });
    parser.end(raw);
  });
}

/** The address headers mailparser parses into address lists. */
const ADDRESS_HEADERS = ['from', 'to', 'cc', 'sender', 'reply-to'];

/** The entries of an address list in order, groups flattened (the objects themselves, to be amended). */
function addressEntries(list: Array<{ address?: string; name?: string; group?: Array<{ address?: string; name?: string }> }>): Array<{ address?: string; name?: string }> {
  return list.flatMap((entry) => (entry.group ? addressEntries(entry.group) : [entry]));
}

/**
 * Mailparser empties addresses without a domain (`From: bob`); Roundup
 * keeps them, so local mail can be matched to a user name. Puts such
 * addresses back from the raw header lines.
 */
function restoreLocalAddresses(headers: Headers, lines: ReadonlyArray<{ key: string; line: string }>): void {
  for (const key of ADDRESS_HEADERS) {
    const value = headers.get(key);
    const raw = lines.find((l) => l.key === key);
    if (!raw || !value || typeof value !== 'object' || Array.isArray(value) || !('value' in value) || !Array.isArray(value.value)) continue;
    const parsed = addressEntries(value.value);
    if (!parsed.some((a) => a.address === '')) continue;
    const text = raw.line.slice(raw.line.indexOf(':') + 1).replace(/\r?\n[ \t]+/g, ' ');
    const written = addressparser(text, { flatten: true });
    if (written.length !== parsed.length) continue;
    const local = /^[^\s@<>"(),;:]+$/;
    parsed.forEach((entry, i) => {
      const { address, name } = written[i]!;
      if (entry.address !== '') return;
      if (local.test(address)) entry.address = address;
      // A bare word is a name to addressparser but an address to Python's email package (and to Roundup).
      else if (!address && local.test(name) && !text.includes('<')) Object.assign(entry, { address: name, name: '' });
    });
  }
}

/** A header's text: the first value of a repeated header; addresses as written; null when absent. */
export function headerText(headers: Headers, name: string): string | null {
  const value = headers.get(name.toLowerCase());
  if (value === undefined || value === null) return null;
  const first = Array.isArray(value) ? value[0] : value;
  if (first === undefined) return null;
  if (typeof first === 'string') return first;
  if (first instanceof Date) return first.toUTCString();
  if (typeof first === 'object' && 'text' in first) return (first as AddressObject).text;
  if (typeof first === 'object' && 'value' in first) return String((first as StructuredHeader).value);
  return String(first);
}

function flatten(list: Array<{ name?: string; address?: string; group?: Array<{ name?: string; address?: string }> }>): MailAddress[] {
  const out: MailAddress[] = [];
  for (const entry of list) {
    if (entry.group) out.push(...flatten(entry.group));
    else if (entry.address !== undefined) out.push({ name: entry.name ?? '', address: entry.address });
  }
  return out;
}

/**
 * The addresses of an address header (From, To, Cc, Resent-From, ...),
 * groups flattened, names decoded; an empty list when the header is absent.
 */
export function headerAddresses(headers: Headers, name: string): MailAddress[] {
  const value = headers.get(name.toLowerCase());
  if (value === undefined || value === null) return [];
  const values = Array.isArray(value) ? value : [value];
  const out: MailAddress[] = [];
  for (const v of values) {
    if (typeof v === 'string') out.push(...flatten(addressparser(v, { flatten: true })));
    else if (v && typeof v === 'object' && 'value' in v && Array.isArray((v as AddressObject).value)) out.push(...flatten((v as AddressObject).value));
  }
  return out.filter((a) => a.address !== '' || a.name !== '');
}

/** The message ids of a References header, in order (oldest first). */
export function headerReferences(headers: Headers): string[] {
  const value = headers.get('references');
  if (value === undefined || value === null) return [];
  const values = Array.isArray(value) ? value : [value];
  return values.flatMap((v) => (typeof v === 'string' ? v.split(/\s+/) : [])).filter((v) => v !== '');
}

/**
 * The raw header block of a message (everything before the first empty
 * line, at most `limit` bytes), for reports about messages the MIME parser
 * could not read.
 */
export function rawHeaderBlock(raw: Buffer, limit = 64 * 1024): string {
  const text = raw.subarray(0, limit).toString('latin1');
  const end = text.search(/\r?\n\r?\n/);
  return (end < 0 ? text : text.slice(0, end)).replace(/\r\n/g, '\n');
}

/**
 * The From: addresses found by reading the raw header block directly, for
 * a message mailparser refused, so its sender can still be told why.
 */
export function rawFromAddresses(raw: Buffer): MailAddress[] {
  const unfolded = rawHeaderBlock(raw, 2 * 1024 * 1024).replace(/\n[ \t]+/g, ' ');
  const line = /^from:(.*)$/im.exec(unfolded);
  return line ? flatten(addressparser(line[1]!.trim(), { flatten: true })) : [];
}
