/**
 * A response as a CGI script or FastCGI responder hands it to the web
 * server (RFC 3875 6.2): a `Status:` header line, the header lines, a
 * blank line, then the body. The web server writes the real status line
 * and frames the body for its own connection, so the fields that concern
 * one connection stay out, and so does `Date`, which every web server
 * sets itself.
 */

const LEFT_OUT = new Set(['connection', 'keep-alive', 'transfer-encoding', 'proxy-connection', 'upgrade', 'trailer', 'date']);

/** The header block, ready to write before the body. */
export function cgiHeaderBlock(response: { status: number; reason: string; headers: ReadonlyArray<readonly [string, string]> }): Buffer {
  let block = `Status: ${response.status}${response.reason ? ` ${response.reason}` : ''}\r\n`;
  for (const [name, value] of response.headers) {
    if (!LEFT_OUT.has(name.toLowerCase())) block += `${name}: ${value}\r\n`;
  }
  // Node wrote these bytes as latin1 header text; they go back out unchanged.
  return Buffer.from(`${block}\r\n`, 'latin1');
}

/** A complete small answer (for failures found before any tracker is reached). */
export function cgiPlainAnswer(status: number, reason: string, html: string): Buffer {
  const body = Buffer.from(html, 'utf8');
  const head = cgiHeaderBlock({
    status,
    reason,
    headers: [
      ['Content-Type', 'text/html; charset=utf-8'],
      ['Content-Length', String(body.length)],
      ['Cache-Control', 'no-cache'],
    ],
  });
  return Buffer.concat([head, body]);
}
