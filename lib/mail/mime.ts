/**
 * The MIME pieces outgoing mail is built from: RFC 2047 header encoding,
 * quoted-printable bodies, address formatting, and the sanitising that
 * makes header injection impossible. Everything here is pure (no I/O).
 *
 * The encodings follow what Roundup's mailer produces through Python's
 * email package, so our mails read the same on the wire: encoded words
 * use the shorter of Q and B (Python's SHORTEST for utf-8), Q words keep
 * only letters, digits and `-!*+/` and write spaces as `_`, and sender
 * names are formatted like Roundup's `nice_sender_header`.
 */

import { RupError } from '../errors.js';

/** Longest encoded word RFC 2047 allows. */
const MAX_ENCODED_WORD = 75;
/** Longest line a quoted-printable body may have (RFC 2045), soft break included. */
const QP_LINE = 76;
/** Header lines are folded beyond this length (RFC 5322 recommends 78). */
const HEADER_LINE = 78;
/** No line of a message may be longer (RFC 5322). */
const MAX_LINE = 998;

/**
 * Control characters (C0 but TAB, and DEL) that must never reach a
 * header. TAB is white space a header may hold (Roundup passes a tab in a
 * title through to the Subject); only a line break could start a header.
 */
const CONTROLS = /[\u0000-\u0008\u000a-\u001f\u007f]+/g;
/** Characters that force a display name into quotes (Python's `email.utils.specialsre`). */
const SPECIALS = /[\][\\()<>@,:;".]/;

/**
 * Text made safe for one header line: every run of control characters
 * (CR, LF, NUL, ...; tabs stay) becomes one space and the ends are
 * trimmed, so a value can never start a new header or end the header
 * block.
 */
export function headerText(value: string): string {
  return value.replace(CONTROLS, ' ').trim();
}

/** True when `text` is printable ASCII (space and tab included), needing no encoding in a header. */
function isPlainAscii(text: string): boolean {
  return /^[\t\x20-\x7e]*$/.test(text);
}

/** Charsets we can encode text in; anything else falls back to utf-8. */
const ENCODINGS: Record<string, { label: string; encoding: BufferEncoding; max: number }> = {
  'utf-8': { label: 'utf-8', encoding: 'utf8', max: 0x10ffff },
  utf8: { label: 'utf-8', encoding: 'utf8', max: 0x10ffff },
  'us-ascii': { label: 'us-ascii', encoding: 'ascii', max: 0x7f },
  ascii: { label: 'us-ascii', encoding: 'ascii', max: 0x7f },
  'iso-8859-1': { label: 'iso-8859-1', encoding: 'latin1', max: 0xff },
  iso8859_1: { label: 'iso-8859-1', encoding: 'latin1', max: 0xff },
  'iso8859-1': { label: 'iso-8859-1', encoding: 'latin1', max: 0xff },
  latin1: { label: 'iso-8859-1', encoding: 'latin1', max: 0xff },
  'latin-1': { label: 'iso-8859-1', encoding: 'latin1', max: 0xff },
};

/**
 * `text` encoded for a mail in the wanted charset (`[mail] charset`).
 * Charsets Node cannot write, and text the charset cannot hold, fall back
 * to utf-8 (where Python would fail with UnicodeEncodeError). Returns the
 * charset label actually used and the bytes.
 */
export function encodeText(text: string, charset: string): { charset: string; bytes: Buffer } {
  const wanted = ENCODINGS[charset.trim().toLowerCase()];
  const fits = wanted && fitsCharset(text, wanted.max);
  const chosen = fits ? wanted : ENCODINGS['utf-8']!;
  return { charset: chosen.label, bytes: Buffer.from(text, chosen.encoding) };
}

/** Whether every character of `text` is at most `max` (a surrogate half is above any 8-bit charset's). */
function fitsCharset(text: string, max: number): boolean {
  if (max >= 0x10ffff) return true;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > max) return false;
  return true;
}

/** Characters a Q-encoded word may carry literally (Python's header quopri safe set). */
function isQSafe(byte: number): boolean {
  return (
    (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a) || '-!*+/'.includes(String.fromCharCode(byte))
  );
}

