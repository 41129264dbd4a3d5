import { RupError } from '../../errors.js';

/**
 * Python's `urllib.parse.quote(text)` (safe characters: letters, digits,
 * `_.-~` and `/`), which Roundup uses for the values it puts in redirect
 * URLs (`@ok_message`, `@template`, filter values).
 */
export function pyQuote(text: string, safe = '/'): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const ch = String.fromCharCode(byte);
    if (/[A-Za-z0-9_.~-]/.test(ch) || (byte < 0x80 && safe.includes(ch))) out += ch;
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

// RFC 3986 characters Roundup accepts unescaped in each part of a redirect URL.
const ALLOWED = /^[A-Za-z0-9@:/?._~%!$&'()*+,;=-]*$/;
const URL_PARTS = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/;

interface UrlParts {
  scheme: string;
  netloc: string;
  path: string;
  params: string;
  query: string;
  fragment: string;
}

/** Python's urlparse for absolute URLs: `;params` belong to the last path segment. */
function splitUrl(url: string): UrlParts | null {
  const m = URL_PARTS.exec(url);
  if (!m) return null;
  let path = m[3] ?? '';
  let params = '';
  const lastSlash = path.lastIndexOf('/');
  const semi = path.indexOf(';', lastSlash < 0 ? 0 : lastSlash);
  if (semi >= 0) {
    params = path.slice(semi + 1);
    path = path.slice(0, semi);
  }
  return { scheme: m[1]!.toLowerCase(), netloc: m[2] ?? '', path, params, query: m[4] ?? '', fragment: m[5] ?? '' };
}

function joinUrl(p: UrlParts): string {
  return `${p.scheme}://${p.netloc}${p.path}${p.params ? `;${p.params}` : ''}${p.query ? `?${p.query}` : ''}${p.fragment ? `#${p.fragment}` : ''}`;
}

/**
 * Roundup's Action.examine_url: a `__came_from` or `__redirect_to` URL is
 * only followed when it stays inside the tracker: http or https (https
 * only when the tracker is on https), the tracker's host and port, a path
 * under the tracker's path, and every part already properly escaped.
 * Returns the URL (reassembled); RUP_ERR_VALUE with Roundup's message
 * otherwise. This is what prevents open redirects.
 */
export function examineUrl(url: string, base: string): string {
  const b = splitUrl(base);
  if (!b) throw new RupError('RUP_ERR_VALUE', 'Base url not set. Check configuration.');
  const u = splitUrl(url);
  if (b.scheme === 'https') {
    if (u?.scheme !== 'https') throw new RupError('RUP_ERR_VALUE', `Base url ${base} requires https. Redirect url ${url} uses http.`);
  } else if (!u || (u.scheme !== 'http' && u.scheme !== 'https')) {
    throw new RupError('RUP_ERR_VALUE', `Unrecognized scheme in ${url}`);
  }
  if (u.netloc !== b.netloc) throw new RupError('RUP_ERR_VALUE', `Net location in ${url} does not match base: ${b.netloc}`);
  if (!u.path.startsWith(b.path)) throw new RupError('RUP_ERR_VALUE', `Base path ${b.path} is not a prefix for url ${url}`);
  if (!ALLOWED.test(u.path)) throw new RupError('RUP_ERR_VALUE', `Path component (${u.path}) in ${url} is not properly escaped`);
  if (!ALLOWED.test(u.params)) throw new RupError('RUP_ERR_VALUE', `Params component (${u.params}) in ${url} is not properly escaped`);
  if (!ALLOWED.test(u.query)) throw new RupError('RUP_ERR_VALUE', `Query component (${u.query}) in ${url} is not properly escaped`);
  if (!ALLOWED.test(u.fragment)) throw new RupError('RUP_ERR_VALUE', `Fragment component (${u.fragment}) in ${url} is not properly escaped`);
  return joinUrl(u);
}
