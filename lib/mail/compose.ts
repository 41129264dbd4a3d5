/**
 * Builds the text of an outgoing mail, laid out as Roundup's mailer lays
 * it out (Python's email package with Roundup's `get_standard_message`
 * and `set_message_attributes`): `MIME-Version` and `Content-Type` first
 * (the other way round for a multipart), then the caller's headers (`Reply-To`, `Message-Id`,
 * `X-Roundup-issue-*` for nosy mail), `Content-Transfer-Encoding`, and
 * last the headers every tracker mail carries: `Subject`, `To`, `From`,
 * `Date`, `Precedence: bulk`, `X-Roundup-Name`, `X-Roundup-Loop: hello`,
 * `X-Roundup-Version`. Lines end in LF, as in Roundup's debug file; the
 * SMTP client turns them into CRLF on the wire.
 */

import { randomBytes, randomInt } from 'node:crypto';
import { RupError } from '../errors.js';
import {
  base64Lines,
  checkHeaderName,
  encodeText,
  filenameParameter,
  formatAddress,
  formatAddressList,
  headerText,
  quotedPrintable,
  rfc2822Date,
  unstructuredValue,
} from './mime.js';

/** A file attached to a mail. */
export interface MailAttachment {
  filename: string;
  content: Buffer | string;
  /** MIME type; `application/octet-stream` when not given. */
  contentType?: string;
}

/** An address header value: a name (optional) and a bare address. */
export interface MailAddressValue {
  name?: string | null;
  address: string;
}

/** A mail to compose: what callers of the mailer give. */
export interface OutgoingMail {
  /** Recipients (bare addresses), shown in `To:` and used as envelope recipients. */
  to: readonly string[];
  /** Copy recipients, shown in `Cc:` and added to the envelope. */
  cc?: readonly string[];
  /** Blind copies: envelope recipients only, never in a header. */
  bcc?: readonly string[];
  subject: string;
  /** The text body. */
  body: string;
  /** An HTML alternative of the body (sent as multipart/alternative). */
  html?: string;
  /**
   * Extra headers, in order (`Reply-To`, `Message-Id`, `In-Reply-To`,
   * `X-Roundup-issue-status`, ...). Text values are sanitised and encoded
   * like the subject; an address value (`Reply-To`) is written like
   * `From:`. A `Message-Id` here replaces the generated one; the headers
   * the mailer sets itself may not be given.
   */
  headers?: Readonly<Record<string, string | MailAddressValue>>;
  attachments?: readonly MailAttachment[];
  /** Sender shown in `From:`; the tracker name with `[main] admin_email` when not given (Roundup's default). */
  from?: MailAddressValue;
  /** Envelope sender (bounces go there); `[main] admin_email` when not given. */
  sender?: string;
}

/** What composing needs to know about the tracker. */
export interface ComposeSettings {
  trackerName: string;
  adminEmail: string;
  /** `[mail] domain`, for generated Message-Ids. */
  domain: string;
  /** `[mail] charset`. */
  charset: string;
  /** Our version, for `X-Roundup-Version`. */
  version: string;
  /** The tracker's zone offset (minutes east of UTC) at an instant, for `Date:`. */
  offsetAt(utcMs: number): number;
}

/** A composed mail, ready to send or to write to the debug file. */
export interface ComposedMail {
  /** The whole message, LF line ends. */
  text: string;
  messageId: string;
  /** SMTP envelope. */
  envelope: { from: string; to: string[] };
}

/** Headers the mailer always writes itself; callers may not set them through `headers`. */
const MANAGED = new Set(
  ['mime-version', 'content-type', 'content-transfer-encoding', 'subject', 'to', 'cc', 'bcc', 'from', 'date', 'precedence', 'x-roundup-name', 'x-roundup-loop', 'x-roundup-version'],
);

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** A new Message-Id in the shape Roundup gives its mails: `<seconds.random.RANDOM@domain>`. */
export function newMessageId(domain: string, utcMs: number): string {
  const token = [...randomBytes(16)].map((b) => BASE32[b % 32]).join('');
  return `<${Math.floor(utcMs / 1000)}.${randomInt(1_000_000)}.${token}@${domain}>`;
}

function boundary(): string {
  return `===============${String(randomInt(1e9)).padStart(9, '0')}${String(randomInt(1e9)).padStart(9, '0')}==`;
}

/** A text part: Content-Type with charset, quoted-printable body. */
function textPart(text: string, subtype: 'plain' | 'html', charset: string): { headers: string[]; body: string } {
  const encoded = encodeText(text, charset);
  return {
    headers: [`Content-Type: text/${subtype}; charset="${encoded.charset}"`, 'MIME-Version: 1.0', 'Content-Transfer-Encoding: quoted-printable'],
    body: quotedPrintable(encoded.bytes),
  };
}

/**
 * Whether text can travel unencoded: printable ASCII lines (tabs allowed)
 * within SMTP's 998-character limit, none starting with `From ` (which
 * would split the debug mbox file).
 */
function isSevenBitSafe(text: string): boolean {
  return /^[\t\n\x20-\x7e]*$/.test(text) && !/^From /m.test(text) && text.split('\n').every((line) => line.length <= 998);
}

/**
 * An attachment part, as Roundup's nosy mail attaches files: text/plain
 * that is plain ASCII goes as is (7bit), other text/plain as
 * quoted-printable utf-8, message/rfc822 as the embedded message,
 * anything else base64.
 */
