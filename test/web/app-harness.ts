import { type IncomingHttpHeaders, type Server, createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Tracker } from '../../lib/tracker/tracker.js';
import { createTrackerApp } from '../../lib/web/app.js';
import { memoryLogger } from './core-harness.js';
import { notices, tags } from './templates/page-html.js';

/**
 * A tracker served over loopback HTTP by `createTrackerApp` with its
 * defaults: session cookies, HTTP Basic, login rate limiting, CSRF
 * tokens and header checks, every action. The one addition stands in for
 * a transport vouching for a user (CGI's REMOTE_USER): the
 * `X-Test-Remote-User` header of a request becomes that variable.
 *
 * Test trackers have `[tracker] web = http://tracker.example/demo/`, so
 * requests carry `Host: tracker.example` and paths start with `/demo/`.
 */

export const BASE_URL = 'http://tracker.example/demo/';
export const HOST = 'tracker.example';
export const ORIGIN = 'http://tracker.example';
/** The session cookie of the test trackers (named after "Roundup issue tracker"). */
export const COOKIE = 'roundup_session_Roundupissuetracker';

/** A response as the tests look at it. */
export interface TestResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** The `Set-Cookie` values. */
  cookies: string[];
}

/** A multipart body: fields, then files as `[field, filename, type, content]`. */
export interface Multipart {
  fields: ReadonlyArray<readonly [string, string]>;
  files?: ReadonlyArray<readonly [string, string, string, string]>;
}

export interface RequestOptions {
  /** Headers sent exactly as given (plus `Host: tracker.example` unless `host` is null or another host). */
  headers?: Record<string, string>;
  /** An urlencoded body. */
  form?: Record<string, string> | ReadonlyArray<readonly [string, string]>;
  multipart?: Multipart;
  /** Send the body in chunks without a Content-Length. */
  chunked?: boolean;
  host?: string | null;
}

const BOUNDARY = 'appharnessboundary7';

function multipartBody(parts: Multipart): Buffer {
  const chunks: string[] = [];
  for (const [name, value] of parts.fields) chunks.push(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`);
  for (const [field, filename, type, content] of parts.files ?? []) {
    chunks.push(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\nContent-Type: ${type}\r\n\r\n${content}\r\n`);
  }
  return Buffer.from(`${chunks.join('')}--${BOUNDARY}--\r\n`);
}

/** One request to `port`, the path sent exactly as given. */
export function send(port: number, method: string, path: string, options: RequestOptions = {}): Promise<TestResponse> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.host !== null) headers.Host = options.host ?? HOST;
  let body: Buffer | undefined;
  if (options.form) {
    body = Buffer.from(new URLSearchParams(options.form as Record<string, string>).toString());
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
  } else if (options.multipart) {
    body = multipartBody(options.multipart);
    headers['Content-Type'] = `multipart/form-data; boundary=${BOUNDARY}`;
  }
  if (body !== undefined) {
    if (options.chunked) headers['Transfer-Encoding'] = 'chunked';
    else headers['Content-Length'] = String(body.length);
  }
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers, setHost: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), cookies: res.headers['set-cookie'] ?? [] }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body !== undefined && options.chunked) {
      for (let i = 0; i < body.length; i += 4096) req.write(body.subarray(i, i + 4096));
    } else if (body !== undefined) {
      req.write(body);
    }
    req.end();
  });
}

/** `name=value` of the first cookie set with that name (for a `Cookie` header), or undefined. */
export function cookiePair(res: TestResponse, name = COOKIE): string | undefined {
  return res.cookies.find((c) => c.startsWith(`${name}=`))?.split(';')[0];
}

/** `Basic` credentials. */
export function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

/** Who the page says is logged in (the account menu of the page layout), or "anonymous". */
export function userOf(html: string): string {
  return /<span class="visually-hidden">Account: <\/span>([^<]*)<\/summary>/.exec(html)?.[1] ?? 'anonymous';
}

/** The error messages the page shows. */
export function errorsOf(html: string): string[] {
  return notices(html).error;
}

