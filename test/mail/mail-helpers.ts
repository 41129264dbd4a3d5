import type { ComposeSettings } from '../../lib/mail/compose.js';

/** Settings of a tracker named like Roundup's default, in UTC. */
export const testSettings: ComposeSettings = {
  trackerName: 'Roundup issue tracker',
  adminEmail: 'roundup-admin@example.com',
  domain: 'example.com',
  charset: 'utf-8',
  version: '9.9.9',
  offsetAt: () => 0,
};

/** Splits a message into its header lines (continuations joined) and body. */
export function splitMessage(text: string): { headers: [string, string][]; body: string } {
  const end = text.indexOf('\n\n');
  const head = end < 0 ? text : text.slice(0, end);
  const body = end < 0 ? '' : text.slice(end + 2);
  const headers: [string, string][] = [];
  for (const line of head.split('\n')) {
    if (/^[ \t]/.test(line) && headers.length) {
      headers[headers.length - 1]![1] += `\n${line}`;
    } else {
      const colon = line.indexOf(':');
      headers.push([line.slice(0, colon), line.slice(colon + 1).trimStart()]);
    }
  }
  return { headers, body };
}

/** The value of the first header called `name` (any case), or undefined. */
export function header(text: string, name: string): string | undefined {
  return splitMessage(text).headers.find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1];
}

/** Decodes a quoted-printable body into bytes. */
export function decodeQuotedPrintable(text: string): Buffer {
  const unwrapped = text.replace(/=\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < unwrapped.length; i++) {
    const ch = unwrapped[i]!;
    if (ch === '=' && /^[0-9A-F]{2}$/.test(unwrapped.slice(i + 1, i + 3))) {
      bytes.push(parseInt(unwrapped.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(ch, 'latin1'));
    }
  }
  return Buffer.from(bytes);
}

/** Decodes RFC 2047 encoded words (utf-8 or iso-8859-1, Q or B) in a header value. */
export function decodeWords(value: string): string {
  return value
    .replace(/\?=\n? +=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([qQbB])\?([^?]*)\?=/g, (_m, charset: string, kind: string, data: string) => {
      const bytes = kind.toLowerCase() === 'b' ? Buffer.from(data, 'base64') : decodeQuotedPrintable(data.replace(/_/g, ' '));
      return bytes.toString(/8859-1/.test(charset) ? 'latin1' : 'utf8');
    });
}
