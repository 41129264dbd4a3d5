import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { RupError } from '../errors.js';
import type { DateTime } from '../hyperdb/date.js';
import type { WebRequest } from './web-types.js';

/**
 * Types a download is served as (Roundup's mime_type_allowlist): text
 * that cannot run script, and media. Anything else goes out as
 * `application/octet-stream`, so the browser saves it instead of showing
 * it. `text/html` joins the list only with `[web] allow_html_file`.
 */
export const INLINE_TYPES: readonly string[] = [
  'text/plain',
  'text/x-csrc',
  'text/x-chdr',
  'text/x-patch',
  'text/x-python',
  'text/xml',
  'text/csv',
  'text/css',
  'image/gif',
  'image/jpeg',
  'image/png',
  'image/svg+xml',
  'image/webp',
  'audio/ogg',
  'video/webm',
];

const FALLBACK_TYPE = 'application/octet-stream';

/** A download, ready to send: `body` is null for 304, 416 and HEAD. */
export interface DownloadResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer | Readable | null;
}

/** The Content-Type a stored type is served as. */
export function servedType(stored: string | null, allowHtml: boolean): string {
  // Messages may have no type: they are text.
  const type = (stored || 'text/plain').trim().toLowerCase();
  if (INLINE_TYPES.includes(type) || (allowHtml && type === 'text/html')) return type;
  return FALLBACK_TYPE;
}

