import { readFileSync, realpathSync, statSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { requestedRange } from './download.js';

/**
 * The tracker's static files (`@@file/<path>`, alias `_file/<path>`):
 * Roundup's serve_static_file. Files are looked up in the `[main]
 * static_files` directories in order (a `-` entry ends the search there),
 * then in the templates directory. No permission check applies; these
 * files are public.
 *
 * The path can never leave its directory: every segment is decoded and
 * must be a plain name (no `.` or `..`, no hidden files, no slash or
 * backslash or NUL hidden in an encoding), and the real path (symbolic
 * links followed) must still be inside the real directory.
 */

/** A static file ready to send. `body` is null for 304, 416 and HEAD. */
export interface StaticResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer | null;
}

const TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.html': 'text/html; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.xml': 'text/xml',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.gif': 'image/gif',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/vnd.microsoft.icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

/** Cache-Control of static files by type, as the shipped templates set them (Roundup's Cache_Control). */
const CACHE_CONTROL: Record<string, string> = {
  '.js': 'public, max-age=1209600',
  '.mjs': 'public, max-age=1209600',
  '.css': 'public, max-age=4838400',
};

interface CachedFile {
  mtimeMs: number;
  size: number;
  content: Buffer;
  etag: string;
}

/** Static files of one tracker, with their contents cached (and checked against the file's mtime and size). */
export class StaticFiles {
  private readonly dirs: string[];
  private readonly cache = new Map<string, CachedFile>();

  /**
   * `staticDirs` is `[main] static_files` (absolute paths; `-` ends the
   * search before the templates directory), `templatesDir` `[main] templates`.
   */
  constructor(staticDirs: readonly string[], templatesDir: string) {
    const dirs: string[] = [];
    let stop = false;
    for (const d of staticDirs) {
      if (d === '-' || d.endsWith(`${sep}-`) || d.endsWith('/-')) {
        stop = true;
        break;
      }
      dirs.push(d);
    }
    if (!stop) dirs.push(templatesDir);
    this.dirs = dirs.map((d) => realOrResolved(d));
  }

  /**
   * The file at `segments` (still percent-encoded, as they came in the URL),
   * or null when there is none or the path is not acceptable.
   */
  resolve(segments: readonly string[]): string | null {
    const names: string[] = [];
    for (const raw of segments) {
      let name: string;
      try {
        name = decodeURIComponent(raw);
      } catch {
        return null;
      }
      if (name === '' || name.startsWith('.') || /[/\\\0]/.test(name)) return null;
      names.push(name);
    }
    if (names.length === 0) return null;
    for (const dir of this.dirs) {
      const candidate = join(dir, ...names);
      let real: string;
      try {
        real = realpathSync(candidate);
        if (!statSync(real).isFile()) continue;
      } catch {
        continue;
      }
      if (real.startsWith(dir + sep)) return real;
    }
    return null;
  }

  /**
   * Serves a resolved file with Content-Type, Last-Modified, ETag,
   * Cache-Control (JavaScript and CSS), 304 for If-None-Match /
   * If-Modified-Since, and single byte ranges (206, 416).
   */
  serve(file: string, method: string, headers: IncomingHttpHeaders): StaticResponse {
    const st = statSync(file);
    let cached = this.cache.get(file);
    if (!cached || cached.mtimeMs !== st.mtimeMs || cached.size !== st.size) {
      const content = readFileSync(file);
      cached = { mtimeMs: st.mtimeMs, size: st.size, content, etag: `"${st.ino.toString(16)}-${st.size.toString(16)}-${Math.floor(st.mtimeMs / 1000).toString(16)}"` };
      this.cache.set(file, cached);
    }
    const ext = extname(file).toLowerCase();
    const lastModified = Math.floor(st.mtimeMs / 1000);
    const out: Record<string, string> = {
      'Content-Type': TYPES[ext] ?? 'application/octet-stream',
      'Last-Modified': new Date(lastModified * 1000).toUTCString(),
      ETag: cached.etag,
      'Accept-Ranges': 'bytes',
    };
    if (CACHE_CONTROL[ext]) out['Cache-Control'] = CACHE_CONTROL[ext]!;
    if (notModified(headers, cached.etag, lastModified)) return { status: 304, headers: out, body: null };
    const length = cached.content.length;
    const range = requestedRange(headers, length, cached.etag);
    if (range === 'unsatisfiable') return { status: 416, headers: { ...out, 'Content-Range': `bytes */${length}`, 'Content-Length': '0' }, body: null };
    const start = range?.start ?? 0;
    const end = range?.end ?? length - 1;
    out['Content-Length'] = String(Math.max(0, end - start + 1));
    if (range) out['Content-Range'] = `bytes ${start}-${end}/${length}`;
    const body = method === 'HEAD' ? null : range ? cached.content.subarray(start, end + 1) : cached.content;
    return { status: range ? 206 : 200, headers: out, body };
  }
}

function realOrResolved(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    return resolve(dir);
  }
}

function notModified(headers: IncomingHttpHeaders, etag: string, lastModified: number): boolean {
  const inm = headers['if-none-match'];
  if (inm !== undefined) return inm.split(',').some((t) => t.trim() === etag || t.trim() === '*');
  const ims = headers['if-modified-since'];
  if (ims === undefined) return false;
  const since = Date.parse(ims);
  return Number.isFinite(since) && lastModified * 1000 <= since;
}