function qEncode(bytes: Buffer): string {
  let out = '';
  for (const byte of bytes) {
    if (byte === 0x20) out += '_';
    else if (isQSafe(byte)) out += String.fromCharCode(byte);
    else out += `=${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * Splits text into pieces whose encoded form fits one encoded word, never
 * cutting a character in two.
 */
function chunkForWords(text: string, fits: (bytes: Buffer) => boolean, encoding: BufferEncoding): Buffer[] {
  const chunks: Buffer[] = [];
  let current = '';
  for (const ch of text) {
    const candidate = current + ch;
    if (current && !fits(Buffer.from(candidate, encoding))) {
      chunks.push(Buffer.from(current, encoding));
      current = ch;
    } else {
      current = candidate;
    }
  }
  if (current || chunks.length === 0) chunks.push(Buffer.from(current, encoding));
  return chunks;
}

/**
 * RFC 2047 encoded words for `text`, joined by folding whitespace. Like
 * Python's SHORTEST header encoding, Q or B is picked by which gives the
 * shorter result; each word stays within 75 characters.
 */
export function encodeWords(text: string, charset = 'utf-8'): string {
  const { charset: label } = encodeText(text, charset);
  const encoding = ENCODINGS[label]!.encoding;
  const overhead = `=?${label}?q??=`.length;
  const render = (kind: 'q' | 'b', bytes: Buffer) => `=?${label}?${kind}?${kind === 'q' ? qEncode(bytes) : bytes.toString('base64')}?=`;
  const qFits = (bytes: Buffer) => qEncode(bytes).length + overhead <= MAX_ENCODED_WORD;
  const bFits = (bytes: Buffer) => Math.ceil(bytes.length / 3) * 4 + overhead <= MAX_ENCODED_WORD;
  const q = chunkForWords(text, qFits, encoding).map((c) => render('q', c));
  const b = chunkForWords(text, bFits, encoding).map((c) => render('b', c));
  const length = (words: string[]) => words.join(' ').length;
  return (length(b) < length(q) ? b : q).join('\n ');
}

/**
 * An unstructured header value (Subject, X-Roundup-Name, extra headers):
 * sanitised with {@link headerText}, RFC 2047-encoded when it is not plain
 * ASCII (or holds a word too long for one line), folded at spaces when long.
 */
export function unstructuredValue(value: string, charset = 'utf-8', nameLength = 0): string {
  const text = headerText(value);
  if (!isPlainAscii(text)) return encodeWords(text, charset);
  const folded = foldAtSpaces(text, nameLength + 2);
  // A word too long to fold would break SMTP's line limit (998): encoded words can be split anywhere.
  return folded.split('\n').some((line) => line.length + nameLength + 2 > MAX_LINE) ? encodeWords(text, charset) : folded;
}

/** Folds a plain ASCII value at spaces so lines stay near 78 characters. */
function foldAtSpaces(text: string, firstLineUsed: number): string {
  if (text.length + firstLineUsed <= HEADER_LINE) return text;
  const words = text.split(' ');
  const lines: string[] = [];
  let line = '';
  let used = firstLineUsed;
  for (const word of words) {
    if (line && used + line.length + 1 + word.length > HEADER_LINE) {
      lines.push(line);
      line = word;
      used = 1;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  lines.push(line);
  return lines.join('\n ');
}

/** A mail address: ASCII, no spaces, controls, brackets or separators, one `@` with text on both sides. */
const ADDRESS = /^[^\s@<>()[\]\\,;:"\u0000-\u001f\u007f-\uffff]+@[^\s@<>()[\]\\,;:"\u0000-\u001f\u007f-\uffff]+$/;

/**
 * `address` checked as a bare mail address (`user@example.com`). Throws
 * RUP_ERR_VALUE for anything else, so no address can smuggle a header or
 * a second recipient into a mail.
 */
export function checkAddress(address: string): string {
  const trimmed = address.trim();
  if (!ADDRESS.test(trimmed)) throw new RupError('RUP_ERR_VALUE', `Invalid mail address ${JSON.stringify(address)}`);
  return trimmed;
}

/**
 * A sender or recipient as `Name <address>`, as Roundup's
 * `nice_sender_header` writes it: the bare address when there is no name,
 * an RFC 2047-encoded name when it is not ASCII, a quoted name when it
 * holds specials (`"Doe, John" <jd@example.com>`).
 */
export function formatAddress(name: string | null | undefined, address: string, charset = 'utf-8'): string {
  const addr = checkAddress(address);
  const clean = headerText(name ?? '');
  if (!clean) return addr;
  let encoded: string;
  if (isPlainAscii(clean)) {
    encoded = SPECIALS.test(clean) ? `"${clean.replace(/[\\"]/g, '\\$&')}"` : clean;
  } else {
    encoded = encodeWords(clean, charset);
  }
  return `${encoded} <${addr}>`;
}

/** A list of addresses joined by `, ` and folded after commas when long (the To: header). */
export function formatAddressList(addresses: readonly string[], nameLength: number): string {
  const items = addresses.map(checkAddress);
  const lines: string[] = [];
  let line = '';
  let used = nameLength + 2;
  for (const item of items) {
    const piece = line ? `${line}, ${item}` : item;
    if (line && used + piece.length > HEADER_LINE) {
      lines.push(`${line},`);
      line = item;
      used = 1;
    } else {
      line = piece;
    }
  }
  lines.push(line);
  return lines.join('\n ');
}