/** RFC 6266 Content-Disposition with an ASCII fallback name and the UTF-8 one. */
export function contentDisposition(disposition: 'inline' | 'attachment', filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const encoded = encodeURIComponent(filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return ascii === filename ? `${disposition}; filename="${ascii}"` : `${disposition}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Roundup's handle_range_header: one `bytes=first-[last]` range (suffix
 * ranges and several ranges are ignored, so the whole content is sent);
 * `If-Range` must carry the current strong ETag, else the whole content
 * is sent; a range past the end is 416 (ignored when If-Range is given).
 */
export function requestedRange(headers: IncomingHttpHeaders, length: number, etag: string): { start: number; end: number } | 'unsatisfiable' | null {
  const range = header(headers, 'range');
  if (range === undefined) return null;
  const ifRange = header(headers, 'if-range')?.trim();
  if (ifRange) {
    if (!ifRange.startsWith('"') || !ifRange.endsWith('"') || ifRange !== etag) return null;
  }
  const [unit, set] = range.split('=', 2) as [string, string | undefined];
  if (set === undefined || unit.trim() !== 'bytes') return null;
  const specs = set.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (specs.length !== 1) return null;
  const m = /^(\d*)\s*-\s*(\d*)$/.exec(specs[0]!);
  if (!m || m[1] === '') return null;
  const start = Number(m[1]);
  const end = m[2] === '' ? length - 1 : Number(m[2]);
  if (end < start) return null;
  if (end >= length) return ifRange ? null : 'unsatisfiable';
  return { start, end };
}

/** Whether a conditional GET may be answered 304: If-None-Match when given, else If-Modified-Since. */
function notModified(headers: IncomingHttpHeaders, etag: string, lastModifiedSeconds: number): boolean {
  const inm = header(headers, 'if-none-match');
  if (inm !== undefined) {
    return inm.split(',').some((tag) => {
      const t = tag.trim();
      return t === '*' || t === etag || t === `W/${etag}`;
    });
  }
  const ims = header(headers, 'if-modified-since');
  if (ims === undefined) return false;
  const since = Date.parse(ims);
  return Number.isFinite(since) && lastModifiedSeconds <= Math.floor(since / 1000);
}

/** The bytes to send and the entity tag: FileClass content streams from its file, other content comes from the property. */
async function contentSource(req: WebRequest, classname: string, itemid: string): Promise<{ length: number; etag: string; read(start: number, end: number): Buffer | Readable }> {
  const cls = req.db.system().getclass(classname);
  if (cls.def.kind === 'file') {
    const path = req.tracker.storage.files.path(classname, itemid);
    const info = await stat(path).catch((err: NodeJS.ErrnoException) => {
      throw new RupError(err.code === 'ENOENT' ? 'RUP_ERR_NO_SUCH_ITEM' : 'RUP_ERR_DATABASE', `the content of ${classname}${itemid} cannot be read: ${err.message}`, { cause: err });
    });
    return {
      length: info.size,
      // Roundup's write_file: Apache's inode-size-mtime entity tag.
      etag: `"${info.ino.toString(16)}-${info.size.toString(16)}-${Math.floor(info.mtimeMs / 1000).toString(16)}"`,
      read: (start, end) => (info.size === 0 ? Buffer.alloc(0) : createReadStream(path, { start, end })),
    };
  }
  const content = Buffer.from(((await cls.get(itemid, 'content')) as string | null) ?? '', 'utf8');
  return { length: content.length, etag: `"${createHash('md5').update(content).digest('hex')}"`, read: (start, end) => content.subarray(start, end + 1) };
}

/**
 * Serves `/<class><id>/<name>` (Roundup's serve_file): the `content` of
 * an item whose class has `content` and `type`, after a View check on
 * `content`. The Content-Type comes from the allow-list (see
 * {@link servedType}); every download carries `X-Content-Type-Options:
 * nosniff` and `Content-Security-Policy: script-src 'none'`, and a
 * Content-Disposition (Roundup sends none): `inline` for the allow-listed
 * types, `attachment` for everything served as octet-stream, with the
 * item's `name` (else the name in the URL). Last-Modified is the item's
 * `activity`; the ETag, If-None-Match / If-Modified-Since (304) and single
 * byte ranges (206, 416) follow Roundup. Retired items are still served.
 *
 * @throws RupError RUP_ERR_NO_SUCH_CLASS / RUP_ERR_NO_SUCH_ITEM (404) for
 *   unknown classes, classes without content, unknown items and missing
 *   content; RUP_ERR_PERMISSION (403) "You are not allowed to view this file."
 */
export async function serveDownload(req: WebRequest): Promise<DownloadResponse> {
  const { classname, itemid } = req.target;
  if (classname === null || itemid === null) throw new RupError('RUP_ERR_NO_SUCH_ITEM', 'No file named');
  if (!req.db.schema.hasClass(classname)) throw new RupError('RUP_ERR_NO_SUCH_CLASS', `There is no class called "${classname}"`);
  const def = req.db.schema.getClass(classname);
  if (!def.properties.has('content') || !def.properties.has('type')) throw new RupError('RUP_ERR_NO_SUCH_ITEM', `${classname}${itemid} has no content to download`);
  const sys = req.db.system().getclass(classname);
  if (!(await sys.hasnode(itemid))) throw new RupError('RUP_ERR_NO_SUCH_ITEM', `${classname} has no node ${itemid}`);
  if (!(await req.db.hasPermission('View', classname, { property: 'content', itemid }))) {
    throw new RupError('RUP_ERR_PERMISSION', 'You are not allowed to view this file.');
  }

  const node = await sys.getnode(itemid);
  const type = servedType(node.type as string | null, req.tracker.config.WEB_ALLOW_HTML_FILE === true);
  const name = (def.properties.has('name') ? (node.name as string | null) : null) || req.target.filename || `${classname}${itemid}`;
  const lastModified = Math.floor((node.activity as DateTime).epochMs / 1000);
  const source = await contentSource(req, classname, itemid);
  const headers: Record<string, string> = {
    'Content-Type': type,
    'Last-Modified': new Date(lastModified * 1000).toUTCString(),
    ETag: source.etag,
    'Accept-Ranges': 'bytes',
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': "script-src 'none'",
    'Content-Disposition': contentDisposition(type === FALLBACK_TYPE ? 'attachment' : 'inline', name),
  };
  if (notModified(req.headers, source.etag, lastModified)) return { status: 304, headers, body: null };

  const range = requestedRange(req.headers, source.length, source.etag);
  if (range === 'unsatisfiable') {
    return { status: 416, headers: { ...headers, 'Content-Range': `bytes */${source.length}`, 'Content-Length': '0' }, body: null };
  }
  const start = range?.start ?? 0;
  const end = range?.end ?? source.length - 1;
  headers['Content-Length'] = String(end - start + 1);
  if (range) headers['Content-Range'] = `bytes ${start}-${end}/${source.length}`;
  const body = req.method === 'HEAD' ? null : source.read(start, end);
  return { status: range ? 206 : 200, headers, body };
}
