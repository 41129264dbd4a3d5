/**
 * Picks the message text and the attachments out of a parsed message, by
 * the rules of Roundup's `RoundupMessage.extract_content`:
 *
 * - the first text/plain part is the message; every other part becomes
 *   an attachment (a later text part: its first text/plain leaf);
 * - in a multipart/alternative, a later text/plain alternative replaces
 *   an earlier one (RFC 2046: later alternatives are better), the earlier
 *   one being attached; with `ignore_alternatives` the other alternatives
 *   of the alternative holding the message are dropped;
 * - a text/html part is turned into text when `convert_htmltotext` allows
 *   it (the HTML is kept as an attachment); a text/plain alternative found
 *   after it wins over the conversion;
 * - an attached message (message/rfc822) is one attachment named after
 *   its subject plus `.eml`, or, with `unpack_rfc822`, is read like a
 *   multipart;
 * - the signature part of a PGP-signed message is not kept.
 *
 * Text is decoded from its charset into a string. Roundup reads text
 * without a charset as ISO-8859-1; we read it as UTF-8 when it is valid
 * UTF-8 (ASCII included) and as ISO-8859-1 otherwise, which agrees with
 * Roundup on everything but UTF-8 sent without a label. A message whose
 * text is in a charset nobody knows is refused with a clear message
 * (Roundup fails with an internal error there); a part in such a charset
 * that is a file (named, or marked as an attachment) keeps its bytes as
 * they are.
 */

import { TextDecoder } from 'node:util';
import { simpleParser } from 'mailparser';
import { MailUsageError } from './gateway-errors.js';
import { type MimePart, headerText, parseMail } from './mime-message.js';

/** A part to store as a file. */
export interface MailAttachment {
  /** The file name, or null when the part has none (stored as `unnamed`). */
  name: string | null;
  /** `type/subtype`. */
  type: string;
  content: Buffer;
}

/** The text and files of a message. */
export interface ExtractedContent {
  /** The message text, or null when there is no text part (nor convertible HTML). */
  content: string | null;
  attachments: MailAttachment[];
}

/** The `[mailgw]` settings extraction follows. */
export interface ExtractionSettings {
  /** `ignore_alternatives`. */
  ignoreAlternatives: boolean;
  /** `unpack_rfc822`. */
  unpackRfc822: boolean;
  /** `convert_htmltotext`: `none` keeps HTML-only mail unreadable (and so bounced). */
  convertHtmlToText: string;
}

/** How deep attached messages are unpacked (a message inside a message inside ...). */
const MAX_UNPACK_DEPTH = 8;