/** A header name as RFC 5322 allows (printable ASCII except `:`); throws RUP_ERR_VALUE otherwise. */
export function checkHeaderName(name: string): string {
  if (!/^[\x21-\x39\x3b-\x7e]+$/.test(name)) throw new RupError('RUP_ERR_VALUE', `Invalid mail header name ${JSON.stringify(name)}`);
  return name;
}

function hex(byte: number): string {
  return `=${byte.toString(16).toUpperCase().padStart(2, '0')}`;
}

/**
 * Quoted-printable body (RFC 2045) with LF line ends, lines of at most 76
 * characters (soft breaks `=` where needed), `=`, non-ASCII and trailing
 * white space escaped. A line starting with `From ` gets its `F` escaped
 * so the debug mbox file and mail readers never see a message boundary
 * there; decoding gives the same text back.
 */
export function quotedPrintable(bytes: Buffer): string {
  // One character per byte, so a line is examined as text and only lines needing escapes go byte by byte.
  const lines = bytes.toString('latin1').replace(/\r\n/g, '\n').split('\n');
  return lines.map((line) => (QP_PLAIN_LINE.test(line) ? softBreaks(line) : encodeQpLine(Array.from(line, (ch) => ch.charCodeAt(0))))).join('\n');
}

/** A line quoted-printable leaves as it is: printable ASCII but `=`, no trailing white space, not starting with `From `. */
const QP_PLAIN_LINE = /^(?!From )[\t\x20-\x3c\x3e-\x7e]*(?<![\t ])$/;

/** A line of literal characters cut into encoded lines of at most 76 characters (soft breaks `=`). */
function softBreaks(line: string): string {
  const out: string[] = [];
  for (let i = 0; i < line.length; i += QP_LINE - 1) out.push(line.slice(i, i + QP_LINE - 1));
  return out.length ? out.join('=\n') : '';
}

function encodeQpLine(line: number[]): string {
  const tokens: string[] = [];
  line.forEach((byte, i) => {
    const last = i === line.length - 1;
    const fromLine = i === 0 && byte === 0x46 && String.fromCharCode(...line.slice(0, 5)) === 'From ';
    if (fromLine || byte === 0x3d || (byte < 0x20 && byte !== 0x09) || byte > 0x7e) tokens.push(hex(byte));
    else if ((byte === 0x20 || byte === 0x09) && last) tokens.push(hex(byte));
    else tokens.push(String.fromCharCode(byte));
  });
  const out: string[] = [];
  let current = '';
  for (const token of tokens) {
    if (current.length + token.length > QP_LINE - 1) {
      out.push(`${current}=`);
      current = '';
    }
    current += token;
  }
  out.push(current);
  return out.join('\n');
}

/** Base64 in lines of 76 characters, as MIME attachments carry it. */
export function base64Lines(bytes: Buffer): string {
  return (bytes.toString('base64').match(/.{1,76}/g) ?? []).join('\n');
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * An RFC 5322 date (`Sat, 21 Nov 2026 13:57:38 +0000`) of the instant
 * `utcMs` as seen in a zone `offsetMinutes` east of UTC.
 */
export function rfc2822Date(utcMs: number, offsetMinutes: number): string {
  const wall = new Date(utcMs + offsetMinutes * 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return (
    `${DAYS[wall.getUTCDay()]}, ${pad(wall.getUTCDate())} ${MONTHS[wall.getUTCMonth()]} ${wall.getUTCFullYear()} ` +
    `${pad(wall.getUTCHours())}:${pad(wall.getUTCMinutes())}:${pad(wall.getUTCSeconds())} ${sign}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`
  );
}

/** The date of an mbox `From ` separator line (`Sat Nov 21 13:57:38 2026`), in UTC. */
export function mboxDate(utcMs: number): string {
  const d = new Date(utcMs);
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
}

/**
 * A `filename` parameter for Content-Disposition: quoted with its quotes
 * and backslashes escaped, or in RFC 2231 form (`filename*=utf-8''...`)
 * when the name is not plain ASCII.
 */
export function filenameParameter(filename: string): string {
  const clean = headerText(filename);
  if (isPlainAscii(clean)) return `filename="${clean.replace(/[\\"]/g, '\\$&')}"`;
  const encoded = [...Buffer.from(clean, 'utf8')]
    .map((b) => (/[A-Za-z0-9!#$&+.^_`|~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`))
    .join('');
  return `filename*=utf-8''${encoded}`;
}