/** The `@csrf` token of the page's first form that has one, or undefined. */
export function csrfOf(html: string): string | undefined {
  return tags(html, ['input']).find((t) => t.attrs.name === '@csrf')?.attrs.value;
}

/** A tracker served on a loopback port. */
export interface ServedTracker {
  tracker: Tracker;
  port: number;
  /** What the app logged (`error: ...`, `warn: ...`). */
  logged: string[];
  /** A new browser (its own cookies) for this server. */
  browser(): Browser;
  close(): Promise<void>;
}

/** Serves an open tracker with the app's defaults; closing stops the server (the tracker stays open). */
export async function serveTracker(tracker: Tracker): Promise<ServedTracker> {
  const logger = memoryLogger();
  const app = createTrackerApp(tracker, {
    logger,
    environment: (ctx) => (ctx.get('x-test-remote-user') ? { REMOTE_USER: ctx.get('x-test-remote-user') } : undefined),
  });
  const server: Server = createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    tracker,
    port,
    logged: logger.lines,
    browser: () => new Browser(port),
    close: () => new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  };
}

/**
 * A browser on the test tracker: keeps the session cookie, posts forms
 * with a fresh `@csrf` token from a page (as a rendered form carries)
 * and the Referer and Origin a browser sends. Paths are relative to the
 * tracker's base URL (`issue1`, `` for the home page), BASE_URL unless
 * the tracker is mounted elsewhere.
 */
export class Browser {
  cookie: string | undefined;

  constructor(
    readonly port: number,
    readonly base: string = BASE_URL,
  ) {}

  async request(method: string, path: string, options: RequestOptions = {}): Promise<TestResponse> {
    const headers = { ...(this.cookie ? { Cookie: this.cookie } : {}), ...(options.headers ?? {}) };
    const res = await send(this.port, method, `${new URL(this.base).pathname}${path}`, { ...options, headers });
    const set = cookiePair(res);
    if (set !== undefined) this.cookie = set.endsWith('=') ? undefined : set;
    return res;
  }

  get(path: string, headers: Record<string, string> = {}): Promise<TestResponse> {
    return this.request('GET', path, { headers });
  }

  /** A token from the page a new issue is made on (its login box when the user may not create issues). */
  async token(): Promise<string> {
    const page = await this.get('issue?@template=item');
    const token = csrfOf(page.body);
    if (token === undefined) throw new Error(`no @csrf token on the page (${page.status})`);
    return token;
  }

  /**
   * POSTs an urlencoded form; a token is added unless the fields have
   * `@csrf` or `token` is false. Referer and Origin are the tracker's
   * unless `headers` says otherwise (an empty value leaves one out).
   */
  async post(path: string, fields: Record<string, string> | ReadonlyArray<readonly [string, string]>, options: { headers?: Record<string, string>; token?: boolean } = {}): Promise<TestResponse> {
    const pairs: Array<readonly [string, string]> = Array.isArray(fields) ? [...fields] : Object.entries(fields);
    if (options.token !== false && !pairs.some(([name]) => name === '@csrf')) pairs.push(['@csrf', await this.token()]);
    return this.request('POST', path, { form: pairs, headers: this.postHeaders(path, options.headers) });
  }

  /** POSTs a multipart form, with a token as {@link post} does. */
  async postMultipart(path: string, parts: Multipart, options: { headers?: Record<string, string>; chunked?: boolean } = {}): Promise<TestResponse> {
    const fields = [...parts.fields, ['@csrf', await this.token()] as const];
    return this.request('POST', path, { multipart: { ...parts, fields }, headers: this.postHeaders(path, options.headers), chunked: options.chunked });
  }

  /** Logs in with the login form; the session cookie is kept. */
  login(username: string, password: string, extra: Record<string, string> = {}): Promise<TestResponse> {
    return this.post('', { '@action': 'login', __login_name: username, __login_password: password, ...extra });
  }

  private postHeaders(path: string, given: Record<string, string> = {}): Record<string, string> {
    const all = { Referer: `${this.base}${path}`, Origin: new URL(this.base).origin, ...given };
    return Object.fromEntries(Object.entries(all).filter(([, value]) => value !== ''));
  }
}