function attachmentPart(file: MailAttachment): { headers: string[]; body: string } {
  const type = headerText(file.contentType ?? '').toLowerCase() || 'application/octet-stream';
  if (!/^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(type)) throw new RupError('RUP_ERR_VALUE', `Invalid attachment type ${JSON.stringify(file.contentType)}`);
  const disposition = `Content-Disposition: attachment;\n ${filenameParameter(file.filename)}`;
  const bytes = typeof file.content === 'string' ? Buffer.from(file.content, 'utf8') : file.content;
  if (type === 'text/plain') {
    const text = bytes.toString('utf8').replace(/\r\n/g, '\n');
    if (isSevenBitSafe(text)) {
      return { headers: ['Content-Type: text/plain; charset="us-ascii"', 'MIME-Version: 1.0', disposition], body: text };
    }
    const part = textPart(text, 'plain', 'utf-8');
    return { headers: [...part.headers, disposition], body: part.body };
  }
  if (type === 'message/rfc822') {
    return { headers: ['Content-Type: message/rfc822', 'MIME-Version: 1.0', disposition], body: bytes.toString('utf8').replace(/\r\n/g, '\n') };
  }
  return { headers: [`Content-Type: ${type}`, 'MIME-Version: 1.0', 'Content-Transfer-Encoding: base64', disposition], body: base64Lines(bytes) };
}

function multipart(subtype: 'mixed' | 'alternative', parts: { headers: string[]; body: string }[]): { contentType: string; body: string } {
  const b = boundary();
  const body = [...parts.map((p) => `--${b}\n${p.headers.join('\n')}\n\n${p.body}\n`), `--${b}--`].join('');
  return { contentType: `multipart/${subtype}; boundary="${b}"`, body };
}

/**
 * Composes `mail` into message text. Every name, subject and header value
 * is sanitised (control characters become spaces) and encoded when not
 * ASCII; addresses are checked. Throws RUP_ERR_VALUE for a bad address,
 * header name or attachment type, for a header the mailer sets itself,
 * and for a mail without recipients.
 */
export function composeMail(mail: OutgoingMail, settings: ComposeSettings, utcMs: number): ComposedMail {
  const recipients = [...mail.to, ...(mail.cc ?? []), ...(mail.bcc ?? [])];
  if (recipients.length === 0) throw new RupError('RUP_ERR_VALUE', 'A mail needs at least one recipient');
  const charset = settings.charset;
  const extra: string[] = [];
  let messageId: string | null = null;
  for (const [name, value] of Object.entries(mail.headers ?? {})) {
    checkHeaderName(name);
    const lower = name.toLowerCase();
    if (MANAGED.has(lower)) throw new RupError('RUP_ERR_VALUE', `The ${name} header is set by the mailer`);
    if (typeof value !== 'string') {
      extra.push(`${name}: ${formatAddress(value.name, value.address, charset)}`);
    } else if (lower === 'message-id') {
      messageId = headerText(value);
      extra.push(`${name}: ${messageId}`);
    } else {
      extra.push(`${name}: ${unstructuredValue(value, charset, name.length)}`);
    }
  }
  if (messageId === null) {
    messageId = newMessageId(settings.domain, utcMs);
    extra.unshift(`Message-Id: ${messageId}`);
  }

  let contentType: string;
  let transferEncoding: string | null = null;
  let body: string;
  const text = textPart(mail.body, 'plain', charset);
  const alternatives = mail.html === undefined ? null : multipart('alternative', [text, textPart(mail.html, 'html', charset)]);
  if (mail.attachments?.length) {
    const first = alternatives ? { headers: [`Content-Type: ${alternatives.contentType}`, 'MIME-Version: 1.0'], body: alternatives.body } : text;
    const mixed = multipart('mixed', [first, ...mail.attachments.map(attachmentPart)]);
    contentType = mixed.contentType;
    body = mixed.body;
  } else if (alternatives) {
    contentType = alternatives.contentType;
    body = alternatives.body;
  } else {
    contentType = text.headers[0]!.slice('Content-Type: '.length);
    transferEncoding = 'quoted-printable';
    body = text.body;
  }

  const from = mail.from ?? { name: settings.trackerName, address: settings.adminEmail };
  // Python's email package writes a multipart's Content-Type before its MIME-Version, and the reverse for text.
  const typeLines = contentType.startsWith('multipart/') ? [`Content-Type: ${contentType}`, 'MIME-Version: 1.0'] : ['MIME-Version: 1.0', `Content-Type: ${contentType}`];
  const lines = [
    ...typeLines,
    ...extra,
    ...(transferEncoding ? [`Content-Transfer-Encoding: ${transferEncoding}`] : []),
    `Subject: ${unstructuredValue(mail.subject, charset, 'Subject'.length)}`,
    `To: ${formatAddressList(mail.to, 'To'.length)}`,
    ...(mail.cc?.length ? [`Cc: ${formatAddressList(mail.cc, 'Cc'.length)}`] : []),
    `From: ${formatAddress(from.name, from.address, charset)}`,
    `Date: ${rfc2822Date(utcMs, settings.offsetAt(utcMs))}`,
    'Precedence: bulk',
    `X-Roundup-Name: ${unstructuredValue(settings.trackerName, charset, 'X-Roundup-Name'.length)}`,
    'X-Roundup-Loop: hello',
    `X-Roundup-Version: ${headerText(settings.version)}`,
  ];
  return {
    text: `${lines.join('\n')}\n\n${body}`,
    messageId,
    envelope: { from: formatAddress(null, mail.sender ?? settings.adminEmail), to: recipients.map((r) => formatAddress(null, r)) },
  };
}
