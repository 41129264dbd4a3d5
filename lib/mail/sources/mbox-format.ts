/**
 * The Unix mailbox format (mbox) as mail transfer agents write it:
 * each message starts with a `From ` separator line (`From sender date`)
 * at the start of the file or after an empty line, and ends with an
 * empty line; body lines that would look like a separator are written
 * with a `>` in front (`>From `, `>>From ` for one that already had one:
 * the "mboxrd" quoting, which also reads Postfix's and Exim's plain
 * `>From ` quoting right).
 *
 * Messages are located by byte offsets so that a mailbox can be rewritten
 * keeping the untouched messages byte for byte.
 */

/** One message of a mailbox: where it is in the file and its content. */
export interface MboxMessage {
  /** Offset of its `From ` line. */
  start: number;
  /** Offset just past it (the next message's `From ` line, or the end of what was read). */
  end: number;
  /** The `From ` separator line, without its newline. */
  separator: string;
  /** The message as it was received: separator removed, `>From ` quoting undone, the closing empty line dropped. */
  raw: Buffer;
}

const NL = 0x0a;
const FROM_ = Buffer.from('From ');

function isSeparatorAt(data: Buffer, offset: number): boolean {
  return data.subarray(offset, offset + FROM_.length).equals(FROM_) && (offset === 0 || (data[offset - 1] === NL && (offset === 1 || data[offset - 2] === NL)));
}

/** True when `data` is empty or starts with a `From ` separator line. */
export function looksLikeMbox(data: Buffer): boolean {
  return data.length === 0 || isSeparatorAt(data, 0);
}

/** Undoes the quoting of body lines: `>From ` becomes `From `, `>>From ` becomes `>From `. */
export function unquoteFromLines(body: Buffer): Buffer {
  return Buffer.from(body.toString('latin1').replace(/^>(>*From )/gm, '$1'), 'latin1');
}

/** Quotes body lines so none reads as a separator (`From ` gets a `>`, and so does `>From `), the inverse of {@link unquoteFromLines}. */
export function quoteFromLines(body: Buffer): Buffer {
  return Buffer.from(body.toString('latin1').replace(/^(>*From )/gm, '>$1'), 'latin1');
}

/**
 * The messages of mailbox data that starts with a separator line (see
 * {@link looksLikeMbox}); the bytes are read as they are, line ends
 * included (CRLF stays CRLF).
 */
export function splitMbox(data: Buffer): MboxMessage[] {
  const starts: number[] = [];
  let pos = 0;
  while (pos < data.length) {
    if (isSeparatorAt(data, pos)) starts.push(pos);
    const nl = data.indexOf(NL, pos);
    if (nl < 0) break;
    pos = nl + 1;
  }
  return starts.map((start, i) => {
    const end = starts[i + 1] ?? data.length;
    const lineEnd = data.indexOf(NL, start);
    const bodyStart = lineEnd < 0 || lineEnd >= end ? end : lineEnd + 1;
    const separator = data.subarray(start, lineEnd < 0 || lineEnd >= end ? end : lineEnd).toString('latin1').replace(/\r$/, '');
    let body = data.subarray(bodyStart, end);
    // The empty line closing each message belongs to the mailbox format, not to the message.
    if (body.length >= 2 && body[body.length - 1] === NL && body[body.length - 2] === NL) body = body.subarray(0, body.length - 1);
    else if (body.length >= 3 && body.subarray(body.length - 3).toString('latin1') === '\n\r\n') body = body.subarray(0, body.length - 2);
    return { start, end, separator, raw: unquoteFromLines(body) };
  });
}

/**
 * One message in mailbox form: the separator line (`From <sender> <date
 * in asctime form>`), the quoted message, an empty line. For tests and
 * for writing mailboxes of our own.
 */
export function mboxEntry(raw: Buffer, sender = 'MAILER-DAEMON', date = new Date()): Buffer {
  const asctime = date.toUTCString().replace(/^(\w+), (\d+) (\w+) (\d+) ([\d:]+) GMT$/, (_, wd: string, d: string, mo: string, y: string, t: string) => `${wd} ${mo} ${String(Number(d)).padStart(2, ' ')} ${t} ${y}`);
  let body = quoteFromLines(raw);
  if (body.length && body[body.length - 1] !== NL) body = Buffer.concat([body, Buffer.from('\n')]);
  return Buffer.concat([Buffer.from(`From ${sender} ${asctime}\n`, 'latin1'), body, Buffer.from('\n')]);
}
