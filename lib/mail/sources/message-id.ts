/**
 * The Message-Id of a raw message, read from its header block without a
 * full MIME parse, and adding one to a message that has none.
 */

import { rawHeaderBlock } from '../gateway/mime-message.js';

/**
 * The Message-Id as the gateway stores it in the msg's `messageid`
 * (trimmed, in angle brackets as mailparser completes it), or '' when
 * there is none.
 */
export function messageIdOf(raw: Buffer): string {
  const unfolded = rawHeaderBlock(raw, 2 * 1024 * 1024).replace(/\n[ \t]+/g, ' ');
  const value = /^message-id:(.*)$/im.exec(unfolded)?.[1]?.trim() ?? '';
  if (!value) return '';
  return `${value.startsWith('<') ? '' : '<'}${value}${value.endsWith('>') ? '' : '>'}`;
}

/** The message with a `Message-Id: <id>` line in front, written with the message's own line ends. */
export function withMessageId(raw: Buffer, messageId: string): Buffer {
  const firstNewline = raw.indexOf(0x0a);
  const eol = firstNewline > 0 && raw[firstNewline - 1] === 0x0d ? '\r\n' : '\n';
  return Buffer.concat([Buffer.from(`Message-Id: ${messageId}${eol}`, 'latin1'), raw]);
}