function decoderFor(label: string): TextDecoder | null {
  const wanted = label.trim().replace(/^["']|["']$/g, '').toLowerCase();
  const candidates = [wanted, wanted.replace(/_/g, '-'), wanted.replace(/_/g, '-').replace(/^latin-(\d)$/, 'latin$1')];
  for (const candidate of candidates) {
    try {
      return new TextDecoder(candidate);
    } catch {
      // not a label the WHATWG encoding standard knows; try the next spelling
    }
  }
  return null;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes text bytes: by the declared charset (unknown: null), else as
 * UTF-8 when valid and ISO-8859-1 otherwise. Line ends become LF, as
 * Roundup's get_body does for text.
 */
export function decodeText(bytes: Buffer, charset: string | undefined): string | null {
  let text: string;
  if (charset && charset.trim()) {
    const decoder = decoderFor(charset);
    if (!decoder) return null;
    text = decoder.decode(bytes);
  } else {
    try {
      text = UTF8.decode(bytes);
    } catch {
      text = bytes.toString('latin1');
    }
  }
  return text.replace(/\r\n/g, '\n');
}

/**
 * Mailparser's HTML-to-text conversion (the html-to-text package it uses):
 * scripts and styles are dropped, blocks become paragraphs, links keep
 * their address. The HTML is handed over as a one-part message.
 */
export async function htmlToText(html: string): Promise<string> {
  const encoded = Buffer.from(html, 'utf8').toString('base64').replace(/.{76}/g, '$&\r\n');
  const source = Buffer.from(`Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n${encoded}\r\n`, 'ascii');
  const mail = await simpleParser(source, { skipImageLinks: true, skipTextLinks: true, skipTextToHtml: true });
  return mail.text ?? '';
}

/** The result of one part: its text (if any), its attachments, and whether the text came from HTML. */
interface PartResult {
  content: string | null;
  attachments: MailAttachment[];
  fromHtml: boolean;
}

class Extractor {
  constructor(
    private readonly settings: ExtractionSettings,
    private readonly depth: number,
  ) {}

  private get convertsHtml(): boolean {
    return this.settings.convertHtmlToText !== 'none';
  }

  /** The text of a part that may become the message; an unknown charset is the sender's problem. */
  private text(part: MimePart): string {
    const text = decodeText(part.body, part.params.charset);
    if (text === null) {
      throw new MailUsageError(
        `\nThe text of your message is in the character set "${part.params.charset}", which this\ntracker does not know. Please send it again as UTF-8 (or another common\ncharacter set).\n`,
      );
    }
    return text;
  }

  /** A part as a file (Roundup's as_attachment): text decoded and stored as UTF-8, other types byte for byte. */
  async attachment(part: MimePart): Promise<MailAttachment> {
    if (part.contentType === 'message/rfc822') {
      const inner = await parseMail(part.body).catch(() => null);
      const subject = inner ? headerText(inner.headers, 'subject') : null;
      return { name: subject ? `${subject}.eml` : part.filename, type: part.contentType, content: part.body };
    }
    if (part.contentType.startsWith('text/')) {
      const text = decodeText(part.body, part.params.charset);
      if (text !== null) return { name: part.filename, type: part.contentType, content: Buffer.from(text, 'utf8') };
    }
    return { name: part.filename, type: part.contentType, content: part.body };
  }

  /** The first text/plain leaf of a part as a file (Roundup's text_as_attachment), or null. */
  private async textAttachment(part: MimePart): Promise<MailAttachment | null> {
    const container = part.children.length ? part : await this.unpacked(part);
    if (!container) return this.attachment(part);
    for (const child of container.children) {
      if (child.children.length || (this.settings.unpackRfc822 && child.contentType === 'message/rfc822')) {
        const found = await this.textAttachment(child);
        if (found) return found;
      } else if (child.contentType === 'text/plain') {
        return this.attachment(child);
      }
    }
    return null;
  }

  /**
   * An attached message read as a multipart holding the message's own top
   * part (unpack_rfc822), or null to keep it as one attachment.
   */
  private async unpacked(part: MimePart): Promise<MimePart | null> {
    if (!this.settings.unpackRfc822 || part.contentType !== 'message/rfc822' || this.depth >= MAX_UNPACK_DEPTH) return null;
    const inner = await parseMail(part.body).catch(() => null);
    if (!inner) return null;
    return { ...part, children: [inner.root], body: Buffer.alloc(0) };
  }

  async extract(part: MimePart, parentType: string | null, ignoreAlternatives: boolean): Promise<PartResult> {
    if (part.children.length) return this.extractMultipart(part, ignoreAlternatives);
    if (part.contentType === 'text/plain') {
      // A file in an unknown charset is kept as it is; only message text must be readable.
      if (decodeText(part.body, part.params.charset) === null && (part.disposition === 'attachment' || part.filename)) {
        return { content: null, attachments: [await this.attachment(part)], fromHtml: false };
      }
      return { content: this.text(part), attachments: [], fromHtml: false };
    }
    if (part.contentType === 'text/html' && this.convertsHtml) {
      const html = this.text(part);
      return { content: await htmlToText(html), attachments: [await this.attachment(part)], fromHtml: true };
    }
    const message = await this.unpacked(part);
    if (message) return new Extractor(this.settings, this.depth + 1).extractMultipart(message, ignoreAlternatives);
    if (parentType === 'multipart/signed' && part.contentType === 'application/pgp-signature') {
      return { content: null, attachments: [], fromHtml: false };
    }
    // A multipart whose boundary never appears has no parts to keep.
    if (part.contentType.startsWith('multipart/')) return { content: null, attachments: [], fromHtml: false };
    return { content: null, attachments: [await this.attachment(part)], fromHtml: false };
  }

  private async extractMultipart(part: MimePart, ignoreAlternatives: boolean): Promise<PartResult> {
    const alternative = part.contentType === 'multipart/alternative';
    let content: string | null = null;
    let contentPart: MimePart | null = null;
    let htmlFound = false;
    let attachments: MailAttachment[] = [];
    for (const child of part.children) {
      const result = await this.extract(child, part.contentType, !content && ignoreAlternatives);
      if (!content) {
        content = result.content;
        contentPart = child;
        if (result.fromHtml) htmlFound = true;
      } else if (result.content) {
        if (result.fromHtml) {
          // the HTML is among the part's own attachments already
        } else if (!alternative) {
          const text = await this.textAttachment(child);
          if (text) attachments.push(text);
        } else if (htmlFound) {
          // a text alternative after converted HTML replaces the conversion
          content = result.content;
          contentPart = child;
        } else {
          // a later text alternative is the better one; the earlier is kept as a file
          const earlier = contentPart ? await this.textAttachment(contentPart) : null;
          if (earlier) attachments.push(earlier);
          content = result.content;
          contentPart = child;
        }
      }
      attachments.push(...result.attachments);
    }
    if (ignoreAlternatives && alternative && content) attachments = [];
    return { content, attachments, fromHtml: false };
  }
}

/**
 * The message text and attachments of a parsed message (see the module
 * comment for the rules).
 * @throws MailUsageError when the message text is in an unknown charset.
 */
export async function extractContent(root: MimePart, settings: ExtractionSettings): Promise<ExtractedContent> {
  const result = await new Extractor(settings, 0).extract(root, null, settings.ignoreAlternatives);
  return { content: result.content, attachments: result.attachments };
}
