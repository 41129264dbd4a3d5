import { RupError } from '../errors.js';

/**
 * The HTTP request a web server describes to a CGI script (RFC 3875
 * meta-variables) or a FastCGI responder (the same variables, sent as
 * PARAMS), turned back into what a Node `(req, res)` listener expects.
 *
 * The URL is `SCRIPT_NAME` followed by `PATH_INFO` and the query string,
 * so the application sees the path the browser asked for and mounts its
 * trackers below `SCRIPT_NAME` (Roundup's roundup.cgi routes by the first
 * `PATH_INFO` segment the same way). Headers come from the `HTTP_*`
 * variables; hop-by-hop headers stay with the web server, which already
 * dealt with them.
 */

/** The variables, as `process.env` or a FastCGI PARAMS stream give them. */
export type CgiVariables = Readonly<Record<string, string | undefined>>;

/** A request rebuilt from CGI variables. */
export interface CgiRequest {
  readonly method: string;
  /** The request target: the path as the browser sent it (re-encoded) and the query string. */
  readonly target: string;
  /** `SCRIPT_NAME` without a trailing slash ("" when mounted at the root). */
  readonly scriptName: string;
  /** Header lines, names in their usual capitalisation. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  /** Bytes of request body that follow on standard input (0 without `CONTENT_LENGTH`). */
  readonly contentLength: number;
  /** True when the browser reached the web server over TLS (`HTTPS=on`). */
  readonly https: boolean;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly serverAddress: string;
  readonly serverPort: number;
}

/** Headers that concern one connection only; the web server has already handled them. */
const HOP_BY_HOP = new Set([
  'CONNECTION',
  'KEEP_ALIVE',
  'PROXY_CONNECTION',
  'TRANSFER_ENCODING',
  'TE',
  'TRAILER',
  'UPGRADE',
  'EXPECT',
  'HTTP2_SETTINGS',
  // The body's framing comes from CONTENT_LENGTH and CONTENT_TYPE (RFC 3875 4.1.18).
  'CONTENT_LENGTH',
  'CONTENT_TYPE',
]);

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** What a header value may hold on the wire: no CR, LF or other control characters. */
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\uffff]*$/;
/** Path characters that need no escaping (RFC 3986 pchar and "/"). */
const PATH_SAFE = /[A-Za-z0-9\-._~!$&'()*+,;=:@/]/;

function variable(vars: CgiVariables, name: string): string {
  return vars[name] ?? '';
}

/** `HTTP_X_FORWARDED_FOR` → `X-Forwarded-For`. */
function headerName(variableName: string): string {
  return variableName
    .split('_')
    .map((word) => word.charAt(0) + word.slice(1).toLowerCase())
    .join('-');
}

/** Percent-encodes a decoded `PATH_INFO` again, byte by byte in UTF-8. */
export function encodePath(path: string): string {
  let out = '';
  for (const ch of path) {
    if (PATH_SAFE.test(ch)) out += ch;
    else for (const byte of Buffer.from(ch, 'utf8')) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The query string as sent; anything a request line cannot carry is escaped. */
function encodeQuery(query: string): string {
  return query.replace(/[^\x21-\x7e]/gu, (ch) => [...Buffer.from(ch, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''));
}

function port(value: string, fallback: number): number {
  return /^\d{1,5}$/.test(value) ? Number(value) : fallback;
}

/**
 * Rebuilds the request. Headers with values a request cannot carry are
 * left out (a web server never sends them; a hand-made environment might).
 * @throws RupError RUP_ERR_VALUE when `REQUEST_METHOD` is missing or not a
 *   method, or `CONTENT_LENGTH` is not a number.
 */
export function requestFromCgi(vars: CgiVariables): CgiRequest {
  const method = variable(vars, 'REQUEST_METHOD');
  if (!method) throw new RupError('RUP_ERR_VALUE', 'REQUEST_METHOD is not set: this program answers requests handed to it by a web server (CGI or FastCGI)');
  if (!TOKEN.test(method)) throw new RupError('RUP_ERR_VALUE', `REQUEST_METHOD "${method}" is not an HTTP method`);
  const lengthText = variable(vars, 'CONTENT_LENGTH').trim();
  if (lengthText !== '' && !/^\d{1,15}$/.test(lengthText)) throw new RupError('RUP_ERR_VALUE', `CONTENT_LENGTH "${lengthText}" is not a number of bytes`);
  const contentLength = lengthText === '' ? 0 : Number(lengthText);

  const scriptName = variable(vars, 'SCRIPT_NAME').replace(/\/+$/, '');
  const path = encodePath(`${scriptName}${variable(vars, 'PATH_INFO')}`) || '/';
  const query = variable(vars, 'QUERY_STRING');
  const target = `${path.startsWith('/') ? path : `/${path}`}${query ? `?${encodeQuery(query)}` : ''}`;

  const https = /^(on|1)$/i.test(variable(vars, 'HTTPS')) || variable(vars, 'REQUEST_SCHEME').toLowerCase() === 'https';
  const serverPort = port(variable(vars, 'SERVER_PORT'), https ? 443 : 80);
  const headers: Array<readonly [string, string]> = [];
  for (const [name, value] of Object.entries(vars)) {
    if (!name.startsWith('HTTP_') || value === undefined) continue;
    const field = name.slice(5);
    if (!field || HOP_BY_HOP.has(field) || !/^[A-Z0-9_]+$/.test(field) || !FIELD_VALUE.test(value)) continue;
    headers.push([headerName(field), value]);
  }
  if (!headers.some(([name]) => name === 'Host')) {
    // HTTP/1.0 clients may send no Host; the server's own name stands in, as for Roundup's absolute URLs.
    const serverName = variable(vars, 'SERVER_NAME') || variable(vars, 'SERVER_ADDR') || 'localhost';
    const defaultPort = serverPort === (https ? 443 : 80);
    headers.push(['Host', defaultPort ? serverName : `${serverName}:${serverPort}`]);
  }
  const contentType = variable(vars, 'CONTENT_TYPE');
  if (contentType && FIELD_VALUE.test(contentType)) headers.push(['Content-Type', contentType]);

  return {
    method,
    target,
    scriptName,
    headers,
    contentLength,
    https,
    remoteAddress: variable(vars, 'REMOTE_ADDR'),
    remotePort: port(variable(vars, 'REMOTE_PORT'), 0),
    serverAddress: variable(vars, 'SERVER_ADDR'),
    serverPort,
  };
}
